package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
)

// JobArgs is the arguments of one job kind: a JSON-encodable struct whose
// Kind method names the kind. It is River's type, named here for callers
// that need nothing else from River.
type JobArgs = river.JobArgs

// InsertOpts tunes one insertion: Queue, Priority, MaxAttempts, ScheduledAt,
// Tags and UniqueOpts. Job args may supply defaults with an InsertOpts method;
// options given at insertion win. It is River's type.
type InsertOpts = river.InsertOpts

// Schedule says when a periodic job runs next; River calls Next with the
// current time each time the job was enqueued.
type Schedule = river.PeriodicSchedule

// Registry collects the job kinds and periodic jobs of one Herald process. It
// is filled once by the wiring code and then handed to New; it is not safe for
// concurrent use while being filled, and it must not change after New.
type Registry struct {
	workers  *river.Workers
	kinds    map[string]bool
	periodic []*river.PeriodicJob
}

// NewRegistry returns an empty Registry.
func NewRegistry() *Registry {
	return &Registry{workers: river.NewWorkers(), kinds: make(map[string]bool)}
}

// Register adds the worker w for the job kind T. It returns an error when the
// kind is already registered. The worker's Timeout and NextRetry methods set
// the kind's timeout and retry delays; embed river.WorkerDefaults[T] to keep
// River's defaults (one minute, exponential backoff).
func Register[T JobArgs](r *Registry, w river.Worker[T]) error {
	var args T
	kind := args.Kind()
	if err := river.AddWorkerSafely(r.workers, w); err != nil {
		return fmt.Errorf("registering job kind %q: %w", kind, err)
	}
	r.kinds[kind] = true
	return nil
}

// RegisterFunc adds fn as the worker for the job kind T, with River's default
// timeout and retry policy.
func RegisterFunc[T JobArgs](r *Registry, fn func(context.Context, *river.Job[T]) error) error {
	return Register(r, river.WorkFunc(fn))
}

// Periodic enqueues args every interval, with opts (nil for the kind's
// defaults). Only the elected leader among the working processes enqueues,
// so a periodic job runs once per interval across the cluster; the first run
// is one interval after a leader takes office. The kind of args must be
// registered first.
func (r *Registry) Periodic(interval time.Duration, args JobArgs, opts *InsertOpts) error {
	if interval <= 0 {
		return fmt.Errorf("adding periodic job %q: interval %s is not positive", args.Kind(), interval)
	}
	return r.PeriodicSchedule(river.PeriodicInterval(interval), args, opts)
}

// PeriodicSchedule is Periodic with a schedule of the caller's, for example
// "every day at 03:00".
func (r *Registry) PeriodicSchedule(s Schedule, args JobArgs, opts *InsertOpts) error {
	if s == nil || args == nil {
		return errors.New("adding periodic job: schedule and args are required")
	}
	if !r.kinds[args.Kind()] {
		return fmt.Errorf("adding periodic job %q: kind is not registered", args.Kind())
	}
	construct := func() (river.JobArgs, *river.InsertOpts) { return args, copyOpts(opts) }
	r.periodic = append(r.periodic, river.NewPeriodicJob(s, construct, nil))
	return nil
}

// copyOpts returns a copy of opts so that River may fill defaults in without
// changing the caller's value between periodic runs.
func copyOpts(opts *InsertOpts) *InsertOpts {
	if opts == nil {
		return nil
	}
	c := *opts
	return &c
}
