package jobs

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/heraldhq/herald"
)

// Engines a Runner works on.
const (
	EngineSQLite   = "sqlite"
	EnginePostgres = "postgres"
)

// Defaults for Config.
const (
	DefaultConcurrency  = 10          // workers of the default queue
	DefaultPollInterval = time.Second // fallback fetch poll of each queue
)

// stopCancelGrace bounds how long Stop waits for jobs to return once their
// contexts were cancelled after a graceful stop ran out of time.
const stopCancelGrace = 5 * time.Second

// ErrWrongTx is returned by EnqueueTx when the transaction is not of the
// engine's type (*sql.Tx for SQLite, pgx.Tx for PostgreSQL).
var ErrWrongTx = errors.New("transaction type does not match the job engine")

// Config configures a Runner.
type Config struct {
	Engine string        // EngineSQLite or EnginePostgres
	SQLite *sql.DB       // the writer database for EngineSQLite (one connection)
	Pool   *pgxpool.Pool // the pool for EnginePostgres
	Logger *slog.Logger  // River's and the Runner's logs; nil discards them

	// Registry holds the job kinds and periodic jobs. It is required unless
	// InsertOnly is set, in which case it is optional and, when given, lets
	// inserts of unknown kinds fail early.
	Registry *Registry

	// Queues maps queue names to how many jobs of that queue this process
	// works at once. Nil means {"default": DefaultConcurrency}.
	Queues map[string]int

	// PollInterval is how often each queue looks for due jobs besides the
	// notifications that announce new ones (PostgreSQL's LISTEN/NOTIFY,
	// SQLite's polled outbox). Zero means DefaultPollInterval.
	PollInterval time.Duration

	// InsertOnly makes a Runner that inserts, reads and cancels jobs but
	// works none and runs no periodic jobs (serve --role=api).
	InsertOnly bool
}

// Runner enqueues and works Herald's durable jobs. Its methods are safe for
// concurrent use.
type Runner struct {
	engine     engine
	logger     *slog.Logger
	insertOnly bool
}

// New returns a Runner for cfg. It does not touch the database: call Migrate
// before the first Start or Enqueue.
func New(cfg Config) (*Runner, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	rc, err := riverConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("configuring jobs: %w", err)
	}
	var e engine
	switch cfg.Engine {
	case EngineSQLite:
		e, err = newSQLiteEngine(cfg.SQLite, rc)
	case EnginePostgres:
		e, err = newPostgresEngine(cfg.Pool, rc)
	default:
		err = fmt.Errorf("unknown engine %q", cfg.Engine)
	}
	if err != nil {
		return nil, fmt.Errorf("configuring jobs: %w", err)
	}
	return &Runner{engine: e, logger: cfg.Logger, insertOnly: cfg.InsertOnly}, nil
}

// riverConfig translates cfg into River's configuration.
func riverConfig(cfg Config) (*river.Config, error) {
	poll := cmp.Or(cfg.PollInterval, DefaultPollInterval)
	rc := &river.Config{
		Logger:            cfg.Logger,
		FetchPollInterval: poll,
		FetchCooldown:     min(river.FetchCooldownDefault, poll), // River wants cooldown <= poll
	}
	if cfg.Registry != nil {
		rc.Workers = cfg.Registry.workers
	}
	if cfg.InsertOnly {
		return rc, nil
	}
	if cfg.Registry == nil || len(cfg.Registry.kinds) == 0 {
		return nil, errors.New("no job kinds registered (set InsertOnly for a process that works no jobs)")
	}
	rc.PeriodicJobs = cfg.Registry.periodic
	queues, err := riverQueues(cfg.Queues)
	if err != nil {
		return nil, err
	}
	rc.Queues = queues
	return rc, nil
}

// riverQueues translates queue concurrencies, defaulting to one default queue.
func riverQueues(queues map[string]int) (map[string]river.QueueConfig, error) {
	if len(queues) == 0 {
		queues = map[string]int{river.QueueDefault: DefaultConcurrency}
	}
	rq := make(map[string]river.QueueConfig, len(queues))
	for name, n := range queues {
		if n < 1 {
			return nil, fmt.Errorf("queue %q: concurrency %d is below 1", name, n)
		}
		rq[name] = river.QueueConfig{MaxWorkers: n}
	}
	return rq, nil
}

