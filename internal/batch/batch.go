// Package batch groups work that many goroutines hand in concurrently so
// that it can be done together: the messaging engine commits many messages
// or status changes in one database transaction (group commit).
//
// A Batcher has a bounded queue and one or more flushers. A flusher takes
// the first waiting item, then every item already queued up to MaxSize,
// lingers at most Linger for more while the batch is not full, and calls
// Flush with the batch. While a flush runs, new items queue up, so batches
// grow with the load and add no latency when there is little.
package batch

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ErrStopped is returned for items handed to a Batcher that has stopped.
var ErrStopped = errors.New("batch: stopped")

// Config tunes a Batcher.
type Config struct {
	MaxSize int           // items per flush; default 500
	Linger  time.Duration // how long a non-full batch waits for more; 0 flushes at once
	Queue   int           // items that may wait; Submit blocks beyond; default 4 × MaxSize
	Workers int           // concurrent flushers; default 1
}

// Flush does one batch. It returns one error per item (nil for success),
// or a single error that fails the whole batch. It must not keep items.
type Flush[T any] func(ctx context.Context, items []T) ([]error, error)

// entry is one queued item and where its outcome goes: done, or cb, or
// nowhere when both are nil.
type entry[T any] struct {
	item T
	done chan error
	cb   func(error)
}

// Batcher groups items and flushes them. Its methods are safe for
// concurrent use.
type Batcher[T any] struct {
	cfg   Config
	flush Flush[T]
	in    chan entry[T]
	stop  chan struct{}
	once  sync.Once
	wg    sync.WaitGroup
}

// New returns a Batcher that calls flush; Start runs it.
func New[T any](cfg Config, flush Flush[T]) *Batcher[T] {
	if cfg.MaxSize <= 0 {
		cfg.MaxSize = 500
	}
	if cfg.Queue <= 0 {
		cfg.Queue = 4 * cfg.MaxSize
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 1
	}
	return &Batcher[T]{cfg: cfg, flush: flush, in: make(chan entry[T], cfg.Queue), stop: make(chan struct{})}
}

// Start runs the flushers until Stop; flushes use ctx.
func (b *Batcher[T]) Start(ctx context.Context) {
	for range b.cfg.Workers {
		b.wg.Add(1)
		go func() {
			defer b.wg.Done()
			b.run(ctx)
		}()
	}
}

// Stop flushes what is queued and waits for the flushers to end. Items
// handed in after Stop fail with ErrStopped.
func (b *Batcher[T]) Stop() {
	b.once.Do(func() { close(b.stop) })
	b.wg.Wait()
}

// Len returns how many items wait.
func (b *Batcher[T]) Len() int { return len(b.in) }

// Do hands in item and waits until its batch is flushed, returning its
// outcome. It returns ctx's error if ctx ends first (the item may still be
// flushed).
func (b *Batcher[T]) Do(ctx context.Context, item T) error {
	done := make(chan error, 1)
	if err := b.put(ctx, entry[T]{item: item, done: done}); err != nil {
		return err
	}
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Go hands in item and returns once it is queued; cb gets its outcome
// after its batch is flushed, on the flusher's goroutine (it must not
// block). When item cannot be queued Go returns that error and never
// calls cb.
func (b *Batcher[T]) Go(ctx context.Context, item T, cb func(error)) error {
	return b.put(ctx, entry[T]{item: item, cb: cb})
}

// Submit hands in item without waiting for its flush. It blocks while the
// queue is full, which slows producers down to what flushing keeps up with.
func (b *Batcher[T]) Submit(ctx context.Context, item T) error {
	return b.put(ctx, entry[T]{item: item})
}

// put queues e unless the Batcher stopped or ctx ended.
func (b *Batcher[T]) put(ctx context.Context, e entry[T]) error {
	select {
	case <-b.stop:
		return ErrStopped
	default:
	}
	select {
	case b.in <- e:
		return nil
	case <-b.stop:
		return ErrStopped
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run is one flusher.
func (b *Batcher[T]) run(ctx context.Context) {
	batch := make([]entry[T], 0, b.cfg.MaxSize)
	for {
		select {
		case e := <-b.in:
			batch = b.fill(append(batch[:0], e))
			b.do(ctx, batch)
		case <-b.stop:
			b.drain(ctx, batch)
			return
		}
	}
}

// fill adds queued items to batch, lingering for more while it is not full.
func (b *Batcher[T]) fill(batch []entry[T]) []entry[T] {
	var linger <-chan time.Time
	if b.cfg.Linger > 0 {
		t := time.NewTimer(b.cfg.Linger)
		defer t.Stop()
		linger = t.C
	}
	for len(batch) < b.cfg.MaxSize {
		select {
		case e := <-b.in:
			batch = append(batch, e)
			continue
		default:
		}
		if linger == nil {
			return batch
		}
		select {
		case e := <-b.in:
			batch = append(batch, e)
		case <-linger:
			return batch
		}
	}
	return batch
}

// drain flushes everything still queued when stopping.
func (b *Batcher[T]) drain(ctx context.Context, batch []entry[T]) {
	for {
		batch = batch[:0]
		for len(batch) < b.cfg.MaxSize {
			select {
			case e := <-b.in:
				batch = append(batch, e)
				continue
			default:
			}
			break
		}
		if len(batch) == 0 {
			return
		}
		b.do(ctx, batch)
	}
}

// do flushes batch and reports each outcome.
func (b *Batcher[T]) do(ctx context.Context, batch []entry[T]) {
	items := make([]T, len(batch))
	for i, e := range batch {
		items[i] = e.item
	}
	errs, err := b.flush(ctx, items)
	for i, e := range batch {
		if e.done == nil && e.cb == nil {
			continue
		}
		out := err
		if out == nil && i < len(errs) {
			out = errs[i]
		}
		if e.cb != nil {
			e.cb(out)
		} else {
			e.done <- out
		}
	}
}

// DoAll hands in items and waits until all are flushed. It returns the
// first failure, if any.
func (b *Batcher[T]) DoAll(ctx context.Context, items ...T) error {
	dones := make([]chan error, len(items))
	for i, it := range items {
		dones[i] = make(chan error, 1)
		if err := b.put(ctx, entry[T]{item: it, done: dones[i]}); err != nil {
			return err
		}
	}
	var first error
	for _, d := range dones {
		select {
		case err := <-d:
			if first == nil {
				first = err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return first
}

// DoEach hands in items and waits until each is flushed, returning one
// outcome per item: an item that could not be handed in (the Batcher
// stopped) has that error, and once ctx ends the items still waiting have
// ctx's error (they may still be flushed).
func (b *Batcher[T]) DoEach(ctx context.Context, items []T) []error {
	errs := make([]error, len(items))
	dones := make([]chan error, len(items))
	for i, it := range items {
		done := make(chan error, 1)
		if err := b.put(ctx, entry[T]{item: it, done: done}); err != nil {
			errs[i] = err
			continue
		}
		dones[i] = done
	}
	for i, d := range dones {
		if d == nil {
			continue
		}
		select {
		case errs[i] = <-d:
		case <-ctx.Done():
			errs[i] = ctx.Err()
		}
	}
	return errs
}
