package engine_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/engine"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/storetest"
	"github.com/heraldhq/herald/internal/webhook"
)

// TestSend covers the life of single messages on both engines.
func TestSend(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s, engine.Config{})
		h.run(t, "Delivered", (*harness).testDelivered)
		h.run(t, "TestDestinations", (*harness).testDestinations)
		h.run(t, "ScheduledCancel", (*harness).testScheduledCancel)
		h.run(t, "Validity", (*harness).testValidity)
		h.run(t, "OptedOut", (*harness).testOptedOut)
		h.run(t, "OptOutScopes", (*harness).testOptOutScopes)
		h.run(t, "ConcurrentLookups", (*harness).testConcurrentLookups)
		h.run(t, "CreateRecipients", (*harness).testCreateRecipients)
		h.run(t, "Personalised", (*harness).testPersonalised)
		h.run(t, "Violations", (*harness).testViolations)
		h.run(t, "Templates", (*harness).testTemplates)
		h.run(t, "Unroutable", (*harness).testUnroutable)
		h.run(t, "WorkInAccept", (*harness).testWorkInAccept)
	})
}

// testWorkInAccept sends messages concurrently with work of their callers
// in the accept transaction, some of which fails: each of those gets its
// error and leaves no message, and the others, committed in the same
// batches, are sent.
func (h *harness) testWorkInAccept(t *testing.T) {
	const n = 24
	refusal := errors.New("refused by its caller")
	var mu sync.Mutex
	refused := map[string]bool{}
	var wg sync.WaitGroup
	msgs := make([]*herald.Message, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			msgs[i], errs[i] = h.e.SendInAccept(context.Background(), h.sms(fmt.Sprintf("+3466679%03d7", i), "In accept"),
				func(ctx context.Context, x *store.MessageTx, m *herald.Message) error {
					if i%3 != 0 {
						return nil
					}
					mu.Lock()
					defer mu.Unlock()
					refused[m.ID] = true
					return refusal
				})
		})
	}
	wg.Wait()
	for i := range n {
		if i%3 == 0 {
			if !errors.Is(errs[i], refusal) || msgs[i] != nil {
				t.Errorf("message %d = %v, %v; want its caller's error", i, msgs[i], errs[i])
			}
			continue
		}
		if errs[i] != nil {
			t.Fatalf("message %d: %v", i, errs[i])
		}
		h.waitStatus(msgs[i].ID, herald.StatusDelivered)
	}
	if len(refused) != n/3 {
		t.Errorf("%d messages refused, want %d", len(refused), n/3)
	}
	for id := range refused {
		if m, err := h.s.Message(context.Background(), h.account.ID, id); !herald.IsNotFound(err) {
			t.Errorf("refused message %s is stored: %+v %v", id, m, err)
		}
	}
}

// testDelivered sends an SMS and an RCS message to ordinary numbers.
func (h *harness) testDelivered(t *testing.T) {
	m := h.send(h.sms("+34 600 11 22 33", "Hello {{attribute.name}}"))
	if m.Status != herald.StatusQueued || m.Encoding != "GSM-7" || m.Segments != 1 || m.Destination != "+34600112233" {
		t.Errorf("accepted message = %+v", m)
	}
	got := h.waitStatus(m.ID, herald.StatusDelivered)
	if got.SentAt == nil || got.DeliveredAt == nil || got.SeenAt != nil || got.Attempts != 1 || got.ProviderCode != "DELIVRD" {
		t.Errorf("delivered message = %+v", got)
	}
	if hist := h.history(m.ID); strings.Join(hist, ",") != "sent,delivered" {
		t.Errorf("history = %v, want sent, delivered", hist)
	}
	if ev := h.recv.waitEvents(m.ID, 2); !sameSet(ev, "message.status:sent", "message.status:delivered") {
		t.Errorf("webhooks = %v", ev)
	}
	h.checkSignatures(t)
	rcs := h.sms("+34600112234", "Rich hello")
	rcs.Steps[0].Channel = herald.ChannelRCS
	r := h.send(rcs)
	h.waitStatus(r.ID, herald.StatusSeen)
	if hist := h.history(r.ID); strings.Join(hist, ",") != "sent,delivered,seen" {
		t.Errorf("RCS history = %v, want sent, delivered, seen", hist)
	}
}

// checkSignatures verifies every request the receiver got.
func (h *harness) checkSignatures(t *testing.T) {
	w, err := h.hooks.ForKey(context.Background(), h.account.ID, h.key.ID)
	must(t, err)
	h.recv.mu.Lock()
	defer h.recv.mu.Unlock()
	for _, s := range h.recv.sigs {
		sig, body, _ := strings.Cut(s, "|")
		if err := webhook.Verify(w.Secret, sig, []byte(body), time.Now(), time.Minute); err != nil {
			t.Errorf("signature %q does not verify: %v", sig, err)
		}
	}
}

