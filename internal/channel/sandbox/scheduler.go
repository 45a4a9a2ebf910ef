package sandbox

import (
	"container/heap"
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/channel"
)

// TextPayload returns the payload {"text": text}.
func TextPayload(text string) json.RawMessage {
	b, _ := json.Marshal(map[string]string{"text": text}) // a string always encodes
	return b
}

// job is a report or an inbound message due at a time.
type job struct {
	at      time.Time
	sink    channel.Sink
	report  *channel.Report
	inbound *channel.Inbound
}

// jobs is a min-heap by time; its methods implement heap.Interface.
type jobs []job

func (h jobs) Len() int           { return len(h) }
func (h jobs) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h jobs) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *jobs) Push(x any)        { *h = append(*h, x.(job)) }
func (h *jobs) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// scheduler hands jobs to their sinks when they are due, all due reports
// of a sink in one call.
type scheduler struct {
	clock herald.Clock
	mu    sync.Mutex
	h     jobs
	wake  chan struct{}
	done  chan struct{}
	wg    sync.WaitGroup
	once  sync.Once
}

// newScheduler returns a stopped scheduler.
func newScheduler(clock herald.Clock) *scheduler {
	return &scheduler{clock: clock, wake: make(chan struct{}, 1), done: make(chan struct{})}
}

// add queues j at time at.
func (s *scheduler) add(at time.Time, j job) {
	j.at = at
	s.mu.Lock()
	heap.Push(&s.h, j)
	first := s.h[0].at.Equal(at)
	s.mu.Unlock()
	if first {
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
}

// len returns how many jobs wait.
func (s *scheduler) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.h)
}

// start runs the scheduler until stop or ctx ends.
func (s *scheduler) start(ctx context.Context) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.run(ctx)
	}()
}

// stop ends the scheduler and waits for it.
func (s *scheduler) stop() {
	s.once.Do(func() { close(s.done) })
	s.wg.Wait()
}

// run waits for the next due job and fires every due job.
func (s *scheduler) run(ctx context.Context) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		due, next := s.due()
		s.fire(ctx, due)
		if len(due) > 0 {
			continue
		}
		timer.Reset(next)
		select {
		case <-timer.C:
		case <-s.wake:
		case <-s.done:
			return
		case <-ctx.Done():
			return
		}
	}
}

// due pops the jobs that are due, at most 2000, and returns how long to
// wait for the next when there are none.
func (s *scheduler) due() ([]job, time.Duration) {
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []job
	for len(s.h) > 0 && !s.h[0].at.After(now) && len(out) < 2000 {
		out = append(out, heap.Pop(&s.h).(job))
	}
	if len(s.h) == 0 {
		return out, time.Hour
	}
	return out, max(time.Millisecond, s.h[0].at.Sub(now))
}

// fire hands jobs to their sinks. Errors are the sink's to log: a lost
// report is rescheduled at the next start.
func (s *scheduler) fire(ctx context.Context, due []job) {
	bySink := map[channel.Sink][]channel.Report{}
	for _, j := range due {
		switch {
		case j.report != nil:
			r := *j.report
			r.At = j.at
			bySink[j.sink] = append(bySink[j.sink], r)
		case j.inbound != nil:
			in := *j.inbound
			in.At = j.at
			_, _ = j.sink.Receive(ctx, in)
		}
	}
	for sink, reports := range bySink {
		_ = sink.Report(ctx, reports...)
	}
}
