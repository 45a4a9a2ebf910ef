package storetest

import (
	"context"
	"encoding/base64"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
)

// testAudit checks the audit entries that changes write and AuditStore.
func testAudit(t *testing.T, open func(t *testing.T) *store.Store) {
	t.Run("WrittenWithChanges", func(t *testing.T) { testAuditTrail(t, newFixture(t, open, "Acme")) })
	t.Run("RecordAudit", func(t *testing.T) { testRecordAudit(t, newFixture(t, open, "Acme")) })
	t.Run("ListAndFilter", func(t *testing.T) { testAuditList(t, newFixture(t, open, "Acme")) })
	t.Run("EachAudit", func(t *testing.T) { testEachAudit(t, newFixture(t, open, "Acme")) })
}

// secrets are the values that must never reach the audit log.
func secrets() []string { return []string{"pw-hash-1", "pw-hash-2", "key-secret-hash", "TOTPSEALED"} }

// testAuditTrail runs every mutating method and checks the entries it
// writes: action, actor, details, and no secret anywhere.
func testAuditTrail(t *testing.T, f *fixture) {
	s, acc := f.s, f.account.ID
	ctx := f.ctx
	keyCtx := herald.WithActor(context.Background(), herald.Actor{AccountID: acc, APIKeyID: 55, Login: "robot", IP: "198.51.100.1"})
	noErr(t, "CreateDepartment", s.CreateDepartment(ctx, acc, "Sales"))
	r := &herald.Role{AccountID: acc, Name: "Support", Permissions: []herald.Permission{herald.PermDashboardView}}
	noErr(t, "CreateRole", s.CreateRole(ctx, r))
	r.Description = "changed"
	noErr(t, "UpdateRole", s.UpdateRole(ctx, r))
	u := f.user("ann", r.ID)
	noErr(t, "CreateUser", s.CreateUser(ctx, u, "pw-hash-1", true))
	u.FirstName = "Anna"
	noErr(t, "UpdateUser", s.UpdateUser(keyCtx, u))
	noErr(t, "SetPassword", s.SetPassword(ctx, u.ID, "pw-hash-2", false))
	noErr(t, "SetTOTP(on)", s.SetTOTP(ctx, u.ID, []byte("TOTPSEALED"), true))
	noErr(t, "SetTOTP(off)", s.SetTOTP(ctx, u.ID, []byte("TOTPSEALED"), false))
	k := &herald.APIKey{AccountID: acc, Name: "k", Prefix: "hk_x", Scopes: []herald.Scope{herald.ScopeAdmin}}
	noErr(t, "CreateAPIKey", s.CreateAPIKey(ctx, k, "key-secret-hash"))
	k.Name = "k2"
	noErr(t, "UpdateAPIKey", s.UpdateAPIKey(ctx, k))
	quiet(t, f, u, k)
	noErr(t, "DeleteAPIKey", s.DeleteAPIKey(ctx, acc, k.ID))
	noErr(t, "DeleteUser", s.DeleteUser(ctx, acc, u.ID))
	noErr(t, "DeleteRole", s.DeleteRole(ctx, acc, r.ID))
	a := *f.account
	a.TimeZone = "Europe/Madrid"
	noErr(t, "UpdateAccount", s.UpdateAccount(ctx, &a))

	want := []string{"Added new account", "Added new department", "Added new role", "Changed role", "Added new user",
		"Changed user", "Changed password", "Enabled two-factor authentication", "Disabled two-factor authentication",
		"Added new API key", "Changed API key", "Deleted API key", "Deleted user", "Deleted role", "Changed account"}
	page, err := s.ListAudit(ctx, acc, herald.ListQuery{Limit: 100})
	noErr(t, "ListAudit", err)
	var got []string
	for _, e := range slices.Backward(page.Items) {
		got = append(got, e.Action)
	}
	equal(t, "audited actions (oldest first)", got, want)
	for _, e := range page.Items {
		checkAuditEntry(t, e, acc)
	}
}

// quiet runs the methods that must write no audit entry on the existing
// user u and key k, and checks that they wrote none.
func quiet(t *testing.T, f *fixture, u *herald.User, k *herald.APIKey) {
	t.Helper()
	s, ctx := f.s, f.ctx
	before := len(auditActions(t, f))
	_, err := s.RecordLoginFailure(ctx, u.ID, nil)
	noErr(t, "RecordLoginFailure", err)
	noErr(t, "RecordLoginSuccess", s.RecordLoginSuccess(ctx, u.ID))
	noErr(t, "TouchAPIKey", s.TouchAPIKey(ctx, k.ID, time.Now()))
	noErr(t, "SetUserPref", s.SetUserPref(ctx, u.ID, "theme", "dark"))
	noErr(t, "SetTOTP(no change)", s.SetTOTP(ctx, u.ID, nil, false))
	noErr(t, "CommitSession", s.CommitSession(ctx, "t", []byte("d"), time.Now().Add(time.Hour)))
	noErr(t, "DeleteSession", s.DeleteSession(ctx, "t"))
	noErr(t, "SaveIdempotentResult", s.SaveIdempotentResult(ctx, &herald.IdempotentResult{AccountID: f.account.ID, Key: "q", Body: []byte("{}")}))
	equal(t, "audit entries after methods that audit nothing", len(auditActions(t, f)), before)
}

// checkAuditEntry checks the actor, details and secrecy of one entry.
func checkAuditEntry(t *testing.T, e herald.AuditEntry, account int64) {
	t.Helper()
	wantUser, wantLogin, wantKey, wantIP := int64(9001), "auditor", int64(0), "192.0.2.7"
	switch e.Action {
	case "Changed user": // by an API key
		wantUser, wantLogin, wantKey, wantIP = 0, "api:robot", 55, "198.51.100.1"
	case "Added new account": // by the fixture, with no actor in the context
		wantUser, wantLogin, wantIP = 0, "system", ""
	}
	if e.AccountID != account || e.UserID != wantUser || e.Login != wantLogin || e.APIKeyID != wantKey || e.IP != wantIP {
		t.Errorf("%q entry = %+v, want account %d, user %d %q, key %d, IP %s", e.Action, e, account, wantUser, wantLogin, wantKey, wantIP)
	}
	recent(t, e.Action+" time", e.Time)
	if len(e.Details) == 0 {
		t.Errorf("%q entry has no details", e.Action)
	}
	for _, d := range e.Details {
		if d.Table == "" || d.ObjectID == "" || (d.OldValue == "" && d.NewValue == "") {
			t.Errorf("%q detail = %+v, want table, object and a value", e.Action, d)
		}
		checkNoSecrets(t, e.Action, d)
	}
	if e.Action == "Changed password" && e.Details[0].NewValue != `{"password":"changed"}` {
		t.Errorf("password change detail = %+v, want new value {\"password\":\"changed\"}", e.Details[0])
	}
}

// checkNoSecrets fails t when a detail holds a secret in any form.
func checkNoSecrets(t *testing.T, action string, d herald.AuditDetail) {
	t.Helper()
	for _, sec := range secrets() {
		for _, form := range []string{sec, base64.StdEncoding.EncodeToString([]byte(sec))} {
			if strings.Contains(d.OldValue+d.NewValue, form) {
				t.Errorf("%q detail %+v reveals secret %q", action, d, sec)
			}
		}
	}
}
