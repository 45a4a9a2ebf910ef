package web

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/heraldhq/herald"
)

// chromiumPath is Debian's headless-capable Chromium.
const chromiumPath = "/usr/bin/chromium"

// browser drives one Chromium tab against the fixture's server and saves
// a screenshot per step.
type browser struct {
	t     *testing.T
	ctx   context.Context
	base  string
	dirs  []string
	steps int
}

// newBrowser starts Chromium. Without it the test fails, unless
// HERALD_TEST_BROWSER=off says to skip browser tests.
func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	if os.Getenv("HERALD_TEST_BROWSER") == "off" {
		t.Skip("HERALD_TEST_BROWSER=off")
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("browser tests need %s: install the chromium package (apt-get install chromium), or set HERALD_TEST_BROWSER=off to skip them", chromiumPath)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1400, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelTime(); cancelTab(); cancelAlloc() })
	b := &browser{t: t, ctx: ctx, base: base, dirs: []string{t.TempDir()}}
	if dir := os.Getenv("HERALD_TEST_SCREENSHOTS"); dir != "" {
		if st, err := os.Stat(dir); err == nil && st.IsDir() {
			b.dirs = append(b.dirs, dir)
		}
	}
	return b
}

// do runs actions and fails the test on error.
func (b *browser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// open navigates to a path of the portal.
func (b *browser) open(path string) {
	b.t.Helper()
	b.do("opening "+path, chromedp.Navigate(b.base+path))
}

// submit clicks sel and waits for the page it loads.
func (b *browser) submit(sel string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.WaitEvent(cdppage.LoadEventFired, nil, chromedp.Click(chromedp.CSS(sel)))); err != nil {
		b.t.Fatalf("clicking %s: %v", sel, err)
	}
}

// text returns the text of the first element matching sel.
func (b *browser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("reading %s: %v", sel, err)
	}
	return s
}

// eval evaluates a JavaScript expression that returns a boolean.
func (b *browser) eval(expr string) bool {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](expr))
	if err != nil {
		b.t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// location returns the current path and query.
func (b *browser) location() string {
	b.t.Helper()
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.t.Fatal(err)
	}
	return strings.TrimPrefix(loc, b.base)
}

// shot saves a full-page PNG of the current page as the next step.
func (b *browser) shot(name string) {
	b.t.Helper()
	buf, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	b.steps++
	file := fmt.Sprintf("%02d-%s.png", b.steps, name)
	for _, dir := range b.dirs {
		if err := os.WriteFile(filepath.Join(dir, file), buf, 0o644); err != nil {
			b.t.Fatalf("saving screenshot: %v", err)
		}
	}
	b.t.Logf("screenshot %s", filepath.Join(b.dirs[len(b.dirs)-1], file))
}

