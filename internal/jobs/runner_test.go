package jobs_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/jobs"
)

// wait bounds every "eventually" in these tests; it is generous because the
// machine may be busy, and no test waits for it unless something is broken.
const wait = 20 * time.Second

// markArgs is a test job carrying a mark that tells the jobs apart.
type markArgs struct {
	Mark string `json:"mark"`
}

func (markArgs) Kind() string { return "test_mark" }

// run is one execution of a markArgs job.
type run struct {
	mark string
	at   time.Time
}

// recorder registers a markArgs worker that reports each run on the returned
// channel. Marks "block" and "give-up" make the worker wait for its context
// and cancel itself.
func recorder(t *testing.T) (*jobs.Registry, chan run) {
	t.Helper()
	runs := make(chan run, 100)
	reg := jobs.NewRegistry()
	err := jobs.RegisterFunc(reg, func(ctx context.Context, job *river.Job[markArgs]) error {
		runs <- run{mark: job.Args.Mark, at: time.Now()}
		switch job.Args.Mark {
		case "block":
			<-ctx.Done()
			return ctx.Err()
		case "give-up":
			return river.JobCancel(errors.New("no longer needed"))
		}
		return nil
	})
	if err != nil {
		t.Fatalf("RegisterFunc: %v", err)
	}
	return reg, runs
}

// enqueue inserts a markArgs job and fails the test on error.
func enqueue(t *testing.T, r *jobs.Runner, mark string, opts *jobs.InsertOpts) int64 {
	t.Helper()
	id, err := r.Enqueue(t.Context(), markArgs{Mark: mark}, opts)
	if err != nil {
		t.Fatalf("Enqueue(%q): %v", mark, err)
	}
	return id
}

// nextRun waits for the next run and returns it.
func nextRun(t *testing.T, runs <-chan run) run {
	t.Helper()
	select {
	case got := <-runs:
		return got
	case <-time.After(wait):
		t.Fatalf("no job ran within %s", wait)
		return run{}
	}
}

// waitState waits until job id is in state want and returns it.
func waitState(t *testing.T, r *jobs.Runner, id int64, want jobs.State) jobs.JobInfo {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		info, err := r.Job(t.Context(), id)
		if err != nil {
			t.Fatalf("Job(%d): %v", id, err)
		}
		if info.State == want {
			return info
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %d: state %s after %s, want %s", id, info.State, wait, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestScheduledJob(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db testDB) {
		reg, runs := recorder(t)
		r := startRunner(t, db, reg)
		at := time.Now().Add(2 * time.Second)
		id := enqueue(t, r, "later", &jobs.InsertOpts{ScheduledAt: at})

		if info, err := r.Job(t.Context(), id); err != nil || info.State != jobs.StateScheduled {
			t.Fatalf("Job right after Enqueue = %+v, %v; want state scheduled", info, err)
		}
		got := nextRun(t, runs)
		// River stores times to the millisecond on SQLite; allow for rounding.
		if got.at.Before(at.Add(-10 * time.Millisecond)) {
			t.Errorf("job ran at %s, before its time %s", got.at.Format(time.StampMilli), at.Format(time.StampMilli))
		}
		waitState(t, r, id, jobs.StateCompleted)
	})
}

func TestPeriodicJob(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db testDB) {
		reg, runs := recorder(t)
		if err := reg.Periodic(200*time.Millisecond, markArgs{Mark: "tick"}, nil); err != nil {
			t.Fatalf("Periodic: %v", err)
		}
		startRunner(t, db, reg)
		for i := range 3 {
			if got := nextRun(t, runs); got.mark != "tick" {
				t.Fatalf("run %d: mark %q, want tick", i, got.mark)
			}
		}
	})
}

func TestPeriodicNeedsRegisteredKind(t *testing.T) {
	reg := jobs.NewRegistry()
	if err := reg.Periodic(time.Minute, markArgs{}, nil); err == nil {
		t.Error("Periodic with an unregistered kind: got nil error")
	}
}

// flakyArgs is a job whose first attempt fails.
type flakyArgs struct{}

func (flakyArgs) Kind() string { return "test_flaky" }

// flakyWorker fails attempt 1 and retries after a short delay.
type flakyWorker struct {
	river.WorkerDefaults[flakyArgs]
}

func (flakyWorker) NextRetry(*river.Job[flakyArgs]) time.Time {
	return time.Now().Add(100 * time.Millisecond)
}

