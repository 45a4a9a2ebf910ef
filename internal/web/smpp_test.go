package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/smpp"
	"github.com/heraldhq/herald/internal/store"
)

// TestSMPPCredentialPages creates, edits and deletes SMPP credentials
// through the portal: errors beside their fields, the password hashed and
// never shown, and another account's credentials not found.
func TestSMPPCredentialPages(t *testing.T) {
	f := newFixture(t)
	c, _ := f.signedInClient(f.account.ID, f.roles[herald.RoleAdmin], "alice")
	mustContain(t, c.get("/").Body, `href="/smpp-credentials"`)
	mustContain(t, c.get("/smpp-credentials").Body, "No SMPP accounts yet.")
	mustContain(t, c.get("/smpp-credentials/new").Body, `name="systemId"`, `name="password"`, `name="allowedIps"`,
		`name="throughput"`, `name="maxBinds"`, `name="senderId"`)

	res := c.post("/smpp-credentials", url.Values{"systemId": {""}, "allowedIps": {"10.0.0.0/8\nnot-an-ip"},
		"throughput": {"fast"}, "maxBinds": {"2"}})
	if res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("invalid credential: %d", res.Status)
	}
	for _, field := range []string{"systemId", "password", "allowedIps", "throughput"} {
		if fieldError(res.Body, field) == "" {
			t.Errorf("no error beside %s", field)
		}
	}
	mustContain(t, res.Body, "10.0.0.0/8\nnot-an-ip") // the input is kept

	// SMPP binds carry at most 8 characters of password.
	res = c.post("/smpp-credentials", url.Values{"systemId": {"long01"}, "password": {"123456789"}})
	if res.Status != http.StatusUnprocessableEntity || !strings.Contains(fieldError(res.Body, "password"), "8 characters") {
		t.Errorf("a 9-character password: %d %q", res.Status, fieldError(res.Body, "password"))
	}

	form := url.Values{"systemId": {"acme01"}, "password": {"s3cret"}, "allowedIps": {"10.0.0.0/8\n192.0.2.7"},
		"throughput": {"50"}, "maxBinds": {"2"}, "senderId": {"ACME"}}
	if res = c.post("/smpp-credentials", form); res.Status != http.StatusSeeOther || res.Location != "/smpp-credentials" {
		t.Fatalf("create: %d %s\n%s", res.Status, res.Location, res.Body)
	}
	cr, err := f.store.SMPPCredentialBySystemID(sys(f.account.ID), "acme01")
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := auth.VerifyPassword("s3cret", cr.PasswordHash); !ok || cr.Throughput != 50 || cr.MaxBinds != 2 ||
		cr.SenderID != "ACME" || len(cr.AllowedIPs) != 2 {
		t.Errorf("stored %+v", cr)
	}
	list := c.get("/smpp-credentials").Body
	mustContain(t, list, "acme01", "10.0.0.0/8, 192.0.2.7", "50/s", "ACME")

	// A taken system_id (any case) is an error beside the field.
	res = c.post("/smpp-credentials", url.Values{"systemId": {"ACME01"}, "password": {"x"}})
	if res.Status != http.StatusUnprocessableEntity || fieldError(res.Body, "systemId") == "" {
		t.Errorf("taken system_id: %d %q", res.Status, fieldError(res.Body, "systemId"))
	}

	// Edit: the password is never shown; an empty one keeps it.
	path := fmt.Sprintf("/smpp-credentials/%d", cr.ID)
	edit := c.get(path).Body
	mustContain(t, edit, `value="acme01"`, "Leave empty to keep the current password.")
	if strings.Contains(edit, "s3cret") || strings.Contains(edit, "argon2") {
		t.Error("the edit page shows the password or its hash")
	}
	form.Set("password", "")
	form.Set("throughput", "0")
	if res = c.post(path, form); res.Status != http.StatusSeeOther {
		t.Fatalf("update: %d\n%s", res.Status, res.Body)
	}
	after, _ := f.store.SMPPCredentialBySystemID(sys(f.account.ID), "acme01")
	if after.PasswordHash != cr.PasswordHash || after.Throughput != 0 {
		t.Errorf("after update %+v", after)
	}
	form.Set("maxBinds", "-1")
	if res = c.post(path, form); res.Status != http.StatusUnprocessableEntity || fieldError(res.Body, "throughput") == "" {
		t.Errorf("negative max binds: %d", res.Status)
	}

	// Another account's admin does not find it.
	acc2, roles2 := f.newAccount("Globex")
	c2, _ := f.signedInClient(acc2.ID, roles2[herald.RoleAdmin], "stranger")
	for _, p := range []string{path, path + "/delete"} {
		if res := c2.get(p); res.Status != http.StatusNotFound {
			t.Errorf("GET %s by another account: %d", p, res.Status)
		}
		if res := c2.post(p, form); res.Status != http.StatusNotFound {
			t.Errorf("POST %s by another account: %d", p, res.Status)
		}
	}

	mustContain(t, c.get(path+"/delete").Body, "Delete the SMPP account acme01?")
	if res = c.post(path+"/delete", nil); res.Status != http.StatusSeeOther {
		t.Fatalf("delete: %d", res.Status)
	}
	if res = c.get(path); res.Status != http.StatusNotFound {
		t.Errorf("after delete: %d", res.Status)
	}
}

