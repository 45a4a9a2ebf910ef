package storetest

import (
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
)

// testEmailEvents checks that e-mail events come back in order, per
// message, and only to their account.
func testEmailEvents(t *testing.T, open func(t *testing.T) *store.Store) {
	f := newFixture(t, open, "email")
	ctx := f.ctx
	at := time.Date(2025, 3, 1, 10, 0, 0, 123456000, time.UTC)
	evs := []herald.EmailEvent{
		{AccountID: f.account.ID, MessageID: "m1", Kind: herald.EmailOpened, UserAgent: "Mail/1.0", At: at},
		{AccountID: f.account.ID, MessageID: "m1", Kind: herald.EmailClicked, URL: "https://shop.test/a?b=1", At: at.Add(time.Second)},
		{AccountID: f.account.ID, MessageID: "m2", Kind: herald.EmailOpened, At: at},
		{AccountID: f.account.ID, MessageID: "m1", Kind: herald.EmailUnsubscribed, Detail: "sender"},
	}
	for i := range evs {
		noErr(t, "RecordEmailEvent", f.s.RecordEmailEvent(ctx, &evs[i]))
		if evs[i].ID == 0 || evs[i].At.IsZero() {
			t.Fatalf("recorded event %+v", evs[i])
		}
	}
	got, err := f.s.EmailEvents(ctx, f.account.ID, "m1", 10)
	noErr(t, "EmailEvents", err)
	if len(got) != 3 || got[0] != evs[0] || got[1] != evs[1] || got[2].Kind != herald.EmailUnsubscribed || got[2].Detail != "sender" {
		t.Errorf("EmailEvents(m1) = %+v, want %+v", got, evs)
	}
	if got, _ := f.s.EmailEvents(ctx, f.account.ID, "m1", 1); len(got) != 1 {
		t.Errorf("limit 1 gave %d events", len(got))
	}
	if got, _ := f.s.EmailEvents(ctx, f.account.ID+1000, "m1", 10); len(got) != 0 {
		t.Errorf("another account sees %d events", len(got))
	}
}
