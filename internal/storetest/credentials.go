package storetest

import (
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
)

// testCredentials checks passwords, sign-in state and TOTP.
func testCredentials(t *testing.T, open func(t *testing.T) *store.Store) {
	t.Run("Password", func(t *testing.T) {
		f := newFixture(t, open, "Acme")
		u := f.user("ann", f.roles[herald.RoleAdmin])
		noErr(t, "CreateUser", f.s.CreateUser(f.ctx, u, "h1", true))
		c, err := f.s.Credentials(f.ctx, u.ID)
		noErr(t, "Credentials", err)
		if c.UserID != u.ID || c.PasswordHash != "h1" || !c.MustChangePassword || c.FailedLogins != 0 ||
			c.TOTPSecret != nil || c.TOTPEnabled || c.LockedUntil != nil || c.LastLoginAt != nil {
			t.Errorf("Credentials = %+v, want hash h1, must change, nothing else set", c)
		}
		recent(t, "PasswordChangedAt", c.PasswordChangedAt)
		hist, err := f.s.PasswordHistory(f.ctx, u.ID, 5)
		noErr(t, "PasswordHistory", err)
		equal(t, "history after create", hist, []string{"h1"})
		noErr(t, "SetPassword(h2)", f.s.SetPassword(f.ctx, u.ID, "h2", false))
		noErr(t, "SetPassword(h3)", f.s.SetPassword(f.ctx, u.ID, "h3", true))
		c, err = f.s.Credentials(f.ctx, u.ID)
		noErr(t, "Credentials", err)
		if c.PasswordHash != "h3" || !c.MustChangePassword {
			t.Errorf("Credentials = %+v, want hash h3, must change", c)
		}
		hist, err = f.s.PasswordHistory(f.ctx, u.ID, 5)
		noErr(t, "PasswordHistory", err)
		equal(t, "history, newest first", hist, []string{"h3", "h2", "h1"})
		hist, err = f.s.PasswordHistory(f.ctx, u.ID, 2)
		noErr(t, "PasswordHistory(2)", err)
		equal(t, "last two", hist, []string{"h3", "h2"})
		hist, err = f.s.PasswordHistory(f.ctx, u.ID, 0)
		noErr(t, "PasswordHistory(0)", err)
		equal(t, "none", hist, []string{})
		wantCode(t, "SetPassword(missing)", f.s.SetPassword(f.ctx, u.ID+100, "x", false), herald.ENOTFOUND)
		_, err = f.s.Credentials(f.ctx, u.ID+100)
		wantCode(t, "Credentials(missing)", err, herald.ENOTFOUND)
	})
	t.Run("LoginFailures", func(t *testing.T) { testLoginFailures(t, newFixture(t, open, "Acme")) })
	t.Run("TOTP", func(t *testing.T) { testTOTP(t, newFixture(t, open, "Acme")) })
}

// testLoginFailures checks RecordLoginFailure and RecordLoginSuccess.
func testLoginFailures(t *testing.T, f *fixture) {
	u := f.createUser(t, "ann", f.roles[herald.RoleAdmin])
	n, err := f.s.RecordLoginFailure(f.ctx, u.ID, nil)
	noErr(t, "RecordLoginFailure", err)
	equal(t, "failures", n, 1)
	lock := time.Now().Add(15 * time.Minute).In(time.FixedZone("X", 3600)).Truncate(time.Microsecond)
	n, err = f.s.RecordLoginFailure(f.ctx, u.ID, &lock)
	noErr(t, "RecordLoginFailure(lock)", err)
	equal(t, "failures", n, 2)
	n, err = f.s.RecordLoginFailure(f.ctx, u.ID, nil)
	noErr(t, "RecordLoginFailure", err)
	equal(t, "failures", n, 3)
	c, err := f.s.Credentials(f.ctx, u.ID)
	noErr(t, "Credentials", err)
	if c.FailedLogins != 3 || c.LockedUntil == nil || !c.LockedUntil.Equal(lock) || c.LockedUntil.Location() != time.UTC {
		t.Errorf("Credentials = %+v (locked until %v), want 3 failures, locked until %v in UTC", c, c.LockedUntil, lock)
	}
	noErr(t, "RecordLoginSuccess", f.s.RecordLoginSuccess(f.ctx, u.ID))
	c, err = f.s.Credentials(f.ctx, u.ID)
	noErr(t, "Credentials", err)
	if c.FailedLogins != 0 || c.LockedUntil != nil || c.LastLoginAt == nil {
		t.Fatalf("Credentials = %+v, want no failures, no lock, a last sign-in", c)
	}
	recent(t, "LastLoginAt", *c.LastLoginAt)
	got, err := f.s.User(f.ctx, f.account.ID, u.ID)
	noErr(t, "User", err)
	equal(t, "User.LastLoginAt", got.LastLoginAt, c.LastLoginAt)
	_, err = f.s.RecordLoginFailure(f.ctx, u.ID+100, nil)
	wantCode(t, "RecordLoginFailure(missing)", err, herald.ENOTFOUND)
	wantCode(t, "RecordLoginSuccess(missing)", f.s.RecordLoginSuccess(f.ctx, u.ID+100), herald.ENOTFOUND)
}

