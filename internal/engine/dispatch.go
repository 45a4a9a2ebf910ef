package engine

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/channel"
	"github.com/heraldhq/herald/internal/store"
)

// dispatcher holds the messages this process has claimed, one fair queue
// and one pool of workers per connection, and bounds what each account may
// hold in memory.
type dispatcher struct {
	e *Engine

	mu       sync.Mutex
	inflight map[int64]int // places reserved per account
	bulk     map[int64]int // of those, places of broadcast messages
	senders  map[int64]*fairQueue
	started  bool
	stopped  bool
	wg       sync.WaitGroup
}

func newDispatcher(e *Engine) *dispatcher {
	return &dispatcher{e: e, inflight: map[int64]int{}, bulk: map[int64]int{}, senders: map[int64]*fairQueue{}}
}

// start lets enqueued messages be sent.
func (d *dispatcher) start() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.started = true
}

// reserve takes a place for one more message of l's account; false when
// the account holds its share already or, for a broadcast message, when
// its broadcasts hold theirs (BulkWindow), which keeps room for the
// account's other traffic.
func (d *dispatcher) reserve(l lane) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.started || d.stopped || d.inflight[l.account] >= d.e.cfg.AccountQueue ||
		(l.bulk && d.bulk[l.account] >= d.e.cfg.BulkWindow) {
		return false
	}
	d.inflight[l.account]++
	if l.bulk {
		d.bulk[l.account]++
	}
	return true
}

// unreserve gives a place back.
func (d *dispatcher) unreserve(l lane) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.inflight[l.account]--; d.inflight[l.account] <= 0 {
		delete(d.inflight, l.account)
	}
	if l.bulk {
		if d.bulk[l.account]--; d.bulk[l.account] <= 0 {
			delete(d.bulk, l.account)
		}
	}
}

// bulkRoom returns how many more broadcast messages of the account a
// broadcast runner may hand the dispatcher now: three quarters of the
// bulk window at most, so that the next steps of the chains already
// running (made by the status writer) find room before new contacts.
func (d *dispatcher) bulkRoom(account int64) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.started || d.stopped {
		return 0
	}
	return max(0, min(d.e.cfg.BulkWindow*3/4-d.bulk[account], d.e.cfg.AccountQueue-d.inflight[account]))
}

// full returns the accounts whose share is taken: the sweeper leaves
// their due messages for later.
func (d *dispatcher) full() []int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []int64
	for acc, n := range d.inflight {
		if n >= d.e.cfg.AccountQueue {
			out = append(out, acc)
		}
	}
	return out
}

// depth returns how many messages wait in memory.
func (d *dispatcher) depth() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for _, q := range d.senders {
		n += q.len()
	}
	return n
}

// enqueue queues a reserved message for its connection, starting the
// connection's workers on first use.
func (d *dispatcher) enqueue(r store.MessageRow) {
	d.mu.Lock()
	q := d.senders[r.ConnectionID]
	stopped := d.stopped
	d.mu.Unlock()
	if q == nil && !stopped {
		n := d.e.workers(r.ConnectionID) // may open the connection: not under d.mu
		d.mu.Lock()
		if q = d.senders[r.ConnectionID]; q == nil && !d.stopped {
			q = newFairQueue()
			d.senders[r.ConnectionID] = q
			for range n {
				d.wg.Add(1)
				go d.work(q)
			}
		}
		d.mu.Unlock()
	}
	if q == nil || !q.push(r) {
		d.unreserve(laneOf(r.Message)) // stopping: the lease runs out or is released
	}
}

// workers returns how many workers send a connection's messages: the
// configured number, or as many as a connector that keeps more in flight
// (channel.InFlighter) takes at once. An asynchronous connector needs no
// more: each worker hands it messages without waiting for them.
func (e *Engine) workers(connID int64) int {
	conn, _, err := e.routes.connector(e.ctx, connID)
	if err != nil {
		return e.cfg.Workers
	}
	if _, ok := conn.(channel.AsyncConnector); ok {
		return e.cfg.Workers
	}
	if f, ok := conn.(channel.InFlighter); ok {
		return max(e.cfg.Workers, f.InFlight())
	}
	return e.cfg.Workers
}

// work sends messages from q until it closes. A message's place is given
// back once its outcome is known, which for an asynchronous connector is
// after work has moved on.
func (d *dispatcher) work(q *fairQueue) {
	defer d.wg.Done()
	for {
		r, ok := q.pop()
		if !ok {
			return
		}
		d.wg.Add(1)
		lane := laneOf(r.Message)
		d.e.sendOne(d.e.ctx, r, func() {
			d.unreserve(lane)
			d.wg.Done()
		})
	}
}

// stop closes the queues, waits for the submissions in flight and releases
// the leases of the messages that were still waiting.
func (d *dispatcher) stop() {
	d.mu.Lock()
	d.stopped = true
	queues := d.senders
	d.mu.Unlock()
	var left []string
	for _, q := range queues {
		for _, r := range q.close() {
			left = append(left, r.ID)
			d.unreserve(laneOf(r.Message))
		}
	}
	d.wg.Wait()
	if len(left) > 0 {
		e := d.e
		if err := e.deps.Store.ReleaseMessages(context.Background(), e.cfg.Instance, left, e.now().UnixMilli()); err != nil {
			e.log.Warn("releasing queued messages", "messages", len(left), "err", err)
		}
	}
}