// testDestinations checks the documented sandbox test destinations.
func (h *harness) testDestinations(t *testing.T) {
	cases := []struct {
		ch     herald.Channel
		phone  string
		status herald.MessageStatus
		detail herald.StatusDetail
	}{
		{herald.ChannelSMS, "+34600000001", herald.StatusFailed, herald.DetailProviderError},
		{herald.ChannelSMS, "+34600000002", herald.StatusUndelivered, herald.DetailUndelivered},
		{herald.ChannelSMS, "+34600000003", herald.StatusSent, herald.DetailSent},
		{herald.ChannelRCS, "+34600000004", herald.StatusFailed, herald.DetailNotCapable},
		{herald.ChannelSMS, "+34600000004", herald.StatusDelivered, herald.DetailDelivered},
		{herald.ChannelSMS, "+34600000005", herald.StatusFailed, herald.DetailRetriesOver},
	}
	for _, c := range cases {
		req := h.sms(c.phone, "test")
		req.Steps[0].Channel = c.ch
		m := h.waitStatus(h.send(req).ID, c.status)
		if m.Detail != c.detail {
			t.Errorf("%s on %s: detail %+v, want %+v", c.phone, c.ch, m.Detail, c.detail)
		}
		if c.phone == "+34600000005" && (m.Attempts != 3 || !strings.Contains(m.Error, "outage")) {
			t.Errorf("retried message: %d attempts, error %q; want 3 attempts of an outage", m.Attempts, m.Error)
		}
	}
	time.Sleep(100 * time.Millisecond)
	silent := h.waitStatus(h.send(h.sms("+34611110003", "x")).ID, herald.StatusSent)
	time.Sleep(100 * time.Millisecond)
	h.waitStatus(silent.ID, herald.StatusSent)
}

// testScheduledCancel schedules two messages, cancels one and lets the
// other go.
func (h *harness) testScheduledCancel(t *testing.T) {
	ctx := context.Background()
	later := time.Now().Add(time.Hour)
	req := h.sms("+34622222222", "later")
	req.SendAt = &later
	m := h.send(req)
	if m.Status != herald.StatusScheduled || m.SendAt == nil {
		t.Fatalf("scheduled message = %+v", m)
	}
	c, err := h.e.Cancel(ctx, h.account.ID, m.ID)
	if err != nil || c.Status != herald.StatusCanceled || c.Detail != herald.DetailCanceledAPI {
		t.Fatalf("Cancel = %+v, %v", c, err)
	}
	_, err = h.e.Cancel(ctx, h.account.ID, m.ID)
	if herald.ErrorCode(err) != herald.ECONFLICT {
		t.Errorf("Cancel again = %v, want ECONFLICT", err)
	}
	_, err = h.e.Cancel(ctx, h.account.ID+1000, m.ID)
	if !herald.IsNotFound(err) {
		t.Errorf("Cancel from another account = %v, want ENOTFOUND", err)
	}
	soon := time.Now().Add(300 * time.Millisecond)
	req = h.sms("+34622222223", "soon")
	req.SendAt = &soon
	s := h.send(req)
	d := h.waitStatus(s.ID, herald.StatusDelivered)
	// Send times are kept at microsecond precision and sent_at is stamped
	// once per status batch, a fraction of a millisecond apart from the
	// dispatch; allow a millisecond.
	if d.SentAt.Before(soon.Add(-time.Millisecond)) {
		t.Errorf("sent at %v, before its send time %v", d.SentAt, soon)
	}
}

// testValidity lets a message's validity pass while it waits for a retry.
func (h *harness) testValidity(t *testing.T) {
	req := h.sms("+34633330005", "expires")
	req.Validity = 30 * time.Millisecond
	m := h.waitStatus(h.send(req).ID, herald.StatusExpired)
	if m.Detail != herald.DetailExpired {
		t.Errorf("expired detail = %+v", m.Detail)
	}
}

// testOptedOut rejects messages to a contact who opted out.
func (h *harness) testOptedOut(t *testing.T) {
	c := h.contacts.add("+34644444444", nil)
	must(t, h.contacts.AddOptOut(context.Background(), herald.OptOut{AccountID: h.account.ID, ContactID: c.ID, Channel: herald.ChannelSMS, By: "test"}))
	m := h.waitStatus(h.send(h.sms(c.Phone, "no")).ID, herald.StatusRejected)
	if m.Detail != herald.DetailOptedOutChan || m.ContactID != c.ID {
		t.Errorf("rejected message = %+v", m)
	}
	if ev := h.recv.waitEvents(m.ID, 1); ev[0] != "message.status:rejected" {
		t.Errorf("webhooks = %v", ev)
	}
}

