package engine

import (
	"context"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
)

// Fallback chains are decided in the status writer's transaction: a status
// that meets the current step's criterion ends the chain in success; a
// failure, or the step's waiting time running out, sends the next step (a
// channel switch) or, after the last step, ends the chain in failure. A
// status of a message that is no longer its chain's current step (a late
// report after a switch) is stored with its message but starts nothing.

// resolveChains decides the chains that the batch's changes and timeouts
// touch.
func (st *batchState) resolveChains(ctx context.Context, x *store.MessageTx) error {
	ids := st.chainIDs()
	if len(ids) == 0 {
		return nil
	}
	// Chains this process holds as committed are decided from their
	// copies, guarded when written; the others are read under lock.
	held := map[string]*herald.Chain{}
	var read []string
	for _, id := range ids {
		if c, ok := st.e.chains.take(id); ok && !st.fresh[id] {
			held[id] = c
			continue
		}
		read = append(read, id)
	}
	chains := held
	if len(read) > 0 {
		got, err := x.LockChains(ctx, read)
		if err != nil {
			return err
		}
		for id, c := range got {
			st.e.chains.add(c)
			chains[id] = c
		}
	}
	st.chains = chains
	for id, c := range held {
		if st.guards == nil {
			st.guards = make(map[string]store.ChainGuard, len(held))
		}
		st.guards[id] = store.ChainGuard{Step: c.Current, MessageID: c.CurrentMessageID}
	}
	for _, id := range st.inChains {
		r := st.rows[id]
		c := chains[r.ChainID]
		if c == nil || c.Outcome != herald.ChainRunning || c.CurrentMessageID != r.ID {
			continue // a late report: stored, starts nothing
		}
		st.decide(c, r, "failed")
	}
	for _, u := range st.timeouts {
		st.timeout(chains[u.chain], u)
	}
	return nil
}

// chainIDs returns the chains the batch touches.
func (st *batchState) chainIDs() []string {
	seen := map[string]bool{}
	var out []string
	add := func(id string) {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	for _, id := range st.inChains {
		add(st.rows[id].ChainID)
	}
	for _, u := range st.timeouts {
		add(u.chain)
	}
	return out
}

// decide ends the chain or moves it on after its current message r
// changed status.
func (st *batchState) decide(c *herald.Chain, r store.MessageRow, reason string) {
	step := c.Steps[c.Current]
	switch {
	case step.Criterion.MetBy(r.Status):
		st.finish(c, herald.ChainSucceeded, r.Status)
	case r.Status == herald.StatusCanceled && r.Detail.Code == herald.DetailCanceledAPI.Code:
		st.finish(c, herald.ChainCanceled, r.Status)
	case r.Status.Failure():
		st.next(c, r, reason)
	}
}

// timeout moves on a chain whose current step's waiting time ran out,
// unless it was decided meanwhile. A current message not yet sent is
// canceled so that the contact does not get both.
func (st *batchState) timeout(c *herald.Chain, u update) {
	if c == nil || c.Outcome != herald.ChainRunning || c.CurrentMessageID != u.id || c.FallbackAt == nil || c.FallbackAt.After(st.now) {
		return
	}
	r, ok := st.rows[u.id]
	if !ok {
		return
	}
	if c.Steps[c.Current].Criterion.MetBy(r.Status) {
		st.finish(c, herald.ChainSucceeded, r.Status)
		return
	}
	if r.Status == herald.StatusQueued || r.Status == herald.StatusScheduled {
		st.e.canceled.Store(r.ID, st.now)
		st.transition(r, update{status: herald.StatusCanceled, detail: herald.DetailCanceledChain, at: st.now})
		r = st.rows[u.id]
	}
	st.next(c, r, "timeout")
}

// finish records the chain's outcome.
func (st *batchState) finish(c *herald.Chain, outcome herald.ChainOutcome, final herald.MessageStatus) {
	c.Outcome, c.FinalStatus, c.FallbackAt, c.UpdatedAt = outcome, final, nil, st.now
	st.chainDirty[c.ID] = true
	st.finished = append(st.finished, c)
	st.decided = append(st.decided, c)
}

// next sends the chain's next step, or fails the chain after its last.
func (st *batchState) next(c *herald.Chain, r store.MessageRow, reason string) {
	if c.Last() {
		st.finish(c, herald.ChainFailed, r.Status)
		return
	}
	i := c.Current + 1
	step := c.Steps[i]
	m := st.e.stepMessage(r.Message, step, i, st.now)
	row := store.MessageRow{Message: m}
	reserved := st.e.claim(&row, st.now)
	st.newRows, st.reserved = append(st.newRows, row), append(st.reserved, reserved)
	c.Steps[i].MessageID = m.ID
	c.Current, c.CurrentMessageID, c.FallbackAt, c.UpdatedAt = i, m.ID, deadline(st.now, step), st.now
	st.chainDirty[c.ID] = true
	st.moved = append(st.moved, c)
	ev := herald.MessageEvent{AccountID: r.AccountID, MessageID: r.ID, Type: herald.EventSwitch, Status: r.Status,
		Detail: herald.DetailSwitched, At: st.now, Applied: true, Switch: &herald.SwitchInfo{
			FromStep: i - 1, ToStep: i, FromChannel: r.Channel, ToChannel: step.Channel, NextMessageID: m.ID, Reason: reason}}
	st.events = append(st.events, ev)
	st.deliver(r.Message, &ev)
}
