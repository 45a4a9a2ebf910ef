package smpp

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/channel"
	"github.com/heraldhq/herald/internal/smpp"
	"github.com/heraldhq/herald/internal/smpp/receipt"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/storetest"
)

// commitProviderID stores message id as the engine does once Send has
// returned: a sent SMS of connection 1 under the SMSC's ID providerID.
func commitProviderID(t *testing.T, s *store.Store, id, providerID string) {
	t.Helper()
	now := time.Now().UTC()
	m := &herald.Message{ID: id, AccountID: 1, Direction: herald.MT, Channel: herald.ChannelSMS, ConnectionID: 1,
		Destination: "+34600000001", Status: herald.StatusSent, ProviderID: providerID, AcceptedAt: now, UpdatedAt: now}
	err := s.MessageTx(context.Background(), func(x *store.MessageTx) error {
		return x.InsertMessages(context.Background(), []store.MessageRow{{Message: m}})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// unmatched returns the receipts recorded as matching no message.
func unmatched(t *testing.T, s *store.Store) []herald.UnmatchedReceipt {
	t.Helper()
	rs, err := s.UnmatchedReceipts(context.Background(), 1, 100)
	if err != nil {
		t.Fatal(err)
	}
	return rs
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

func testConnector(st *store.Store, sink *fakeSink) *Connector {
	h := NewHub(st, nil, nil)
	h.MatchWait = 2 * time.Second
	return &Connector{hub: h, conn: 1, name: "test", sink: sink}
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
		st := storetest.OpenSQLite(t)
		sink := &fakeSink{}
		c := testConnector(st, sink)
		ids := []string{"a1", "a2", "a3"}
		remember := func() {
			c.remember(context.Background(), "m1", ids)
			commitProviderID(t, st, "m1", "a1") // the engine commits the provider ID after Send
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
		if u := unmatched(t, st); len(sink.reports) != 1 || len(u) != 0 {
			t.Fatalf("early=%v: reports %+v, unmatched %+v", early, sink.reports, u)
		}
		r := sink.reports[0]
		if r.MessageID != "m1" || r.ProviderID != "a1" || r.Status != herald.StatusDelivered || r.ProviderCode != "DELIVRD:000" {
			t.Errorf("early=%v: report %+v", early, r)
		}
	}
}

// TestUnmatchedReceipt records a receipt that matches nothing.
func TestUnmatchedReceipt(t *testing.T) {
	st := storetest.OpenSQLite(t)
	sink := &fakeSink{}
	c := testConnector(st, sink)
	c.hub.MatchWait = 50 * time.Millisecond
	if err := c.onReceipt(context.Background(), delivered("zz")); err != nil {
		t.Fatal(err)
	}
	if u := unmatched(t, st); len(sink.reports) != 0 || len(u) != 1 || u[0].ProviderID != "zz" {
		t.Errorf("reports %+v, unmatched %+v", sink.reports, u)
	}
}

// TestFoldSegmentsAcrossRestart folds the receipts of a message's segments
// when the process that sent it restarted between them: a new connector
// over the same database finishes the fold.
func TestFoldSegmentsAcrossRestart(t *testing.T) {
	st := storetest.OpenSQLite(t)
	sink := &fakeSink{}
	before := testConnector(st, sink)
	before.remember(context.Background(), "m2", []string{"b1", "b2"})
	commitProviderID(t, st, "m2", "b1")
	if err := before.onReceipt(context.Background(), delivered("b2")); err != nil {
		t.Fatal(err)
	}
	after := testConnector(st, sink) // the restarted process
	if err := after.onReceipt(context.Background(), delivered("b1")); err != nil {
		t.Fatal(err)
	}
	if u := unmatched(t, st); len(sink.reports) != 1 || len(u) != 0 {
		t.Fatalf("reports %+v, unmatched %+v", sink.reports, u)
	}
	if r := sink.reports[0]; r.MessageID != "m2" || r.ProviderID != "b1" || r.Status != herald.StatusDelivered {
		t.Errorf("report %+v", r)
	}
}

// TestReceiptOvertakesAmbiguousID sends the receipt of "74" before its
// message's provider ID is known, while another message went out as "116"
// (0x74): the receipt waits for its own message rather than take the other.
func TestReceiptOvertakesAmbiguousID(t *testing.T) {
	st := storetest.OpenSQLite(t)
	sink := &fakeSink{}
	c := testConnector(st, sink)
	commitProviderID(t, st, "m116", "116")
	done := make(chan error, 1)
	go func() { done <- c.onReceipt(context.Background(), delivered("74")) }()
	time.Sleep(150 * time.Millisecond)
	commitProviderID(t, st, "m74", "74")
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(sink.reports) != 1 || sink.reports[0].MessageID != "m74" {
		t.Errorf("reports %+v, want one for m74", sink.reports)
	}
}

// TestReceiptInOtherBase matches the receipts of an SMSC that answers
// submit_sm in hexadecimal and reports in decimal: after OtherFormsAfter
// at first, then, learnt, at once.
func TestReceiptInOtherBase(t *testing.T) {
	st := storetest.OpenSQLite(t)
	sink := &fakeSink{}
	c := testConnector(st, sink)
	c.hub.OtherFormsAfter = 100 * time.Millisecond
	for i := range learnForm + 2 {
		hex := strconv.FormatInt(int64(0xa0+i), 16) // "a0", "a1"...
		commitProviderID(t, st, "m"+hex, hex)
		start := time.Now()
		if err := c.onReceipt(context.Background(), delivered(strconv.FormatInt(int64(0xa0+i), 10))); err != nil {
			t.Fatal(err)
		}
		took := time.Since(start)
		if got := sink.reports[len(sink.reports)-1]; len(sink.reports) != i+1 || got.MessageID != "m"+hex {
			t.Fatalf("receipt %d: reports %+v", i, sink.reports)
		}
		if learnt := i >= learnForm; learnt != (took < c.hub.OtherFormsAfter) {
			t.Errorf("receipt %d matched after %v (learnt: %v)", i, took, learnt)
		}
	}
}

// TestRecentSubmits matches a receipt from memory before the message's
// provider ID is committed, once: a final receipt forgets the submission.
func TestRecentSubmits(t *testing.T) {
	st := storetest.OpenSQLite(t)
	sink := &fakeSink{}
	c := testConnector(st, sink)
	c.hub.MatchWait = 50 * time.Millisecond
	c.recent.add("b7", "m1")
	enroute := delivered("b7")
	enroute.State, enroute.Stat = receipt.Enroute, "ENROUTE"
	for _, r := range []*smpp.Receipt{enroute, delivered("b7"), delivered("b7")} {
		if err := c.onReceipt(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	if u := unmatched(t, st); len(sink.reports) != 1 || sink.reports[0].MessageID != "m1" || len(u) != 1 {
		t.Errorf("reports %+v, unmatched %+v; want one report for m1, then the repeated receipt unmatched", sink.reports, u)
	}

	// Full, the oldest submission is forgotten, but not an ID the SMSC
	// gave again since.
	var r recentSubmits
	for i := range recentCap {
		r.add(strconv.Itoa(i), "m"+strconv.Itoa(i))
	}
	r.add("1", "again") // evicts "0"
	r.add("x", "mx")    // evicts the first "1", whose ID now means "again"
	r.add("y", "my")    // evicts "2"
	for id, want := range map[string]string{"0": "", "1": "again", "2": "", "3": "m3", "x": "mx"} {
		if _, got, _ := r.find([]string{id}, false); got != want {
			t.Errorf("find(%q) = %q, want %q", id, got, want)
		}
	}
}