// kill closes the queues and waits for the workers, releasing nothing.
func (d *dispatcher) kill() {
	d.mu.Lock()
	d.stopped = true
	queues := d.senders
	d.mu.Unlock()
	for _, q := range queues {
		q.close()
	}
	d.wg.Wait()
}

// sendOne submits one claimed message and reports the outcome to the
// status writer, then calls release. An asynchronous connector
// (channel.AsyncConnector) reports the outcome later: sendOne returns once
// it has the message.
func (e *Engine) sendOne(ctx context.Context, r store.MessageRow, release func()) {
	m, now := r.Message, e.now()
	switch {
	case r.ClaimUntil-now.UnixMilli() < e.cfg.LeaseMargin.Milliseconds():
		release()
		return // the lease is nearly over: the message is claimed again
	case e.wasCanceled(m.ID):
		release()
		return
	case m.ValidUntil != nil && now.After(*m.ValidUntil):
		e.submitStatus(update{kind: kindStatus, id: m.ID, status: herald.StatusExpired, detail: herald.DetailExpired, at: now, row: &r})
		release()
		return
	}
	if !r.OptOutChecked { // the broadcast runner checked the contact a moment ago
		if d, err := e.optedOut(ctx, m); err != nil {
			u := e.retry(m, now, err)
			u.row = &r
			e.submitStatus(u)
			release()
			return
		} else if d != nil {
			e.submitStatus(update{kind: kindStatus, id: m.ID, status: herald.StatusRejected, detail: *d, at: now, row: &r})
			release()
			return
		}
	}
	conn, _, err := e.routes.connector(ctx, m.ConnectionID)
	if err == nil {
		err = payloadFor(conn, m)
	}
	var res channel.Result
	if err == nil {
		if ac, ok := conn.(channel.AsyncConnector); ok {
			err = ac.SendAsync(ctx, m, func(res channel.Result, err error) {
				e.submitted(r, now, res, err)
				release()
			})
			if err == nil {
				return
			}
		} else {
			res, err = conn.Send(ctx, m)
		}
	}
	e.submitted(r, now, res, err)
	release()
}

// submitted hands the outcome of r's submission, begun at now, to the
// status writer.
func (e *Engine) submitted(r store.MessageRow, now time.Time, res channel.Result, err error) {
	m := r.Message
	if err != nil {
		u := e.failure(m, now, err)
		u.row = &r
		e.submitStatus(u)
		return
	}
	if res.Status == "" {
		res.Status = herald.StatusSent
	}
	e.submitStatus(update{kind: kindSubmitted, id: m.ID, status: res.Status, providerID: res.ProviderID,
		providerCode: res.ProviderCode, at: e.now(), row: &r})
}

// failure turns a submission error into a retry or a failure.
func (e *Engine) failure(m *herald.Message, now time.Time, err error) update {
	ce := channel.Classify(err)
	if ce.Class == channel.ClassRetryable {
		u := e.retry(m, now, err)
		u.providerCode = ce.ProviderCode
		return u
	}
	return update{kind: kindFailure, id: m.ID, status: herald.StatusFailed, detail: ce.StatusDetail(),
		providerCode: ce.ProviderCode, errText: ce.Message(), at: now}
}

// retry returns the update that schedules another attempt after an
// exponential backoff with jitter: RetryBase, doubling, at most 5 minutes.
func (e *Engine) retry(m *herald.Message, now time.Time, err error) update {
	back := e.cfg.RetryBase
	for i := 0; i < m.Attempts && back < 5*time.Minute; i++ {
		back *= 2
	}
	back = min(back, 5*time.Minute)
	back = time.Duration(float64(back) * (0.8 + 0.4*rand.Float64()))
	return update{kind: kindRetry, id: m.ID, errText: err.Error(), retryAt: now.Add(back).UnixMilli(), at: now}
}

// optedOut returns the rejection detail when the contact opted out of the
// message's channel or sender ID.
func (e *Engine) optedOut(ctx context.Context, m *herald.Message) (*herald.StatusDetail, error) {
	dir := e.deps.Contacts
	if dir == nil || m.ContactID == 0 {
		return nil, nil
	}
	if e.optOuts != nil {
		return e.checkOptOut(ctx, m)
	}
	out, err := dir.OptedOut(ctx, m.AccountID, m.ContactID, m.Channel, m.SenderID)
	if err != nil || !out {
		return nil, err
	}
	whole, err := dir.OptedOut(ctx, m.AccountID, m.ContactID, m.Channel, "")
	if err != nil {
		return nil, err
	}
	if whole {
		return &herald.DetailOptedOutChan, nil
	}
	return &herald.DetailOptedOutSend, nil
}

// wasCanceled reports whether this process canceled message id.
func (e *Engine) wasCanceled(id string) bool {
	_, ok := e.canceled.Load(id)
	return ok
}

// submitStatus hands u to the status writer. It waits only while the
// writer's queue is full.
func (e *Engine) submitStatus(u update) {
	if err := e.status.Submit(context.Background(), u); err != nil {
		e.log.Warn("status change lost; the message's lease brings it back", "message", u.id, "err", err)
	}
}
