package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
)

func testThreads(t *testing.T, open func(t *testing.T) *store.Store) {
	f := newFixture(t, open, "threads")
	other := addFixture(t, f.s, "threads-other")
	ctx := context.Background()
	at := msgBase()
	upsert := func(th *herald.Thread) {
		t.Helper()
		noErr(t, "UpsertThread", f.s.MessageTx(ctx, func(x *store.MessageTx) error { return x.UpsertThread(ctx, th) }))
	}
	first := &herald.Thread{AccountID: f.account.ID, ContactID: 9, Channel: herald.ChannelSMS, LastMessageID: "m1", LastMessageAt: at}
	upsert(first)
	again := &herald.Thread{AccountID: f.account.ID, ContactID: 9, Channel: herald.ChannelSMS, LastMessageID: "m2", LastMessageAt: at.Add(time.Minute)}
	upsert(again)
	if again.ID != first.ID || !again.CreatedAt.Equal(first.CreatedAt) {
		t.Errorf("a second message made thread %d (created %v), want %d (created %v)", again.ID, again.CreatedAt, first.ID, first.CreatedAt)
	}
	viber := &herald.Thread{AccountID: f.account.ID, ContactID: 9, Channel: herald.ChannelViber, LastMessageID: "m3", LastMessageAt: at.Add(30 * time.Second)}
	upsert(viber)
	got, err := f.s.Thread(ctx, f.account.ID, first.ID)
	noErr(t, "Thread", err)
	equal(t, "Thread", *got, *again)
	_, err = f.s.Thread(ctx, other.account.ID, first.ID)
	wantCode(t, "Thread in another account", err, herald.ENOTFOUND)
	list, err := f.s.ContactThreads(ctx, f.account.ID, 9)
	noErr(t, "ContactThreads", err)
	if len(list) != 2 || list[0].ID != first.ID || list[1].ID != viber.ID {
		t.Errorf("ContactThreads = %+v, want SMS then Viber", list)
	}
}

func testSandbox(t *testing.T, open func(t *testing.T) *store.Store) {
	f := newFixture(t, open, "sandbox")
	other := addFixture(t, f.s, "sandbox-other")
	ctx := context.Background()
	m1, m2 := f.newMessage(1), f.newMessage(2)
	m2.Destination = m1.Destination
	m2.Status = herald.StatusSent
	insertMessages(t, f.s, 0, "", m1, m2)
	at := msgBase()
	item := func(m *herald.Message, d time.Duration) herald.SandboxMessage {
		return herald.SandboxMessage{MessageID: m.ID, AccountID: f.account.ID, ConnectionID: 7, Channel: m.Channel,
			Destination: m.Destination, Outcome: "delivered", ReceivedAt: at.Add(d)}
	}
	fresh, err := f.s.InsertSandboxInbox(ctx, []herald.SandboxMessage{item(m1, 0), item(m2, time.Second)})
	noErr(t, "InsertSandboxInbox", err)
	if len(fresh) != 2 || !fresh[m1.ID] || !fresh[m2.ID] {
		t.Fatalf("InsertSandboxInbox fresh = %v, want both", fresh)
	}
	fresh, err = f.s.InsertSandboxInbox(ctx, []herald.SandboxMessage{item(m1, time.Minute)})
	noErr(t, "InsertSandboxInbox again", err)
	if len(fresh) != 0 {
		t.Errorf("a resubmitted message is fresh again: %v", fresh)
	}
	inbox, err := f.s.SandboxInbox(ctx, f.account.ID, m1.Destination, 10)
	noErr(t, "SandboxInbox", err)
	if len(inbox) != 2 || inbox[0].MessageID != m2.ID || string(inbox[1].Payload) != string(m1.Payload) ||
		inbox[1].SenderID != "Acme" || inbox[1].Status != herald.StatusQueued || !inbox[1].ReceivedAt.Equal(at) {
		t.Errorf("SandboxInbox = %+v", inbox)
	}
	devices, err := f.s.SandboxDevices(ctx, f.account.ID)
	noErr(t, "SandboxDevices", err)
	if len(devices) != 1 || devices[0].Messages != 2 || !devices[0].LastAt.Equal(at.Add(time.Second)) {
		t.Errorf("SandboxDevices = %+v", devices)
	}
	none, err := f.s.SandboxInbox(ctx, other.account.ID, "", 10)
	if err != nil || len(none) != 0 {
		t.Errorf("SandboxInbox of another account = %+v, %v", none, err)
	}
	pending, err := f.s.SandboxUnreported(ctx, []int64{7}, at)
	noErr(t, "SandboxUnreported", err)
	if len(pending) != 1 || pending[0].MessageID != m2.ID {
		t.Errorf("SandboxUnreported = %+v, want the sent message", pending)
	}
}
