package storetest

import (
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
)

// testAPIKeys checks APIKeyStore.
func testAPIKeys(t *testing.T, open func(t *testing.T) *store.Store) {
	t.Run("CreateAndLoad", func(t *testing.T) {
		f := newFixture(t, open, "Acme")
		g := addFixture(t, f.s, "Other")
		k := &herald.APIKey{AccountID: f.account.ID, Name: "CRM sync", Prefix: "hk_abc123",
			Scopes: []herald.Scope{herald.ScopeCRM, herald.ScopeOmniAPI}, SenderIDs: []string{"ACME"},
			WebhookURL: "https://example.com/hook", AllowedIPs: []string{"10.0.0.0/8", "192.0.2.1"}, CreatedBy: 7}
		noErr(t, "CreateAPIKey", f.s.CreateAPIKey(f.ctx, k, "argon-hash"))
		if k.ID == 0 || k.LastUsedAt != nil {
			t.Fatalf("created key = %+v, want an ID and no last use", k)
		}
		recent(t, "CreatedAt", k.CreatedAt)
		got, err := f.s.APIKey(f.ctx, f.account.ID, k.ID)
		noErr(t, "APIKey", err)
		equal(t, "APIKey", got, k)
		got, hash, err := f.s.APIKeyByPrefix(f.ctx, "hk_abc123")
		noErr(t, "APIKeyByPrefix", err)
		equal(t, "APIKeyByPrefix", got, k)
		equal(t, "secret hash", hash, "argon-hash")
		_, _, err = f.s.APIKeyByPrefix(f.ctx, "HK_ABC123")
		wantCode(t, "APIKeyByPrefix(other case)", err, herald.ENOTFOUND)
		_, err = f.s.APIKey(f.ctx, g.account.ID, k.ID)
		wantCode(t, "APIKey(other account)", err, herald.ENOTFOUND)
		dup := &herald.APIKey{AccountID: g.account.ID, Name: "dup", Prefix: "hk_abc123", Scopes: k.Scopes}
		wantViolation(t, "CreateAPIKey(same prefix)", f.s.CreateAPIKey(g.ctx, dup, "h"), "prefix", herald.VTaken)
		bare := &herald.APIKey{AccountID: f.account.ID, Name: "bare", Prefix: "hk_bare"}
		noErr(t, "CreateAPIKey(no lists)", f.s.CreateAPIKey(f.ctx, bare, "h"))
		got, err = f.s.APIKey(f.ctx, f.account.ID, bare.ID)
		noErr(t, "APIKey", err)
		equal(t, "key without lists", got, bare)
	})
	t.Run("UpdateDeleteTouch", func(t *testing.T) { testAPIKeyLifecycle(t, newFixture(t, open, "Acme")) })
}

// testAPIKeyLifecycle checks UpdateAPIKey, TouchAPIKey and DeleteAPIKey.
func testAPIKeyLifecycle(t *testing.T, f *fixture) {
	g := addFixture(t, f.s, "Other")
	k := f.createKey(t, "hk_1", herald.ScopeAdmin)
	before := len(auditActions(t, f))
	at := time.Date(2025, 3, 4, 5, 6, 7, 891011000, time.FixedZone("CET", 3600))
	noErr(t, "TouchAPIKey", f.s.TouchAPIKey(f.ctx, k.ID, at))
	got, err := f.s.APIKey(f.ctx, f.account.ID, k.ID)
	noErr(t, "APIKey", err)
	if got.LastUsedAt == nil || !got.LastUsedAt.Equal(at) || got.LastUsedAt.Location() != time.UTC {
		t.Errorf("LastUsedAt = %v, want %v in UTC", got.LastUsedAt, at)
	}
	equal(t, "audit entries after TouchAPIKey", len(auditActions(t, f)), before)
	wantCode(t, "TouchAPIKey(missing)", f.s.TouchAPIKey(f.ctx, k.ID+100, at), herald.ENOTFOUND)

	k.Name, k.Scopes, k.SenderIDs = "Renamed", []herald.Scope{herald.ScopeDIDs}, []string{"S1", "S2"}
	k.WebhookURL, k.AllowedIPs, k.Prefix, k.CreatedBy = "https://example.org/x", []string{"::1"}, "ignored", 99
	noErr(t, "UpdateAPIKey", f.s.UpdateAPIKey(f.ctx, k))
	if k.Prefix != "hk_1" || k.CreatedBy != 0 || k.LastUsedAt == nil {
		t.Errorf("updated key = %+v, want prefix, creator and last use unchanged", k)
	}
	got, err = f.s.APIKey(f.ctx, f.account.ID, k.ID)
	noErr(t, "APIKey", err)
	equal(t, "updated key", got, k)
	moved := *k
	moved.AccountID = g.account.ID
	wantCode(t, "UpdateAPIKey(other account)", g.s.UpdateAPIKey(g.ctx, &moved), herald.ENOTFOUND)
	wantCode(t, "DeleteAPIKey(other account)", g.s.DeleteAPIKey(g.ctx, g.account.ID, k.ID), herald.ENOTFOUND)

	noErr(t, "DeleteAPIKey", f.s.DeleteAPIKey(f.ctx, f.account.ID, k.ID))
	_, err = f.s.APIKey(f.ctx, f.account.ID, k.ID)
	wantCode(t, "APIKey after delete", err, herald.ENOTFOUND)
	_, _, err = f.s.APIKeyByPrefix(f.ctx, "hk_1")
	wantCode(t, "APIKeyByPrefix after delete", err, herald.ENOTFOUND)
	wantCode(t, "DeleteAPIKey again", f.s.DeleteAPIKey(f.ctx, f.account.ID, k.ID), herald.ENOTFOUND)
}
