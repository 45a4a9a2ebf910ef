package engine

import (
	"sync"

	"github.com/heraldhq/herald"
)

// chainCache remembers, for the chains this process made or decided
// recently, what the status writer needs to leave a chain unread: the
// success criterion of each current message's step and each chain's
// broadcast. Both never change, so the cache is never stale; it is only
// incomplete (a miss reads the chain, as without it). A status that is
// not a failure and does not meet its step's criterion (a "sent" of a
// step waiting for delivery, the usual first report) cannot decide its
// chain, so its chain is not read or locked: half the chain reads of a
// broadcast.
//
// It also holds a copy of each running chain as last committed, up to
// maxHeldChains of them, so that a status deciding a chain (the step's
// criterion met, or a failure) need not read it either: the status writer
// decides from the copy and writes the chain only while the stored one is
// still running at the same step (store.ChainGuard). A chain changed
// elsewhere meanwhile fails that guard and is read, under lock, on the
// next try.
type chainCache struct {
	mu        sync.Mutex
	criterion map[string]herald.Criterion // message ID -> its step's criterion
	broadcast map[string]int64            // chain ID -> broadcast ID
	held      map[string]*herald.Chain    // chain ID -> the chain as committed; never changed once held
}

// maxChainCache bounds the entries of the criterion and broadcast maps;
// maxHeldChains those of held, which weigh more (a chain's later steps
// carry their content).
const (
	maxChainCache = 1 << 20
	maxHeldChains = 1 << 13
)

func newChainCache() *chainCache {
	return &chainCache{criterion: map[string]herald.Criterion{}, broadcast: map[string]int64{}, held: map[string]*herald.Chain{}}
}

// add remembers the current message of chain c.
func (cc *chainCache) add(c *herald.Chain) {
	if c == nil || c.Current >= len(c.Steps) || c.Outcome != herald.ChainRunning {
		return
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if len(cc.criterion) >= maxChainCache || len(cc.broadcast) >= maxChainCache {
		return
	}
	cc.criterion[c.CurrentMessageID] = c.Steps[c.Current].Criterion
	cc.broadcast[c.ID] = c.BroadcastID
	if _, ok := cc.held[c.ID]; ok || len(cc.held) < maxHeldChains {
		cc.held[c.ID] = cloneChain(c)
	}
}

// take returns a copy of the held chain id, for the caller to change.
func (cc *chainCache) take(id string) (*herald.Chain, bool) {
	cc.mu.Lock()
	c, ok := cc.held[id]
	cc.mu.Unlock()
	if !ok {
		return nil, false
	}
	return cloneChain(c), true
}

// drop forgets the held copies of chains found changed elsewhere.
func (cc *chainCache) drop(ids []string) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	for _, id := range ids {
		delete(cc.held, id)
	}
}

// cloneChain returns a copy of c that shares nothing it may change: the
// steps are copied, their contents (never changed) shared.
func cloneChain(c *herald.Chain) *herald.Chain {
	d := *c
	d.Steps = append([]herald.ChainStep(nil), c.Steps...)
	if c.FallbackAt != nil {
		t := *c.FallbackAt
		d.FallbackAt = &t
	}
	return &d
}

// forget drops a decided chain.
func (cc *chainCache) forget(c *herald.Chain) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	for _, s := range c.Steps {
		delete(cc.criterion, s.MessageID)
	}
	delete(cc.broadcast, c.ID)
	delete(cc.held, c.ID)
}

// idle reports whether message m's move to status cannot decide its
// chain, and returns the chain's broadcast: the status is no failure,
// not a cancellation, and does not meet the step's criterion.
func (cc *chainCache) idle(m *herald.Message, status herald.MessageStatus) (int64, bool) {
	if status.Failure() {
		return 0, false
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	crit, ok := cc.criterion[m.ID]
	if !ok || crit.MetBy(status) {
		return 0, false
	}
	b, ok := cc.broadcast[m.ChainID]
	return b, ok
}

// broadcastOf returns the broadcast of chain id, if known.
func (cc *chainCache) broadcastOf(id string) (int64, bool) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	b, ok := cc.broadcast[id]
	return b, ok
}
