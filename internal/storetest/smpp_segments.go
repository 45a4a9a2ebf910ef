package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
)

// allDelivered is the fold rule of the test: final when every segment
// reported "delivered".
func allDelivered(states []string) bool {
	return !slices.ContainsFunc(states, func(s string) bool { return s != "delivered" })
}

func testSMSSegments(t *testing.T, open func(t *testing.T) *store.Store) {
	f := newFixture(t, open, "segments")
	s := f.s
	seg, err := s.FoldSegment(f.ctx, 1, "nope", "delivered", allDelivered)
	if seg != nil || err != nil {
		t.Fatalf("FoldSegment of an unknown segment = %+v, %v", seg, err)
	}
	noErr(t, "RememberSegments", s.RememberSegments(f.ctx, 1, "m1", []string{"a1", "a2", "a3"}))
	noErr(t, "RememberSegments on another connection", s.RememberSegments(f.ctx, 2, "m9", []string{"a1"}))

	seg, err = s.FoldSegment(f.ctx, 1, "a2", "enroute", allDelivered)
	noErr(t, "FoldSegment", err)
	equal(t, "first fold", *seg, segmentsOf("m1", []string{"a1", "a2", "a3"}, []string{"", "enroute", ""}))
	seg, err = s.FoldSegment(f.ctx, 1, "a2", "delivered", allDelivered)
	noErr(t, "FoldSegment", err)
	equal(t, "second fold", seg.States, []string{"", "delivered", ""})

	// The last two segments report at once, many times over in the
	// PostgreSQL case: exactly one fold sees every segment delivered.
	var wg sync.WaitGroup
	finals := make(chan []string, 2)
	for _, id := range []string{"a1", "a3"} {
		wg.Go(func() {
			seg, err := s.FoldSegment(f.ctx, 1, id, "delivered", allDelivered)
			if err != nil {
				t.Error(err)
				return
			}
			if seg != nil && allDelivered(seg.States) {
				finals <- seg.States
			}
		})
	}
	wg.Wait()
	close(finals)
	if n := len(finals); n != 1 {
		t.Fatalf("%d folds saw the message final, want 1", n)
	}
	// A final fold forgets the message's segments, not another connection's.
	seg, err = s.FoldSegment(f.ctx, 1, "a1", "delivered", allDelivered)
	if seg != nil || err != nil {
		t.Errorf("FoldSegment after the final fold = %+v, %v", seg, err)
	}
	seg, err = s.FoldSegment(f.ctx, 2, "a1", "enroute", allDelivered)
	if err != nil || seg == nil || seg.MessageID != "m9" {
		t.Errorf("FoldSegment on connection 2 = %+v, %v", seg, err)
	}

	// Old segments are forgotten.
	for i := range 3 {
		noErr(t, "RememberSegments", s.RememberSegments(f.ctx, 3, fmt.Sprint("old", i), []string{fmt.Sprint("o", i, "a"), fmt.Sprint("o", i, "b")}))
	}
	n, err := s.ForgetSegments(f.ctx, time.Now().Add(time.Minute))
	noErr(t, "ForgetSegments", err)
	equal(t, "forgotten", n, int64(7))
}

// struct2 builds the SMSSegments a fold should return.
func segmentsOf(messageID string, ids, states []string) herald.SMSSegments {
	return herald.SMSSegments{MessageID: messageID, ProviderIDs: ids, States: states}
}
