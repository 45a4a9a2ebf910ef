package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/jobs"
)

// housekeepingArgs is the periodic job that deletes expired sessions and
// idempotency results older than a day.
type housekeepingArgs struct{}

// Kind implements river.JobArgs.
func (housekeepingArgs) Kind() string { return "housekeeping" }

// housekeepingStore is what the job deletes from.
type housekeepingStore interface {
	herald.SessionStore
	herald.IdempotencyStore
}

// registerJobs registers every job kind of the process.
func registerJobs(reg *jobs.Registry, s housekeepingStore, clock herald.Clock, log *slog.Logger) error {
	err := jobs.RegisterFunc(reg, func(ctx context.Context, j *river.Job[housekeepingArgs]) error {
		sessions, err := s.DeleteExpiredSessions(ctx)
		if err != nil {
			return fmt.Errorf("deleting expired sessions: %w", err)
		}
		results, err := s.DeleteIdempotentResultsBefore(ctx, clock.Now().Add(-24*time.Hour))
		if err != nil {
			return fmt.Errorf("deleting idempotent results: %w", err)
		}
		log.Debug("housekeeping done", "sessions", sessions, "idempotent_results", results)
		return nil
	})
	if err != nil {
		return fmt.Errorf("registering housekeeping: %w", err)
	}
	return reg.Periodic(tick, housekeepingArgs{}, nil)
}
