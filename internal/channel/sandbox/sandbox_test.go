package sandbox_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/channel"
	"github.com/heraldhq/herald/internal/channel/sandbox"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/storetest"
)

// sink records what the connector reports.
type sink struct {
	mu       sync.Mutex
	reports  []channel.Report
	inbound  []channel.Inbound
	reported chan struct{}
}

func newSink() *sink { return &sink{reported: make(chan struct{}, 1000)} }

func (s *sink) Report(_ context.Context, rs ...channel.Report) error {
	s.mu.Lock()
	s.reports = append(s.reports, rs...)
	s.mu.Unlock()
	for range rs {
		s.reported <- struct{}{}
	}
	return nil
}

func (s *sink) Receive(_ context.Context, in channel.Inbound) (*herald.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inbound = append(s.inbound, in)
	return &herald.Message{}, nil
}

// statuses returns the reported statuses of message id, in order.
func (s *sink) statuses(id string) []herald.MessageStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []herald.MessageStatus
	for _, r := range s.reports {
		if r.MessageID == id {
			out = append(out, r.Status)
		}
	}
	return out
}

// wait waits for n more reports or fails t after a second.
func (s *sink) wait(t *testing.T, n int) {
	t.Helper()
	for range n {
		select {
		case <-s.reported:
		case <-time.After(2 * time.Second):
			t.Fatalf("timed out waiting for %d reports", n)
		}
	}
}

// harness is a network on a real store with one connection per channel.
type harness struct {
	store *store.Store
	net   *sandbox.Network
	sink  *sink
	conns map[herald.Channel]channel.Connector
}

