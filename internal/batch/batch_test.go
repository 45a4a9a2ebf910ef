package batch

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestGroups checks that concurrent items are flushed together, each
// caller gets its own outcome, and nothing is lost.
func TestGroups(t *testing.T) {
	var flushes, total atomic.Int64
	b := New(Config{MaxSize: 50, Linger: time.Millisecond}, func(_ context.Context, items []int) ([]error, error) {
		flushes.Add(1)
		total.Add(int64(len(items)))
		if len(items) > 50 {
			t.Errorf("batch of %d, max 50", len(items))
		}
		errs := make([]error, len(items))
		for i, n := range items {
			if n%10 == 0 {
				errs[i] = errors.New("tens fail")
			}
		}
		time.Sleep(time.Millisecond)
		return errs, nil
	})
	b.Start(context.Background())
	var wg sync.WaitGroup
	var failed atomic.Int64
	for i := range 1000 {
		wg.Go(func() {
			if err := b.Do(context.Background(), i); err != nil {
				failed.Add(1)
			}
		})
	}
	wg.Wait()
	b.Stop()
	if total.Load() != 1000 || failed.Load() != 100 {
		t.Errorf("flushed %d items, %d failed; want 1000, 100", total.Load(), failed.Load())
	}
	if flushes.Load() >= 500 {
		t.Errorf("%d flushes for 1000 concurrent items: not batching", flushes.Load())
	}
}

// TestBatchError fails every item of a batch whose flush fails.
func TestBatchError(t *testing.T) {
	boom := errors.New("boom")
	b := New(Config{}, func(context.Context, []string) ([]error, error) { return nil, boom })
	b.Start(context.Background())
	defer b.Stop()
	if err := b.Do(context.Background(), "x"); !errors.Is(err, boom) {
		t.Errorf("Do = %v, want boom", err)
	}
}

// TestStopDrains flushes submitted items on Stop and refuses new ones.
func TestStopDrains(t *testing.T) {
	var total atomic.Int64
	release := make(chan struct{})
	b := New(Config{MaxSize: 10, Queue: 100}, func(_ context.Context, items []int) ([]error, error) {
		<-release
		total.Add(int64(len(items)))
		return nil, nil
	})
	b.Start(context.Background())
	for i := range 50 {
		if err := b.Submit(context.Background(), i); err != nil {
			t.Fatal(err)
		}
	}
	close(release)
	b.Stop()
	if total.Load() != 50 {
		t.Errorf("flushed %d of 50 submitted items", total.Load())
	}
	if err := b.Submit(context.Background(), 1); !errors.Is(err, ErrStopped) {
		t.Errorf("Submit after Stop = %v, want ErrStopped", err)
	}
}
