package web

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/broadcast"
	"github.com/heraldhq/herald/internal/store"
)

// withModerator serves f's store from a portal that has the broadcast
// service as its moderator.
func (f *fixture) withModerator() {
	f.t.Helper()
	svc := broadcast.New(broadcast.Deps{Store: f.store, Clock: f.clock})
	p, err := New(Config{Logger: testLogger(f.t)}, Deps{Store: f.store, Auth: f.auth, Clock: f.clock, Moderator: svc})
	if err != nil {
		f.t.Fatal(err)
	}
	f.portal = p
	f.srv = httptest.NewServer(p.Handler())
	f.t.Cleanup(f.srv.Close)
}

// tagged creates n contacts of acc tagged tag.
func (f *fixture) tagged(acc int64, tag string, n int) {
	f.t.Helper()
	cs := make([]herald.Contact, n)
	for i := range cs {
		cs[i] = herald.Contact{AccountID: acc, Phone: fmt.Sprintf("+3461%07d", i*10+5), Tags: []string{tag}}
	}
	for lo := 0; lo < n; lo += 1000 {
		if _, err := f.store.UpsertContacts(sys(acc), acc, cs[lo:min(n, lo+1000)], herald.DupSkip); err != nil {
			f.t.Fatalf("creating contacts: %v", err)
		}
	}
}

// moderated creates a broadcast of acc to tag and sends it to moderation,
// as launching does in a moderated account.
func (f *fixture) moderated(acc int64, name, tag string) *herald.Broadcast {
	f.t.Helper()
	b := &herald.Broadcast{AccountID: acc, Name: name, Recipients: herald.Recipients{Tags: []string{tag}},
		Steps: []herald.BroadcastStep{{Channel: herald.ChannelSMS, SenderID: "sandbox", Payload: []byte(`{"text":"Spring sale: 20% off"}`)},
			{Channel: herald.ChannelViber, SenderID: "sandbox", Payload: []byte(`{"text":"Spring sale on Viber"}`), WaitingTime: 3600}}}
	if err := f.store.CreateBroadcast(sys(acc), b); err != nil {
		f.t.Fatal(err)
	}
	return f.change(b, herald.BroadcastModeration)
}

// change moves b to status to as the service would.
func (f *fixture) change(b *herald.Broadcast, to herald.BroadcastStatus) *herald.Broadcast {
	f.t.Helper()
	got, err := f.store.ChangeBroadcast(sys(b.AccountID), b.AccountID, b.ID, store.BroadcastChange{From: herald.BroadcastStatuses(), To: to,
		Action: "test", Launch: to == herald.BroadcastInProgress})
	if err != nil {
		f.t.Fatalf("changing broadcast to %s: %v", to, err)
	}
	return got
}

