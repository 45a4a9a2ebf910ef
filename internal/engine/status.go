package engine

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/webhook"
)

// updateKind is what a status change is.
type updateKind int

// Kinds of status changes.
const (
	kindSubmitted updateKind = iota // the connector took the message
	kindRetry                       // submitting failed for a passing reason
	kindFailure                     // submitting failed for good
	kindStatus                      // a report, an expiry, a rejection
	kindCancel                      // the API cancels a scheduled message
	kindTimeout                     // a chain step's waiting time ran out
)

// update is one status change for the status writer.
type update struct {
	kind         updateKind
	id           string // the message
	account      int64  // for kindCancel: the caller's account
	chain        string // for kindTimeout
	status       herald.MessageStatus
	detail       herald.StatusDetail
	providerID   string
	providerCode string
	errText      string
	retryAt      int64 // Unix ms, for kindRetry
	at           time.Time
	// row, when set, is the message's row as the dispatcher held it when
	// it made the change: the status writer applies the change to it
	// instead of reading the row back (see rowCache for stale rows).
	row *store.MessageRow
}

// statusTries is how often a failing status transaction is tried (a
// deadlock or a serialization failure among processes sharing
// PostgreSQL passes).
const statusTries = 5

// flushStatus applies a batch of status changes, trying the transaction
// again when it fails: a change that is not committed is lost (a report)
// or delayed until its lease runs out (a submission). Rows found stale
// (changed by another process or statement since this process held them)
// are read afresh in the next try, which follows at once.
func (e *Engine) flushStatus(ctx context.Context, items []update) ([]error, error) {
	var err error
	fresh, freshChains := map[string]bool{}, map[string]bool{}
	rereads := 0
	for try := 1; try <= statusTries; try++ {
		var errs []error
		if errs, err = e.applyStatus(ctx, items, fresh, freshChains); err == nil || errors.Is(err, errKilled) {
			return errs, err
		}
		var staleChains *store.StaleChainsError
		if errors.As(err, &staleChains) && rereads < 3 {
			// Chains decided or moved elsewhere since this process
			// held them: the next try reads them under lock.
			rereads++
			for _, id := range staleChains.IDs {
				freshChains[id] = true
			}
			e.chains.drop(staleChains.IDs)
			try--
			continue
		}
		var stale *store.StaleError
		if errors.As(err, &stale) && rereads < 3 {
			// Not a failure: the next try reads those rows, under the
			// writer's lock, so they cannot be stale again.
			rereads++
			for _, id := range stale.IDs {
				fresh[id] = true
			}
			e.working.forget(stale.IDs)
			try--
			continue
		}
		e.log.Warn("applying status changes failed; trying again", "changes", len(items), "try", try, "err", err)
		time.Sleep(time.Duration(try*try) * 10 * time.Millisecond)
	}
	e.log.Error("applying status changes", "changes", len(items), "err", err)
	return nil, err
}

// applyStatus applies a batch of status changes in one transaction, then
// hands new messages to the dispatcher and deliveries to the deliverer.
// Rows come from the changes themselves or the row cache, except those in
// fresh and those not held, which are read (and locked on PostgreSQL);
// chains likewise from the chain cache, except those in freshChains.
func (e *Engine) applyStatus(ctx context.Context, items []update, fresh, freshChains map[string]bool) ([]error, error) {
	if e.killed.Load() {
		return nil, errKilled
	}
	ctx = context.WithoutCancel(ctx) // a stopping engine still commits what it drains
	var st *batchState
	var errs []error
	err := e.deps.Store.MessageTx(ctx, func(x *store.MessageTx) error {
		st = e.newBatchState()
		st.fresh = freshChains
		rows, read := st.heldRows(items, fresh)
		if len(read) > 0 {
			got, err := x.LockMessages(ctx, read)
			if err != nil {
				return err
			}
			for id, r := range got {
				rows[id] = r
			}
		}
		st.rows = rows
		errs = make([]error, len(items))
		for i, u := range items {
			errs[i] = st.apply(u)
		}
		if err := st.resolveChains(ctx, x); err != nil {
			return err
		}
		if err := st.hook(ctx, x); err != nil {
			return err
		}
		return st.write(ctx, x)
	})
	for _, u := range items {
		if u.kind == kindTimeout {
			e.timeouts.Delete(u.chain) // decided, or to be handed in again
		}
	}
	if err != nil {
		if st != nil {
			st.rollback()
		}
		return nil, err
	}
	st.committed()
	return errs, nil
}

// heldRows returns copies of the rows of the batch's messages that the
// changes carry or the row cache holds, and the IDs of the others, which
// must be read.
func (st *batchState) heldRows(items []update, fresh map[string]bool) (map[string]store.MessageRow, []string) {
	rows := make(map[string]store.MessageRow, len(items))
	var read []string
	seen := make(map[string]bool, len(items))
	for _, u := range items {
		if seen[u.id] {
			continue
		}
		seen[u.id] = true
		if !fresh[u.id] {
			if u.row != nil {
				rows[u.id] = cloneRow(*u.row)
				continue
			}
			if r, ok := st.e.working.get(u.id); ok {
				rows[u.id] = cloneRow(r)
				continue
			}
		}
		read = append(read, u.id)
	}
	return rows, read
}