// testOptOutScopes dispatches at once to contacts opted out of the
// sender ID, of another sender ID, of another channel, and of the whole
// channel as well as the sender ID: each message is rejected, with its
// detail, or delivered, as its own contact's opt-outs say.
func (h *harness) testOptOutScopes(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		optOuts []herald.OptOut // ContactID filled in below
		want    herald.MessageStatus
		detail  herald.StatusDetail
	}{
		{[]herald.OptOut{{Channel: herald.ChannelSMS, SenderID: "sandbox"}}, herald.StatusRejected, herald.DetailOptedOutSend},
		{[]herald.OptOut{{Channel: herald.ChannelSMS, SenderID: "other"}}, herald.StatusDelivered, herald.StatusDetail{}},
		{[]herald.OptOut{{Channel: herald.ChannelEmail}}, herald.StatusDelivered, herald.StatusDetail{}},
		{[]herald.OptOut{{Channel: herald.ChannelSMS, SenderID: "sandbox"}, {Channel: herald.ChannelSMS}}, herald.StatusRejected, herald.DetailOptedOutChan},
		{[]herald.OptOut{{Channel: herald.ChannelSMS}, {Channel: herald.ChannelSMS, SenderID: "sandbox"}}, herald.StatusRejected, herald.DetailOptedOutChan},
	}
	ids := make([]string, len(cases))
	var wg sync.WaitGroup
	for i, c := range cases {
		ct := h.contacts.add(fmt.Sprintf("+3469990%03d5", i), nil) // not a sandbox test destination
		for _, o := range c.optOuts {
			o.AccountID, o.ContactID, o.By = h.account.ID, ct.ID, "test"
			must(t, h.contacts.AddOptOut(ctx, o))
		}
		wg.Go(func() { ids[i] = h.send(h.sms(ct.Phone, "scopes")).ID })
	}
	wg.Wait()
	for i, c := range cases {
		m := h.waitStatus(ids[i], c.want)
		if c.want == herald.StatusRejected && m.Detail != c.detail {
			t.Errorf("case %d: detail %+v, want %+v", i, m.Detail, c.detail)
		}
	}
}

// testConcurrentLookups sends at once to known, opted-out and unknown
// numbers, whose lookups are read together: each message finds its own
// contact (personalised with its own attribute), an opted-out one is
// rejected, and an unknown number has no contact. It does so twice: with
// personalised texts, whose contacts are looked up before the accept
// transaction, and with plain ones, which that transaction looks up.
func (h *harness) testConcurrentLookups(t *testing.T) {
	for _, text := range []string{"Hi {{attribute.name}}", "Hi"} {
		t.Run(text, func(t *testing.T) { h.concurrentLookups(t, text) })
	}
}

// concurrentLookups is testConcurrentLookups with the text text.
func (h *harness) concurrentLookups(t *testing.T, text string) {
	const n = 24
	base := 666770000 // a range of numbers for each text
	if !strings.Contains(text, "{{") {
		base = 666780000
	}
	known := map[string]*herald.Contact{}
	for i := range n {
		p := fmt.Sprintf("+34%d", base+i*10+7)
		switch i % 3 {
		case 0:
			known[p] = h.contacts.add(p, map[string]string{"name": fmt.Sprintf("N%d", i)})
		case 1:
			c := h.contacts.add(p, map[string]string{"name": fmt.Sprintf("N%d", i)})
			must(t, h.contacts.AddOptOut(context.Background(), herald.OptOut{AccountID: h.account.ID, ContactID: c.ID, Channel: herald.ChannelSMS, By: "test"}))
			known[p] = c
		}
	}
	msgs := make([]*herald.Message, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m, err := h.e.Send(context.Background(), h.sms(fmt.Sprintf("+34 %d", base+i*10+7), text))
			if err != nil {
				t.Errorf("send %d: %v", i, err)
				return
			}
			msgs[i] = m
		}()
	}
	wg.Wait()
	for i, m := range msgs {
		if m == nil {
			continue
		}
		c := known[m.Destination]
		switch i % 3 {
		case 0:
			want := strings.ReplaceAll(text, "{{attribute.name}}", fmt.Sprintf("N%d", i))
			if m.ContactID != c.ID || webhook.Text(m.Payload) != want {
				t.Errorf("message %d: contact %d, text %q; want contact %d and %q", i, m.ContactID, webhook.Text(m.Payload), c.ID, want)
			}
			if got := h.waitStatus(m.ID, herald.StatusDelivered); got.ContactID != c.ID {
				t.Errorf("message %d: stored with contact %d, want %d", i, got.ContactID, c.ID)
			}
		case 1:
			if got := h.waitStatus(m.ID, herald.StatusRejected); got.ContactID != c.ID || got.Detail != herald.DetailOptedOutChan {
				t.Errorf("message %d to an opted-out contact = %+v", i, got)
			}
		case 2:
			if m.ContactID != 0 {
				t.Errorf("message %d to an unknown number has contact %d", i, m.ContactID)
			}
		}
	}
}

