package engine_test

import (
	"context"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/engine"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/storetest"
)

// TestReloadConnection changes the SMS sandbox connection's rules while
// the engine runs: the cached connector keeps the old ones until
// ReloadConnection, after which the next message follows the new ones.
func TestReloadConnection(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s, engine.Config{})
		ctx := context.Background()
		const phone = "+4917055500"
		h.waitStatus(h.send(h.sms(phone+"10", "before")).ID, herald.StatusDelivered)

		sender, err := s.SenderByName(ctx, h.account.ID, herald.ChannelSMS, herald.SandboxSender)
		must(t, err)
		conn, err := s.Connection(ctx, sender.ConnectionID)
		must(t, err)
		conn.Settings = []byte(`{"deterministic": true, "deliveryLatency": "20ms",
			"rules": [{"prefix": "` + phone + `", "outcome": "undelivered"}]}`)
		must(t, s.UpdateConnection(ctx, conn))
		h.waitStatus(h.send(h.sms(phone+"11", "cached")).ID, herald.StatusDelivered)

		must(t, h.e.ReloadConnection(ctx, conn.ID))
		h.waitStatus(h.send(h.sms(phone+"12", "reloaded")).ID, herald.StatusUndelivered)
		must(t, h.e.ReloadConnection(ctx, 424242)) // never opened: nothing to do
	})
}
