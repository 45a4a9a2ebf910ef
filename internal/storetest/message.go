package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
)

// msgBase is the acceptance time of the first test message.
func msgBase() time.Time { return time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC) }

// newMessage returns a queued SMS of the fixture's account; i makes its ID,
// destination and times distinct.
func (f *fixture) newMessage(i int) *herald.Message {
	at := msgBase().Add(time.Duration(i) * time.Second)
	valid := at.Add(time.Hour)
	return &herald.Message{
		ID: fmt.Sprintf("0195%04d-0000-7000-8000-%012d", f.account.ID, i), AccountID: f.account.ID,
		Direction: herald.MT, Channel: herald.ChannelSMS, SenderID: "Acme", ConnectionID: 7, ContactID: int64(i),
		Destination: fmt.Sprintf("+3460000%04d", i), Payload: json.RawMessage(`{"text":"hi ` + fmt.Sprint(i) + `"}`),
		Template: &herald.TemplateRef{ID: 3, Params: map[string]string{"code": "42"}},
		Status:   herald.StatusQueued, Detail: herald.DetailQueued, Encoding: "gsm7", Segments: 1,
		Origin: herald.OriginAPI, Traffic: herald.TrafficAPI, CorrelationID: "corr", CallbackData: "cb",
		WebhookURL: "https://example.com/hook", APIKeyID: 5, ValidUntil: &valid, AcceptedAt: at, UpdatedAt: at,
	}
}

// insertMessages inserts messages in one transaction, leased to owner
// until lease (Unix ms; 0 none).
func insertMessages(t *testing.T, s *store.Store, lease int64, owner string, ms ...*herald.Message) {
	t.Helper()
	rows := make([]store.MessageRow, len(ms))
	for i, m := range ms {
		rows[i] = store.MessageRow{Message: m, ClaimUntil: lease, ClaimedBy: owner}
	}
	noErr(t, "InsertMessages", s.MessageTx(context.Background(), func(x *store.MessageTx) error {
		return x.InsertMessages(context.Background(), rows)
	}))
}

func testMessages(t *testing.T, open func(t *testing.T) *store.Store) {
	f := newFixture(t, open, "messages")
	other := addFixture(t, f.s, "messages-other")
	m := f.newMessage(1)
	plain := f.newMessage(2)
	plain.Template, plain.ValidUntil, plain.Payload = nil, nil, nil
	insertMessages(t, f.s, 1000, "me", m, plain)

	got, err := f.s.Message(f.ctx, f.account.ID, m.ID)
	noErr(t, "Message", err)
	want := *m
	want.Seq = got.Seq
	equal(t, "Message", *got, want)
	got, err = f.s.Message(f.ctx, f.account.ID, plain.ID)
	noErr(t, "Message without template", err)
	if got.Template != nil || got.ValidUntil != nil || string(got.Payload) != "{}" {
		t.Errorf("plain message = %+v", got)
	}
	// A message whose optional fields all have their columns' defaults
	// is inserted without those columns: it reads back the same.
	bare := &herald.Message{ID: fmt.Sprintf("0195%04d-0000-7000-8000-%012d", f.account.ID, 3), AccountID: f.account.ID,
		Direction: herald.MT, Channel: herald.ChannelSMS, Status: herald.StatusQueued, Origin: herald.OriginAPI,
		Traffic: herald.TrafficAPI, AcceptedAt: msgBase(), UpdatedAt: msgBase()}
	insertMessages(t, f.s, 0, "", bare)
	got, err = f.s.Message(f.ctx, f.account.ID, bare.ID)
	noErr(t, "Message with defaults", err)
	want = *bare
	want.Seq, want.Payload = got.Seq, json.RawMessage("{}")
	equal(t, "Message with defaults", *got, want)
	_, err = f.s.Message(f.ctx, other.account.ID, m.ID)
	wantCode(t, "Message in another account", err, herald.ENOTFOUND)
	st, err := f.s.MessageStatus(f.ctx, m.ID)
	if err != nil || st != herald.StatusQueued {
		t.Errorf("MessageStatus = %q, %v", st, err)
	}
	testUpdateMessages(t, f, m)
	testStaleUpdate(t, f, m)
	testMessageEvents(t, f, other, m)
}

