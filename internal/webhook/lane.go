package webhook

import (
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
)

// laneQueue bounds the deliveries waiting in one lane.
const laneQueue = 20000

// laneIdle is how long a lane without work lives.
const laneIdle = time.Minute

// lane sends the deliveries of one URL and key: one per request, or in
// batches when the key's settings ask for it. Requests to one host share
// the host's concurrency limit.
type lane struct {
	d       *Deliverer
	key     laneKey
	account int64
	in      chan *herald.WebhookDelivery
}

// run sends until the Deliverer stops or the lane is idle.
func (l *lane) run() {
	idle := time.NewTimer(laneIdle)
	defer idle.Stop()
	for {
		select {
		case <-l.d.ctx.Done():
			return
		case del := <-l.in:
			l.send(del)
			idle.Reset(laneIdle)
		case <-idle.C:
			if l.d.retireLane(l) {
				return
			}
			idle.Reset(laneIdle)
		}
	}
}

// settings returns the key's settings; nil (unsigned, single) for
// deliveries without a key.
func (l *lane) settings() *herald.WebhookSettings {
	if l.key.apiKey == 0 {
		return nil
	}
	w, err := l.d.settings.ForKey(l.d.ctx, l.account, l.key.apiKey)
	if err != nil {
		l.d.log.Warn("webhook settings unavailable; sending unsigned", "api_key", l.key.apiKey, "err", err)
		return nil
	}
	return w
}

// send sends first and, when batching, what arrives within the batch wait.
func (l *lane) send(first *herald.WebhookDelivery) {
	w := l.settings()
	ds := []*herald.WebhookDelivery{first}
	if w != nil && w.Batch {
		ds = l.collect(ds, w.BatchSize, w.BatchWait)
	}
	body, sent, skipped := bodyOf(w, ds)
	if len(skipped) > 0 {
		l.skip(skipped)
	}
	if len(sent) == 0 {
		return
	}
	sem := l.d.host(l.key.url)
	select {
	case sem <- struct{}{}:
	case <-l.d.ctx.Done():
		return
	}
	l.d.wg.Add(1)
	go func() {
		defer l.d.wg.Done()
		defer func() { <-sem }()
		res := l.d.post(l.d.ctx, w, sent, body)
		if l.d.ctx.Err() != nil && !res.Delivered {
			return // stopping: the claim runs out and the delivery is tried again
		}
		_ = l.d.results.Submit(l.d.ctx, res)
	}()
}

// collect adds deliveries that arrive within wait, up to size in all.
func (l *lane) collect(ds []*herald.WebhookDelivery, size int, wait time.Duration) []*herald.WebhookDelivery {
	t := time.NewTimer(wait)
	defer t.Stop()
	for len(ds) < size {
		select {
		case del := <-l.in:
			ds = append(ds, del)
		case <-t.C:
			return ds
		case <-l.d.ctx.Done():
			return ds
		}
	}
	return ds
}

// skip records deliveries the key's format cannot carry as done without a
// request.
func (l *lane) skip(ds []*herald.WebhookDelivery) {
	ids := make([]int64, len(ds))
	for i, del := range ds {
		ids[i] = del.ID
	}
	res := store.AttemptResult{Delivered: true, Attempt: herald.WebhookAttempt{AccountID: ds[0].AccountID, DeliveryIDs: ids,
		URL: ds[0].URL, At: l.d.clock.Now(), Error: "not sent: the delivery-info format has no notification for this event"}}
	_ = l.d.results.Submit(l.d.ctx, res)
}