// TestModerationFlow is the system owner's moderation in the portal: the
// switch in the account form, the queue across accounts with each
// broadcast's chain and recipient count, a rejection that needs a reason
// (shown to the account), and an approval that launches. Nobody but the
// system owner moderates, and a broadcast is looked up in its own account.
func TestModerationFlow(t *testing.T) {
	f := newFixture(t)
	f.withModerator()
	shop, shopRoles := f.newAccount("Shop")
	f.tagged(shop.ID, "spring", 3)
	owner := f.ownerClient()
	staff, _ := f.signedInClient(shop.ID, shopRoles[herald.RoleAdmin], "shopadmin")

	// The switch in System > Accounts.
	accPath := fmt.Sprintf("/accounts/%d", shop.ID)
	body := owner.get(accPath).Body
	mustContain(t, body, `name="moderation"`, "Moderate broadcasts")
	if strings.Contains(body, `name="moderation" checked`) {
		t.Error("moderation is on for a new account")
	}
	for _, on := range []bool{true, false, true} {
		v := url.Values{"name": {"Shop"}, "timeZone": {"UTC"}}
		if on {
			v.Set("moderation", "on")
		}
		if res := owner.post(accPath, v); res.Status != http.StatusSeeOther {
			t.Fatalf("saving the account: %d\n%s", res.Status, res.Body)
		}
		if got, _ := f.store.BroadcastModeration(sys(0), shop.ID); got != on {
			t.Errorf("moderation after saving %v = %v", on, got)
		}
	}
	mustContain(t, owner.get(accPath).Body, `name="moderation" checked`)
	if on, _ := f.store.BroadcastModeration(sys(0), f.account.ID); on {
		t.Error("the owner's own account became moderated")
	}

	b := f.moderated(shop.ID, "Spring sale", "spring")
	review := fmt.Sprintf("/moderation/%d/%d", shop.ID, b.ID)

	// Only the system owner moderates.
	for _, path := range []string{"/moderation", review} {
		if res := staff.get(path); res.Status != http.StatusForbidden {
			t.Errorf("GET %s by an account admin: %d, want 403", path, res.Status)
		}
	}
	for _, path := range []string{review + "/approve", review + "/reject"} {
		if res := staff.post(path, url.Values{"reason": {"mine"}}); res.Status != http.StatusForbidden {
			t.Errorf("POST %s by an account admin: %d, want 403", path, res.Status)
		}
	}
	mustContain(t, owner.get("/").Body, `href="/moderation"`)
	if strings.Contains(staff.get("/").Body, `href="/moderation"`) {
		t.Error("an account admin's menu shows Moderation")
	}

	// The queue, across accounts, filtered by account.
	body = owner.get("/moderation").Body
	mustContain(t, body, "Spring sale", ">Shop<", "Recipients: 3 contacts now", "Spring sale: 20% off", "1 h", review)
	f.moderated(f.account.ID, "Own news", "nobody")
	body = owner.get(fmt.Sprintf("/moderation?f.accountId=eq%%3A%d", shop.ID)).Body
	if !strings.Contains(body, "Spring sale") || strings.Contains(body, "Own news") {
		t.Error("the account filter does not keep only Shop's broadcast")
	}
	if res := owner.get(fmt.Sprintf("/moderation/%d/%d", f.account.ID, b.ID)); res.Status != http.StatusNotFound {
		t.Errorf("a broadcast under another account: %d, want 404", res.Status)
	}

	// The review shows each step's content and the recipient count.
	body = owner.get(review).Body
	mustContain(t, body, "Step 1: SMS", "Step 2: Viber", "Spring sale on Viber", `data-recipient-count>3<`, "data-approve", "data-reject")

	// Rejecting needs a reason, shown beside the field.
	res := owner.post(review+"/reject", url.Values{"reason": {"  "}})
	if res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("reject without a reason: %d", res.Status)
	}
	wantFieldErrors(t, res.Body, map[string]string{"reason": "Reason is required."})
	res = owner.post(review+"/reject", url.Values{"reason": {"Say which shops take part."}})
	if res.Status != http.StatusSeeOther || res.Location != "/moderation" {
		t.Fatalf("reject: %d %s", res.Status, res.Location)
	}
	got, _ := f.store.Broadcast(sys(shop.ID), shop.ID, b.ID)
	if got.Status != herald.BroadcastRejected || got.Reason != "Say which shops take part." {
		t.Fatalf("after rejecting: %s %q", got.Status, got.Reason)
	}
	// The account sees the status and the reason.
	body = staff.get(fmt.Sprintf("/broadcasts/%d/contacts", b.ID)).Body
	mustContain(t, body, `data-moderation-status="rejected"`, "Say which shops take part.")
	if res := owner.post(review+"/approve", nil); res.Status != http.StatusSeeOther {
		t.Errorf("approving a rejected broadcast: %d, want a redirect with the conflict", res.Status)
	}
	mustContain(t, owner.get(review).Body, "not waiting for moderation")

	// Sent again, approved: it launches with its three contacts.
	f.change(got, herald.BroadcastModeration)
	mustContain(t, staff.get(fmt.Sprintf("/broadcasts/%d/contacts", b.ID)).Body, `data-moderation-status="moderation"`)
	res = owner.post(review+"/approve", nil)
	if res.Status != http.StatusSeeOther {
		t.Fatalf("approve: %d\n%s", res.Status, res.Body)
	}
	mustContain(t, owner.get(res.Location).Body, "Broadcast Spring sale approved: it is in progress.")
	got, _ = f.store.Broadcast(sys(shop.ID), shop.ID, b.ID)
	if got.Status != herald.BroadcastInProgress || got.Contacts != 3 {
		t.Fatalf("after approving: %s with %d contacts", got.Status, got.Contacts)
	}
	body = owner.get("/moderation").Body
	if strings.Contains(body, review) || !strings.Contains(body, "Own news") {
		t.Error("the queue still lists the approved broadcast, or lost the other")
	}
}

