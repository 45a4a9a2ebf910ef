package storetest

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
)

// testSessions checks SessionStore.
func testSessions(t *testing.T, open func(t *testing.T) *store.Store) {
	s := open(t)
	ctx := context.Background()
	now := time.Now()
	noErr(t, "CommitSession", s.CommitSession(ctx, "tok-a", []byte("a1"), now.Add(time.Hour)))
	noErr(t, "CommitSession", s.CommitSession(ctx, "tok-b", []byte("b1"), now.Add(time.Hour)))
	noErr(t, "CommitSession(expired)", s.CommitSession(ctx, "tok-old", []byte("old"), now.Add(-time.Second)))
	data, found, err := s.FindSession(ctx, "tok-a")
	noErr(t, "FindSession", err)
	if !found || !bytes.Equal(data, []byte("a1")) {
		t.Errorf("FindSession(tok-a) = %q, %v, want a1, true", data, found)
	}
	noErr(t, "CommitSession(again)", s.CommitSession(ctx, "tok-a", []byte("a2"), now.Add(2*time.Hour)))
	data, found, err = s.FindSession(ctx, "tok-a")
	noErr(t, "FindSession", err)
	if !found || !bytes.Equal(data, []byte("a2")) {
		t.Errorf("FindSession(tok-a) after commit = %q, %v, want a2, true", data, found)
	}
	for _, tok := range []string{"tok-old", "tok-c", "TOK-A"} {
		if _, found, err := s.FindSession(ctx, tok); err != nil || found {
			t.Errorf("FindSession(%s) = found %v, %v; want not found", tok, found, err)
		}
	}
	n, err := s.DeleteExpiredSessions(ctx)
	noErr(t, "DeleteExpiredSessions", err)
	equal(t, "expired sessions deleted", n, 1)
	noErr(t, "DeleteSession", s.DeleteSession(ctx, "tok-a"))
	noErr(t, "DeleteSession(missing)", s.DeleteSession(ctx, "tok-a"))
	if _, found, _ := s.FindSession(ctx, "tok-a"); found {
		t.Error("FindSession(tok-a) found a deleted session")
	}
	if _, found, _ := s.FindSession(ctx, "tok-b"); !found {
		t.Error("FindSession(tok-b) lost another session")
	}
	n, err = s.DeleteExpiredSessions(ctx)
	noErr(t, "DeleteExpiredSessions", err)
	equal(t, "expired sessions deleted again", n, 0)
}

// testIdempotency checks IdempotencyStore.
func testIdempotency(t *testing.T, open func(t *testing.T) *store.Store) {
	f := newFixture(t, open, "Acme")
	g := addFixture(t, f.s, "Other")
	r := &herald.IdempotentResult{AccountID: f.account.ID, Key: "k1", Fingerprint: "fp", Status: 201, Body: []byte(`{"id":1}`)}
	noErr(t, "SaveIdempotentResult", f.s.SaveIdempotentResult(f.ctx, r))
	recent(t, "CreatedAt", r.CreatedAt)
	got, err := f.s.IdempotentResult(f.ctx, f.account.ID, "k1")
	noErr(t, "IdempotentResult", err)
	equal(t, "IdempotentResult", got, r)
	again := *r
	again.Fingerprint = "other"
	wantCode(t, "SaveIdempotentResult(same key)", f.s.SaveIdempotentResult(f.ctx, &again), herald.ECONFLICT)
	_, err = f.s.IdempotentResult(f.ctx, g.account.ID, "k1")
	wantCode(t, "IdempotentResult(other account)", err, herald.ENOTFOUND)
	other := &herald.IdempotentResult{AccountID: g.account.ID, Key: "k1", Fingerprint: "fp2", Status: 200, Body: []byte{}}
	noErr(t, "SaveIdempotentResult(same key, other account)", f.s.SaveIdempotentResult(g.ctx, other))
	old := &herald.IdempotentResult{AccountID: f.account.ID, Key: "k0", Fingerprint: "fp", Status: 200, Body: []byte("x"),
		CreatedAt: time.Now().Add(-48 * time.Hour)}
	noErr(t, "SaveIdempotentResult(old)", f.s.SaveIdempotentResult(f.ctx, old))
	n, err := f.s.DeleteIdempotentResultsBefore(f.ctx, time.Now().Add(-24*time.Hour))
	noErr(t, "DeleteIdempotentResultsBefore", err)
	equal(t, "deleted results", n, 1)
	_, err = f.s.IdempotentResult(f.ctx, f.account.ID, "k0")
	wantCode(t, "IdempotentResult(deleted)", err, herald.ENOTFOUND)
	_, err = f.s.IdempotentResult(f.ctx, f.account.ID, "k1")
	noErr(t, "IdempotentResult(kept)", err)

	// Reserve, complete, delete.
	res := &herald.IdempotentResult{AccountID: f.account.ID, Key: "k2", Fingerprint: "fp"}
	noErr(t, "SaveIdempotentResult(reservation)", f.s.SaveIdempotentResult(f.ctx, res))
	res.Status, res.Body = 201, []byte(`{"id":2}`)
	noErr(t, "CompleteIdempotentResult", f.s.CompleteIdempotentResult(f.ctx, res))
	got, err = f.s.IdempotentResult(f.ctx, f.account.ID, "k2")
	noErr(t, "IdempotentResult(completed)", err)
	equal(t, "completed status", got.Status, 201)
	equal(t, "completed body", string(got.Body), `{"id":2}`)
	wantCode(t, "CompleteIdempotentResult(other account)", f.s.CompleteIdempotentResult(g.ctx,
		&herald.IdempotentResult{AccountID: g.account.ID, Key: "k2", Status: 500}), herald.ENOTFOUND)
	noErr(t, "DeleteIdempotentResult(other account)", f.s.DeleteIdempotentResult(g.ctx, g.account.ID, "k2"))
	_, err = f.s.IdempotentResult(f.ctx, f.account.ID, "k2")
	noErr(t, "IdempotentResult(after other account's delete)", err)
	noErr(t, "DeleteIdempotentResult", f.s.DeleteIdempotentResult(f.ctx, f.account.ID, "k2"))
	_, err = f.s.IdempotentResult(f.ctx, f.account.ID, "k2")
	wantCode(t, "IdempotentResult(deleted)", err, herald.ENOTFOUND)
}
