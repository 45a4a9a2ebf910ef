package auth_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/secret"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/storetest"
)

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

type env struct {
	t     *testing.T
	ctx   context.Context
	s     *store.Store
	svc   *auth.Service
	clock *clock
	acc   *herald.Account
	roles map[string]int64
}

func newEnv(t *testing.T, s *store.Store, c *clock) *env {
	box, _ := secret.NewBox(bytes.Repeat([]byte{9}, secret.KeySize))
	cfg := auth.DefaultConfig()
	cfg.Hash = auth.FastHashParams()
	svc, err := auth.New(s, box, c, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, ctx: context.Background(), s: s, svc: svc, clock: c, roles: map[string]int64{}}
	e.acc = &herald.Account{Name: fmt.Sprintf("acc-%d", time.Now().UnixNano())}
	if err := e.acc.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateAccount(e.ctx, e.acc); err != nil {
		t.Fatal(err)
	}
	roles, err := s.AllRoles(e.ctx, e.acc.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range roles {
		e.roles[r.Name] = r.ID
	}
	return e
}

// user creates a user holding role with password pw.
func (e *env) user(login, role, pw string) *herald.User {
	e.t.Helper()
	u := &herald.User{AccountID: e.acc.ID, FirstName: "F", LastName: "L", Login: login, Email: login + "@example.com",
		Active: true, RoleIDs: []int64{e.roles[role]}}
	if err := e.svc.CreateUser(e.ctx, u, pw); err != nil {
		e.t.Fatal(err)
	}
	u, err := e.s.User(e.ctx, e.acc.ID, u.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if herald.ErrorCode(err) != code {
		t.Fatalf("err = %v; want code %s", err, code)
	}
}

func wantViolation(t *testing.T, err error, field string) {
	t.Helper()
	for _, v := range herald.ErrorViolations(err) {
		if v.Field == field {
			return
		}
	}
	t.Fatalf("err = %v; want a violation on %s", err, field)
}

func TestHash(t *testing.T) {
	h, err := auth.HashPassword("Correct-Horse-1", auth.FastHashParams())
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := auth.VerifyPassword("Correct-Horse-1", h); !ok || err != nil {
		t.Fatalf("verify right password = %v, %v", ok, err)
	}
	if ok, _ := auth.VerifyPassword("Correct-Horse-2", h); ok {
		t.Fatal("a wrong password verified")
	}
	h2, _ := auth.HashPassword("Correct-Horse-1", auth.FastHashParams())
	if h == h2 {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	if _, err := auth.VerifyPassword("x", "$2a$10$bcrypt"); err == nil {
		t.Fatal("a non-argon2id hash was accepted")
	}
}

func TestService(t *testing.T) {
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for name, fn := range map[string]func(*env){
		"first sign-in and password change": testFirstSignIn,
		"lock after failures":               testLock,
		"password history and age":          testHistory,
		"expiry and inactivity":             testExpiry,
		"blocked account":                   testBlockedAccount,
		"ip throttle":                       testIPThrottle,
		"totp":                              testTOTP,
		"api keys":                          testAPIKeys,
		"api key cache":                     testAPIKeyCache,
		"delete own user":                   testDeleteOwn,
	} {
		t.Run(name, func(t *testing.T) {
			// The store and the service share the clock, so stored times
			// (password changes, sign-ins) move with the test.
			c := &clock{now: start}
			storetest.EnginesClock(t, c, func(t *testing.T, s *store.Store) {
				c.mu.Lock()
				c.now = start
				c.mu.Unlock()
				fn(newEnv(t, s, c))
			})
		})
	}
}

func testFirstSignIn(e *env) {
	t := e.t
	e.user("ana", herald.RoleBroadcastManager, "Initial-pw1")
	_, err := e.svc.SignIn(e.ctx, "ana", "wrong", "192.0.2.1")
	wantCode(t, err, herald.EUNAUTHORIZED)
	_, err = e.svc.SignIn(e.ctx, "nobody", "Initial-pw1", "192.0.2.1")
	wantCode(t, err, herald.EUNAUTHORIZED)
	res, err := e.svc.SignIn(e.ctx, "ANA", "Initial-pw1", "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	if !res.MustChangePassword || res.NeedTOTP {
		t.Fatalf("first sign-in = %+v; want a forced change", res)
	}
	pc := auth.PasswordChange{Current: "Initial-pw1", New: "Second-pw2", Confirm: "Second-pw2"}
	if err := e.svc.ChangeOwnPassword(e.ctx, res.User, pc); err != nil {
		t.Fatalf("forced change within 24 hours was refused: %v", err)
	}
	sess, err := e.svc.CheckSession(e.ctx, res.User.ID)
	if err != nil || sess.MustChangePassword {
		t.Fatalf("after the change: %+v, %v", sess, err)
	}
	if _, err := e.svc.SignIn(e.ctx, "ana", "Initial-pw1", "192.0.2.1"); err == nil {
		t.Fatal("the old password still signs in")
	}
	res, err = e.svc.SignIn(e.ctx, "ana", "Second-pw2", "192.0.2.1")
	if err != nil || res.MustChangePassword {
		t.Fatalf("second sign-in = %+v, %v", res, err)
	}
	// Policy violations name their fields.
	err = e.svc.ChangeOwnPassword(e.ctx, res.User, auth.PasswordChange{Current: "bad", New: "short", Confirm: "other"})
	for _, f := range []string{"currentPassword", "newPassword", "confirmPassword"} {
		wantViolation(t, err, f)
	}
	err = e.svc.ChangeOwnPassword(e.ctx, res.User, auth.PasswordChange{Current: "Second-pw2", New: "alllowercase", Confirm: "alllowercase"})
	wantViolation(t, err, "newPassword")
}

func testLock(e *env) {
	t := e.t
	e.user("bob", herald.RoleNOCEngineer, "Bob-pass-1")
	for i := 0; i < 5; i++ {
		_, err := e.svc.SignIn(e.ctx, "bob", "nope", "192.0.2.2")
		wantCode(t, err, herald.EUNAUTHORIZED)
	}
	_, err := e.svc.SignIn(e.ctx, "bob", "Bob-pass-1", "192.0.2.2")
	wantCode(t, err, herald.ERATELIMIT)
	e.clock.Add(16 * time.Minute)
	if _, err := e.svc.SignIn(e.ctx, "bob", "Bob-pass-1", "192.0.2.2"); err != nil {
		t.Fatalf("after the lock: %v", err)
	}
	cr, _ := e.s.Credentials(e.ctx, mustUser(e, "bob").ID)
	if cr.FailedLogins != 0 || cr.LockedUntil != nil {
		t.Fatalf("a success did not clear failures: %+v", cr)
	}
	p, err := e.s.ListAudit(e.ctx, e.acc.ID, herald.ListQuery{Filters: []herald.Filter{{Field: "action", Op: herald.OpContains, Value: "locked"}}})
	if err != nil || len(p.Items) != 1 {
		t.Fatalf("lock audit entries = %+v, %v", p.Items, err)
	}
}

func mustUser(e *env, login string) *herald.User {
	u, err := e.s.UserByLogin(e.ctx, login)
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

func testHistory(e *env) {
	t := e.t
	u := e.user("carla", herald.RoleFinanceManager, "Pass-word-0")
	pw := func(i int) string { return fmt.Sprintf("Pass-word-%d", i) }
	change := func(from, to int) error {
		return e.svc.ChangeOwnPassword(e.ctx, u, auth.PasswordChange{Current: pw(from), New: pw(to), Confirm: pw(to)})
	}
	if err := change(0, 1); err != nil { // forced first change
		t.Fatal(err)
	}
	err := change(1, 2)
	wantViolation(t, err, "newPassword") // within 24 hours
	for i := 2; i <= 7; i++ {
		e.clock.Add(25 * time.Hour)
		if err := change(i-1, i); err != nil {
			t.Fatalf("change %d: %v", i, err)
		}
	}
	e.clock.Add(25 * time.Hour)
	wantViolation(t, change(7, 1), "newPassword") // one of the last seven
	if err := change(7, 0); err != nil {          // the eighth back is allowed again
		t.Fatalf("reusing the eighth password back: %v", err)
	}
	// Admins may change again at once.
	a := e.user("dora", herald.RoleAdmin, "Dora-pass-0")
	if err := e.svc.ChangeOwnPassword(e.ctx, a, auth.PasswordChange{Current: "Dora-pass-0", New: "Dora-pass-1", Confirm: "Dora-pass-1"}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.ChangeOwnPassword(e.ctx, a, auth.PasswordChange{Current: "Dora-pass-1", New: "Dora-pass-2", Confirm: "Dora-pass-2"}); err != nil {
		t.Fatalf("an admin's second change within 24 hours was refused: %v", err)
	}
	// An admin setting a user's password forces a change at next sign-in.
	if err := e.svc.UpdateUser(e.ctx, u, "Reset-by-admin1"); err != nil {
		t.Fatal(err)
	}
	res, err := e.svc.SignIn(e.ctx, "carla", "Reset-by-admin1", "192.0.2.3")
	if err != nil || !res.MustChangePassword {
		t.Fatalf("after an admin reset: %+v, %v", res, err)
	}
}

func testExpiry(e *env) {
	t := e.t
	u := e.user("emil", herald.RoleNOCEngineer, "Emil-pass-0")
	if err := e.svc.ChangeOwnPassword(e.ctx, u, auth.PasswordChange{Current: "Emil-pass-0", New: "Emil-pass-1", Confirm: "Emil-pass-1"}); err != nil {
		t.Fatal(err)
	}
	e.user("fay", herald.RoleAdmin, "Fay-pass-00")
	if _, err := e.svc.SignIn(e.ctx, "emil", "Emil-pass-1", "192.0.2.4"); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(29 * 24 * time.Hour)
	res, err := e.svc.SignIn(e.ctx, "emil", "Emil-pass-1", "192.0.2.4")
	if err != nil || res.MustChangePassword {
		t.Fatalf("day 29: %+v, %v", res, err)
	}
	e.clock.Add(32 * 24 * time.Hour) // 61 days after the change, 32 after the last sign-in
	_, err = e.svc.SignIn(e.ctx, "emil", "Emil-pass-1", "192.0.2.4")
	wantCode(t, err, herald.EFORBIDDEN)
	if mustUser(e, "emil").Active {
		t.Fatal("an inactive non-admin was not blocked")
	}
	res, err = e.svc.SignIn(e.ctx, "fay", "Fay-pass-00", "192.0.2.4")
	if err != nil {
		t.Fatalf("an admin was blocked for inactivity: %v", err)
	}
	if !res.MustChangePassword || !res.Expired {
		t.Fatalf("a 61-day-old password did not expire: %+v", res)
	}
}

func testBlockedAccount(e *env) {
	t := e.t
	u := e.user("gil", herald.RoleAdmin, "Gil-pass-00")
	e.acc.Status = herald.AccountBlocked
	if err := e.s.UpdateAccount(e.ctx, e.acc); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.SignIn(e.ctx, "gil", "Gil-pass-00", "192.0.2.5")
	wantCode(t, err, herald.EFORBIDDEN)
	_, err = e.svc.CheckSession(e.ctx, u.ID)
	wantCode(t, err, herald.EUNAUTHORIZED)
}

func testIPThrottle(e *env) {
	t := e.t
	var err error
	for i := 0; i < 25 && herald.ErrorCode(err) != herald.ERATELIMIT; i++ {
		_, err = e.svc.SignIn(e.ctx, fmt.Sprintf("ghost%d", i), "x", "198.51.100.7")
	}
	wantCode(t, err, herald.ERATELIMIT)
	// Another address is not affected.
	_, err = e.svc.SignIn(e.ctx, "ghost", "x", "198.51.100.8")
	wantCode(t, err, herald.EUNAUTHORIZED)
}

func testTOTP(e *env) {
	t := e.t
	u := e.user("hana", herald.RoleAdmin, "Hana-pass-0")
	enr, err := e.svc.BeginTOTP(e.ctx, u)
	if err != nil || enr.Secret == "" || enr.QRPNG == "" {
		t.Fatalf("BeginTOTP = %+v, %v", enr, err)
	}
	wantViolation(t, e.svc.EnableTOTP(e.ctx, u, "000000"), "code")
	code, _ := totp.GenerateCode(enr.Secret, e.clock.Now())
	if err := e.svc.EnableTOTP(e.ctx, u, code); err != nil {
		t.Fatal(err)
	}
	cr, _ := e.s.Credentials(e.ctx, u.ID)
	if bytes.Contains(cr.TOTPSecret, []byte(enr.Secret)) {
		t.Fatal("the TOTP secret is stored in the clear")
	}
	res, err := e.svc.SignIn(e.ctx, "hana", "Hana-pass-0", "192.0.2.6")
	if err != nil || !res.NeedTOTP {
		t.Fatalf("SignIn = %+v, %v; want NeedTOTP", res, err)
	}
	_, err = e.svc.VerifyTOTP(e.ctx, u.ID, "123456", "192.0.2.6")
	wantViolation(t, err, "code")
	e.clock.Add(time.Minute)
	code, _ = totp.GenerateCode(enr.Secret, e.clock.Now())
	if _, err := e.svc.VerifyTOTP(e.ctx, u.ID, code, "192.0.2.6"); err != nil {
		t.Fatal(err)
	}
	// A code is taken once: the same code again, or the previous step's
	// code (still inside the allowed skew), is refused.
	prev, _ := totp.GenerateCode(enr.Secret, e.clock.Now().Add(-30*time.Second))
	for _, c := range []string{code, prev} {
		_, err := e.svc.VerifyTOTP(e.ctx, u.ID, c, "192.0.2.6")
		wantViolation(t, err, "code")
	}
	e.clock.Add(30 * time.Second)
	code, _ = totp.GenerateCode(enr.Secret, e.clock.Now())
	if _, err := e.svc.VerifyTOTP(e.ctx, u.ID, code, "192.0.2.6"); err != nil {
		t.Fatalf("the next step's code: %v", err)
	}
	wantViolation(t, e.svc.DisableTOTP(e.ctx, u, "wrong"), "currentPassword")
	if err := e.svc.DisableTOTP(e.ctx, u, "Hana-pass-0"); err != nil {
		t.Fatal(err)
	}
	if res, _ := e.svc.SignIn(e.ctx, "hana", "Hana-pass-0", "192.0.2.6"); res == nil || res.NeedTOTP {
		t.Fatalf("after disabling: %+v", res)
	}
}

func testAPIKeys(e *env) {
	t := e.t
	k := &herald.APIKey{AccountID: e.acc.ID, Name: "svc", Scopes: []herald.Scope{herald.ScopeOmniAPI}, AllowedIPs: []string{"203.0.113.0/24"}}
	key, err := e.svc.CreateAPIKey(e.ctx, k)
	if err != nil {
		t.Fatal(err)
	}
	_, hash, err := e.s.APIKeyByPrefix(e.ctx, k.Prefix)
	if err != nil || hash == "" || bytes.Contains([]byte(hash), []byte(key)) {
		t.Fatalf("stored hash %q, %v", hash, err)
	}
	got, err := e.svc.AuthenticateAPIKey(e.ctx, key, netip.MustParseAddr("203.0.113.9"))
	if err != nil || got.ID != k.ID {
		t.Fatalf("AuthenticateAPIKey = %+v, %v", got, err)
	}
	_, err = e.svc.AuthenticateAPIKey(e.ctx, key, netip.MustParseAddr("192.0.2.1"))
	wantCode(t, err, herald.EFORBIDDEN)
	last := "a"
	if key[len(key)-1] == 'a' {
		last = "b"
	}
	_, err = e.svc.AuthenticateAPIKey(e.ctx, key[:len(key)-1]+last, netip.MustParseAddr("203.0.113.9"))
	wantCode(t, err, herald.EUNAUTHORIZED)
	_, err = e.svc.AuthenticateAPIKey(e.ctx, "", netip.MustParseAddr("203.0.113.9"))
	wantCode(t, err, herald.EUNAUTHORIZED)
	_, err = e.svc.CreateAPIKey(e.ctx, &herald.APIKey{AccountID: e.acc.ID, Name: "x", Scopes: []herald.Scope{"root"}})
	wantViolation(t, err, "scopes")
}

func testDeleteOwn(e *env) {
	t := e.t
	admin := e.user("ivan", herald.RoleAdmin, "Ivan-pass-0")
	u := e.user("jo", herald.RoleNOCEngineer, "Jo-pass-000")
	wantViolation(t, e.svc.DeleteOwnUser(e.ctx, u, "Jo-pass-000", "delete"), "confirm")
	wantViolation(t, e.svc.DeleteOwnUser(e.ctx, u, "wrong", "delete-account"), "currentPassword")
	if err := e.svc.DeleteOwnUser(e.ctx, u, "Jo-pass-000", "delete-account"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.User(e.ctx, e.acc.ID, u.ID); !herald.IsNotFound(err) {
		t.Fatalf("the user still exists: %v", err)
	}
	wantCode(t, e.svc.DeleteOwnUser(e.ctx, admin, "Ivan-pass-0", "delete-account"), herald.ECONFLICT)
}

// testAPIKeyCache authenticates a key twice (the second time from the
// cache), then changes it, blocks its account and deletes it: each
// change applies to the next request at once. A second service, which
// hears of no change, stands for another process that missed the
// notice: its cached key lasts until the cache's expiry.
func testAPIKeyCache(e *env) {
	t := e.t
	addr := netip.MustParseAddr("192.0.2.1")
	k := &herald.APIKey{AccountID: e.acc.ID, Name: "cached", Scopes: []herald.Scope{herald.ScopeOmniAPI}}
	key, err := e.svc.CreateAPIKey(e.ctx, k)
	if err != nil {
		t.Fatal(err)
	}
	box, _ := secret.NewBox(bytes.Repeat([]byte{9}, secret.KeySize))
	cfg := auth.DefaultConfig()
	cfg.Hash = auth.FastHashParams()
	deaf, err := auth.New(deafStore{e.s}, box, e.clock, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		for _, svc := range []*auth.Service{e.svc, deaf} {
			if got, err := svc.AuthenticateAPIKey(e.ctx, key, addr); err != nil || !got.HasScope(herald.ScopeOmniAPI) {
				t.Fatalf("AuthenticateAPIKey = %+v, %v", got, err)
			}
		}
	}
	k.Scopes = []herald.Scope{herald.ScopeRecipients}
	if err := e.s.UpdateAPIKey(e.ctx, k); err != nil {
		t.Fatal(err)
	}
	if got, err := e.svc.AuthenticateAPIKey(e.ctx, key, addr); err != nil || got.HasScope(herald.ScopeOmniAPI) || !got.HasScope(herald.ScopeRecipients) {
		t.Fatalf("after the scope change: AuthenticateAPIKey = %+v, %v", got, err)
	}
	e.acc.Status = herald.AccountBlocked
	if err := e.s.UpdateAccount(e.ctx, e.acc); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.AuthenticateAPIKey(e.ctx, key, addr)
	wantCode(t, err, herald.EUNAUTHORIZED)
	e.acc.Status = herald.AccountActive
	if err := e.s.UpdateAccount(e.ctx, e.acc); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AuthenticateAPIKey(e.ctx, key, addr); err != nil {
		t.Fatalf("after unblocking: %v", err)
	}
	if err := e.s.DeleteAPIKey(e.ctx, e.acc.ID, k.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.AuthenticateAPIKey(e.ctx, key, addr)
	wantCode(t, err, herald.EUNAUTHORIZED)

	// The deaf service still trusts what it read, until the expiry.
	if _, err := deaf.AuthenticateAPIKey(e.ctx, key, addr); err != nil {
		t.Fatalf("deaf service before the expiry: %v", err)
	}
	e.clock.Add(6 * time.Second)
	_, err = deaf.AuthenticateAPIKey(e.ctx, key, addr)
	wantCode(t, err, herald.EUNAUTHORIZED)
}

// deafStore hides the store's change notices (OnAuthChange), as a store
// of another process would.
type deafStore struct{ auth.Store }
