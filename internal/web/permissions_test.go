package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
)

// TestPagePermissions opens every page as a user of each system role and
// checks who gets the page and who gets 403.
func TestPagePermissions(t *testing.T) {
	f := newFixture(t)
	roleOf := f.roles
	other := f.newUser(f.account.ID, roleOf[herald.RoleNOCEngineer], "victor", true)
	custom := &herald.Role{AccountID: f.account.ID, Name: "Key accounts", Permissions: []herald.Permission{herald.PermUsersView}}
	if err := f.store.CreateRole(sys(f.account.ID), custom); err != nil {
		t.Fatal(err)
	}
	key := &herald.APIKey{AccountID: f.account.ID, Name: "shop", Scopes: []herald.Scope{herald.ScopeOmniAPI}}
	if _, err := f.auth.CreateAPIKey(sys(f.account.ID), key); err != nil {
		t.Fatal(err)
	}
	sender := f.newSender("Acme", herald.ChannelSMS)
	judged := &herald.Broadcast{AccountID: f.account.ID, Name: "Perms", Recipients: herald.Recipients{Tags: []string{"x"}}}
	if err := f.store.CreateBroadcast(sys(f.account.ID), judged); err != nil {
		t.Fatal(err)
	}
	file, err := f.media.Upload(sys(f.account.ID), f.account.ID, "notes.txt", strings.NewReader("hello"))
	if err != nil {
		t.Fatal(err)
	}
	request := &herald.SenderID{AccountID: f.account.ID, Channel: herald.ChannelSMS, DisplayName: "ACME2", Status: herald.SenderSubmitted}
	if err := f.store.CreateSender(sys(f.account.ID), request); err != nil {
		t.Fatal(err)
	}
	tmpl := &herald.Template{AccountID: f.account.ID, Name: "Welcome", Channel: herald.ChannelSMS, Payload: []byte(`{"text":"Hi"}`), Variables: []string{}}
	if err := f.portal.templates.CreateTemplate(sys(f.account.ID), tmpl); err != nil {
		t.Fatal(err)
	}
	smppCred := &herald.SMPPCredential{AccountID: f.account.ID, SystemID: "perms", PasswordHash: "x", AllowedIPs: []string{}}
	if err := f.store.CreateSMPPCredential(sys(f.account.ID), smppCred); err != nil {
		t.Fatal(err)
	}
	bc := &herald.Broadcast{AccountID: f.account.ID, Name: "Spring", Steps: []herald.BroadcastStep{{Channel: herald.ChannelSMS}}}
	if err := f.store.CreateBroadcast(sys(f.account.ID), bc); err != nil {
		t.Fatal(err)
	}
	bt := &herald.BroadcastTemplate{AccountID: f.account.ID, Name: "Weekly"}
	if err := f.store.CreateBroadcastTemplate(sys(f.account.ID), bt); err != nil {
		t.Fatal(err)
	}
	const (
		admin = 1 << iota
		broadcast
		finance
		noc
		all = admin | broadcast | finance | noc
	)
	pages := []struct {
		method, path string
		allowed      int // roles that may open it
	}{
		{"GET", "/", all},
		{"GET", "/about", all},
		{"GET", "/account", all},
		{"GET", "/account/security", all},
		{"GET", "/users", admin | noc},
		{"GET", "/users/new", admin},
		{"GET", fmt.Sprintf("/users/%d", other.ID), admin | noc},
		{"GET", fmt.Sprintf("/users/%d/delete", other.ID), admin},
		{"POST", "/users", admin},
		{"GET", "/roles", admin | noc},
		{"GET", "/roles/new", admin},
		{"GET", fmt.Sprintf("/roles/%d", custom.ID), admin | noc},
		{"POST", fmt.Sprintf("/roles/%d/delete", custom.ID), 0}, // checked last, below
		{"GET", "/apikeys", admin},
		{"GET", "/apikeys/new", admin},
		{"GET", fmt.Sprintf("/apikeys/%d", key.ID), admin},
		{"GET", fmt.Sprintf("/apikeys/%d/webhook", key.ID), admin},
		{"GET", fmt.Sprintf("/apikeys/%d/webhook/rotate", key.ID), admin},
		{"POST", fmt.Sprintf("/apikeys/%d/webhook/rotate", key.ID), 0}, // a redirect when allowed: checked in TestWebhookSettingsPage
		{"GET", "/smpp-credentials", admin},
		{"GET", "/smpp-credentials/new", admin},
		{"POST", "/smpp-credentials", admin},
		{"GET", fmt.Sprintf("/smpp-credentials/%d", smppCred.ID), admin},
		{"GET", fmt.Sprintf("/smpp-credentials/%d/delete", smppCred.ID), admin},
		{"POST", fmt.Sprintf("/smpp-credentials/%d/delete", smppCred.ID), 0}, // a redirect when allowed: checked in TestSMPPCredentialPages
		{"GET", "/audit", admin | finance | noc},
		{"GET", "/audit.csv", admin | finance | noc},
		{"GET", "/messages", admin | broadcast | noc},
		{"GET", "/sandbox", admin | broadcast | noc},
		{"POST", "/sandbox/send", admin | broadcast},
		{"POST", "/sandbox/reply", 0}, // a redirect when allowed: checked in TestMessagePages
		{"GET", "/senders", admin | broadcast | noc},
		{"GET", "/senders/new", admin},
		{"POST", "/senders", admin},
		{"GET", fmt.Sprintf("/senders/%d", sender.ID), admin | broadcast | noc},
		{"GET", fmt.Sprintf("/senders/%d/edit", request.ID), admin},
		{"POST", fmt.Sprintf("/senders/%d", request.ID), admin},
		{"GET", fmt.Sprintf("/senders/%d/cancel", sender.ID), admin},
		{"POST", fmt.Sprintf("/senders/%d/cancel", sender.ID), 0}, // a redirect when allowed: checked in TestSenderReviewFlow
		{"GET", fmt.Sprintf("/senders/%d/delete", sender.ID), admin},
		{"GET", "/media", admin | broadcast},
		{"POST", "/media", admin | broadcast},
		{"GET", fmt.Sprintf("/media/%d", file.ID), admin | broadcast},
		{"POST", fmt.Sprintf("/media/%d", file.ID), admin | broadcast},
		{"GET", fmt.Sprintf("/media/%d/content", file.ID), admin | broadcast},
		{"GET", fmt.Sprintf("/media/%d/delete", file.ID), admin | broadcast},
		{"POST", fmt.Sprintf("/media/%d/delete", file.ID), 0},     // a redirect when allowed: checked in TestMediaPages
		{"POST", fmt.Sprintf("/senders/%d/delete", sender.ID), 0}, // a redirect when allowed: checked in TestSenderReviewFlow
		{"GET", "/sender-review", 0},
		{"GET", "/sender-review/new", 0},
		{"GET", fmt.Sprintf("/sender-review/%d", request.ID), 0},
		{"POST", fmt.Sprintf("/sender-review/%d", request.ID), 0}, // system owner only: checked in TestSenderReviewFlow
		{"GET", "/content-templates", admin | broadcast},
		{"GET", "/content-templates/new", admin | broadcast},
		{"POST", "/content-templates", admin | broadcast},
		{"GET", fmt.Sprintf("/content-templates/%d", tmpl.ID), admin | broadcast},
		{"POST", fmt.Sprintf("/content-templates/%d", tmpl.ID), admin | broadcast},
		{"GET", fmt.Sprintf("/content-templates/%d/delete", tmpl.ID), admin | broadcast},
		{"POST", fmt.Sprintf("/content-templates/%d/delete", tmpl.ID), 0}, // a redirect when allowed: checked in TestContentTemplatePages
		{"GET", "/broadcasts", admin | broadcast | noc},
		{"GET", "/broadcasts/new", admin | broadcast},
		{"GET", fmt.Sprintf("/broadcasts/%d", bc.ID), admin | broadcast | noc},
		{"GET", fmt.Sprintf("/broadcasts/%d/edit", bc.ID), admin | broadcast},
		{"GET", fmt.Sprintf("/broadcasts/%d/copy", bc.ID), admin | broadcast},
		{"GET", fmt.Sprintf("/broadcasts/%d/delete", bc.ID), admin | broadcast},
		{"POST", "/broadcasts", 0},                               // needs the service: checked in TestBroadcastRoles
		{"POST", fmt.Sprintf("/broadcasts/%d/launch", bc.ID), 0}, // the same
		{"GET", "/broadcast-templates", admin | broadcast | noc},
		{"GET", "/broadcast-templates/new", admin | broadcast},
		{"GET", fmt.Sprintf("/broadcast-templates/%d", bt.ID), admin | broadcast | noc},
		{"GET", fmt.Sprintf("/broadcast-templates/%d/launch", bt.ID), admin | broadcast},
		{"GET", fmt.Sprintf("/broadcast-templates/%d/delete", bt.ID), admin | broadcast},
		{"GET", "/webhooks", admin | broadcast | noc},
		{"GET", "/webhooks/1/redeliver", admin},
		{"POST", "/webhooks/1/redeliver", 0},
		{"GET", "/edrs", all},
		{"GET", "/edrs/export?format=csv", all},
		{"GET", "/edrs/export?format=xlsx", all},
		{"GET", "/accounts", 0},
		{"GET", "/accounts/new", 0},
		{"GET", fmt.Sprintf("/accounts/%d", f.account.ID), 0},
		{"GET", "/connections", 0},
		{"GET", "/connections/new", 0},
		{"GET", "/connections/1", 0},
		{"POST", "/connections", 0}, // system owner only: checked in TestConnectionsPage
		{"GET", "/smpp-binds", 0},   // system owner only: checked in TestSMPPBindsPage
		{"GET", "/moderation", 0},   // system owner only: checked in TestModerationFlow
		{"GET", fmt.Sprintf("/moderation/%d/%d", f.account.ID, judged.ID), 0},
		{"POST", fmt.Sprintf("/moderation/%d/%d/approve", f.account.ID, judged.ID), 0},
		{"POST", fmt.Sprintf("/moderation/%d/%d/reject", f.account.ID, judged.ID), 0},
		{"GET", fmt.Sprintf("/broadcasts/%d/contacts", judged.ID), admin | broadcast | noc},
		{"GET", fmt.Sprintf("/broadcasts/%d/contacts/export?format=csv", judged.ID), admin | broadcast | noc},
		{"GET", fmt.Sprintf("/broadcasts/%d/contacts/export?format=xlsx", judged.ID), admin | broadcast | noc},
	}
	roles := []struct {
		name string
		bit  int
	}{{herald.RoleAdmin, admin}, {herald.RoleBroadcastManager, broadcast}, {herald.RoleFinanceManager, finance}, {herald.RoleNOCEngineer, noc}}
	for _, ro := range roles {
		t.Run(ro.name, func(t *testing.T) {
			c, _ := f.signedInClient(f.account.ID, roleOf[ro.name], fmt.Sprintf("user%d", ro.bit))
			for _, pg := range pages {
				if pg.method == "POST" && pg.allowed == 0 {
					continue
				}
				var res response
				if pg.method == "GET" {
					res = c.get(pg.path)
				} else {
					res = c.post(pg.path, url.Values{})
				}
				want := http.StatusForbidden
				if pg.allowed&ro.bit != 0 {
					want = http.StatusOK
					if pg.method == "POST" {
						want = http.StatusUnprocessableEntity // allowed in, then refused by validation
					}
				}
				if res.Status != want {
					t.Errorf("%s %s: status %d, want %d", pg.method, pg.path, res.Status, want)
				}
				if want == http.StatusForbidden {
					mustContain(t, res.Body, "Your role does not allow you to open this page.")
				}
			}
		})
	}
}

