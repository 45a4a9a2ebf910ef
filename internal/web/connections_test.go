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
