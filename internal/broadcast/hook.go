package broadcast

import (
	"context"
	"sync"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/engine"
	"github.com/heraldhq/herald/internal/store"
)

var _ engine.Hook = (*Hook)(nil)

// Hook keeps broadcast statistics from the engine's status batches: in
// the batch's transaction it adds each status change of a broadcast's
// message to the channel's counters and each decided chain to the
// fallback counters, records RCS capability learnt from the results of
// broadcasts with the RCS check on, and completes the broadcasts whose
// chains are all decided. After the commit it marks their progress for
// publication.
type Hook struct {
	s *Service

	mu       sync.Mutex
	rcsCheck map[int64]bool // broadcasts' RCS check setting, fixed once launched
}

// Hook returns the engine hook of the service.
func (s *Service) Hook() *Hook { return &Hook{s: s, rcsCheck: map[int64]bool{}} }

// StatusTx adds the batch's changes to the broadcasts' counters.
func (h *Hook) StatusTx(ctx context.Context, x *store.MessageTx, b *engine.StatusBatch) error {
	counts := map[int64]*store.BroadcastCounts{}
	get := func(id int64) *store.BroadcastCounts {
		c := counts[id]
		if c == nil {
			c = &store.BroadcastCounts{Channels: map[herald.Channel]herald.ChannelStats{}}
			counts[id] = c
		}
		return c
	}
	var rcs []rcsResult
	for _, t := range b.Transitions {
		if t.BroadcastID == 0 {
			continue
		}
		c := get(t.BroadcastID)
		st := c.Channels[t.Message.Channel]
		st.Add(herald.StatusCounts(t.From, t.To))
		c.Channels[t.Message.Channel] = st
		if r, ok := rcsLearnt(t, t.BroadcastID); ok {
			rcs = append(rcs, r)
		}
	}
	for _, ch := range b.Finished {
		if ch.BroadcastID == 0 {
			continue
		}
		if ch.Outcome == herald.ChainSucceeded {
			get(ch.BroadcastID).Succeeded++
		} else {
			get(ch.BroadcastID).Failed++
		}
	}
	if err := h.recordRCS(ctx, x, rcs); err != nil {
		return err
	}
	if len(counts) == 0 {
		return nil
	}
	_, err := x.AddBroadcastCounts(ctx, counts)
	return err
}

// StatusCommitted marks the broadcasts the batch touched for a progress
// event.
func (h *Hook) StatusCommitted(b *engine.StatusBatch) {
	for _, t := range b.Transitions {
		if t.BroadcastID != 0 {
			h.s.prog.touch(t.Message.AccountID, t.BroadcastID)
		}
	}
	for _, ch := range b.Finished {
		if ch.BroadcastID != 0 {
			h.s.prog.touch(ch.AccountID, ch.BroadcastID)
		}
	}
}

// rcsResult is what an RCS message told about its contact's device.
type rcsResult struct {
	broadcast, contact int64
	capable            bool
}

// rcsLearnt returns what transition t tells about RCS capability: an RCS
// message delivered (capable) or refused as not capable.
func rcsLearnt(t engine.Transition, broadcast int64) (rcsResult, bool) {
	m := t.Message
	if m.Channel != herald.ChannelRCS || m.ContactID == 0 {
		return rcsResult{}, false
	}
	switch {
	case t.To == herald.StatusDelivered || t.To == herald.StatusSeen:
		return rcsResult{broadcast, m.ContactID, true}, t.From != herald.StatusDelivered
	case t.To == herald.StatusFailed && m.Detail.Code == herald.DetailNotCapable.Code:
		return rcsResult{broadcast, m.ContactID, false}, true
	}
	return rcsResult{}, false
}

// recordRCS saves the capabilities learnt by broadcasts with the RCS
// check on.
func (h *Hook) recordRCS(ctx context.Context, x *store.MessageTx, rs []rcsResult) error {
	if len(rs) == 0 {
		return nil
	}
	var unknown []int64
	h.mu.Lock()
	for _, r := range rs {
		if _, ok := h.rcsCheck[r.broadcast]; !ok {
			unknown = append(unknown, r.broadcast)
		}
	}
	h.mu.Unlock()
	if len(unknown) > 0 {
		got, err := x.BroadcastRCSChecks(ctx, unknown)
		if err != nil {
			return err
		}
		h.mu.Lock()
		for id, on := range got {
			h.rcsCheck[id] = on
		}
		h.mu.Unlock()
	}
	var yes, no []int64
	h.mu.Lock()
	for _, r := range rs {
		switch {
		case !h.rcsCheck[r.broadcast]:
		case r.capable:
			yes = append(yes, r.contact)
		default:
			no = append(no, r.contact)
		}
	}
	h.mu.Unlock()
	if err := x.SetRCSCapable(ctx, yes, true); err != nil {
		return err
	}
	return x.SetRCSCapable(ctx, no, false)
}