func (flakyWorker) Work(_ context.Context, job *river.Job[flakyArgs]) error {
	if job.Attempt == 1 {
		return errors.New("first attempt fails")
	}
	return nil
}

func TestRetriedJob(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db testDB) {
		reg := jobs.NewRegistry()
		if err := jobs.Register(reg, flakyWorker{}); err != nil {
			t.Fatalf("Register: %v", err)
		}
		r := startRunner(t, db, reg)
		id, err := r.Enqueue(t.Context(), flakyArgs{}, nil)
		if err != nil {
			t.Fatalf("Enqueue: %v", err)
		}
		info := waitState(t, r, id, jobs.StateCompleted)
		if info.Attempt != 2 {
			t.Errorf("Attempt = %d, want 2", info.Attempt)
		}
		if len(info.Errors) != 1 || info.Errors[0].Attempt != 1 || info.Errors[0].Error != "first attempt fails" {
			t.Errorf("Errors = %+v, want one error of attempt 1: first attempt fails", info.Errors)
		}
	})
}

// slowArgs is a job kind with a short timeout and a single attempt.
type slowArgs struct{}

func (slowArgs) Kind() string { return "test_slow" }

func (slowArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 1} }

// slowWorker waits for its context, which its Timeout ends.
type slowWorker struct {
	river.WorkerDefaults[slowArgs]
}

func (slowWorker) Timeout(*river.Job[slowArgs]) time.Duration { return 100 * time.Millisecond }

func (slowWorker) Work(ctx context.Context, _ *river.Job[slowArgs]) error {
	<-ctx.Done()
	return ctx.Err()
}

func TestJobTimeoutAndMaxAttempts(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db testDB) {
		reg := jobs.NewRegistry()
		if err := jobs.Register(reg, slowWorker{}); err != nil {
			t.Fatalf("Register: %v", err)
		}
		r := startRunner(t, db, reg)
		id, err := r.Enqueue(t.Context(), slowArgs{}, nil)
		if err != nil {
			t.Fatalf("Enqueue: %v", err)
		}
		info := waitState(t, r, id, jobs.StateDiscarded)
		if info.MaxAttempts != 1 || info.Attempt != 1 {
			t.Errorf("Attempt/MaxAttempts = %d/%d, want 1/1", info.Attempt, info.MaxAttempts)
		}
		if len(info.Errors) != 1 || !strings.Contains(info.Errors[0].Error, "deadline exceeded") {
			t.Errorf("Errors = %+v, want one deadline exceeded error", info.Errors)
		}
	})
}

func TestCancelledJob(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db testDB) {
		reg, runs := recorder(t)
		r := startRunner(t, db, reg)
		t.Run("scheduled", func(t *testing.T) { testCancelScheduled(t, r, runs) })
		t.Run("running", func(t *testing.T) { testCancelRunning(t, r, runs) })
		t.Run("from worker", func(t *testing.T) { testCancelFromWorker(t, r, runs) })
		t.Run("unknown", func(t *testing.T) {
			if err := r.Cancel(t.Context(), 1<<40); !herald.IsNotFound(err) {
				t.Errorf("Cancel(unknown) = %v, want a not-found error", err)
			}
		})
	})
}

// testCancelScheduled cancels one of two jobs due at the same time; the other
// one running shows that the cancelled one had its chance and did not run.
func testCancelScheduled(t *testing.T, r *jobs.Runner, runs <-chan run) {
	at := time.Now().Add(time.Second)
	cancelled := enqueue(t, r, "cancelled", &jobs.InsertOpts{ScheduledAt: at})
	enqueue(t, r, "barrier", &jobs.InsertOpts{ScheduledAt: at})
	if err := r.Cancel(t.Context(), cancelled); err != nil {
		t.Fatalf("Cancel: %v", err)
	}
	if got := nextRun(t, runs); got.mark != "barrier" {
		t.Fatalf("ran %q, want barrier", got.mark)
	}
	select {
	case got := <-runs:
		t.Fatalf("ran %q after the barrier, want nothing", got.mark)
	case <-time.After(500 * time.Millisecond):
	}
	waitState(t, r, cancelled, jobs.StateCancelled)
}

// testCancelRunning cancels a job while its worker runs.
func testCancelRunning(t *testing.T, r *jobs.Runner, runs <-chan run) {
	id := enqueue(t, r, "block", nil)
	if got := nextRun(t, runs); got.mark != "block" {
		t.Fatalf("ran %q, want block", got.mark)
	}
	if err := r.Cancel(t.Context(), id); err != nil {
		t.Fatalf("Cancel: %v", err)
	}
	waitState(t, r, id, jobs.StateCancelled)
}