func newHarness(t *testing.T, s *store.Store, settings string) *harness {
	t.Helper()
	h := &harness{store: s, sink: newSink(), conns: map[herald.Channel]channel.Connector{}}
	h.net = sandbox.NewNetwork(s, herald.SystemClock{}, slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithCancel(context.Background())
	h.net.Start(ctx)
	t.Cleanup(func() { cancel(); h.net.Stop() })
	for _, ch := range []herald.Channel{herald.ChannelSMS, herald.ChannelRCS} {
		c, err := h.net.Factory()(&herald.Connection{ID: int64(ch), Channel: ch, Settings: json.RawMessage(settings)}, h.sink)
		if err != nil {
			t.Fatal(err)
		}
		h.conns[ch] = c
	}
	return h
}

// message returns a message to dest on ch, stored as queued.
func (h *harness) message(t *testing.T, n int, ch herald.Channel, dest string) *herald.Message {
	t.Helper()
	now := time.Now().UTC()
	m := &herald.Message{ID: fmt.Sprintf("01950000-0000-7000-8000-%012d", n), AccountID: 1, Direction: herald.MT,
		Channel: ch, SenderID: "sandbox", ConnectionID: int64(ch), Destination: dest, Status: herald.StatusQueued,
		Payload: sandbox.TextPayload("hi"), AcceptedAt: now, UpdatedAt: now}
	err := h.store.MessageTx(context.Background(), func(x *store.MessageTx) error {
		return x.InsertMessages(context.Background(), []store.MessageRow{{Message: m}})
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

const deterministic = `{"deterministic": true, "deliveryLatency": "5ms", "seenLatency": 5}`

func TestTestDestinations(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t), deterministic)
	ctx := context.Background()
	cases := []struct {
		ch       herald.Channel
		dest     string
		class    *channel.Class
		statuses []herald.MessageStatus
	}{
		{herald.ChannelSMS, "+34600000099", nil, []herald.MessageStatus{"delivered"}},
		{herald.ChannelRCS, "+34600000099", nil, []herald.MessageStatus{"delivered", "seen"}},
		{herald.ChannelSMS, "+34600000001", ptr(channel.ClassPermanent), nil},
		{herald.ChannelSMS, "+34600000002", nil, []herald.MessageStatus{"undelivered"}},
		{herald.ChannelSMS, "+34600000003", nil, nil},
		{herald.ChannelRCS, "+34600000004", ptr(channel.ClassPermanent), nil},
		{herald.ChannelSMS, "+34600000004", nil, []herald.MessageStatus{"delivered"}},
		{herald.ChannelSMS, "+34600000005", ptr(channel.ClassRetryable), nil},
	}
	want := 0
	var ids []string
	for i, c := range cases {
		m := h.message(t, i, c.ch, c.dest)
		ids = append(ids, m.ID)
		res, err := h.conns[c.ch].Send(ctx, m)
		switch {
		case c.class != nil && (err == nil || channel.Classify(err).Class != *c.class):
			t.Errorf("%s on %s: Send = %v, want a %v error", c.dest, c.ch, err, *c.class)
		case c.class == nil && (err != nil || res.Status != herald.StatusSent):
			t.Errorf("%s on %s: Send = %+v, %v; want sent", c.dest, c.ch, res, err)
		}
		want += len(c.statuses)
	}
	h.sink.wait(t, want)
	time.Sleep(30 * time.Millisecond) // nothing more may come
	for i, c := range cases {
		if got := h.sink.statuses(ids[i]); fmt.Sprint(got) != fmt.Sprint(c.statuses) {
			t.Errorf("%s on %s: reports %v, want %v", c.dest, c.ch, got, c.statuses)
		}
	}
	if nc := channel.Classify(mustErr(h.conns[herald.ChannelRCS].Send(ctx, h.message(t, 90, herald.ChannelRCS, "+34600000004")))); nc.StatusDetail() != herald.DetailNotCapable {
		t.Errorf("not capable detail = %+v", nc.StatusDetail())
	}
}

func ptr[T any](v T) *T { return &v }

func mustErr(_ channel.Result, err error) error { return err }

// TestExactlyOnce sends a message twice, as after a crash: the device
// keeps it once.
func TestExactlyOnce(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t), deterministic)
	m := h.message(t, 1, herald.ChannelSMS, "+34611111111")
	for range 2 {
		if _, err := h.conns[herald.ChannelSMS].Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	inbox, err := h.store.SandboxInbox(context.Background(), 1, m.Destination, 10)
	if err != nil || len(inbox) != 1 {
		t.Fatalf("inbox = %+v, %v; want the message once", inbox, err)
	}
}

// TestRulesAndReplies checks destination rules and automatic replies.
func TestRulesAndReplies(t *testing.T) {
	settings := `{"deterministic": true, "deliveryLatency": "1ms", "autoReply": "STOP",
		"rules": [{"prefix": "+4915", "outcome": "undelivered"}, {"prefix": "+4916", "channel": 2, "outcome": "not_capable"}]}`
	h := newHarness(t, storetest.OpenSQLite(t), settings)
	ctx := context.Background()
	m := h.message(t, 1, herald.ChannelSMS, "+4915123456")
	if _, err := h.conns[herald.ChannelSMS].Send(ctx, m); err != nil {
		t.Fatal(err)
	}
	if _, err := h.conns[herald.ChannelRCS].Send(ctx, h.message(t, 2, herald.ChannelRCS, "+4916123456")); channel.Classify(err).Class != channel.ClassPermanent {
		t.Errorf("rule not_capable on RCS: Send = %v", err)
	}
	ok := h.message(t, 3, herald.ChannelSMS, "+4916123456")
	if _, err := h.conns[herald.ChannelSMS].Send(ctx, ok); err != nil {
		t.Fatal(err)
	}
	h.sink.wait(t, 2)
	if got := h.sink.statuses(m.ID); len(got) != 1 || got[0] != herald.StatusUndelivered {
		t.Errorf("+4915 reports %v, want undelivered", got)
	}
	deadline := time.Now().Add(time.Second)
	for {
		h.sink.mu.Lock()
		n := len(h.sink.inbound)
		var in channel.Inbound
		if n > 0 {
			in = h.sink.inbound[0]
		}
		h.sink.mu.Unlock()
		if n == 1 {
			if in.From != ok.Destination || in.To != "sandbox" || in.Text != "STOP" || in.AccountID != 1 {
				t.Errorf("auto-reply = %+v", in)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d auto-replies, want 1 (only the delivered message is answered)", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestRecovery schedules again the reports of a message that was received
// but is still only sent, as after a crash.
func TestRecovery(t *testing.T) {
	s := storetest.OpenSQLite(t)
	first := newHarness(t, s, `{"deterministic": true, "deliveryLatency": "1h"}`)
	m := first.message(t, 1, herald.ChannelSMS, "+34622222222")
	if _, err := first.conns[herald.ChannelSMS].Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	err := s.MessageTx(context.Background(), func(x *store.MessageTx) error {
		rows, err := x.LockMessages(context.Background(), []string{m.ID})
		if err != nil {
			return err
		}
		r := rows[m.ID]
		r.Status = herald.StatusSent
		return x.UpdateMessages(context.Background(), []store.MessageRow{r})
	})
	if err != nil {
		t.Fatal(err)
	}
	second := newHarness(t, s, deterministic)
	if err := second.conns[herald.ChannelSMS].(channel.Starter).Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	second.sink.wait(t, 1)
	if got := second.sink.statuses(m.ID); len(got) != 1 || got[0] != herald.StatusDelivered {
		t.Errorf("recovered reports %v, want delivered", got)
	}
}

func TestSettings(t *testing.T) {
	if _, err := sandbox.ParseSettings(json.RawMessage(`{"rules":[{"outcome":"boom"}]}`)); err == nil {
		t.Error("an unknown outcome is accepted")
	}
	if _, err := sandbox.ParseSettings(json.RawMessage(`{"deliveryRate": 2}`)); err == nil {
		t.Error("a rate of 2 is accepted")
	}
	if _, err := sandbox.ParseSettings(json.RawMessage(`{"colour": "red"}`)); err == nil {
		t.Error("an unknown setting is accepted")
	}
	s, err := sandbox.ParseSettings(nil)
	if err != nil || s.DeliveryRate != 1 || time.Duration(s.DeliveryLatency) != 200*time.Millisecond {
		t.Errorf("defaults = %+v, %v", s, err)
	}
}
