package engine_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/channel"
	"github.com/heraldhq/herald/internal/engine"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/storetest"
)

// TestFallback covers fallback chains on both engines.
func TestFallback(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s, engine.Config{})
		h.run(t, "NotCapable", (*harness).testNotCapable)
		h.run(t, "Timeout", (*harness).testTimeout)
		h.run(t, "FirstSucceeds", (*harness).testFirstSucceeds)
		h.run(t, "AllFail", (*harness).testAllFail)
	})
}

// chain returns an RCS-then-SMS request to phone.
func (h *harness) chain(phone string, criterion herald.Criterion, wait time.Duration) *herald.SendRequest {
	req := h.sms(phone, "Hello")
	req.Chain = true
	req.Steps = []herald.SendStep{
		{Channel: herald.ChannelRCS, SenderID: "sandbox", Payload: textPayload("Rich hello"), Criterion: criterion, WaitingTime: wait},
		{Channel: herald.ChannelSMS, SenderID: "sandbox", Payload: textPayload("Plain hello"), Criterion: herald.CriterionDelivery, WaitingTime: time.Minute},
	}
	return req
}

// chainOf reads a chain.
func (h *harness) chainOf(id string) *herald.Chain {
	h.t.Helper()
	c, err := h.s.Chain(context.Background(), h.account.ID, id)
	must(h.t, err)
	return c
}

// waitOutcome waits until chain id ends with outcome.
func (h *harness) waitOutcome(id string, outcome herald.ChainOutcome) *herald.Chain {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c := h.chainOf(id)
		if c.Outcome == outcome {
			return c
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("chain %s: outcome %q at step %d, want %q", id, c.Outcome, c.Current, outcome)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// testNotCapable falls back to SMS at once when the contact cannot get RCS.
func (h *harness) testNotCapable(t *testing.T) {
	first := h.send(h.chain("+34700000004", herald.CriterionDelivery, time.Minute))
	if first.ChainID != first.ID || first.Channel != herald.ChannelRCS {
		t.Fatalf("first message = %+v", first)
	}
	c := h.waitOutcome(first.ID, herald.ChainSucceeded)
	if c.Current != 1 || c.FinalStatus != herald.StatusDelivered || c.Steps[1].MessageID == "" {
		t.Errorf("chain = %+v", c)
	}
	rcs := h.waitStatus(first.ID, herald.StatusFailed)
	if rcs.Detail != herald.DetailNotCapable {
		t.Errorf("RCS detail = %+v", rcs.Detail)
	}
	if hist := h.history(first.ID); strings.Join(hist, ",") != "failed,switch" {
		t.Errorf("RCS history = %v, want failed, switch", hist)
	}
	sms := h.waitStatus(c.Steps[1].MessageID, herald.StatusDelivered)
	if sms.Step != 1 || sms.ChainID != first.ID || webhookText(sms) != "Plain hello" || sms.CorrelationID != first.CorrelationID {
		t.Errorf("SMS step = %+v", sms)
	}
	if ev := h.recv.waitEvents(first.ID, 2); !sameSet(ev, "message.status:failed", "message.status:failed:switch") {
		t.Errorf("RCS webhooks = %v", ev)
	}
}

// testTimeout falls back when the delivery report does not come in time;
// the RCS report that arrives after the switch is stored but starts
// nothing.
func (h *harness) testTimeout(t *testing.T) {
	first := h.send(h.chain("+34719000010", herald.CriterionDelivery, time.Second))
	h.waitStatus(first.ID, herald.StatusSent)
	c := h.waitOutcome(first.ID, herald.ChainSucceeded)
	if c.Current != 1 {
		t.Fatalf("chain = %+v", c)
	}
	sms := c.Steps[1].MessageID
	must(t, h.e.Report(context.Background(), channel.Report{MessageID: first.ID, Status: herald.StatusDelivered, ProviderCode: "LATE"}))
	late := h.waitStatus(first.ID, herald.StatusDelivered)
	if late.ProviderCode != "LATE" {
		t.Errorf("late report not stored: %+v", late)
	}
	time.Sleep(100 * time.Millisecond)
	after := h.chainOf(first.ID)
	if after.Current != 1 || after.CurrentMessageID != sms || after.Outcome != herald.ChainSucceeded {
		t.Errorf("the late report moved the chain: %+v", after)
	}
	if hist := h.history(first.ID); strings.Join(hist, ",") != "sent,switch,delivered" {
		t.Errorf("RCS history = %v, want sent, switch, delivered", hist)
	}
	sw := h.switchEvent(first.ID)
	if sw == nil || sw.Reason != "timeout" || sw.NextMessageID != sms || sw.ToChannel != herald.ChannelSMS {
		t.Errorf("switch = %+v", sw)
	}
}

// switchEvent returns the switch of a message's history.
func (h *harness) switchEvent(id string) *herald.SwitchInfo {
	evs, err := h.s.MessageEvents(context.Background(), h.account.ID, id)
	must(h.t, err)
	for _, e := range evs {
		if e.Type == herald.EventSwitch {
			return e.Switch
		}
	}
	return nil
}

// testFirstSucceeds ends a chain at its first step.
func (h *harness) testFirstSucceeds(t *testing.T) {
	first := h.send(h.chain("+34700000010", herald.CriterionDisplay, time.Minute))
	c := h.waitOutcome(first.ID, herald.ChainSucceeded)
	if c.Current != 0 || c.FinalStatus != herald.StatusSeen || c.FallbackAt != nil {
		t.Errorf("chain = %+v", c)
	}
}

// testAllFail ends a chain in failure after its last step fails.
func (h *harness) testAllFail(t *testing.T) {
	req := h.chain("+34700000001", herald.CriterionSubmit, time.Minute)
	c := h.waitOutcome(h.send(req).ID, herald.ChainFailed)
	if c.Current != 1 || c.FinalStatus != herald.StatusFailed {
		t.Errorf("chain = %+v", c)
	}
}

// webhookText returns the text of a message's payload.
func webhookText(m *herald.Message) string {
	s := string(m.Payload)
	_, after, _ := strings.Cut(s, `"text":"`)
	text, _, _ := strings.Cut(after, `"`)
	return text
}

// sameSet reports whether got holds exactly want, in any order.
func sameSet(got []string, want ...string) bool {
	a, b := slices.Clone(got), slices.Clone(want)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