// testCancelFromWorker has the worker give up with river.JobCancel.
func testCancelFromWorker(t *testing.T, r *jobs.Runner, runs <-chan run) {
	id := enqueue(t, r, "give-up", nil)
	nextRun(t, runs)
	info := waitState(t, r, id, jobs.StateCancelled)
	if info.Attempt != 1 || len(info.Errors) != 1 || !strings.Contains(info.Errors[0].Error, "no longer needed") {
		t.Errorf("job = attempt %d, errors %+v; want attempt 1 with error no longer needed", info.Attempt, info.Errors)
	}
}

func TestEnqueueTx(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db testDB) {
		reg, runs := recorder(t)
		r := startRunner(t, db, reg)

		tx, _, rollback := db.begin(t)
		rolledBack, err := r.EnqueueTx(t.Context(), tx, markArgs{Mark: "rolled back"}, nil)
		if err != nil {
			t.Fatalf("EnqueueTx: %v", err)
		}
		if err := rollback(); err != nil {
			t.Fatalf("rollback: %v", err)
		}
		// Checked before the next insert: SQLite may reuse the rolled-back ID.
		if _, err := r.Job(t.Context(), rolledBack); !herald.IsNotFound(err) {
			t.Errorf("Job(rolled back) = %v, want a not-found error", err)
		}

		tx, commit, _ := db.begin(t)
		committed, err := r.EnqueueTx(t.Context(), tx, markArgs{Mark: "committed"}, nil)
		if err != nil {
			t.Fatalf("EnqueueTx: %v", err)
		}
		if err := commit(); err != nil {
			t.Fatalf("commit: %v", err)
		}
		if got := nextRun(t, runs); got.mark != "committed" {
			t.Errorf("ran %q, want committed", got.mark)
		}
		waitState(t, r, committed, jobs.StateCompleted)
	})
}

func TestEnqueueTxWrongType(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db testDB) {
		cfg := db.config(nil)
		cfg.InsertOnly = true
		r, err := jobs.New(cfg)
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		wrong := []any{nil, "tx"}
		if db.engine == jobs.EnginePostgres {
			tx, _, rollback := openSQLite(t).begin(t)
			defer rollback()
			wrong = append(wrong, tx)
		}
		for _, tx := range wrong {
			if _, err := r.EnqueueTx(t.Context(), tx, markArgs{}, nil); !errors.Is(err, jobs.ErrWrongTx) {
				t.Errorf("EnqueueTx(%T) = %v, want ErrWrongTx", tx, err)
			}
		}
	})
}

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	reg, _ := recorder(t)
	db := openSQLite(t)
	for name, change := range map[string]func(*jobs.Config){
		"unknown engine":    func(c *jobs.Config) { c.Engine = "mysql" },
		"sqlite without db": func(c *jobs.Config) { c.SQLite = nil },
		"postgres without pool": func(c *jobs.Config) {
			c.Engine = jobs.EnginePostgres
		},
		"worker without registry": func(c *jobs.Config) { c.Registry = nil },
		"worker without kinds":    func(c *jobs.Config) { c.Registry = jobs.NewRegistry() },
		"queue without workers":   func(c *jobs.Config) { c.Queues = map[string]int{"default": 0} },
	} {
		cfg := db.config(reg)
		change(&cfg)
		if _, err := jobs.New(cfg); err == nil {
			t.Errorf("%s: New returned nil error", name)
		}
	}
}

// TestInsertOnly inserts with an insert-only Runner and works the job with
// another Runner on the same database, as serve --role=api and --role=worker.
func TestInsertOnly(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db testDB) {
		reg, runs := recorder(t)
		cfg := db.config(reg)
		cfg.InsertOnly = true
		api, err := jobs.New(cfg)
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		if err := api.Migrate(t.Context()); err != nil {
			t.Fatalf("Migrate: %v", err)
		}
		if err := api.Start(t.Context()); err != nil {
			t.Fatalf("Start: %v", err)
		}
		id := enqueue(t, api, "from api", nil)
		select {
		case got := <-runs:
			t.Fatalf("insert-only runner worked %q", got.mark)
		case <-time.After(300 * time.Millisecond):
		}
		startRunner(t, db, reg)
		if got := nextRun(t, runs); got.mark != "from api" {
			t.Errorf("ran %q, want from api", got.mark)
		}
		waitState(t, api, id, jobs.StateCompleted)
		if err := api.Stop(t.Context()); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
}