// TestBroadcastContactsPage lists and exports a broadcast's outcome per
// contact: keyset pages through the table, filters, the quick filters by
// chain outcome, CSV and XLSX of thousands of rows, and 404 for another
// account's broadcast.
func TestBroadcastContactsPage(t *testing.T) {
	f := newFixture(t)
	const n = 3000
	f.tagged(f.account.ID, "all", n)
	b := f.moderated(f.account.ID, "Big", "all")
	b = f.change(b, herald.BroadcastInProgress)
	if b.Contacts != n {
		t.Fatalf("launched with %d contacts, want %d", b.Contacts, n)
	}
	c, _ := f.signedInClient(f.account.ID, f.roles[herald.RoleBroadcastManager], "bea")
	path := fmt.Sprintf("/broadcasts/%d/contacts", b.ID)

	res := c.get(path + "?limit=100")
	if res.Status != http.StatusOK {
		t.Fatalf("GET %s: %d", path, res.Status)
	}
	mustContain(t, res.Body, "Chain outcome", "Not initiated", "&#43;34610000005<", `data-export="csv"`, `data-export="xlsx"`, "Not initiated <b>3000</b>")
	if got := strings.Count(res.Body, "<tr") - 1; got != 100 {
		t.Errorf("first page has %d rows, want 100", got)
	}
	next := regexp.MustCompile(`href="(/broadcasts/\d+/contacts\?[^"]*cursor=[^"]+)"`).FindStringSubmatch(res.Body)
	if next == nil {
		t.Fatal("no link to the next page")
	}
	res = c.get(strings.ReplaceAll(next[1], "&amp;", "&"))
	if !strings.Contains(res.Body, "&#43;34610001005<") || strings.Contains(res.Body, "&#43;34610000005<") {
		t.Error("the second page does not go on from the first")
	}
	mustContain(t, c.get(path+"?f.result=eq%3Asuccessful").Body, "No contacts match.")
	if res := c.get(path + "?f.result=eq%3Abogus"); res.Status != http.StatusOK || !strings.Contains(res.Body, "bogus") {
		t.Errorf("an invalid filter: %d", res.Status)
	}

	// The column choice is kept for every broadcast's list.
	res = c.post("/prefs/columns", url.Values{"table": {"broadcast-contacts"}, "col": {"phone", "result", "messageId"}, "next": {path}})
	if res.Status != http.StatusSeeOther || res.Location != path {
		t.Fatalf("choosing columns: %d %s", res.Status, res.Location)
	}
	head := c.get(path).Body
	head = head[strings.Index(head, "<thead"):strings.Index(head, "</thead>")]
	if !strings.Contains(head, "Message ID") || strings.Contains(head, "Last status") {
		t.Errorf("the chosen columns are not shown: %s", head)
	}

	// CSV: every row, streamed; the filters apply.
	res = c.get(path + "/export?format=csv")
	if res.Status != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("CSV export: %d %s", res.Status, res.Header.Get("Content-Type"))
	}
	rows, err := csv.NewReader(strings.NewReader(res.Body)).ReadAll()
	if err != nil || len(rows) != n+1 || rows[0][1] != "Phone number" || rows[1][1] != "+34610000005" || rows[n][4] != "Not initiated" {
		t.Fatalf("CSV: %d rows, %v; first %v", len(rows), err, rows[:2])
	}
	res = c.get(path + "/export?format=csv&f.result=eq%3Asuccessful")
	if rows, _ := csv.NewReader(strings.NewReader(res.Body)).ReadAll(); len(rows) != 1 {
		t.Errorf("filtered CSV has %d rows, want the header only", len(rows))
	}
	res = c.get(path + "/export?format=xlsx")
	x, err := excelize.OpenReader(bytes.NewReader([]byte(res.Body)))
	if err != nil {
		t.Fatalf("XLSX: %v", err)
	}
	defer x.Close()
	sheet, err := x.GetRows("Contacts")
	if err != nil || len(sheet) != n+1 || sheet[n][1] != fmt.Sprintf("+3461%07d", (n-1)*10+5) {
		t.Errorf("XLSX has %d rows, %v", len(sheet), err)
	}
	if res := c.get(path + "/export?format=pdf"); res.Status != http.StatusBadRequest {
		t.Errorf("unknown format: %d", res.Status)
	}
	entries, err := f.store.ListAudit(sys(f.account.ID), f.account.ID, herald.ListQuery{Filters: []herald.Filter{{Field: "action", Op: herald.OpEq, Value: "Exported broadcast contacts"}}})
	if err != nil || len(entries.Items) != 3 {
		t.Errorf("export audit entries = %d, %v; want 3", len(entries.Items), err)
	}

	// Another account's broadcast is not found.
	g, gRoles := f.newAccount("Globex")
	gc, _ := f.signedInClient(g.ID, gRoles[herald.RoleAdmin], "gadmin")
	for _, p := range []string{path, path + "/export?format=csv", "/broadcasts/999999/contacts"} {
		if res := gc.get(p); res.Status != http.StatusNotFound {
			t.Errorf("GET %s from another account: %d, want 404", p, res.Status)
		}
	}
}
