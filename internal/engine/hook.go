package engine

import (
	"context"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
)

// Hook sees the status writer's batches: broadcasts keep their statistics
// with it. StatusTx runs inside the batch's transaction, so what it writes
// commits with the statuses (or not at all); an error fails the batch,
// which is tried again. StatusCommitted runs after the commit and must
// not block. Both are called from the status writer's one goroutine.
type Hook interface {
	StatusTx(ctx context.Context, x *store.MessageTx, b *StatusBatch) error
	StatusCommitted(b *StatusBatch)
}

// StatusBatch is what one status transaction changed.
type StatusBatch struct {
	// Transitions are the applied status changes, in order: a message may
	// appear more than once.
	Transitions []Transition
	// Chains are the fallback chains the batch touched, by ID, as they are
	// after it; Finished are those it decided.
	Chains   map[string]*herald.Chain
	Finished []*herald.Chain
}

// Transition is one applied status change: Message as it is after the
// whole batch, From its status before this change.
type Transition struct {
	Message *herald.Message
	From    herald.MessageStatus
	To      herald.MessageStatus
	// BroadcastID is the broadcast of the message's chain, 0 for none.
	BroadcastID int64
}

// Chain returns the chain of the transition's message when the batch
// read it (a status that cannot decide its chain leaves it unread), or
// nil.
func (b *StatusBatch) Chain(t Transition) *herald.Chain {
	if t.Message.ChainID == "" {
		return nil
	}
	return b.Chains[t.Message.ChainID]
}

// batch returns the hook's view of the batch.
func (st *batchState) batch() *StatusBatch {
	return &StatusBatch{Transitions: st.trans, Chains: st.chains, Finished: st.finished}
}

// hook hands the batch to the hook inside the transaction.
func (st *batchState) hook(ctx context.Context, x *store.MessageTx) error {
	h := st.e.deps.Hook
	if h == nil || (len(st.trans) == 0 && len(st.finished) == 0) {
		return nil
	}
	for i := range st.trans {
		t := &st.trans[i]
		if t.BroadcastID != 0 || t.Message.ChainID == "" {
			continue
		}
		if c := st.chains[t.Message.ChainID]; c != nil {
			t.BroadcastID = c.BroadcastID
		} else if b, ok := st.e.chains.broadcastOf(t.Message.ChainID); ok {
			t.BroadcastID = b
		}
	}
	return h.StatusTx(ctx, x, st.batch())
}