// TestMenuFollowsPermissions checks that the menu hides what a role lacks
// and shows planned sections disabled.
func TestMenuFollowsPermissions(t *testing.T) {
	f := newFixture(t)
	c, _ := f.signedInClient(f.account.ID, f.roles[herald.RoleFinanceManager], "fiona")
	body := c.get("/").Body
	mustContain(t, body, `href="/audit"`, `title="Finance: not available yet"`, `title="Dashboard: not available yet"`)
	for _, hidden := range []string{`href="/users"`, `href="/apikeys"`, "Broadcast: not available yet", "Contacts: not available yet", `href="/accounts"`} {
		if strings.Contains(body, hidden) {
			t.Errorf("the Finance manager's menu shows %s", hidden)
		}
	}
}

func TestCrossAccountIsNotFound(t *testing.T) {
	f := newFixture(t)
	acc2, roles2 := f.newAccount("Globex")
	stranger := f.newUser(acc2.ID, roles2[herald.RoleNOCEngineer], "stranger", true)
	key := &herald.APIKey{AccountID: acc2.ID, Name: "theirs", Scopes: []herald.Scope{herald.ScopeCRM}}
	if _, err := f.auth.CreateAPIKey(sys(acc2.ID), key); err != nil {
		t.Fatal(err)
	}
	c, _ := f.signedInClient(f.account.ID, f.roles[herald.RoleAdmin], "alice")
	for _, path := range []string{
		fmt.Sprintf("/users/%d", stranger.ID),
		fmt.Sprintf("/users/%d/delete", stranger.ID),
		fmt.Sprintf("/roles/%d", roles2[herald.RoleNOCEngineer]),
		fmt.Sprintf("/apikeys/%d", key.ID),
		"/users/abc",
		"/no/such/page",
	} {
		if res := c.get(path); res.Status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, res.Status)
		}
	}
	for _, path := range []string{
		fmt.Sprintf("/users/%d/delete", stranger.ID),
		fmt.Sprintf("/users/%d", stranger.ID),
		fmt.Sprintf("/apikeys/%d/delete", key.ID),
	} {
		if res := c.post(path, url.Values{"firstName": {"Evil"}}); res.Status != http.StatusNotFound {
			t.Errorf("POST %s: %d, want 404", path, res.Status)
		}
	}
	if _, err := f.store.User(sys(acc2.ID), acc2.ID, stranger.ID); err != nil {
		t.Errorf("the other account's user is gone: %v", err)
	}
}

