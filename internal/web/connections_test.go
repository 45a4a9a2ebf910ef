package web

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/secret"
)

func TestConnectionsPage(t *testing.T) {
	f := newFixture(t)
	box, _ := secret.NewBox(bytes.Repeat([]byte{3}, secret.KeySize))
	f.portal.box = box
	reloads := &reloadRecorder{}
	f.portal.reloader = reloads
	c := f.ownerClient()
	mustContain(t, c.get("/").Body, `href="/connections"`)

	res := c.post("/connections", url.Values{"type": {"sandbox"}, "channel": {"1"}, "name": {""},
		"settings": {"{nope"}, "secrets": {"password=hunter2\nbad line"}, "tps": {"-1"}})
	if res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("invalid connection: %d\n%s", res.Status, res.Body)
	}
	wantFieldErrors(t, res.Body, map[string]string{
		"name":     "Name is required.",
		"settings": "Settings must be a JSON object.",
		"tps":      "Throughput must be zero (no limit) or more messages per second.",
		"secrets":  "Line 2 is not key=value.",
	})
	if strings.Contains(res.Body, "hunter2") {
		t.Error("the form sends the secret back")
	}

	res = c.post("/connections", url.Values{"type": {"sandbox"}, "channel": {"1"}, "name": {"SMS main"},
		"settings": {`{"deterministic": true}`}, "secrets": {"password=hunter2\ntoken=abc"}, "tps": {"50"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", res.Status, res.Body)
	}
	id, _ := strconv.ParseInt(strings.TrimPrefix(res.Location, "/connections/"), 10, 64)
	conn, err := f.store.Connection(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	got, err := box.OpenJSON(conn.SealedSecrets)
	if err != nil || got["password"] != "hunter2" || got["token"] != "abc" || conn.TPS != 50 {
		t.Fatalf("stored connection: %+v secrets %v %v", conn, got, err)
	}
	page := c.get(res.Location).Body
	mustContain(t, page, "password", "token", "SMS main")
	if strings.Contains(page, "hunter2") {
		t.Error("the edit page shows a secret")
	}

	// Editing keeps secrets not posted, replaces and removes posted ones.
	res = c.post(res.Location, url.Values{"type": {"sandbox"}, "channel": {"1"}, "name": {"SMS main"},
		"settings": {"{}"}, "secrets": {"token="}, "tps": {"10"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("update: %d\n%s", res.Status, res.Body)
	}
	conn, _ = f.store.Connection(context.Background(), id)
	if got, _ := box.OpenJSON(conn.SealedSecrets); got["password"] != "hunter2" || got["token"] != "" || conn.TPS != 10 {
		t.Errorf("after update: secrets %v tps %d", got, conn.TPS)
	}

	// Assign and unassign an account.
	acc := strconv.FormatInt(f.account.ID, 10)
	c.post(res.Location+"/accounts", url.Values{"account": {acc}})
	conn, _ = f.store.Connection(context.Background(), id)
	if len(conn.Accounts) != 1 || conn.Accounts[0] != f.account.ID {
		t.Errorf("accounts after assign = %v", conn.Accounts)
	}
	mustContain(t, c.get("/connections").Body, "SMS main", "Acme", "sandbox")
	c.post(res.Location+"/accounts/remove", url.Values{"account": {acc}})
	conn, _ = f.store.Connection(context.Background(), id)
	if len(conn.Accounts) != 0 {
		t.Errorf("accounts after unassign = %v", conn.Accounts)
	}
	// The update, the assignment and the unassignment each reopen it.
	if want := []int64{id, id, id}; !slices.Equal(reloads.ids, want) {
		t.Errorf("reloaded connections = %v, want %v", reloads.ids, want)
	}

	// Only the system owner: an account admin gets 403 everywhere.
	admin, _ := f.signedInClient(f.account.ID, f.roles[herald.RoleAdmin], "admin")
	for _, path := range []string{"/connections", "/connections/new", res.Location} {
		if r := admin.get(path); r.Status != http.StatusForbidden {
			t.Errorf("admin GET %s: %d, want 403", path, r.Status)
		}
	}
	if r := admin.post(res.Location+"/accounts", url.Values{"account": {acc}}); r.Status != http.StatusForbidden {
		t.Errorf("admin assigning: %d, want 403", r.Status)
	}
}

// reloadRecorder is a ConnectionReloader that records the IDs it is given.
type reloadRecorder struct{ ids []int64 }

// ReloadConnection records id.
func (r *reloadRecorder) ReloadConnection(_ context.Context, id int64) error {
	r.ids = append(r.ids, id)
	return nil
}

// TestConnectionUnmatchedReceipts lists an SMPP connection's receipts that
// matched no message on its page, and only there.
func TestConnectionUnmatchedReceipts(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := f.ownerClient()
	smsc := &herald.Connection{Type: herald.ConnectorSMPP, Channel: herald.ChannelSMS, Name: "SMSC",
		Settings: []byte(`{"host": "127.0.0.1", "port": 2775}`)}
	other := &herald.Connection{Type: herald.ConnectorSMPP, Channel: herald.ChannelSMS, Name: "Other SMSC",
		Settings: []byte(`{"host": "127.0.0.1", "port": 2776}`)}
	for _, conn := range []*herald.Connection{smsc, other} {
		if err := f.store.CreateConnection(ctx, conn); err != nil {
			t.Fatal(err)
		}
	}
	path := "/connections/" + strconv.FormatInt(smsc.ID, 10)
	mustContain(t, c.get(path).Body, "data-unmatched", "None.")
	for _, u := range []herald.UnmatchedReceipt{
		{ConnectionID: smsc.ID, ProviderID: "7f3a", Stat: "DELIVRD", Err: "000", Raw: "id:7f3a sub:001 dlvrd:001 stat:DELIVRD err:000"},
		{ConnectionID: other.ID, ProviderID: "other-id", Stat: "UNDELIV", Err: "001", Raw: "id:other-id stat:UNDELIV"},
	} {
		if err := f.store.RecordUnmatchedReceipt(ctx, &u); err != nil {
			t.Fatal(err)
		}
	}
	page := c.get(path).Body
	mustContain(t, page, "data-unmatched", "7f3a", "DELIVRD", "id:7f3a sub:001")
	if strings.Contains(page, "other-id") {
		t.Error("a connection's page lists another connection's unmatched receipt")
	}
	sandbox := &herald.Connection{Type: herald.ConnectorSandbox, Channel: herald.ChannelSMS, Name: "Sandbox SMS", Settings: []byte(`{}`)}
	if err := f.store.CreateConnection(ctx, sandbox); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(c.get("/connections/"+strconv.FormatInt(sandbox.ID, 10)).Body, "data-unmatched") {
		t.Error("a sandbox connection's page has an unmatched receipts section")
	}
}
