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

// TestStaleHeldChain decides a running chain behind the engine's back, as
// another process stopping its broadcast would, while the engine holds the
// chain as it committed it; a report that meets the step's criterion then
// arrives here. The engine decides from its copy, finds the stored chain
// changed, reads it under lock and leaves the other outcome alone.
func TestStaleHeldChain(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s, engine.Config{})
		first := h.send(h.chain("+34700110003", herald.CriterionDelivery, time.Minute)) // the sandbox's silent number
		h.waitStatus(first.ID, herald.StatusSent)
		ctx := context.Background()
		c := h.chainOf(first.ChainID)
		c.Outcome, c.FallbackAt = herald.ChainCanceled, nil
		must(t, s.MessageTx(ctx, func(x *store.MessageTx) error {
			return x.UpdateChainStates(ctx, []*herald.Chain{c}, nil)
		}))
		must(t, h.e.Report(ctx, channel.Report{MessageID: first.ID, Status: herald.StatusDelivered, ProviderCode: "DELIVRD", At: time.Now()}))
		h.waitStatus(first.ID, herald.StatusDelivered)
		if got := h.chainOf(first.ChainID); got.Outcome != herald.ChainCanceled || got.Current != 0 {
			t.Errorf("chain after the report: outcome %q at step %d; want the other process's %q kept", got.Outcome, got.Current, herald.ChainCanceled)
		}
	})
}