// batchState is the work of one status transaction.
type batchState struct {
	e          *Engine
	now        time.Time
	rows       map[string]store.MessageRow
	changed    []string // IDs of changed rows, in order of first change
	isChanged  map[string]bool
	events     []herald.MessageEvent
	deliveries []*herald.WebhookDelivery
	inChains   []string // changed rows that belong to a running chain
	timeouts   []update
	newRows    []store.MessageRow
	reserved   []bool // parallel to newRows
	chains     map[string]*herald.Chain
	guards     map[string]store.ChainGuard // chains decided from held copies, unread
	fresh      map[string]bool             // chains to read under lock, held or not
	chainDirty map[string]bool
	counts     []countKey
	trans      []Transition    // applied status changes, for the hook
	finished   []*herald.Chain // chains decided, for the hook
	decided    []*herald.Chain // chains decided, for the chain cache after commit
	moved      []*herald.Chain // chains that moved on, for the chain cache after commit
}

// countKey is one status counted in the metrics after commit.
type countKey struct {
	channel herald.Channel
	status  herald.MessageStatus
}

func (e *Engine) newBatchState() *batchState {
	return &batchState{e: e, now: e.now(), isChanged: map[string]bool{}, chainDirty: map[string]bool{}}
}

// apply applies one change to the rows in memory. It returns the change's
// own error (only cancellations have one).
func (st *batchState) apply(u update) error {
	r, ok := st.rows[u.id]
	if !ok || (u.kind == kindCancel && r.AccountID != u.account) {
		if u.kind == kindCancel {
			return herald.Errorf(herald.ENOTFOUND, "Message not found.")
		}
		st.e.log.Warn("status change for an unknown message", "message", u.id)
		return nil
	}
	if u.at.IsZero() {
		u.at = st.now
	}
	switch u.kind {
	case kindCancel:
		if r.Status != herald.StatusScheduled {
			return herald.Errorf(herald.ECONFLICT, "Only a scheduled message can be canceled; this one is %s.", r.Status)
		}
		st.transition(r, u)
	case kindRetry:
		st.retry(r, u)
	case kindSubmitted, kindFailure:
		if r.Status == herald.StatusQueued {
			r.Attempts++
			r.ProviderID = u.providerID
			r.Error = u.errText
			st.touch(r)
		}
		st.transition(r, u)
	case kindStatus:
		st.transition(r, u)
	case kindTimeout:
		st.timeouts = append(st.timeouts, u)
	}
	return nil
}

// retry counts a failed attempt and schedules the next, or fails the
// message when no attempts are left.
func (st *batchState) retry(r store.MessageRow, u update) {
	if r.Status != herald.StatusQueued {
		return
	}
	r.Attempts++
	r.Error = u.errText
	if r.Attempts >= st.e.cfg.MaxAttempts {
		st.transition(r, update{status: herald.StatusFailed, detail: herald.DetailRetriesOver, providerCode: u.providerCode, at: u.at})
		return
	}
	r.Detail, r.ProviderCode, r.UpdatedAt = herald.DetailRetrying, u.providerCode, st.now
	r.ClaimUntil, r.ClaimedBy = u.retryAt, "" // due again after the backoff, for any process
	st.touch(r)
	st.events = append(st.events, herald.MessageEvent{AccountID: r.AccountID, MessageID: r.ID, Type: herald.EventStatus,
		Status: herald.StatusQueued, Detail: herald.DetailRetrying, ProviderCode: u.providerCode, At: u.at, Applied: true})
}

// touch marks a row as changed.
func (st *batchState) touch(r store.MessageRow) {
	st.rows[r.ID] = r
	if !st.isChanged[r.ID] {
		st.isChanged[r.ID] = true
		st.changed = append(st.changed, r.ID)
	}
}

// transition moves r to u's status when the status may move there, and
// records the event either way (a late report is kept, marked not
// applied). A report of the status the message has already is dropped.
func (st *batchState) transition(r store.MessageRow, u update) {
	if r.Status == u.status {
		return
	}
	d := u.detail
	if d.Code == 0 {
		d = herald.DefaultDetail(u.status)
	}
	ev := herald.MessageEvent{AccountID: r.AccountID, MessageID: r.ID, Type: herald.EventStatus, Status: u.status,
		Detail: d, ProviderCode: u.providerCode, At: u.at, Applied: r.Status.CanBecome(u.status)}
	st.events = append(st.events, ev)
	if !ev.Applied {
		return
	}
	m := r.Message
	st.trans = append(st.trans, Transition{Message: m, From: m.Status, To: u.status})
	m.Status, m.Detail, m.UpdatedAt = u.status, d, st.now
	if u.providerCode != "" {
		m.ProviderCode = u.providerCode
	}
	if u.errText != "" {
		m.Error = u.errText
	}
	setTimes(m, u.at)
	r.ClaimUntil, r.ClaimedBy = 0, ""
	st.touch(r)
	st.deliver(r.Message, &ev)
	st.counts = append(st.counts, countKey{m.Channel, u.status})
	if m.ChainID != "" {
		if b, idle := st.e.chains.idle(m, u.status); idle {
			st.trans[len(st.trans)-1].BroadcastID = b // nothing to decide: the chain stays unread
		} else {
			st.inChains = append(st.inChains, m.ID)
		}
	}
}

