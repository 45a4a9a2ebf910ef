package jobs

import (
	"time"

	"github.com/riverqueue/river/rivertype"
)

// State is where a job is in its life.
type State string

// Job states, as River names them.
const (
	StatePending   State = "pending"   // inserted, waiting for an outside trigger
	StateScheduled State = "scheduled" // waiting for its ScheduledAt
	StateAvailable State = "available" // ready to be worked
	StateRunning   State = "running"   // being worked
	StateRetryable State = "retryable" // failed, waiting for its next attempt
	StateCompleted State = "completed" // done (final)
	StateCancelled State = "cancelled" // cancelled (final)
	StateDiscarded State = "discarded" // failed its last attempt (final)
)

// Final reports whether a job in state s will never run again.
func (s State) Final() bool {
	return s == StateCompleted || s == StateCancelled || s == StateDiscarded
}

// JobInfo is a snapshot of one job.
type JobInfo struct {
	ID          int64
	Kind        string
	Queue       string
	State       State
	Attempt     int // attempts started so far; 0 before the first
	MaxAttempts int
	Errors      []AttemptError // one per failed attempt, oldest first
	Args        []byte         // the args as JSON
	CreatedAt   time.Time
	ScheduledAt time.Time
	AttemptedAt time.Time // start of the last attempt; zero before the first
	FinalizedAt time.Time // zero until the job reaches a final state
}

// AttemptError is the error of one failed attempt.
type AttemptError struct {
	Attempt int
	At      time.Time
	Error   string
}

// jobInfo converts River's job row.
func jobInfo(row *rivertype.JobRow) JobInfo {
	info := JobInfo{
		ID:          row.ID,
		Kind:        row.Kind,
		Queue:       row.Queue,
		State:       State(row.State),
		Attempt:     row.Attempt,
		MaxAttempts: row.MaxAttempts,
		Args:        row.EncodedArgs,
		CreatedAt:   row.CreatedAt,
		ScheduledAt: row.ScheduledAt,
	}
	if row.AttemptedAt != nil {
		info.AttemptedAt = *row.AttemptedAt
	}
	if row.FinalizedAt != nil {
		info.FinalizedAt = *row.FinalizedAt
	}
	for _, e := range row.Errors {
		info.Errors = append(info.Errors, AttemptError{Attempt: e.Attempt, At: e.At, Error: e.Error})
	}
	return info
}