// testTOTP checks SetTOTP and its audit entries.
func testTOTP(t *testing.T, f *fixture) {
	u := f.createUser(t, "ann", f.roles[herald.RoleAdmin])
	secret := []byte{0, 1, 2, 0xfe, 0xff}
	noErr(t, "SetTOTP(pending)", f.s.SetTOTP(f.ctx, u.ID, secret, false))
	c, err := f.s.Credentials(f.ctx, u.ID)
	noErr(t, "Credentials", err)
	if string(c.TOTPSecret) != string(secret) || c.TOTPEnabled {
		t.Errorf("Credentials = %+v, want the secret, not enabled", c)
	}
	noErr(t, "SetTOTP(enable)", f.s.SetTOTP(f.ctx, u.ID, secret, true))
	got, err := f.s.User(f.ctx, f.account.ID, u.ID)
	noErr(t, "User", err)
	if !got.TwoFactor {
		t.Error("User.TwoFactor = false after enabling TOTP")
	}
	noErr(t, "SetTOTP(clear)", f.s.SetTOTP(f.ctx, u.ID, nil, false))
	c, err = f.s.Credentials(f.ctx, u.ID)
	noErr(t, "Credentials", err)
	if c.TOTPSecret != nil || c.TOTPEnabled {
		t.Errorf("Credentials = %+v, want no secret, not enabled", c)
	}
	wantCode(t, "SetTOTP(missing)", f.s.SetTOTP(f.ctx, u.ID+100, nil, false), herald.ENOTFOUND)
	var twoFA []string
	for _, a := range auditActions(t, f) {
		if a != "Added new account" && a != "Added new user" {
			twoFA = append(twoFA, a)
		}
	}
	equal(t, "audited TOTP changes", twoFA, []string{"Enabled two-factor authentication", "Disabled two-factor authentication"})
}

// testUserPrefs checks UserPref and SetUserPref.
func testUserPrefs(t *testing.T, open func(t *testing.T) *store.Store) {
	f := newFixture(t, open, "Acme")
	ann := f.createUser(t, "ann", f.roles[herald.RoleAdmin])
	bob := f.createUser(t, "bob", f.roles[herald.RoleAdmin])
	v, err := f.s.UserPref(f.ctx, ann.ID, "theme")
	noErr(t, "UserPref(unset)", err)
	equal(t, "unset pref", v, "")
	noErr(t, "SetUserPref", f.s.SetUserPref(f.ctx, ann.ID, "theme", "dark"))
	noErr(t, "SetUserPref", f.s.SetUserPref(f.ctx, ann.ID, "columns.users", `["login","email"]`))
	noErr(t, "SetUserPref(overwrite)", f.s.SetUserPref(f.ctx, ann.ID, "theme", "light"))
	v, err = f.s.UserPref(f.ctx, ann.ID, "theme")
	noErr(t, "UserPref", err)
	equal(t, "theme", v, "light")
	v, err = f.s.UserPref(f.ctx, ann.ID, "columns.users")
	noErr(t, "UserPref", err)
	equal(t, "columns", v, `["login","email"]`)
	v, err = f.s.UserPref(f.ctx, bob.ID, "theme")
	noErr(t, "UserPref(bob)", err)
	equal(t, "bob's theme", v, "")
	wantCode(t, "SetUserPref(missing user)", f.s.SetUserPref(f.ctx, bob.ID+100, "theme", "x"), herald.ENOTFOUND)
}