// setTimes records when m was sent, delivered and seen; a later status
// implies the earlier ones.
func setTimes(m *herald.Message, at time.Time) {
	set := func(p **time.Time) {
		if *p == nil {
			t := at
			*p = &t
		}
	}
	switch m.Status {
	case herald.StatusSeen:
		set(&m.SeenAt)
		set(&m.DeliveredAt)
		set(&m.SentAt)
	case herald.StatusDelivered:
		set(&m.DeliveredAt)
		set(&m.SentAt)
	case herald.StatusSent, herald.StatusUndelivered:
		set(&m.SentAt)
	}
}

// deliver queues the webhook of event ev of m, when m has a webhook.
func (st *batchState) deliver(m *herald.Message, ev *herald.MessageEvent) {
	if m.WebhookURL == "" {
		return
	}
	env := webhook.StatusEnvelope(m, ev)
	st.deliveries = append(st.deliveries, st.e.delivery(m.AccountID, m.APIKeyID, m.WebhookURL, env))
}

// delivery returns the pending delivery of env to url, claimed by this
// process when it has a deliverer.
func (e *Engine) delivery(account, apiKey int64, url string, env webhook.Envelope) *herald.WebhookDelivery {
	payload := env.AppendJSON(make([]byte, 0, 768))
	now := e.now()
	next := now
	if e.deps.Webhooks != nil {
		next = now.Add(e.cfg.Lease)
	}
	return &herald.WebhookDelivery{AccountID: account, APIKeyID: apiKey, MessageID: env.Data.MessageID, EventID: env.ID,
		EventType: env.Type, URL: url, Payload: string(payload), NextAttempt: next, CreatedAt: now}
}

// write saves the batch's rows, new messages, events, chains and
// deliveries.
func (st *batchState) write(ctx context.Context, x *store.MessageTx) error {
	rows := make([]store.MessageRow, 0, len(st.changed))
	for _, id := range st.changed {
		rows = append(rows, st.rows[id])
	}
	if err := x.UpdateMessages(ctx, rows); err != nil {
		return err
	}
	for _, r := range rows {
		r.Version++
		st.rows[r.ID] = r
	}
	if err := x.InsertMessages(ctx, st.newRows); err != nil {
		return err
	}
	if err := x.InsertEvents(ctx, st.events); err != nil {
		return err
	}
	// A chain that moved on has new steps to save; one only decided
	// keeps its steps, which need not be written again.
	var moved, decided []*herald.Chain
	movedIDs := map[string]bool{}
	for _, c := range st.moved {
		movedIDs[c.ID] = true
	}
	for id := range st.chainDirty {
		if movedIDs[id] {
			moved = append(moved, st.chains[id])
		} else {
			decided = append(decided, st.chains[id])
		}
	}
	// In one order, so that processes sharing PostgreSQL lock chains
	// they both write in the same order.
	byID := func(a, b *herald.Chain) int { return strings.Compare(a.ID, b.ID) }
	slices.SortFunc(moved, byID)
	slices.SortFunc(decided, byID)
	if err := x.UpdateChains(ctx, moved, st.guards); err != nil {
		return err
	}
	if err := x.UpdateChainStates(ctx, decided, st.guards); err != nil {
		return err
	}
	claimer := ""
	if st.e.deps.Webhooks != nil {
		claimer = st.e.cfg.Instance
	}
	return x.InsertDeliveries(ctx, st.deliveries, claimer)
}

// rollback gives back the dispatcher places of messages not committed.
func (st *batchState) rollback() {
	for i, r := range st.newRows {
		if st.reserved[i] {
			st.e.disp.unreserve(laneOf(r.Message))
		}
	}
}

// committed hands the batch's results on after the commit.
func (st *batchState) committed() {
	st.e.working.put(st.rows)
	for i, r := range st.newRows {
		if st.reserved[i] {
			st.e.disp.enqueue(r)
		}
	}
	if st.e.deps.Webhooks != nil && len(st.deliveries) > 0 {
		st.e.deps.Webhooks.Hand(st.deliveries...)
	}
	for _, c := range st.counts {
		st.e.metrics.status(c.channel, c.status)
	}
	for _, c := range st.moved {
		st.e.chains.add(c)
	}
	for _, c := range st.decided {
		st.e.chains.forget(c)
	}
	if h := st.e.deps.Hook; h != nil && (len(st.trans) > 0 || len(st.finished) > 0) {
		h.StatusCommitted(st.batch())
	}
}
