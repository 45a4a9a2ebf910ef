package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/channel"
	"github.com/heraldhq/herald/internal/engine"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/storetest"
)

// TestStaleHeldRow changes a sent message's row behind the engine's back,
// as another process would, while the engine holds the row in memory; a
// report then arrives here. The engine's write must not undo the other
// change: it finds its row stale, reads it again and applies the report
// to the row as stored.
func TestStaleHeldRow(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s, engine.Config{})
		m := h.send(h.sms("+34600110003", "Never reported")) // the sandbox's silent number
		h.waitStatus(m.ID, herald.StatusSent)
		ctx := context.Background()
		must(t, s.MessageTx(ctx, func(x *store.MessageTx) error {
			rows, err := x.LockMessages(ctx, []string{m.ID})
			if err != nil {
				return err
			}
			r := rows[m.ID]
			r.Error = "changed elsewhere"
			return x.UpdateMessages(ctx, []store.MessageRow{r})
		}))
		must(t, h.e.Report(ctx, channel.Report{MessageID: m.ID, Status: herald.StatusDelivered, ProviderCode: "DELIVRD", At: time.Now()}))
		got := h.waitStatus(m.ID, herald.StatusDelivered)
		if got.Error != "changed elsewhere" || got.ProviderCode != "DELIVRD" || got.DeliveredAt == nil {
			t.Errorf("after the report: %+v; want the other change kept", got)
		}
	})
}
