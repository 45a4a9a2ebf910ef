package jobs_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/heraldhq/herald/internal/jobs"
)

// holdArgs is a job that runs until released or cancelled.
type holdArgs struct{}

func (holdArgs) Kind() string { return "test_hold" }

// holdRunner starts a Runner whose holdArgs worker reports its start on
// started, returns nil once release is closed, and returns its context's
// error when that ends first.
func holdRunner(t *testing.T, db testDB) (r *jobs.Runner, started chan struct{}, release chan struct{}) {
	t.Helper()
	started, release = make(chan struct{}, 1), make(chan struct{})
	reg := jobs.NewRegistry()
	err := jobs.RegisterFunc(reg, func(ctx context.Context, _ *river.Job[holdArgs]) error {
		started <- struct{}{}
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	if err != nil {
		t.Fatalf("RegisterFunc: %v", err)
	}
	return startRunner(t, db, reg), started, release
}

// enqueueStarted enqueues a holdArgs job and waits for it to start.
func enqueueStarted(t *testing.T, r *jobs.Runner, started <-chan struct{}) int64 {
	t.Helper()
	id, err := r.Enqueue(t.Context(), holdArgs{}, nil)
	if err != nil {
		t.Fatalf("Enqueue: %v", err)
	}
	select {
	case <-started:
	case <-time.After(wait):
		t.Fatalf("job did not start within %s", wait)
	}
	return id
}

func TestStopWaitsForRunningJobs(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db testDB) {
		r, started, release := holdRunner(t, db)
		id := enqueueStarted(t, r, started)

		stopped := make(chan error, 1)
		go func() { stopped <- r.Stop(context.WithoutCancel(t.Context())) }()
		select {
		case err := <-stopped:
			t.Fatalf("Stop returned %v while a job was running", err)
		case <-time.After(300 * time.Millisecond):
		}
		close(release)
		select {
		case err := <-stopped:
			if err != nil {
				t.Fatalf("Stop: %v", err)
			}
		case <-time.After(wait):
			t.Fatalf("Stop did not return within %s of the job's end", wait)
		}
		if info, err := r.Job(t.Context(), id); err != nil || info.State != jobs.StateCompleted {
			t.Errorf("Job after Stop = %+v, %v; want state completed", info, err)
		}
	})
}

func TestStopDeadlineCancelsJobs(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db testDB) {
		r, started, _ := holdRunner(t, db)
		id := enqueueStarted(t, r, started)

		ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
		defer cancel()
		if err := r.Stop(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Stop = %v, want a deadline exceeded error", err)
		}
		// The interrupted job goes back to the queue for another attempt.
		info, err := r.Job(t.Context(), id)
		if err != nil || info.State.Final() || info.State == jobs.StateRunning {
			t.Errorf("Job after Stop = %+v, %v; want it waiting for a retry", info, err)
		}
	})
}

func TestStopWithoutStart(t *testing.T) {
	t.Parallel()
	reg, _ := recorder(t)
	r, err := jobs.New(openSQLite(t).config(reg))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := r.Stop(t.Context()); err != nil {
		t.Errorf("Stop without Start = %v, want nil", err)
	}
}