// TestBrowserAdminFlow drives the portal in Chromium: a fresh admin signs
// in, must change the password, creates a user with a role and an API key
// (shown once), and finds both in the audit log.
func TestBrowserAdminFlow(t *testing.T) {
	f := newFixture(t)
	b := newBrowser(t, f.srv.URL)
	f.newUser(f.account.ID, f.roles[herald.RoleAdmin], "admin", false)
	temp := f.newUser(f.account.ID, f.roles[herald.RoleNOCEngineer], "temp", true)

	// Sign in; the first sign-in forces a password change.
	b.open("/")
	b.do("typing the credentials", chromedp.WaitVisible(chromedp.CSS("#f-login")),
		chromedp.SendKeys(chromedp.CSS("#f-login"), "admin"),
		chromedp.SendKeys(chromedp.CSS("#f-password"), testPassword))
	b.shot("signin")
	b.submit("form[action='/signin'] button[type=submit]")
	if loc := b.location(); loc != "/password" {
		t.Fatalf("after the first sign-in: %s, want /password", loc)
	}
	b.do("generating a password", chromedp.SendKeys(chromedp.CSS("#f-currentPassword"), testPassword),
		chromedp.Click(chromedp.CSS("[data-generate]")))
	if !b.eval(`(function(){var a=document.getElementById('f-newPassword'),c=document.getElementById('f-confirmPassword');` +
		`return a.value.length===16 && a.value===c.value && a.type==='text';})()`) {
		t.Fatal("Generate did not fill both password fields with a 16-character password")
	}
	b.shot("forced-password-change")
	b.submit("form[action='/password'] button[type=submit]")
	if got := b.text("main .alert-ok"); !strings.Contains(got, "Your password was changed.") {
		t.Fatalf("after the change: %q", got)
	}
	b.shot("home")

	// A user form with mistakes shows each error beside its field and
	// marks the tab that has errors.
	b.open("/users/new")
	b.do("typing a bad e-mail", chromedp.SendKeys(chromedp.CSS("#f-email"), "bob@"))
	b.submit("form.form-card button[type=submit]")
	if got := b.text("#e-f-firstName"); got != "First name is required." {
		t.Errorf("error beside First name: %q", got)
	}
	if !b.eval(`document.getElementById('tab-role').classList.contains('has-error') && document.getElementById('f-email').value === 'bob@'`) {
		t.Error("the Role tab is not marked, or the e-mail was not kept")
	}
	b.shot("user-form-errors")

	// Create a user with the Broadcast manager role.
	b.do("clearing the e-mail", chromedp.Evaluate[chromedp.Void](`document.getElementById('f-email').value = ''`))
	b.do("filling the user form",
		chromedp.SendKeys(chromedp.CSS("#f-firstName"), "Bob"),
		chromedp.SendKeys(chromedp.CSS("#f-lastName"), "Builder"),
		chromedp.SendKeys(chromedp.CSS("#f-login"), "bob"),
		chromedp.SendKeys(chromedp.CSS("#f-password"), "Initial-pass-9"),
		chromedp.SendKeys(chromedp.CSS("#f-email"), "bob@example.com"),
		chromedp.Click(chromedp.CSS("#tab-role")),
		chromedp.Click(chromedp.CSS(fmt.Sprintf("input[name=roleIds][value='%d']", f.roles[herald.RoleBroadcastManager]))))
	if !b.eval(`document.querySelector('[data-perm-summary] li[data-perm="broadcasts.manage"]').classList.contains('on')`) {
		t.Error("choosing the role does not update the permission summary")
	}
	b.shot("user-form-role")
	b.submit("form.form-card button[type=submit]")
	if got := b.text("main .alert-ok"); !strings.Contains(got, "User bob created.") {
		t.Fatalf("after creating the user: %q at %s", got, b.location())
	}
	b.shot("users")

	// Create an API key: the key is shown once.
	b.open("/apikeys/new")
	b.do("filling the API key form",
		chromedp.SendKeys(chromedp.CSS("#f-name"), "Web shop"),
		chromedp.SendKeys(chromedp.CSS("#f-webhookUrl"), "https://shop.example/herald"),
		chromedp.Click(chromedp.CSS("input[name=scopes][value='omni-api']")))
	b.submit("form.form-card button[type=submit]")
	key := b.text("[data-secret]")
	if !strings.HasPrefix(key, "hrld_") {
		t.Fatalf("the new key reads %q", key)
	}
	b.shot("apikey-created")
	keyPage := b.location()
	b.open(keyPage)
	if b.eval(`document.querySelector('[data-secret]') !== null || document.body.innerText.indexOf(` + jsString(key) + `) >= 0`) {
		t.Error("the key is shown again after a reload")
	}

	b.open("/apikeys")
	b.shot("apikeys")

	// The audit log has both.
	b.open("/audit")
	log := b.text("table.data")
	for _, want := range []string{"Added new user", "Added new API key", "Changed password", "Signed in"} {
		if !strings.Contains(log, want) {
			t.Errorf("the audit log lacks %q", want)
		}
	}
	b.do("expanding an entry", chromedp.Click(chromedp.CSS("[data-toggle-detail]")))
	if !b.eval(`document.querySelector('tr.detail.open') !== null && getComputedStyle(document.querySelector('tr.detail.open')).display !== 'none'`) {
		t.Error("the audit details do not expand")
	}
	b.shot("audit")

	// Delete a user through the confirmation dialog.
	b.open("/users")
	b.do("opening the dialog", chromedp.Click(chromedp.CSS(fmt.Sprintf("a[href='/users/%d/delete']", temp.ID))),
		chromedp.WaitVisible(chromedp.CSS("#confirm-dialog")))
	b.shot("confirm-dialog")
	b.submit("[data-confirm-ok]")
	if got := b.text("main .alert-ok"); !strings.Contains(got, "User temp deleted.") {
		t.Errorf("after the dialog: %q", got)
	}

	// The dark theme is switched at once and kept by the server.
	b.do("choosing the dark theme", chromedp.Click(chromedp.CSS(".avatar-menu > summary")),
		chromedp.Click(chromedp.CSS(".theme-switch button[value=dark]")))
	if !b.eval(`document.documentElement.getAttribute('data-theme') === 'dark'`) {
		t.Error("the theme did not switch")
	}
	b.do("waiting for the theme to be saved", chromedp.Sleep(300*time.Millisecond))
	b.open("/roles")
	if !b.eval(`document.documentElement.getAttribute('data-theme') === 'dark'`) {
		t.Error("the server does not apply the saved theme")
	}
	b.shot("roles-dark")
	b.open(fmt.Sprintf("/roles/new?template=%d&apply=1", f.roles[herald.RoleFinanceManager]))
	b.shot("role-form-dark")

	// The filter panel offers the conditions of the column's type.
	b.open("/users")
	b.do("opening the filter panel", chromedp.Click(chromedp.CSS(".filter-add > summary")),
		chromedp.SetValue(chromedp.CSS("[data-fcol]"), "createdAt"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-fcol]').dispatchEvent(new Event('change', {bubbles: true}))`))
	if !b.eval(`(function(){var op=document.querySelector('[data-fop]');` +
		`return op.querySelector('[value=contains]').disabled && op.querySelector('[value=eq]').disabled && op.value==='range';})()`) {
		t.Error("a time column offers contains or eq, or does not switch to range")
	}
	b.do("choosing a text column", chromedp.SetValue(chromedp.CSS("[data-fcol]"), "login"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-fcol]').dispatchEvent(new Event('change', {bubbles: true}))`),
		chromedp.SetValue(chromedp.CSS("[data-fop]"), "contains"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-fop]').dispatchEvent(new Event('change', {bubbles: true}))`),
		chromedp.SendKeys(chromedp.CSS("[name=fval]"), "bo"))
	b.shot("filter-panel")
	b.submit(".filter-form button")
	if loc := b.location(); loc != "/users?f.login=contains%3Abo" {
		t.Errorf("after the filter: %s", loc)
	}
	if rows := b.text("table.data tbody"); !strings.Contains(rows, "bob") || strings.Contains(rows, "admin@") {
		t.Errorf("filtered rows: %q", rows)
	}
	b.open("/account/security")
	b.shot("security")
	b.open("/account")
	b.shot("account")

	// The menu collapses to icons and stays so on the next page.
	b.do("collapsing the menu", chromedp.Click(chromedp.CSS("[data-collapse]")))
	b.open("/audit")
	if !b.eval(`document.documentElement.classList.contains('menu-collapsed') && document.querySelector('.sidebar').getBoundingClientRect().width < 80`) {
		t.Error("the collapsed menu is not remembered")
	}
	b.shot("menu-collapsed")
}

// TestBrowserNewAccount drives the New account form in Chromium: errors of
// both parts show beside their fields, Generate fills the administrator's
// password, and the account is created with its administrator.
func TestBrowserNewAccount(t *testing.T) {
	f := newFixture(t)
	f.ownerClient() // makes root a ready system owner
	b := newBrowser(t, f.srv.URL)
	b.open("/signin")
	b.do("signing in", chromedp.WaitVisible(chromedp.CSS("#f-login")),
		chromedp.SendKeys(chromedp.CSS("#f-login"), "root"),
		chromedp.SendKeys(chromedp.CSS("#f-password"), testPassword))
	b.submit("form[action='/signin'] button[type=submit]")

	b.open("/accounts/new")
	b.do("typing a bad e-mail", chromedp.SendKeys(chromedp.CSS("#f-email"), "peter@"))
	b.submit("form.form-card button[type=submit]")
	if a, u := b.text("#e-f-name"), b.text("#e-f-firstName"); a != "Name is required." || u != "First name is required." {
		t.Errorf("errors beside Name and First name: %q, %q", a, u)
	}
	b.shot("new-account-errors")

	b.do("filling the form", chromedp.Evaluate[chromedp.Void](`document.getElementById('f-email').value = ''`),
		chromedp.SendKeys(chromedp.CSS("#f-name"), "Initech"),
		chromedp.SendKeys(chromedp.CSS("#f-firstName"), "Peter"),
		chromedp.SendKeys(chromedp.CSS("#f-lastName"), "Gibbons"),
		chromedp.SendKeys(chromedp.CSS("#f-login"), "peter"),
		chromedp.SendKeys(chromedp.CSS("#f-email"), "peter@example.com"),
		chromedp.Click(chromedp.CSS("[data-generate='f-password']")))
	if !b.eval(`(function(){var p=document.getElementById('f-password');return p.value.length===16 && p.type==='text';})()`) {
		t.Fatal("Generate did not fill the administrator's password")
	}
	b.shot("new-account-filled")
	b.submit("form.form-card button[type=submit]")
	if got := b.text("main .alert-ok"); !strings.Contains(got, "Account Initech created. Its administrator peter") {
		t.Fatalf("after creating the account: %q at %s", got, b.location())
	}
	b.shot("accounts")
}

// jsString quotes s for JavaScript.
func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