// Start starts working jobs and, on the elected leader, periodic jobs and
// maintenance. It returns once the workers run. Cancelling ctx later does not
// stop them (so that a signal context cannot abort running jobs): call Stop.
// Start does nothing on an InsertOnly Runner.
func (r *Runner) Start(ctx context.Context) error {
	if r.insertOnly {
		return nil
	}
	if err := r.engine.start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("starting jobs: %w", err)
	}
	return nil
}

// Stop stops fetching jobs and waits for the running ones to return, until
// ctx is done. Then it cancels the contexts of the jobs still running, waits
// a few seconds more for them, and returns ctx's error. Jobs whose contexts
// were cancelled are retried later, by this or another process.
func (r *Runner) Stop(ctx context.Context) error {
	if r.insertOnly {
		return nil
	}
	err := r.engine.stop(ctx)
	if err == nil || ctx.Err() == nil {
		return wrap("stopping jobs", err)
	}
	r.logger.WarnContext(ctx, "jobs still running at shutdown deadline; cancelling them")
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), stopCancelGrace)
	defer cancel()
	if cerr := r.engine.stopAndCancel(cctx); cerr != nil {
		return fmt.Errorf("stopping jobs: %w", errors.Join(err, cerr))
	}
	return fmt.Errorf("stopping jobs: %w", err)
}

// Enqueue inserts a job and returns its ID. When the kind's unique options
// match an existing job, no job is inserted and the existing job's ID is
// returned. On SQLite do not call Enqueue (nor Cancel or Job) while holding a
// transaction on the same single-connection database: it would wait for that
// transaction forever. Use EnqueueTx.
func (r *Runner) Enqueue(ctx context.Context, args JobArgs, opts *InsertOpts) (int64, error) {
	res, err := r.engine.insert(ctx, args, opts)
	if err != nil {
		return 0, fmt.Errorf("enqueueing job %q: %w", args.Kind(), err)
	}
	return res.Job.ID, nil
}

// EnqueueTx inserts a job within tx, a *sql.Tx on SQLite or a pgx.Tx on
// PostgreSQL: the job exists, and runs, only if tx commits. It returns
// ErrWrongTx for a transaction of another type.
func (r *Runner) EnqueueTx(ctx context.Context, tx any, args JobArgs, opts *InsertOpts) (int64, error) {
	res, err := r.engine.insertTx(ctx, tx, args, opts)
	if err != nil {
		return 0, fmt.Errorf("enqueueing job %q in transaction: %w", args.Kind(), err)
	}
	return res.Job.ID, nil
}

// Cancel cancels job id. A job waiting to run is cancelled at once and never
// runs. A running job is marked and its context is cancelled; it ends
// cancelled when its worker returns an error, or completed when the worker
// returns nil first. Cancelling a finished job changes nothing. Returns an
// ENOTFOUND error when there is no such job.
func (r *Runner) Cancel(ctx context.Context, id int64) error {
	_, err := r.engine.cancel(ctx, id)
	return wrap(fmt.Sprintf("cancelling job %d", id), notFound(err, id))
}

// Job returns a snapshot of job id, or an ENOTFOUND error when there is no
// such job (finished jobs are deleted some time after they finish).
func (r *Runner) Job(ctx context.Context, id int64) (JobInfo, error) {
	row, err := r.engine.get(ctx, id)
	if err != nil {
		return JobInfo{}, fmt.Errorf("getting job %d: %w", id, notFound(err, id))
	}
	return jobInfo(row), nil
}

// Migrate creates or upgrades River's tables. It is idempotent; on
// PostgreSQL concurrent calls from several processes wait for each other.
func (r *Runner) Migrate(ctx context.Context) error {
	return wrap("migrating jobs schema", r.engine.migrate(ctx))
}

// notFound turns River's not-found error into Herald's ENOTFOUND error.
func notFound(err error, id int64) error {
	if errors.Is(err, rivertype.ErrNotFound) {
		return herald.Errorf(herald.ENOTFOUND, "Job %d not found.", id)
	}
	return err
}

// wrap prefixes a non-nil err with doing.
func wrap(doing string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", doing, err)
}
