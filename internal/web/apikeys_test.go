package web

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
)

func TestAPIKeyShownOnce(t *testing.T) {
	f := newFixture(t)
	c, _ := f.signedInClient(f.account.ID, f.roles[herald.RoleAdmin], "admin")

	res := c.post("/apikeys", url.Values{"name": {""}, "webhookUrl": {"ftp://x"}, "allowedIps": {"10.0.0.0/8\nnonsense"}})
	if res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("invalid key: %d", res.Status)
	}
	wantFieldErrors(t, res.Body, map[string]string{
		"name":       "Name is required.",
		"scopes":     "Select at least one scope.",
		"webhookUrl": "The webhook must be an http:// or https:// URL.",
		"allowedIps": "&#34;nonsense&#34; is not an IP address or CIDR prefix.",
	})

	res = c.post("/apikeys", url.Values{"name": {"shop"}, "webhookUrl": {"https://shop.example/hook"},
		"scopes": {"omni-api", "crm"}, "senderIds": {"Shop, ShopAlerts"}, "allowedIps": {"203.0.113.7"}})
	if res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Location, "/apikeys/") {
		t.Fatalf("create: %d %q\n%s", res.Status, res.Location, res.Body)
	}
	page := c.get(res.Location).Body
	key := regexp.MustCompile(`data-secret>(hrld_[a-z0-9]+)<`).FindStringSubmatch(page)
	if key == nil {
		t.Fatal("the new key is not shown")
	}
	mustContain(t, page, "It will not be shown again", `data-copy="new-key"`)
	if again := c.get(res.Location).Body; strings.Contains(again, key[1]) || strings.Contains(again, "data-secret") {
		t.Error("the key is shown a second time")
	}
	k, err := f.auth.AuthenticateAPIKey(sys(f.account.ID), key[1], mustAddr("203.0.113.7"))
	if err != nil {
		t.Fatalf("the shown key does not work: %v", err)
	}
	if strings.Join(k.SenderIDs, ",") != "Shop,ShopAlerts" || !k.HasScope(herald.ScopeCRM) {
		t.Errorf("saved key: senders %v scopes %v", k.SenderIDs, k.Scopes)
	}
	list := c.get("/apikeys").Body
	mustContain(t, list, "shop", k.Prefix+"…", "https://shop.example/hook", `<span class="chip">omni-api</span>`)
	if strings.Contains(list, key[1]) {
		t.Error("the list shows the whole key")
	}

	res = c.post(res.Location, url.Values{"name": {"shop v2"}, "scopes": {"broadcast"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("edit: %d\n%s", res.Status, res.Body)
	}
	mustContain(t, c.get("/apikeys").Body, "API access shop v2 saved.")
	if res := c.post("/apikeys/"+itoa(k.ID)+"/delete", nil); res.Status != http.StatusSeeOther {
		t.Fatalf("delete: %d", res.Status)
	}
	if _, err := f.auth.AuthenticateAPIKey(sys(f.account.ID), key[1], mustAddr("203.0.113.7")); err == nil {
		t.Error("a deleted key still works")
	}
}

func TestAuditPageAndCSV(t *testing.T) {
	f := newFixture(t)
	c, _ := f.signedInClient(f.account.ID, f.roles[herald.RoleAdmin], "admin")
	c.post("/users", userForm("bob", f.roles[herald.RoleBroadcastManager]))
	c.post("/apikeys", url.Values{"name": {"shop"}, "scopes": {"omni-api"}})

	page := c.get("/audit").Body
	mustContain(t, page, "Added new user", "Added new API key", "Signed in", "This event has 1 line of detail",
		`<td><code>api_keys</code></td>`, "127.0.0.1", `href="/audit.csv"`)

	filtered := c.get("/audit?f.action=contains:api").Body
	if strings.Contains(filtered, "Added new user") || !strings.Contains(filtered, "Added new API key") {
		t.Error("the action filter does not filter")
	}
	mustContain(t, filtered, `href="/audit.csv?f.action=contains%3Aapi"`)

	res := c.get("/audit.csv?f.action=contains:new")
	if res.Status != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("CSV: %d %q %q", res.Status, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
	}
	rows, err := csv.NewReader(strings.NewReader(res.Body)).ReadAll()
	if err != nil {
		t.Fatalf("reading CSV: %v", err)
	}
	if strings.Join(rows[0], ",") != "time,user,ip,action,table,operation,objectId,oldValue,newValue" {
		t.Errorf("CSV header %v", rows[0])
	}
	actions := map[string]int{}
	for _, r := range rows[1:] {
		actions[r[3]]++
		if r[1] != "admin" && r[1] != "system" {
			t.Errorf("CSV row by %q", r[1])
		}
	}
	// One row per detail line: the account's entry has 9 (the account, four
	// system roles, two departments, the Name and Surname attributes).
	if actions["Added new user"] != 2 || actions["Added new API key"] != 1 || actions["Added new account"] != 9 || actions["Signed in"] != 0 {
		t.Errorf("CSV actions %v", actions)
	}
	if got := c.get("/audit?f.action=eq:Exported%20audit%20log").Body; !strings.Contains(got, "Exported audit log") {
		t.Error("the export is not audited")
	}
	if res := c.get("/audit.csv?f.time=range:x..y"); res.Status != http.StatusUnprocessableEntity {
		t.Errorf("CSV with a bad filter: %d, want 422", res.Status)
	}
}

func TestCSVDefusesFormulas(t *testing.T) {
	got := safeCSV([]string{"=cmd()", "+1", "plain", "", "@x"})
	want := []string{"'=cmd()", "'+1", "plain", "", "'@x"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("safeCSV = %v, want %v", got, want)
	}
}
