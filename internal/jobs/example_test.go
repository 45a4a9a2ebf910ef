package jobs_test

import (
	"context"
	"database/sql"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/heraldhq/herald/internal/jobs"
)

// reportArgs is a job kind. Its InsertOpts method sets the kind's defaults.
type reportArgs struct {
	AccountID int64 `json:"account_id"`
}

func (reportArgs) Kind() string { return "report" }

func (reportArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5, Queue: "reports"}
}

// reportWorker works reportArgs with its own timeout and retry delays.
type reportWorker struct {
	river.WorkerDefaults[reportArgs]
}

func (reportWorker) Timeout(*river.Job[reportArgs]) time.Duration { return 10 * time.Minute }

func (reportWorker) NextRetry(job *river.Job[reportArgs]) time.Time {
	return time.Now().Add(time.Duration(job.Attempt) * time.Minute)
}

func (reportWorker) Work(ctx context.Context, job *river.Job[reportArgs]) error {
	return nil // build the report of job.Args.AccountID
}

// Example shows the wiring: register kinds once, migrate, start, enqueue in
// the transaction that writes the data, stop on shutdown.
func Example() {
	ctx := context.Background()
	var db *sql.DB // Herald's SQLite writer (or Engine: EnginePostgres, Pool: pool)

	reg := jobs.NewRegistry()
	if err := jobs.Register(reg, reportWorker{}); err != nil {
		panic(err)
	}
	if err := reg.Periodic(24*time.Hour, reportArgs{}, nil); err != nil {
		panic(err)
	}
	r, err := jobs.New(jobs.Config{
		Engine:   jobs.EngineSQLite,
		SQLite:   db,
		Logger:   slog.Default(),
		Registry: reg,
		Queues:   map[string]int{"default": 10, "reports": 2},
	})
	if err != nil {
		panic(err)
	}
	if err := r.Migrate(ctx); err != nil {
		panic(err)
	}
	if err := r.Start(ctx); err != nil {
		panic(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = r.Stop(ctx)
	}()

	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		panic(err)
	}
	defer tx.Rollback()
	// ... write the data the job needs with tx ...
	if _, err := r.EnqueueTx(ctx, tx, reportArgs{AccountID: 1}, nil); err != nil {
		panic(err)
	}
	if err := tx.Commit(); err != nil {
		panic(err)
	}
}
