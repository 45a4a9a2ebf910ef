package storetest

import (
	"errors"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
)

// claimedIDs returns the sorted IDs of rows.
func claimedIDs(rows []store.MessageRow) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.ID
	}
	sort.Strings(out)
	return out
}

func testClaims(t *testing.T, open func(t *testing.T) *store.Store) {
	f := newFixture(t, open, "claims")
	other := addFixture(t, f.s, "claims-other")
	const now = int64(10_000)
	leased := f.newMessage(1)      // leased to "a" until 20 000: not due
	expired := f.newMessage(2)     // lease of "a" ran out at 5 000: due
	dueLater := f.newMessage(3)    // scheduled for 15 000
	dueNow := f.newMessage(4)      // scheduled for 9 000
	sent := f.newMessage(5)        // sent: never claimed
	foreign := other.newMessage(6) // another account, due
	dueLater.Status, dueNow.Status = herald.StatusScheduled, herald.StatusScheduled
	sent.Status = herald.StatusSent
	insertMessages(t, f.s, 20_000, "a", leased)
	insertMessages(t, f.s, 5_000, "a", expired)
	insertMessages(t, f.s, 15_000, "", dueLater)
	insertMessages(t, f.s, 9_000, "", dueNow)
	insertMessages(t, f.s, 0, "", sent)
	insertMessages(t, f.s, 1_000, "", foreign)

	rows, err := f.s.ClaimDueMessages(f.ctx, "b", now, now+60_000, 10, []int64{other.account.ID})
	noErr(t, "ClaimDueMessages", err)
	equal(t, "claimed", claimedIDs(rows), claimedIDs([]store.MessageRow{{Message: expired}, {Message: dueNow}}))
	for _, r := range rows {
		if r.Status != herald.StatusQueued || r.ClaimUntil != now+60_000 || r.ClaimedBy != "b" {
			t.Errorf("claimed row %s: status %s, claim %d by %q", r.ID, r.Status, r.ClaimUntil, r.ClaimedBy)
		}
	}
	rows, err = f.s.ClaimDueMessages(f.ctx, "b", now, now+60_000, 10, nil)
	noErr(t, "ClaimDueMessages again", err)
	equal(t, "claimed again", claimedIDs(rows), []string{foreign.ID})
	rows, err = f.s.ClaimDueMessages(f.ctx, "c", 16_000, 80_000, 1, nil)
	noErr(t, "ClaimDueMessages limit 1", err)
	equal(t, "claimed at 16 000", claimedIDs(rows), []string{dueLater.ID})

	noErr(t, "ReleaseMessages", f.s.ReleaseMessages(f.ctx, "b", []string{expired.ID, dueNow.ID}, now))
	rows, err = f.s.ClaimDueMessages(f.ctx, "c", now, now+1, 10, nil)
	noErr(t, "ClaimDueMessages after release", err)
	equal(t, "claimed after release", claimedIDs(rows), claimedIDs([]store.MessageRow{{Message: expired}, {Message: dueNow}}))
	testInstances(t, f, leased)
}