// testCreateRecipients sends at once to new numbers, some twice, and to a
// known one, creating the recipients: each new number gets one contact
// (audited once), which its messages name, and the known number keeps its
// contact.
func (h *harness) testCreateRecipients(t *testing.T) {
	ctx := context.Background()
	known := h.contacts.add("+34677700000", nil)
	numbers := []string{"+34677700000", "+34 677 700 001", "+34677700002", "+34677700001", "+34677700003", "+34677700002"}
	msgs := make([]*herald.Message, len(numbers))
	var wg sync.WaitGroup
	for i, n := range numbers {
		wg.Go(func() {
			req := h.sms(n, "Welcome")
			req.CreateRecipient = true
			m, err := h.e.Send(ctx, req)
			if err != nil {
				t.Errorf("send to %s: %v", n, err)
				return
			}
			msgs[i] = m
		})
	}
	wg.Wait()
	byNumber := map[string]int64{known.Phone: known.ID}
	for i, m := range msgs {
		if m == nil {
			continue
		}
		c, err := h.contacts.ContactByAddress(ctx, h.account.ID, herald.ChannelSMS, m.Destination)
		if err != nil {
			t.Fatalf("message %d to %s: %v", i, m.Destination, err)
		}
		if m.ContactID != c.ID || c.Country != "ES" || (byNumber[c.Phone] != 0 && byNumber[c.Phone] != c.ID) {
			t.Errorf("message %d to %s: contact %d, stored contact %+v", i, numbers[i], m.ContactID, c)
		}
		byNumber[c.Phone] = c.ID
	}
	if len(byNumber) != 4 {
		t.Errorf("contacts %v, want the known one and three new", byNumber)
	}
	page, err := h.s.ListAudit(ctx, h.account.ID, herald.ListQuery{Limit: 100})
	must(t, err)
	created := 0
	for _, e := range page.Items {
		for _, d := range e.Details {
			if d.Table == "contacts" && d.Operation == herald.OpInsert && strings.Contains(d.NewValue, "+3467770000") {
				created++
			}
		}
	}
	if created != 4 { // the known contact's own creation, and three new
		t.Errorf("%d contacts of these numbers audited as created, want 4", created)
	}
}

// testPersonalised fills attributes and template parameters.
func (h *harness) testPersonalised(t *testing.T) {
	h.contacts.add("+34655555555", map[string]string{"name": "Ana"})
	m := h.send(h.sms("+34655555555", "Bună {{attribute.name}}, ¿qué tal?"))
	if got := webhook.Text(m.Payload); got != "Bună Ana, ¿qué tal?" || m.Encoding != "UCS-2" || m.ContactID == 0 {
		t.Errorf("personalised = %q (%s), contact %d", got, m.Encoding, m.ContactID)
	}
}

// testViolations checks that bad requests name their fields.
func (h *harness) testViolations(t *testing.T) {
	ctx := context.Background()
	restricted := *h.key
	restricted.SenderIDs = []string{"Acme"}
	cases := []struct {
		name  string
		edit  func(r *herald.SendRequest)
		field string
	}{
		{"unknown channel", func(r *herald.SendRequest) { r.Steps[0].Channel = 42 }, "channel"},
		{"unknown sender", func(r *herald.SendRequest) { r.Steps[0].SenderID = "nobody" }, "senderId"},
		{"sender not allowed", func(r *herald.SendRequest) { r.APIKey = &restricted }, "senderId"},
		{"bad phone", func(r *herald.SendRequest) { r.Contact.Phone = "12ab" }, "contact"},
		{"too long", func(r *herald.SendRequest) { r.Steps[0].Payload = textPayload(strings.Repeat("x", 1600)) }, "payload.text"},
		{"no content", func(r *herald.SendRequest) { r.Steps[0].Payload = nil }, "payload"},
		{"missing parameter", func(r *herald.SendRequest) { r.Steps[0].Payload = textPayload("Code {{code}}") }, "template.params.code"},
		{"template", func(r *herald.SendRequest) {
			r.Steps[0].Payload, r.Steps[0].Template = nil, &herald.TemplateRef{ID: 1}
		}, "template.id"},
	}
	for _, c := range cases {
		req := h.sms("+34666666666", "x")
		c.edit(req)
		_, err := h.e.Send(ctx, req)
		found := false
		for _, v := range herald.ErrorViolations(err) {
			found = found || v.Field == c.field
		}
		if !found {
			t.Errorf("%s: Send = %v, want a violation of %q", c.name, err, c.field)
		}
	}
}
