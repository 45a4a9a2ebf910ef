package broadcast

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/heraldhq/herald/internal/jobs"
)

// SchedulePeriod is how often due broadcast templates are launched.
const SchedulePeriod = 10 * time.Second

// LaunchArgs is the job that launches a scheduled broadcast at its time.
// It is queued in the transaction that schedules the broadcast; a
// broadcast rescheduled meanwhile has a job of its own, and this one does
// nothing.
type LaunchArgs struct {
	AccountID   int64     `json:"account_id"`
	BroadcastID int64     `json:"broadcast_id"`
	At          time.Time `json:"at"`
}

// Kind implements jobs.JobArgs.
func (LaunchArgs) Kind() string { return "broadcast_launch" }

// InsertOpts retries a launch that failed for a passing reason.
func (LaunchArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 25} }

// ScheduleArgs is the periodic job that launches the broadcast templates
// whose schedule is due.
type ScheduleArgs struct{}

// Kind implements jobs.JobArgs.
func (ScheduleArgs) Kind() string { return "broadcast_schedule" }

// errNoService retries a job that ran before the service was built.
var errNoService = fmt.Errorf("broadcast: the service is not running yet")

// RegisterJobs registers the broadcast job kinds and the periodic template
// launcher with reg. service returns the service once it is built (the
// registry is filled before messaging opens).
func RegisterJobs(reg *jobs.Registry, service func() *Service) error {
	err := jobs.RegisterFunc(reg, func(ctx context.Context, j *river.Job[LaunchArgs]) error {
		s := service()
		if s == nil {
			return errNoService
		}
		return s.launchScheduled(ctx, j.Args.AccountID, j.Args.BroadcastID, j.Args.At)
	})
	if err != nil {
		return fmt.Errorf("registering broadcast launches: %w", err)
	}
	err = jobs.RegisterFunc(reg, func(ctx context.Context, j *river.Job[ScheduleArgs]) error {
		s := service()
		if s == nil {
			return errNoService
		}
		return s.LaunchDue(ctx)
	})
	if err != nil {
		return fmt.Errorf("registering broadcast schedules: %w", err)
	}
	return reg.Periodic(SchedulePeriod, ScheduleArgs{}, nil)
}
