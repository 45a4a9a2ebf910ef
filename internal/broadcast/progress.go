package broadcast

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/heraldhq/herald"
)

// progressEvery is how often the progress of busy broadcasts is
// published: often enough for a live bar, seldom enough to cost nothing.
const progressEvery = 500 * time.Millisecond

// progress publishes broadcasts' progress on the events bus: at once for
// a status change, and every progressEvery for broadcasts whose counters
// moved (read from their row).
type progress struct {
	s *Service

	mu    sync.Mutex
	pub   Publisher
	dirty map[int64]int64 // broadcast -> account
}

func newProgress(s *Service) *progress { return &progress{s: s, dirty: map[int64]int64{}} }

// setPublisher sets where events go.
func (p *progress) setPublisher(pub Publisher) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pub = pub
}

// touch notes that broadcast id of account moved.
func (p *progress) touch(account, id int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.dirty[id] = account
}

// changed publishes b's new status at once.
func (p *progress) changed(b *herald.Broadcast) {
	p.publish(context.Background(), b)
}

// start publishes the touched broadcasts' progress until ctx ends.
func (p *progress) start(ctx context.Context, wg *sync.WaitGroup) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(progressEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				p.flush(context.WithoutCancel(ctx))
				return
			case <-t.C:
				p.flush(ctx)
			}
		}
	}()
}

// flush publishes the progress of every touched broadcast.
func (p *progress) flush(ctx context.Context) {
	p.mu.Lock()
	dirty := p.dirty
	p.dirty = map[int64]int64{}
	pub := p.pub
	p.mu.Unlock()
	if pub == nil {
		return
	}
	for id, account := range dirty {
		b, err := p.s.store.Broadcast(ctx, account, id)
		if err != nil {
			continue
		}
		p.publish(ctx, b)
	}
}

// publish sends b's progress event.
func (p *progress) publish(ctx context.Context, b *herald.Broadcast) {
	p.mu.Lock()
	pub := p.pub
	p.mu.Unlock()
	if pub == nil || b == nil {
		return
	}
	ev := herald.BroadcastProgress{ID: b.ID, AccountID: b.AccountID, Status: b.Status, Stats: b.Stats,
		Progress: b.Stats.Progress(), At: p.s.now()}
	data, _ := json.Marshal(ev) // plain fields always encode
	if err := pub.Publish(ctx, herald.BroadcastSubject(b.AccountID, b.ID), data); err != nil {
		p.s.log.Debug("publishing broadcast progress", "broadcast", b.ID, "err", err)
	}
}