// testInstances checks heartbeats and taking over a dead process's leases.
func testInstances(t *testing.T, f *fixture, leased *herald.Message) {
	noErr(t, "Heartbeat a", f.s.Heartbeat(f.ctx, "a", 1_000))
	noErr(t, "Heartbeat c", f.s.Heartbeat(f.ctx, "c", 1_000))
	noErr(t, "Heartbeat c again", f.s.Heartbeat(f.ctx, "c", 9_000))
	live, err := f.s.LiveInstances(f.ctx, 5_000)
	noErr(t, "LiveInstances", err)
	equal(t, "LiveInstances", live, []string{"c"})
	n, err := f.s.TakeOverDeadInstances(f.ctx, "c", 10_000, 5_000)
	if err != nil || n != 1 {
		t.Fatalf("TakeOverDeadInstances = %d, %v; want 1", n, err)
	}
	rows, err := f.s.ClaimDueMessages(f.ctx, "c", 10_000, 70_000, 10, nil)
	noErr(t, "ClaimDueMessages after take-over", err)
	equal(t, "claimed after take-over", claimedIDs(rows), []string{leased.ID})
	live, err = f.s.LiveInstances(f.ctx, 0)
	noErr(t, "LiveInstances", err)
	equal(t, "LiveInstances after take-over", live, []string{"c"})
	noErr(t, "RemoveInstance", f.s.RemoveInstance(f.ctx, "c", 11_000))
	rows, err = f.s.ClaimDueMessages(f.ctx, "d", 11_000, 70_000, 10, nil)
	noErr(t, "ClaimDueMessages after removal", err)
	if !slices.Contains(claimedIDs(rows), leased.ID) {
		t.Errorf("after RemoveInstance the leases of c are not free: claimed %v", claimedIDs(rows))
	}
}

func testChains(t *testing.T, open func(t *testing.T) *store.Store) {
	f := newFixture(t, open, "chains")
	other := addFixture(t, f.s, "chains-other")
	at := msgBase()
	due := at.Add(time.Minute)
	mk := func(id string, fallback *time.Time) *herald.Chain {
		return &herald.Chain{ID: id, AccountID: f.account.ID, CurrentMessageID: id, FallbackAt: fallback, CreatedAt: at, UpdatedAt: at,
			Steps: []herald.ChainStep{
				{Channel: herald.ChannelRCS, SenderID: "s", ConnectionID: 1, Destination: "+34600", Payload: []byte(`{"text":"a"}`),
					Criterion: herald.CriterionDelivery, WaitingTime: 60, MessageID: id},
				{Channel: herald.ChannelSMS, SenderID: "s", ConnectionID: 2, Destination: "+34600", Payload: []byte(`{"text":"b"}`),
					Encoding: "gsm7", Segments: 1, Criterion: herald.CriterionSubmit},
			}}
	}
	later := due.Add(time.Hour)
	a, b, c := mk("chain-a", &due), mk("chain-b", &later), mk("chain-c", nil)
	ctx := f.ctx
	noErr(t, "InsertChains", f.s.MessageTx(ctx, func(x *store.MessageTx) error { return x.InsertChains(ctx, []*herald.Chain{a, b, c}) }))
	got, err := f.s.Chain(ctx, f.account.ID, "chain-a")
	noErr(t, "Chain", err)
	equal(t, "Chain", *got, *a)
	_, err = f.s.Chain(ctx, other.account.ID, "chain-a")
	wantCode(t, "Chain in another account", err, herald.ENOTFOUND)
	read, err := f.s.DueChains(ctx, due, 10)
	if err != nil || len(read) != 1 || read[0].ID != "chain-a" {
		t.Fatalf("Store.DueChains = %+v, %v; want chain-a", read, err)
	}
	noErr(t, "MessageTx", f.s.MessageTx(ctx, func(x *store.MessageTx) error {
		dueNow, err := x.DueChains(ctx, due, 10)
		if err != nil {
			return err
		}
		if len(dueNow) != 1 || dueNow[0].ID != "chain-a" {
			t.Fatalf("DueChains = %+v, want chain-a", dueNow)
		}
		ch := dueNow[0]
		ch.Current, ch.CurrentMessageID, ch.FallbackAt, ch.Steps[1].MessageID = 1, "m2", nil, "m2"
		ch.Outcome, ch.FinalStatus = herald.ChainSucceeded, herald.StatusSent
		return x.UpdateChains(ctx, []*herald.Chain{ch}, nil)
	}))
	noErr(t, "MessageTx", f.s.MessageTx(ctx, func(x *store.MessageTx) error {
		locked, err := x.LockChains(ctx, []string{"chain-a", "chain-c", "nope"})
		if err != nil {
			return err
		}
		if len(locked) != 2 || locked["chain-a"].Current != 1 || locked["chain-a"].Steps[1].MessageID != "m2" ||
			locked["chain-a"].FallbackAt != nil || locked["chain-a"].Outcome != herald.ChainSucceeded {
			t.Errorf("LockChains = %+v", locked)
		}
		left, err := x.DueChains(ctx, later, 10)
		if len(left) != 1 || left[0].ID != "chain-b" {
			t.Errorf("DueChains later = %+v, %v; want chain-b", left, err)
		}
		return err
	}))
	testChainGuards(t, f, b, c)
}

