package store

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"sync"
	"testing"
)

// TestGroupCommit holds the writer with one transaction while four more
// queue up, so that those four share one group transaction: the one that
// fails and the one that panics leave nothing behind, the other two
// commit, and the panic reaches its own caller.
func TestGroupCommit(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, "", t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	insert := func(x *tx, id string) error {
		_, err := x.exec(ctx, "INSERT INTO engine_instances (id, started_at, heartbeat_at) VALUES ($1, $2, 1)", id, x.now)
		return err
	}
	release := make(chan struct{})
	holding := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		err := s.inTx(ctx, func(x *tx) error {
			close(holding)
			<-release
			return insert(x, "first")
		})
		if err != nil {
			t.Errorf("first: %v", err)
		}
	})
	<-holding
	failure := errors.New("refused")
	outcomes := make([]any, 4)
	for i, fn := range []func(x *tx) error{
		func(x *tx) error { return insert(x, "ok-1") },
		func(x *tx) error {
			if err := insert(x, "failed"); err != nil {
				return err
			}
			return failure
		},
		func(x *tx) error {
			if err := insert(x, "panicked"); err != nil {
				return err
			}
			panic("boom")
		},
		func(x *tx) error { return insert(x, "ok-2") },
	} {
		wg.Go(func() {
			defer func() {
				if p := recover(); p != nil {
					outcomes[i] = p
				}
			}()
			outcomes[i] = s.inTx(ctx, fn)
		})
	}
	for s.group.waiting.Load() < 5 { // the first and the four
		runtime.Gosched()
	}
	close(release)
	wg.Wait()
	if outcomes[0] != nil || outcomes[1] != failure || outcomes[2] != "boom" || outcomes[3] != nil {
		t.Errorf("outcomes = %v", outcomes)
	}
	ids, err := s.LiveInstances(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"first", "ok-1", "ok-2"}; !slices.Equal(ids, want) {
		t.Errorf("committed rows = %v; want %v", ids, want)
	}
}
