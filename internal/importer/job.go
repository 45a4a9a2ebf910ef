package importer

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/heraldhq/herald/internal/jobs"
)

// JobArgs is the background job that runs one import.
type JobArgs struct {
	ImportID int64 `json:"import_id"`
}

// Kind implements jobs.JobArgs.
func (JobArgs) Kind() string { return "contact_import" }

// InsertOpts retries an import that failed for a passing reason (the
// database, a restart); each attempt goes on from the checkpoint.
func (JobArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 10} }

// worker runs imports.
type worker struct {
	river.WorkerDefaults[JobArgs]
	store RunStore
	batch int
}

// Timeout is long: a file of millions of rows takes minutes.
func (worker) Timeout(*river.Job[JobArgs]) time.Duration { return 6 * time.Hour }

// Work implements river.Worker.
func (w worker) Work(ctx context.Context, j *river.Job[JobArgs]) error {
	_, err := Run(ctx, w.store, j.Args.ImportID, w.batch)
	return err
}

// RegisterJob registers the import job kind with reg.
func RegisterJob(reg *jobs.Registry, s RunStore) error {
	if err := jobs.Register(reg, worker{store: s, batch: DefaultBatch}); err != nil {
		return fmt.Errorf("registering contact imports: %w", err)
	}
	return nil
}