// testStaleUpdate checks the version guard: a row held from before
// another update is refused with a StaleError naming it, leaves the other
// rows of the call written, and every claim or release moves the version.
func testStaleUpdate(t *testing.T, f *fixture, m *herald.Message) {
	ctx := context.Background()
	var held store.MessageRow
	noErr(t, "MessageTx", f.s.MessageTx(ctx, func(x *store.MessageTx) error {
		rows, err := x.LockMessages(ctx, []string{m.ID})
		held = rows[m.ID]
		return err
	}))
	// Another writer updates the row: the held copy is now stale.
	noErr(t, "MessageTx", f.s.MessageTx(ctx, func(x *store.MessageTx) error {
		rows, err := x.LockMessages(ctx, []string{m.ID})
		if err != nil {
			return err
		}
		r := rows[m.ID]
		r.ProviderCode = "other"
		return x.UpdateMessages(ctx, []store.MessageRow{r})
	}))
	held.Error = "stale write"
	err := f.s.MessageTx(ctx, func(x *store.MessageTx) error { return x.UpdateMessages(ctx, []store.MessageRow{held}) })
	var stale *store.StaleError
	if !errors.As(err, &stale) || len(stale.IDs) != 1 || stale.IDs[0] != m.ID {
		t.Fatalf("UpdateMessages of a stale row = %v; want a StaleError naming %s", err, m.ID)
	}
	got, err := f.s.Message(f.ctx, f.account.ID, m.ID)
	noErr(t, "Message", err)
	if got.ProviderCode != "other" || got.Error == "stale write" {
		t.Errorf("after the refused write: %+v", got)
	}
	var fresh store.MessageRow
	noErr(t, "MessageTx", f.s.MessageTx(ctx, func(x *store.MessageTx) error {
		rows, err := x.LockMessages(ctx, []string{m.ID})
		fresh = rows[m.ID]
		return err
	}))
	if fresh.Version != held.Version+1 {
		t.Errorf("version after one update = %d; want %d", fresh.Version, held.Version+1)
	}
}

// testUpdateMessages checks that LockMessages and UpdateMessages round-trip
// every changing column.
func testUpdateMessages(t *testing.T, f *fixture, m *herald.Message) {
	ctx := context.Background()
	sent := msgBase().Add(time.Minute)
	noErr(t, "MessageTx", f.s.MessageTx(ctx, func(x *store.MessageTx) error {
		rows, err := x.LockMessages(ctx, []string{m.ID, "unknown"})
		if err != nil {
			return err
		}
		if len(rows) != 1 || rows[m.ID].ClaimUntil != 1000 || rows[m.ID].ClaimedBy != "me" {
			t.Fatalf("LockMessages = %+v", rows)
		}
		r := rows[m.ID]
		r.Status, r.Detail, r.ProviderCode, r.ProviderID, r.Error = herald.StatusSent, herald.DetailSent, "0", "p-1", "none"
		r.Attempts, r.SentAt, r.UpdatedAt, r.ClaimUntil, r.ClaimedBy = 2, &sent, sent, 0, ""
		return x.UpdateMessages(ctx, []store.MessageRow{r})
	}))
	id, err := f.s.MessageIDByProvider(f.ctx, m.ConnectionID, "p-1")
	if err != nil || id != m.ID {
		t.Errorf("MessageIDByProvider = %q, %v; want %s", id, err, m.ID)
	}
	_, err = f.s.MessageIDByProvider(f.ctx, m.ConnectionID+1, "p-1")
	wantCode(t, "MessageIDByProvider on another connection", err, herald.ENOTFOUND)
	got, err := f.s.Message(f.ctx, f.account.ID, m.ID)
	noErr(t, "Message", err)
	if got.Status != herald.StatusSent || got.Detail != herald.DetailSent || got.ProviderID != "p-1" ||
		got.Attempts != 2 || got.SentAt == nil || !got.SentAt.Equal(sent) || got.DeliveredAt != nil || got.Error != "none" {
		t.Errorf("after UpdateMessages: %+v", got)
	}
}

