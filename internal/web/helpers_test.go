package web

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/media"
	"github.com/heraldhq/herald/internal/secret"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/storetest"
	"github.com/heraldhq/herald/internal/webhook"
)

// testClock is a clock the test moves forward.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

// Now returns the clock's time.
func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// advance moves the clock forward by d.
func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// fixture is a portal on a real SQLite store and auth service, served on
// loopback, with one account.
type fixture struct {
	t       *testing.T
	clock   *testClock
	store   *store.Store
	auth    *auth.Service
	portal  *Portal
	srv     *httptest.Server
	account *herald.Account
	roles   map[string]int64 // system role name -> ID in account
	media   *media.Service
}

// testPassword satisfies the policy.
const testPassword = "Secret-pass-1"

// newFixture builds the portal with a fresh database.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	clock := &testClock{now: time.Now().UTC().Truncate(time.Microsecond)}
	s := storetest.OpenSQLiteClock(t, clock)
	key := make([]byte, secret.KeySize)
	_, _ = rand.Read(key)
	box, err := secret.NewBox(key)
	if err != nil {
		t.Fatal(err)
	}
	cfg := auth.DefaultConfig()
	cfg.Hash = auth.FastHashParams()
	cfg.SignInsPerMinute = 10000
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := auth.New(s, box, clock, cfg, log)
	if err != nil {
		t.Fatalf("auth.New: %v", err)
	}
	blobs, err := media.NewLocal(filepath.Join(t.TempDir(), "media"))
	if err != nil {
		t.Fatal(err)
	}
	lib := media.New(s, blobs, key, "http://portal.test", media.WithClock(clock))
	p, err := New(Config{Logger: testLogger(t)}, Deps{Store: s, Auth: a, Clock: clock, Webhooks: webhook.NewService(s, box, clock), Media: lib})
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	f := &fixture{t: t, clock: clock, store: s, auth: a, portal: p, media: lib}
	f.srv = httptest.NewServer(p.Handler())
	t.Cleanup(f.srv.Close)
	f.account, f.roles = f.newAccount("Acme")
	return f
}

// testLogger logs through t, so internal errors show up in failures.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

// sys is a context acting as the system in account acc.
func sys(acc int64) context.Context {
	return herald.WithActor(context.Background(), herald.Actor{AccountID: acc, Login: "system"})
}

// newAccount creates an account (with its system roles) and returns the
// roles' IDs by name.
func (f *fixture) newAccount(name string) (*herald.Account, map[string]int64) {
	f.t.Helper()
	acc := &herald.Account{Name: name}
	if err := acc.Validate(); err != nil {
		f.t.Fatal(err)
	}
	if err := f.store.CreateAccount(sys(0), acc); err != nil {
		f.t.Fatalf("creating account: %v", err)
	}
	roles, err := f.store.AllRoles(context.Background(), acc.ID)
	if err != nil {
		f.t.Fatalf("listing roles: %v", err)
	}
	ids := map[string]int64{}
	for _, r := range roles {
		ids[r.Name] = r.ID
	}
	return acc, ids
}

// newUser creates a user of acc with role; with ready the first password
// change is already done.
func (f *fixture) newUser(acc int64, roleID int64, login string, ready bool) *herald.User {
	f.t.Helper()
	u := &herald.User{AccountID: acc, FirstName: strings.ToUpper(login[:1]) + login[1:], LastName: "Tester",
		Login: login, Email: login + "@example.com", Active: true, RoleIDs: []int64{roleID}}
	if err := f.auth.CreateUser(sys(acc), u, testPassword); err != nil {
		f.t.Fatalf("creating user %s: %v", login, err)
	}
	if ready {
		hash, err := auth.HashPassword(testPassword, auth.FastHashParams())
		if err != nil {
			f.t.Fatal(err)
		}
		if err := f.store.SetPassword(sys(acc), u.ID, hash, false); err != nil {
			f.t.Fatalf("setting password: %v", err)
		}
	}
	return u
}

// client is a browser-like HTTP client with a cookie jar that does not
// follow redirects, so tests see them.
type client struct {
	t    *testing.T
	base string
	http *http.Client
}

// response is what a request returned.
type response struct {
	Status   int
	Body     string
	Location string
	Header   http.Header
}

// newClient returns a client for f's server.
func (f *fixture) newClient() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: f.t, base: f.srv.URL, http: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// do sends a request.
func (c *client) do(req *http.Request) response {
	c.t.Helper()
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, Body: string(body), Location: res.Header.Get("Location"), Header: res.Header}
}

// get fetches path.
func (c *client) get(path string) response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.base+path, nil)
	return c.do(req)
}

// post submits a form to path, as a same-origin browser would.
func (c *client) post(path string, form url.Values) response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.do(req)
}

// signIn signs in and expects to be let in.
func (c *client) signIn(login, password string) {
	c.t.Helper()
	res := c.post("/signin", url.Values{"login": {login}, "password": {password}})
	if res.Status != http.StatusSeeOther {
		c.t.Fatalf("sign-in of %s: status %d, want 303; body:\n%s", login, res.Status, res.Body)
	}
}

// signedInClient returns a client signed in as a new ready user of acc.
func (f *fixture) signedInClient(acc, roleID int64, login string) (*client, *herald.User) {
	f.t.Helper()
	u := f.newUser(acc, roleID, login, true)
	c := f.newClient()
	c.signIn(login, testPassword)
	return c, u
}

// fieldError returns the error text shown beside input name, or "".
func fieldError(body, name string) string {
	re := regexp.MustCompile(`<p class="error" id="e-f-` + regexp.QuoteMeta(name) + `">([^<]*)</p>`)
	if m := re.FindStringSubmatch(body); m != nil {
		return m[1]
	}
	return ""
}

// wantFieldErrors fails t unless each input of want shows its message
// (as HTML text) beside it.
func wantFieldErrors(t *testing.T, body string, want map[string]string) {
	t.Helper()
	for field, msg := range want {
		if got := fieldError(body, field); got != msg {
			t.Errorf("error beside %s: %q, want %q", field, got, msg)
		}
	}
}

// mustContain fails when body lacks any of want.
func mustContain(t *testing.T, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("page lacks %q", w)
		}
	}
}
