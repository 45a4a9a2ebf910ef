package web

import (
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

func TestCrossOriginPostRefused(t *testing.T) {
	f := newFixture(t)
	c, _ := f.signedInClient(f.account.ID, f.roles[herald.RoleAdmin], "admin")
	req, _ := http.NewRequest(http.MethodPost, c.base+"/apikeys", strings.NewReader("name=x&scopes=crm"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Origin", "https://evil.example")
	if res := c.do(req); res.Status != http.StatusForbidden {
		t.Errorf("cross-site post: %d, want 403", res.Status)
	}
	if !strings.Contains(c.get("/apikeys").Body, "No API accesses yet") {
		t.Error("the cross-site post created a key")
	}
}

func TestStaticAssets(t *testing.T) {
	f := newFixture(t)
	c := f.newClient()
	page := c.get("/signin").Body
	m := regexp.MustCompile(`href="(/static/app\.[0-9a-f]{10}\.css)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the page links no hashed stylesheet")
	}
	res := c.get(m[1])
	if res.Status != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") ||
		res.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" || !strings.Contains(res.Body, "--accent") {
		t.Errorf("stylesheet: %d %q %q", res.Status, res.Header.Get("Content-Type"), res.Header.Get("Cache-Control"))
	}
	if res.Header.Get("Set-Cookie") != "" {
		t.Error("static files set a session cookie")
	}
	if res := c.get("/static/app.0000000000.css"); res.Status != http.StatusNotFound {
		t.Errorf("stale hash: %d, want 404", res.Status)
	}
	if !strings.Contains(page, `src="/static/app.`) || !strings.Contains(page, `data-theme="system"`) {
		t.Error("the page lacks the script or the default theme")
	}
}

func TestThemeIsAppliedOnTheServer(t *testing.T) {
	f := newFixture(t)
	c, _ := f.signedInClient(f.account.ID, f.roles[herald.RoleNOCEngineer], "nina")
	res := c.post("/account/theme", url.Values{"theme": {"dark"}, "next": {"/account"}})
	if res.Status != http.StatusSeeOther || res.Location != "/account" {
		t.Fatalf("set theme: %d %q", res.Status, res.Location)
	}
	mustContain(t, c.get("/").Body, `<html lang="en" data-theme="dark"`, `aria-pressed="true" title="Dark theme"`)
	c.post("/account/theme", url.Values{"theme": {"<script>"}})
	mustContain(t, c.get("/").Body, `data-theme="system"`)
}

func TestMyAccount(t *testing.T) {
	f := newFixture(t)
	c, u := f.signedInClient(f.account.ID, f.roles[herald.RoleBroadcastManager], "mia")
	page := c.get("/account").Body
	mustContain(t, page, "Account ID: <span class=\"mono\">"+itoa(f.account.ID), "Broadcast manager", "Acme", ">MT<")

	res := c.post("/account", url.Values{"firstName": {"Mia"}, "lastName": {""}, "email": {"mia@example.com"}})
	if got := fieldError(res.Body, "lastName"); got != "Last name is required." {
		t.Errorf("lastName error %q (status %d)", got, res.Status)
	}
	mustContain(t, res.Body, "<details class=\"card edit-card\" open>")
	res = c.post("/account", url.Values{"firstName": {"Mia"}, "lastName": {"Wong"}, "email": {"mia@example.com"}, "phone": {"+1 555 0100"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("save profile: %d\n%s", res.Status, res.Body)
	}
	got, _ := f.store.User(sys(f.account.ID), f.account.ID, u.ID)
	if got.LastName != "Wong" || got.Phone != "+1 555 0100" || len(got.RoleIDs) != 1 {
		t.Errorf("saved profile: %+v", got)
	}

	res = c.post("/account/password", url.Values{"currentPassword": {"nope"}, "newPassword": {"Another-pass-3"}, "confirmPassword": {"Another-pass-3"}})
	if got := fieldError(res.Body, "currentPassword"); got != "The current password is wrong." {
		t.Errorf("wrong current password: %q", got)
	}
	res = c.post("/account/delete", url.Values{"currentPassword": {testPassword}, "confirm": {"delete"}})
	if res.Status != http.StatusUnprocessableEntity || fieldError(res.Body, "confirm") != "Type delete-account to confirm." {
		t.Errorf("delete without the word: %d %q", res.Status, fieldError(res.Body, "confirm"))
	}
	res = c.post("/account/delete", url.Values{"currentPassword": {testPassword}, "confirm": {"delete-account"}})
	if res.Status != http.StatusSeeOther || res.Location != "/signin" {
		t.Fatalf("delete own user: %d %q", res.Status, res.Location)
	}
	if _, err := f.store.User(sys(f.account.ID), f.account.ID, u.ID); !herald.IsNotFound(err) {
		t.Errorf("user after self-deletion: %v", err)
	}
}

func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{
		"/users?x=1": "/users?x=1", "//evil.example": "/", "https://evil.example": "/", "/\\evil": "/", "": "/",
	} {
		if got := localPath(in, "/"); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClientIP(t *testing.T) {
	r, _ := http.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = "192.0.2.1:5000"
	r.Header.Set("X-Forwarded-For", "198.51.100.9, 203.0.113.5")
	if got := (&Portal{}).clientIP(r); got != "192.0.2.1" {
		t.Errorf("without TrustProxy: %q", got)
	}
	if got := (&Portal{cfg: Config{TrustProxy: true}}).clientIP(r); got != "203.0.113.5" {
		t.Errorf("with TrustProxy: %q", got)
	}
}

func TestInternalErrorPage(t *testing.T) {
	f := newFixture(t)
	c, _ := f.signedInClient(f.account.ID, f.roles[herald.RoleAdmin], "admin")
	if err := f.store.Close(); err != nil {
		t.Fatal(err)
	}
	res := c.get("/users")
	if res.Status != http.StatusInternalServerError {
		t.Fatalf("with the database gone: %d, want 500", res.Status)
	}
	mustContain(t, res.Body, "Internal error.")
	if strings.Contains(res.Body, "sql") || strings.Contains(res.Body, "closed") {
		t.Error("the error page leaks the internal error")
	}
}
