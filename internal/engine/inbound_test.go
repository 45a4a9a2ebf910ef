package engine_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/channel"
	"github.com/heraldhq/herald/internal/engine"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/storetest"
)

// TestInbound answers from the sandbox as the contact.
func TestInbound(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s, engine.Config{})
		ctx := context.Background()
		req := h.sms("+34688888888", "Reply STOP to stop")
		req.CreateRecipient = true
		out := h.waitStatus(h.send(req).ID, herald.StatusDelivered)
		c, err := h.contacts.ContactByAddress(ctx, h.account.ID, herald.ChannelSMS, out.Destination)
		must(t, err)
		must(t, h.contacts.AddOptOut(ctx, herald.OptOut{AccountID: h.account.ID, ContactID: c.ID, Channel: herald.ChannelSMS, SenderID: "sandbox", By: "test"}))

		in, err := h.e.SandboxReply(ctx, h.account.ID, out.ID, "Thanks!")
		must(t, err)
		if in.Direction != herald.MO || in.Status != herald.StatusReceived || in.ContactID != c.ID ||
			in.Destination != out.Destination || in.SenderID != "sandbox" || webhookText(in) != "Thanks!" {
			t.Errorf("inbound = %+v", in)
		}
		if opted, _ := h.contacts.OptedOut(ctx, h.account.ID, c.ID, herald.ChannelSMS, "sandbox"); opted {
			t.Error("an inbound message did not lift the opt-out")
		}
		threads, err := s.ContactThreads(ctx, h.account.ID, c.ID)
		if err != nil || len(threads) != 1 || threads[0].LastMessageID != in.ID {
			t.Errorf("threads = %+v, %v", threads, err)
		}
		if ev := h.recv.waitEvents(in.ID, 1); ev[0] != "message.inbound:received" {
			t.Errorf("inbound webhooks = %v", ev)
		}

		stop, err := h.e.SandboxReply(ctx, h.account.ID, out.ID, " stop ")
		must(t, err)
		// STOP is a word of the whole SMS channel: the contact is opted out
		// of every SMS sender, not only of the one the reply reached.
		if opted, _ := h.contacts.OptedOut(ctx, h.account.ID, c.ID, herald.ChannelSMS, "another"); !opted {
			t.Error("the opt-out word of the whole channel did not opt the contact out of the channel")
		}
		if oo, err := s.ContactOptOuts(ctx, h.account.ID, c.ID); err != nil || len(oo) != 1 || oo[0].SenderID != "" || oo[0].By != "word:STOP" {
			t.Errorf("opt-outs after STOP = %+v, %v", oo, err)
		}
		threads, _ = s.ContactThreads(ctx, h.account.ID, c.ID)
		if len(threads) != 1 || threads[0].LastMessageID != stop.ID {
			t.Errorf("threads after a second reply = %+v", threads)
		}
		if _, err := h.e.SandboxReply(ctx, h.account.ID, in.ID, "x"); herald.ErrorCode(err) != herald.EINVALID {
			t.Errorf("replying to an inbound message = %v, want EINVALID", err)
		}
		inbox, err := h.e.SandboxInbox(ctx, h.account.ID, out.Destination, 10)
		if err != nil || len(inbox) != 1 || inbox[0].MessageID != out.ID {
			t.Errorf("SandboxInbox = %+v, %v", inbox, err)
		}
	})
}