func TestSystemOwnerAccounts(t *testing.T) {
	f := newFixture(t)
	c := f.ownerClient()
	body := c.get("/").Body
	mustContain(t, body, `href="/accounts"`, ">System<")
	res := c.post("/accounts", url.Values{"name": {""}, "timeZone": {"Mars/Olympus"}})
	if res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("invalid account: %d", res.Status)
	}
	if fieldError(res.Body, "name") != "Name is required." || fieldError(res.Body, "timeZone") == "" {
		t.Errorf("account errors: name %q, timeZone %q", fieldError(res.Body, "name"), fieldError(res.Body, "timeZone"))
	}
	res = c.post("/accounts", newAccountForm("Initech", "initech-first"))
	if res.Status != http.StatusSeeOther {
		t.Fatalf("create account: %d\n%s", res.Status, res.Body)
	}
	acc, err := f.store.AccountByName(sys(0), "Initech")
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, c.get("/accounts").Body, "Initech", "Acme")
	staff := f.newUser(acc.ID, f.mustRole(acc.ID, herald.RoleAdmin), "initech-admin", true)
	sc := f.newClient()
	sc.signIn(staff.Login, testPassword)

	res = c.post(fmt.Sprintf("/accounts/%d/status", acc.ID), url.Values{"status": {"blocked"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("block: %d", res.Status)
	}
	if got, _ := f.store.Account(sys(0), acc.ID); got.Status != herald.AccountBlocked {
		t.Errorf("status after block: %s", got.Status)
	}
	if res := sc.get("/"); res.Status != http.StatusSeeOther {
		t.Errorf("a blocked account's user still works: %d", res.Status)
	}
	res = c.post(fmt.Sprintf("/accounts/%d/status", f.account.ID), url.Values{"status": {"blocked"}})
	mustContain(t, c.get(res.Location).Body, "You cannot block your own account.")
}

// mustRole returns the ID of a system role of acc.
func (f *fixture) mustRole(acc int64, name string) int64 {
	f.t.Helper()
	roles, err := f.store.AllRoles(sys(acc), acc)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, r := range roles {
		if r.Name == name {
			return r.ID
		}
	}
	f.t.Fatalf("no role %s", name)
	return 0
}
