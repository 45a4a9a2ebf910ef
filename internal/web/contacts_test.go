package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
)

// TestContactPages walks the contact pages as an admin: attributes, a
// contact form with errors, the list with filters, mass edit, a target and
// an opt-out word.
func TestContactPages(t *testing.T) {
	f := newFixture(t)
	c, _ := f.signedInClient(f.account.ID, f.roles[herald.RoleAdmin], "ana")
	res := c.post("/attributes", url.Values{"name": {"City"}, "type": {"text"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("creating an attribute: %d\n%s", res.Status, res.Body)
	}
	c.post("/attributes", url.Values{"name": {"Age"}, "type": {"number"}, "showInProfile": {"on"}})
	attrs, _ := f.store.Attributes(context.Background(), f.account.ID)
	key := map[string]string{}
	for _, a := range attrs {
		key[a.Name] = a.ColumnKey()
	}
	mustContain(t, c.get("/attributes").Body, "City", "Age", "Name", "Surname", "Show in client's profile")

	res = c.post("/contacts", url.Values{"phone": {"12"}, key["Age"]: {"old"}, "email": {"x@"}})
	if res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad contact: %d", res.Status)
	}
	if got := fieldError(res.Body, "phone"); !strings.Contains(got, "is not a valid number") {
		t.Errorf("error beside the phone: %q", got)
	}
	if got := fieldError(res.Body, key["Age"]); !strings.Contains(got, "is not a number") {
		t.Errorf("error beside Age: %q", got)
	}
	for i, city := range []string{"Madrid", "Sevilla", "Madrid"} {
		res = c.post("/contacts", url.Values{"phone": {fmt.Sprintf("34 600 000 00%d", i)}, key["City"]: {city}, key["Age"]: {"20"},
			key["Name"]: {"Begoña"}, "tags": {"Feria"}})
		if res.Status != http.StatusSeeOther {
			t.Fatalf("creating contact %d: %d\n%s", i, res.Status, res.Body)
		}
	}
	list := c.get("/contacts?f." + key["City"] + "=eq:madrid")
	mustContain(t, list.Body, "&#43;34600000000", "&#43;34600000002", "<b>2</b> contacts match", "Save filters as a target", "Begoña")
	if strings.Contains(list.Body, "&#43;34600000001") {
		t.Error("the filter lets Sevilla through")
	}
	res = c.post("/contacts/mass", url.Values{"scope": {"all"}, "query": {"f." + key["City"] + "=eq:madrid"}, "addTags": {"Madrileños"}, "action": {"edit"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("mass edit: %d", res.Status)
	}
	if n, _ := f.store.CountContacts(context.Background(), f.account.ID, []herald.Filter{{Field: "tags", Op: herald.OpEq, Value: "madrileños"}}); n != 2 {
		t.Errorf("mass-tagged %d contacts", n)
	}
	res = c.post("/contacts/mass", url.Values{"scope": {"all"}, "query": {""}, "action": {"delete"}})
	if res.Status != http.StatusSeeOther || !strings.Contains(c.get(res.Location).Body, "Deleting every contact of the account is not allowed") {
		t.Errorf("deleting everything: %d %s", res.Status, res.Location)
	}
	target := c.get("/targets/new?f." + key["City"] + "=eq:madrid&f." + key["Age"] + "=range:18..25")
	mustContain(t, target.Body, "<b data-target-count>2</b>", "City", "Age")
	res = c.post("/targets", url.Values{"name": {"Young in Madrid"}, "f." + key["City"]: {"eq:madrid"}, "f." + key["Age"]: {"range:18..25"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("saving the target: %d\n%s", res.Status, res.Body)
	}
	mustContain(t, c.get("/targets").Body, "Young in Madrid", "City = madrid")
	res = c.post("/optout-words", url.Values{"word": {"BAJA"}, "channel": {"sms"}, "effectiveFrom": {"2026-05-20T00:00"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("saving the word: %d\n%s", res.Status, res.Body)
	}
	mustContain(t, c.get("/optout-words").Body, "BAJA", "Whole channel", "20.05.2026 00:00:00")
	mustContain(t, c.get("/imports").Body, "Step 1. Upload the file", "Quick import")
}

// TestContactPermissions checks who may open the contact pages.
func TestContactPermissions(t *testing.T) {
	f := newFixture(t)
	ct := &herald.Contact{AccountID: f.account.ID, Phone: "+34600000001"}
	if err := f.store.CreateContact(sys(f.account.ID), ct); err != nil {
		t.Fatal(err)
	}
	other, _ := f.newAccount("Globex")
	theirs := &herald.Contact{AccountID: other.ID, Phone: "+34600000001"}
	if err := f.store.CreateContact(sys(other.ID), theirs); err != nil {
		t.Fatal(err)
	}
	noc, _ := f.signedInClient(f.account.ID, f.roles[herald.RoleNOCEngineer], "noc")
	fin, _ := f.signedInClient(f.account.ID, f.roles[herald.RoleFinanceManager], "fin")
	bm, _ := f.signedInClient(f.account.ID, f.roles[herald.RoleBroadcastManager], "bm")
	own := fmt.Sprintf("/contacts/%d", ct.ID)
	for _, tc := range []struct {
		c    *client
		path string
		want int
	}{
		{noc, "/contacts", 200}, {noc, own, 200}, {noc, "/targets", 200}, {noc, "/attributes", 200}, {noc, "/optout-words", 200},
		{noc, "/contacts/new", 403}, {noc, "/targets/new", 403}, {noc, "/imports", 403}, {noc, "/attributes/new", 403},
		{fin, "/contacts", 403}, {fin, "/targets", 403},
		{bm, "/contacts/new", 200}, {bm, "/imports", 200}, {bm, "/targets/new", 200},
		{bm, fmt.Sprintf("/contacts/%d", theirs.ID), 404},
	} {
		if got := tc.c.get(tc.path).Status; got != tc.want {
			t.Errorf("GET %s: %d, want %d", tc.path, got, tc.want)
		}
	}
	if got := noc.post("/contacts/mass", url.Values{"scope": {"all"}, "action": {"delete"}}).Status; got != http.StatusForbidden {
		t.Errorf("mass delete by the NOC engineer: %d", got)
	}
	if body := noc.get(own).Body; strings.Contains(body, "Save changes") || !strings.Contains(body, "34600000001") {
		t.Error("the read-only contact form offers to save, or lacks the contact")
	}
	mustContain(t, noc.get("/").Body, `href="/contacts"`)
}
