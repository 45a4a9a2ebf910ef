package engine_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/engine"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/storetest"
)

// TestRestartSafety kills (or stops) the engine while messages are being
// accepted, submitted and reported, starts a new one on the same
// database, and checks that every accepted message is delivered and that
// the sandbox received each exactly once.
func TestRestartSafety(t *testing.T) {
	t.Run("kill", func(t *testing.T) { testRestart(t, true) })
	t.Run("stop", func(t *testing.T) { testRestart(t, false) })
}

func testRestart(t *testing.T, kill bool) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s, engine.Config{})
		h.setSandbox(`{"deterministic": true, "deliveryLatency": "150ms", "submitLatency": "2ms"}`)
		var mu sync.Mutex
		var accepted []string
		var wg sync.WaitGroup
		first := h.e
		for w := range 8 {
			wg.Go(func() {
				for i := range 150 {
					m, err := first.Send(context.Background(), h.sms("+347"+pad(w)+pad(i+10), "crash test"))
					if err != nil {
						return // the engine died: this one was not accepted
					}
					mu.Lock()
					accepted = append(accepted, m.ID)
					mu.Unlock()
				}
			})
		}
		// Restart once some messages are in: the rest are still being sent.
		for {
			mu.Lock()
			n := len(accepted)
			mu.Unlock()
			if n >= 150 {
				break
			}
			time.Sleep(time.Millisecond)
		}
		h.restart(kill)
		wg.Wait()
		if len(accepted) == 0 || len(accepted) == 1200 {
			t.Fatalf("%d messages accepted before the kill; the test needs some but not all", len(accepted))
		}
		for _, id := range accepted {
			h.waitStatus(id, herald.StatusDelivered)
		}
		inbox, err := s.SandboxInbox(context.Background(), h.account.ID, "", 10000)
		must(t, err)
		got := map[string]int{}
		for _, m := range inbox {
			got[m.MessageID]++
		}
		for _, id := range accepted {
			if got[id] != 1 {
				t.Errorf("the sandbox received %s %d times", id, got[id])
			}
		}
		if len(inbox) != len(accepted) {
			t.Errorf("the sandbox received %d messages; %d were accepted", len(inbox), len(accepted))
		}
		t.Logf("%d messages accepted before the kill, all delivered once", len(accepted))
	})
}