// TestWebhookRetries makes the receiver fail with 500 and 429 before it
// accepts: the events arrive and every attempt is recorded.
func TestWebhookRetries(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s, engine.Config{})
		h.recv.mu.Lock()
		h.recv.fail = func(n int) int {
			switch n {
			case 1:
				return http.StatusInternalServerError
			case 2:
				return http.StatusTooManyRequests
			}
			return 0
		}
		h.recv.mu.Unlock()
		req := h.sms("+34699999999", "retry me")
		req.Steps[0].Payload = textPayload("retry me")
		m := h.waitStatus(h.send(req).ID, herald.StatusDelivered)
		h.recv.waitEvents(m.ID, 2)
		ctx := context.Background()
		var attempts int
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			ds, err := s.MessageDeliveries(ctx, h.account.ID, m.ID)
			must(t, err)
			attempts = 0
			done := 0
			for _, d := range ds {
				attempts += d.Attempts
				if d.State == herald.DeliveryDelivered {
					done++
				}
			}
			if done == 2 && attempts == 4 {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if attempts != 4 {
			t.Errorf("attempts = %d, want 4 (two failures, then both delivered)", attempts)
		}
		ds, err := s.MessageDeliveries(ctx, h.account.ID, m.ID)
		must(t, err)
		var codes []int
		for _, d := range ds {
			as, err := s.WebhookAttempts(ctx, h.account.ID, d.ID)
			must(t, err)
			for _, a := range as {
				codes = append(codes, a.StatusCode)
			}
		}
		if len(codes) != 4 {
			t.Errorf("recorded attempts %v, want 4", codes)
		}
	})
}

// TestDeadWebhook sends through a webhook that never answers: sending is
// not slowed down.
func TestDeadWebhook(t *testing.T) {
	block := make(chan struct{})
	dead := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-block }))
	defer dead.Close()
	defer close(block)
	h := newHarness(t, storetest.OpenSQLite(t), engine.Config{})
	var ids []string
	for i := range 50 {
		req := h.sms("+3461000"+pad(i+10), "hello")
		req.Webhook = dead.URL
		ids = append(ids, h.send(req).ID)
	}
	for _, id := range ids {
		h.waitStatus(id, herald.StatusDelivered)
	}
}

// pad returns n as four digits.
func pad(n int) string {
	s := "0000" + itoa(n)
	return s[len(s)-4:]
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// TestInboundOnce receives one provider message several times at once (an
// e-mail delivered twice with one Message-ID): it is stored once, every
// delivery answers with the stored message, and one webhook goes out.
func TestInboundOnce(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s, engine.Config{})
		ctx := context.Background()
		out := h.waitStatus(h.send(h.sms("+34688888123", "hello")).ID, herald.StatusDelivered)
		in := channel.Inbound{ConnectionID: out.ConnectionID, AccountID: h.account.ID, Channel: herald.ChannelSMS,
			From: out.Destination, To: "sandbox", Payload: textPayload("twice"), Text: "twice", ProviderID: "<once@example.com>"}
		const n = 6
		ids := make(chan string, n)
		errs := make(chan error, n)
		for range n {
			go func() {
				m, err := h.e.Receive(ctx, in)
				if err != nil {
					errs <- err
					return
				}
				ids <- m.ID
			}()
		}
		var first string
		for range n {
			select {
			case err := <-errs:
				t.Fatal(err)
			case id := <-ids:
				if first == "" {
					first = id
				} else if id != first {
					t.Errorf("deliveries stored %s and %s", first, id)
				}
			}
		}
		if got, err := s.MessageIDByProvider(ctx, out.ConnectionID, "<once@example.com>"); err != nil || got != first {
			t.Errorf("MessageIDByProvider = %q, %v; want %q", got, err, first)
		}
		stored := 0
		must(t, s.EachMessage(ctx, h.account.ID, herald.ListQuery{}, func(m *herald.Message) error {
			if m.Direction == herald.MO && m.ProviderID == "<once@example.com>" {
				stored++
			}
			return nil
		}))
		if stored != 1 {
			t.Errorf("%d inbound messages stored, want 1", stored)
		}
		if ev := h.recv.waitEvents(first, 1); len(ev) != 1 {
			t.Errorf("inbound webhooks = %v", ev)
		}
		time.Sleep(100 * time.Millisecond)
		if ev := h.recv.events(first); len(ev) != 1 {
			t.Errorf("inbound webhooks after a while = %v, want one", ev)
		}
		other := in
		other.ProviderID = "<other@example.com>"
		if m, err := h.e.Receive(ctx, other); err != nil || m.ID == first {
			t.Errorf("another Message-ID = %v, %v; want a new message", m, err)
		}
	})
}
