package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
)

// testSMPPSubmitParts stores the parts of two long messages: a part sent
// again gets the ID it had, the set's later parts share its first part's
// base, the parts come back in order, the transaction that commits a
// message marks its set's parts, an incomplete set is stale after its last
// part's time, and old parts are forgotten.
func testSMPPSubmitParts(t *testing.T, open func(t *testing.T) *store.Store) {
	f := newFixture(t, open, "smpp parts")
	s := f.s
	add := func(set string, seq int, text, base string) ([]herald.SMPPSubmitPart, *herald.SMPPSubmitPart) {
		t.Helper()
		p := &herald.SMPPSubmitPart{AccountID: f.account.ID, SetKey: set, Seq: seq, Total: 3, Text: text, Request: `{"rd":1}`}
		parts, err := s.AddSMPPSubmitPart(f.ctx, p, base)
		noErr(t, "AddSMPPSubmitPart", err)
		return parts, p
	}
	_, p2 := add("a", 2, "two", "base1")
	_, again := add("a", 2, "two", "other")
	_, p1 := add("a", 1, "one", "other")
	equal(t, "IDs", []string{p2.ID, again.ID, p1.ID}, []string{"base1-2", "base1-2", "base1-1"})
	add("b", 1, "uno", "base2")
	parts, _ := add("a", 3, "three", "other")
	texts, ids := []string{}, []string{}
	for _, p := range parts {
		texts = append(texts, p.Text)
		ids = append(ids, p.ID)
	}
	equal(t, "set a", texts, []string{"one", "two", "three"})

	noErr(t, "MessageTx", s.MessageTx(f.ctx, func(x *store.MessageTx) error {
		n, err := x.MarkSMPPSubmitParts(context.Background(), "m1", ids...)
		if n != 3 {
			t.Errorf("marked %d parts, want 3", n)
		}
		return err
	}))
	rolledBack := errors.New("rolled back")
	if err := s.MessageTx(f.ctx, func(x *store.MessageTx) error {
		n, err := x.MarkSMPPSubmitParts(context.Background(), "m2", ids[2], "base2-1")
		if err != nil {
			return err
		}
		if n != 1 {
			t.Errorf("marked %d parts again, want 1 (set b's only)", n)
		}
		return rolledBack
	}); !errors.Is(err, rolledBack) {
		t.Fatalf("marking parts again: %v", err)
	}
	_, again = add("a", 3, "three", "other")
	if again.ID != "base1-3" || again.MessageID != "m1" {
		t.Errorf("a part sent again after its message = %+v", again)
	}

	stale, err := s.StaleSMPPSubmitParts(f.ctx, time.Now().Add(time.Minute), 10)
	noErr(t, "StaleSMPPSubmitParts", err)
	if len(stale) != 1 || stale[0].SetKey != "b" || stale[0].ID != "base2-1" {
		t.Errorf("stale parts = %+v, want set b's only", stale)
	}
	if stale, _ := s.StaleSMPPSubmitParts(f.ctx, time.Now().Add(-time.Minute), 10); len(stale) != 0 {
		t.Errorf("parts stale before they came: %+v", stale)
	}

	// Rejecting parts: not when one of them was made into a message, and
	// once only, with its receipt queued once.
	receipt := &herald.SMPPDelivery{AccountID: f.account.ID, SystemID: "acme", Kind: herald.SMPPReceipt, MessageID: "base2-1",
		Status: herald.StatusRejected, Source: "5.0.Shop", Dest: "1.1.46700000001", RegisteredDelivery: 1, SubmittedAt: time.Now()}
	for i, c := range []struct {
		ids  []string
		want bool
	}{{[]string{"base2-1", ids[0]}, false}, {[]string{"base2-1"}, true}, {[]string{"base2-1"}, false}} {
		done, err := s.RejectSMPPSubmitParts(f.ctx, c.ids, receipt)
		noErr(t, "RejectSMPPSubmitParts", err)
		if done != c.want {
			t.Errorf("rejection %d of %v = %v, want %v", i, c.ids, done, c.want)
		}
	}
	if stale, _ := s.StaleSMPPSubmitParts(f.ctx, time.Now().Add(time.Minute), 10); len(stale) != 0 {
		t.Errorf("stale parts after the rejection: %+v", stale)
	}
	_, again = add("b", 1, "uno", "other")
	if again.MessageID != store.SMPPPartsRejected {
		t.Errorf("a rejected part sent again = %+v", again)
	}
	queued, err := s.PendingSMPPDeliveries(f.ctx, "acme", 0, 10)
	noErr(t, "PendingSMPPDeliveries", err)
	if len(queued) != 1 || queued[0].MessageID != "base2-1" || queued[0].Status != herald.StatusRejected || queued[0].Dest != "1.1.46700000001" {
		t.Errorf("queued receipts %+v, want the rejection's", queued)
	}
	n, err := s.ForgetSMPPSubmitParts(f.ctx, time.Now().Add(time.Minute))
	noErr(t, "ForgetSMPPSubmitParts", err)
	if n != 4 {
		t.Errorf("forgot %d parts, want 4", n)
	}
}