// fakeSMPPStatus is an SMPPStatus with fixed answers.
type fakeSMPPStatus struct {
	conns []SMPPConnection
	binds []smpp.BindInfo
}

func (s fakeSMPPStatus) SMPPConnections() []SMPPConnection { return s.conns }
func (s fakeSMPPStatus) SMPPServerBinds() []smpp.BindInfo  { return s.binds }

// TestSMPPBindsPage shows the system owner the SMPP client sessions and the
// customer binds of the server.
func TestSMPPBindsPage(t *testing.T) {
	f := newFixture(t)
	c := f.ownerClient()
	mustContain(t, c.get("/smpp-binds").Body, "This process does not report SMPP binds.")

	now := time.Now()
	f.portal.smppStatus = fakeSMPPStatus{
		conns: []SMPPConnection{{ID: 7, Name: "Operator A", Sessions: []smpp.SessionInfo{
			{ID: 1, Bind: "transceiver", State: smpp.SessionState("bound"), Since: now, Window: 20, InFlight: 3, Submitted: 1234, Received: 56},
			{ID: 2, Bind: "receiver", State: smpp.SessionState("connecting"), Since: now, LastError: "connection refused"}}},
			{ID: 8, Name: "Operator B"}},
		binds: []smpp.BindInfo{{ID: 1, SystemID: "kannel", Account: "3", Bind: "transceiver", Remote: "127.0.0.1:40000",
			Since: now, Window: 10, InFlight: 1, Submitted: 99, Delivered: 42}},
	}
	body := c.get("/smpp-binds").Body
	mustContain(t, body, `href="/smpp-binds"`, "Operator A", "transceiver", "bound", "3 / 20", "1234", "56",
		"connection refused", "Operator B", "No sessions.", "kannel", "127.0.0.1:40000", "1 / 10", "99", "42")

	// Account users do not get it.
	admin, _ := f.signedInClient(f.account.ID, f.roles[herald.RoleAdmin], "alice")
	if res := admin.get("/smpp-binds"); res.Status != http.StatusForbidden {
		t.Errorf("an account admin opens SMPP binds: %d", res.Status)
	}
}

// TestSMPPBindsWaitingParts lists the long messages that wait for parts:
// one row per message, with its parts present and expected, and not a
// message made already.
func TestSMPPBindsWaitingParts(t *testing.T) {
	f := newFixture(t)
	c := f.ownerClient()
	mustContain(t, c.get("/smpp-binds").Body, "data-smpp-waiting", "None.")
	ctx := context.Background()
	const first, second, made = "acme|5.0.Shop|1.1.46700000001|7|3", "acme|5.0.Shop|1.1.46700000002|8|2", "acme|5.0.Shop|1.1.46700000003|9|2"
	for i, p := range []herald.SMPPSubmitPart{
		{SetKey: first, Seq: 1, Total: 3}, {SetKey: first, Seq: 3, Total: 3},
		{SetKey: second, Seq: 1, Total: 2}, {SetKey: made, Seq: 1, Total: 2},
	} {
		p.AccountID, p.Request, p.Text = f.account.ID, "{}", "text"
		if _, err := f.store.AddSMPPSubmitPart(ctx, &p, "base"+strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.store.MessageTx(ctx, func(x *store.MessageTx) error {
		_, err := x.MarkSMPPSubmitParts(ctx, "m1", "base3-1")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	body := c.get("/smpp-binds").Body
	mustContain(t, body, "data-smpp-waiting", "acme", "5.0.Shop", "1.1.46700000001", "2 of 3", "1.1.46700000002", "1 of 2")
	if strings.Contains(body, "None.") || strings.Contains(body, "1.1.46700000003") {
		t.Error("the waiting messages list says none, or lists a message made already")
	}
}
