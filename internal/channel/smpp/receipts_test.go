package smpp

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/channel"
	"github.com/heraldhq/herald/internal/smpp"
	"github.com/heraldhq/herald/internal/smpp/receipt"
)

// fakeStore knows the provider IDs in byProvider and keeps unmatched
// receipts.
type fakeStore struct {
	mu         sync.Mutex
	byProvider map[string]string
	unmatched  []herald.UnmatchedReceipt
}

func (s *fakeStore) MessageIDByProvider(_ context.Context, _ int64, providerID string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id, ok := s.byProvider[providerID]; ok {
		return id, nil
	}
	return "", herald.Errorf(herald.ENOTFOUND, "not found")
}

func (s *fakeStore) RecordUnmatchedReceipt(_ context.Context, r *herald.UnmatchedReceipt) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unmatched = append(s.unmatched, *r)
	return nil
}

// fakeSink keeps reports.
type fakeSink struct {
	mu      sync.Mutex
	reports []channel.Report
}

func (s *fakeSink) Report(_ context.Context, reports ...channel.Report) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reports = append(s.reports, reports...)
	return nil
}

func (s *fakeSink) Receive(context.Context, channel.Inbound) (*herald.Message, error) {
	return nil, herald.Errorf(herald.ENOTFOUND, "no inbound")
}

func testConnector(st *fakeStore, sink *fakeSink) *Connector {
	h := NewHub(st, nil, nil)
	h.MatchWait = 2 * time.Second
	return &Connector{hub: h, conn: 1, name: "test", sink: sink, parts: map[string]*multipart{}}
}

func delivered(id string) *smpp.Receipt {
	return &smpp.Receipt{Receipt: receipt.Receipt{ID: id, State: receipt.Delivered, Stat: "DELIVRD", Err: "000"},
		IDs: receipt.Candidates(id)}
}

// TestFoldSegments folds three segments' receipts into one report, given
// after the last, with the first segment's ID; also when the receipts
// overtake Send (they come before it remembers the segments).
func TestFoldSegments(t *testing.T) {
	for _, early := range []bool{false, true} {
		st := &fakeStore{byProvider: map[string]string{}}
		sink := &fakeSink{}
		c := testConnector(st, sink)
		ids := []string{"a1", "a2", "a3"}
		remember := func() {
			c.remember("m1", ids)
			st.mu.Lock()
			st.byProvider["a1"] = "m1" // the engine commits the provider ID after Send
			st.mu.Unlock()
		}
		if !early {
			remember()
		}
		var wg sync.WaitGroup
		for _, id := range []string{"a3", "a1", "a2"} {
			wg.Go(func() {
				if err := c.onReceipt(context.Background(), delivered(id)); err != nil {
					t.Error(err)
				}
			})
			time.Sleep(10 * time.Millisecond)
		}
		if early {
			time.Sleep(100 * time.Millisecond)
			remember()
		}
		wg.Wait()
		if len(sink.reports) != 1 || len(st.unmatched) != 0 {
			t.Fatalf("early=%v: reports %+v, unmatched %+v", early, sink.reports, st.unmatched)
		}
		r := sink.reports[0]
		if r.MessageID != "m1" || r.ProviderID != "a1" || r.Status != herald.StatusDelivered || r.ProviderCode != "DELIVRD:000" {
			t.Errorf("early=%v: report %+v", early, r)
		}
	}
}

// TestUnmatchedReceipt records a receipt that matches nothing.
func TestUnmatchedReceipt(t *testing.T) {
	st := &fakeStore{byProvider: map[string]string{}}
	sink := &fakeSink{}
	c := testConnector(st, sink)
	c.hub.MatchWait = 50 * time.Millisecond
	if err := c.onReceipt(context.Background(), delivered("zz")); err != nil {
		t.Fatal(err)
	}
	if len(sink.reports) != 0 || len(st.unmatched) != 1 || st.unmatched[0].ProviderID != "zz" {
		t.Errorf("reports %+v, unmatched %+v", sink.reports, st.unmatched)
	}
}