// testChainGuards writes chains decided from copies held since they were
// inserted: a guard that still matches the stored chain lets the write
// through; one that does not (the chain moved or was decided meanwhile)
// leaves the row alone and reports the chain stale.
func testChainGuards(t *testing.T, f *fixture, b, c *herald.Chain) {
	ctx := f.ctx
	at := func(ch *herald.Chain) store.ChainGuard {
		return store.ChainGuard{Step: ch.Current, MessageID: ch.CurrentMessageID}
	}
	guards := map[string]store.ChainGuard{b.ID: at(b), c.ID: at(c)}
	// Another writer moves chain-c on; chain-b stays as it was held.
	moved := *c
	moved.Steps = append([]herald.ChainStep(nil), c.Steps...)
	moved.Current, moved.CurrentMessageID, moved.Steps[1].MessageID = 1, "c2", "c2"
	noErr(t, "UpdateChains", f.s.MessageTx(ctx, func(x *store.MessageTx) error {
		return x.UpdateChains(ctx, []*herald.Chain{&moved}, map[string]store.ChainGuard{c.ID: at(c)})
	}))
	decide := func(ch *herald.Chain) *herald.Chain {
		d := *ch
		d.Outcome, d.FinalStatus, d.FallbackAt = herald.ChainSucceeded, herald.StatusDelivered, nil
		return &d
	}
	var stale *store.StaleChainsError
	err := f.s.MessageTx(ctx, func(x *store.MessageTx) error {
		return x.UpdateChainStates(ctx, []*herald.Chain{decide(b), decide(c)}, guards)
	})
	if !errors.As(err, &stale) || len(stale.IDs) != 1 || stale.IDs[0] != c.ID {
		t.Fatalf("UpdateChainStates with chain-c moved meanwhile = %v; want chain-c reported stale", err)
	}
	// The failed transaction wrote nothing; without the stale chain, the
	// guarded write goes through.
	noErr(t, "UpdateChainStates", f.s.MessageTx(ctx, func(x *store.MessageTx) error {
		return x.UpdateChainStates(ctx, []*herald.Chain{decide(b)}, guards)
	}))
	got, err := f.s.Chain(ctx, f.account.ID, b.ID)
	noErr(t, "Chain", err)
	if got.Outcome != herald.ChainSucceeded || got.FinalStatus != herald.StatusDelivered || got.FallbackAt != nil {
		t.Errorf("chain-b after the guarded write = %+v; want succeeded", got)
	}
	gotC, err := f.s.Chain(ctx, f.account.ID, c.ID)
	noErr(t, "Chain", err)
	if gotC.Current != 1 || gotC.CurrentMessageID != "c2" || gotC.Outcome != herald.ChainRunning {
		t.Errorf("chain-c = %+v; want moved by the other writer and still running", gotC)
	}
	// A decided chain refuses a guarded write made from an older copy.
	err = f.s.MessageTx(ctx, func(x *store.MessageTx) error {
		return x.UpdateChainStates(ctx, []*herald.Chain{decide(b)}, guards)
	})
	if !errors.As(err, &stale) || len(stale.IDs) != 1 || stale.IDs[0] != b.ID {
		t.Errorf("UpdateChainStates of a decided chain = %v; want chain-b reported stale", err)
	}
}