// testMessageEvents checks events, scoped to the account, in order.
func testMessageEvents(t *testing.T, f, other *fixture, m *herald.Message) {
	ctx := context.Background()
	at := msgBase().Add(2 * time.Minute)
	events := []herald.MessageEvent{
		{AccountID: f.account.ID, MessageID: m.ID, Type: herald.EventStatus, Status: herald.StatusSent,
			Detail: herald.DetailSent, ProviderCode: "0", At: at, Applied: true},
		{AccountID: f.account.ID, MessageID: m.ID, Type: herald.EventSwitch, Status: herald.StatusSent,
			Detail: herald.DetailSwitched, At: at.Add(time.Second), Applied: true,
			Switch: &herald.SwitchInfo{FromStep: 0, ToStep: 1, FromChannel: 2, ToChannel: 1, NextMessageID: "n", Reason: "timeout"}},
		{AccountID: f.account.ID, MessageID: m.ID, Type: herald.EventStatus, Status: herald.StatusDelivered,
			Detail: herald.DetailDelivered, At: at.Add(2 * time.Second)},
	}
	noErr(t, "InsertEvents", f.s.MessageTx(ctx, func(x *store.MessageTx) error { return x.InsertEvents(ctx, events) }))
	got, err := f.s.MessageEvents(f.ctx, f.account.ID, m.ID)
	noErr(t, "MessageEvents", err)
	if len(got) != 3 {
		t.Fatalf("MessageEvents = %+v", got)
	}
	for i := range got {
		events[i].ID = got[i].ID
		equal(t, fmt.Sprintf("event %d", i), got[i], events[i])
	}
	none, err := f.s.MessageEvents(other.ctx, other.account.ID, m.ID)
	if err != nil || len(none) != 0 {
		t.Errorf("MessageEvents in another account = %+v, %v", none, err)
	}
}

func testMessageList(t *testing.T, open func(t *testing.T) *store.Store) {
	f := newFixture(t, open, "message-list")
	other := addFixture(t, f.s, "message-list-other")
	var ms []*herald.Message
	for i := range 16 {
		m := f.newMessage(i)
		if i%2 == 1 {
			m.Channel, m.Status = herald.ChannelRCS, herald.StatusDelivered
		}
		ms = append(ms, m)
	}
	insertMessages(t, f.s, 0, "", ms...)
	insertMessages(t, f.s, 0, "", other.newMessage(100))
	list := func(q herald.ListQuery) (herald.Page[herald.Message], error) {
		return f.s.ListMessages(f.ctx, f.account.ID, q)
	}
	page, err := list(herald.ListQuery{})
	noErr(t, "ListMessages", err)
	if len(page.Items) != 16 || page.Items[0].ID != ms[15].ID {
		t.Fatalf("ListMessages = %d items, first %v; want 16 newest first", len(page.Items), page.Items[0].ID)
	}
	rcs, err := list(herald.ListQuery{Filters: []herald.Filter{{Field: "channel", Op: herald.OpEq, Value: "rcs"}}})
	noErr(t, "ListMessages channel=rcs", err)
	if len(rcs.Items) != 8 {
		t.Errorf("channel=rcs: %d items, want 8", len(rcs.Items))
	}
	q := herald.ListQuery{Filters: []herald.Filter{{Field: "status", Op: herald.OpEq, Value: "queued"},
		{Field: "acceptedAt", Op: herald.OpRange, Min: msgBase().Add(time.Second).Format(time.RFC3339)}}}
	page, err = list(q)
	noErr(t, "ListMessages status and time", err)
	if len(page.Items) != 7 {
		t.Errorf("status=queued since +1s: %d items, want 7", len(page.Items))
	}
	var seqs []int64
	for i := len(ms) - 1; i >= 0; i-- {
		m, err := f.s.Message(f.ctx, f.account.ID, ms[i].ID)
		noErr(t, "Message", err)
		seqs = append(seqs, m.Seq)
	}
	seq := func(m herald.Message) int64 { return m.Seq }
	checkWalk(t, "messages by destination", list, herald.ListQuery{Sort: "destination", Desc: true}, seq, seqs)
	var n int
	noErr(t, "EachMessage", f.s.EachMessage(f.ctx, f.account.ID, herald.ListQuery{Sort: "channel"}, func(*herald.Message) error {
		n++
		return nil
	}))
	if n != 16 {
		t.Errorf("EachMessage visited %d, want 16", n)
	}
	_, err = list(herald.ListQuery{Sort: "payload"})
	wantCode(t, "ListMessages sorted by an unknown column", err, herald.EINVALID)
}
