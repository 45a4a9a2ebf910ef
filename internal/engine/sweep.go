package engine

import (
	"context"
	"time"

	"github.com/heraldhq/herald"
)

// sweepBatch is how many due rows a sweep claims at once.
const sweepBatch = 500

// heartbeat records that this process lives, takes over the leases of
// processes that died, and forgets old cancellations.
func (e *Engine) heartbeat(ctx context.Context) {
	now := e.now()
	if err := e.deps.Store.Heartbeat(ctx, e.cfg.Instance, now.UnixMilli()); err != nil && ctx.Err() == nil {
		e.log.Error("recording heartbeat", "err", err)
	}
	n, err := e.deps.Store.TakeOverDeadInstances(ctx, e.cfg.Instance, now.UnixMilli(), now.Add(-e.cfg.DeadAfter).UnixMilli())
	if err != nil && ctx.Err() == nil {
		e.log.Error("taking over dead engine processes", "err", err)
	} else if n > 0 {
		e.log.Info("took over the work of dead engine processes", "processes", n)
	}
	e.canceled.Range(func(k, v any) bool {
		if now.Sub(v.(time.Time)) > e.cfg.Lease {
			e.canceled.Delete(k)
		}
		return true
	})
}

// sweepMessages claims due messages (scheduled ones whose time came,
// retries, messages of dead processes) while the dispatcher has room.
func (e *Engine) sweepMessages(ctx context.Context) {
	for ctx.Err() == nil {
		now := e.now()
		rows, err := e.deps.Store.ClaimDueMessages(ctx, e.cfg.Instance, now.UnixMilli(), now.Add(e.cfg.Lease).UnixMilli(), sweepBatch, e.disp.full())
		if err != nil {
			if ctx.Err() == nil {
				e.log.Error("claiming due messages", "err", err)
			}
			return
		}
		var full []string
		for _, r := range rows {
			if e.disp.reserve(laneOf(r.Message)) {
				e.disp.enqueue(r)
			} else {
				full = append(full, r.ID)
			}
		}
		if len(full) > 0 { // the account filled up meanwhile: give them back
			if err := e.deps.Store.ReleaseMessages(ctx, e.cfg.Instance, full, now.UnixMilli()); err != nil && ctx.Err() == nil {
				e.log.Error("releasing messages", "err", err)
			}
			return
		}
		if len(rows) < sweepBatch {
			return
		}
	}
}

// sweepChains hands the chains whose step timed out to the status writer,
// which decides them under lock.
func (e *Engine) sweepChains(ctx context.Context) {
	chains, err := e.deps.Store.DueChains(ctx, e.now(), sweepBatch)
	if err != nil {
		if ctx.Err() == nil {
			e.log.Error("reading due chains", "err", err)
		}
		return
	}
	for _, c := range chains {
		if _, busy := e.timeouts.LoadOrStore(c.ID, true); busy {
			continue
		}
		e.submitStatus(update{kind: kindTimeout, id: c.CurrentMessageID, chain: c.ID, at: e.now()})
	}
}

// LiveInstances returns the engine processes that beat within DeadAfter.
func (e *Engine) LiveInstances(ctx context.Context) ([]string, error) {
	return e.deps.Store.LiveInstances(ctx, e.now().Add(-e.cfg.DeadAfter).UnixMilli())
}

// Message returns the account's message id.
func (e *Engine) Message(ctx context.Context, accountID int64, id string) (*herald.Message, error) {
	return e.deps.Store.Message(ctx, accountID, id)
}
