package engine_test

import (
	"context"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
)

// testUnroutable checks that a sender ID sends only once it is active and
// bound: a request in progress and an active, unbound sender ID are
// refused with a violation of senderId, and the same sender ID sends as
// soon as it is activated and bound (ForgetSender drops the cached
// refusal).
func (h *harness) testUnroutable(t *testing.T) {
	ctx := context.Background()
	rcs := &herald.SenderID{AccountID: h.account.ID, Channel: herald.ChannelRCS, Name: "tansy@rbm.example",
		DisplayName: "Tansy", Status: herald.SenderInProgress}
	must(t, h.s.CreateSender(ctx, rcs))
	req := h.sms("+34677777777", "Pancakes")
	req.Steps[0].Channel, req.Steps[0].SenderID = herald.ChannelRCS, "TANSY@rbm.example"
	wantRefused := func(what, text string) {
		t.Helper()
		_, err := h.e.Send(ctx, req)
		for _, v := range herald.ErrorViolations(err) {
			if v.Field == "senderId" && v.Code == herald.VPolicy && strings.Contains(v.Message, text) {
				return
			}
		}
		t.Fatalf("%s: Send = %v; want a policy violation of senderId saying %q", what, err, text)
	}
	wantRefused("in progress", "is in progress")

	rcs.Status = herald.SenderActive
	must(t, h.s.UpdateSender(ctx, rcs, herald.SenderInProgress))
	h.e.ForgetSender(h.account.ID, herald.ChannelRCS, rcs.Name)
	wantRefused("active, not bound", "not bound to a connection")

	sandboxRCS, err := h.s.SenderByName(ctx, h.account.ID, herald.ChannelRCS, herald.SandboxSender)
	must(t, err)
	rcs.ConnectionID = sandboxRCS.ConnectionID
	must(t, h.s.UpdateSender(ctx, rcs, herald.SenderActive))
	h.e.ForgetSender(h.account.ID, herald.ChannelRCS, rcs.Name)
	m := h.send(req)
	if m.SenderID != rcs.Name || m.ConnectionID != rcs.ConnectionID {
		t.Errorf("sent from %q on connection %d", m.SenderID, m.ConnectionID)
	}
	h.waitStatus(m.ID, herald.StatusDelivered)

	rcs.Status = herald.SenderBlocked
	must(t, h.s.UpdateSender(ctx, rcs, herald.SenderActive))
	h.e.ForgetSender(h.account.ID, herald.ChannelRCS, rcs.Name)
	wantRefused("blocked", "is blocked")
}
