// Package engine is Herald's messaging pipeline: it accepts messages, sends
// them through their connections, follows their statuses, runs fallback
// chains, receives inbound messages and produces the webhook deliveries.
//
// The send path is built for throughput and never loses an accepted
// message:
//
//   - Accept: Send validates and prepares a message, then hands it to the
//     accept writer, which commits many messages in one transaction (group
//     commit) and wakes each waiting request. The messages are inserted
//     already leased to this process and go straight to the dispatcher in
//     memory, without being read back.
//   - Dispatch: each connection has a sender with bounded, per-account
//     queues served round-robin (one tenant cannot starve the others) and a
//     pool of workers behind the connection's throughput limit.
//   - Status: submission results, provider reports, cancellations and
//     chain timeouts go through the status writer, which applies many of
//     them in one transaction: message rows, history events, chain steps
//     and webhook deliveries together.
//   - Sweepers claim in batches what memory does not hold: scheduled
//     messages that became due, retries whose backoff ran out, messages of
//     a process that died (its heartbeat stopped), and chains whose step
//     timed out.
//
// A crash loses only in-memory work; leases and heartbeats bring it back.
// Connectors are called at least once per message; the sandbox de-duplicates
// by message ID, so it receives each message exactly once.
package engine

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/batch"
	"github.com/heraldhq/herald/internal/channel"
	"github.com/heraldhq/herald/internal/secret"
	"github.com/heraldhq/herald/internal/webhook"
)

// Config tunes an Engine. Zero fields take the defaults.
type Config struct {
	Instance string // this process's ID in leases; generated when empty
	// Dispatch runs the dispatcher and the sweepers. Without it (serve
	// --role=api) the engine only accepts: messages are committed
	// unclaimed for the workers of other processes.
	Dispatch    bool
	Lease       time.Duration // how long a claimed message is this process's; default 2 minutes
	LeaseMargin time.Duration // lease left below which a queued message is not sent; default 30 s
	Heartbeat   time.Duration // default 2 s
	DeadAfter   time.Duration // a process silent this long is dead; default 15 s
	Sweep       time.Duration // how often due work is claimed; default 200 ms
	MaxAttempts int           // submissions tried before a message fails; default 5
	RetryBase   time.Duration // first retry delay, doubling up to 5 minutes; default 2 s
	// AccountQueue bounds the messages of one account held in memory.
	AccountQueue int // default 20 000
	// BulkWindow bounds, within AccountQueue, an account's broadcast
	// messages in memory, so that its API traffic always finds room.
	BulkWindow  int // default AccountQueue/2
	Workers     int // concurrent submissions per connection; default 64
	AcceptBatch int // messages per accept transaction; default 500
	StatusBatch int // status changes per transaction; default 1000
	// StatusLinger is how long a status transaction that is not full
	// waits for more changes: a few milliseconds more per status spares
	// many small commits, each of which writes the pages it touches again.
	// Default 5 ms.
	StatusLinger time.Duration
	// Flushers is how many accept transactions may run at once: 1 for
	// SQLite (one writer), more for PostgreSQL. Default 1. Status changes
	// always have one flusher per process, so that changes of one message
	// commit in order.
	Flushers int
	// SandboxSenders gives every account that asks for the sender ID
	// "sandbox" one on the sandbox connection of each channel.
	SandboxSenders bool
}

// withDefaults fills the zero fields.
func (c Config) withDefaults() Config {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	defInt := func(n *int, v int) {
		if *n <= 0 {
			*n = v
		}
	}
	if c.Instance == "" {
		c.Instance = uuid.Must(uuid.NewV7()).String()
	}
	def(&c.Lease, 2*time.Minute)
	def(&c.LeaseMargin, 30*time.Second)
	def(&c.Heartbeat, 2*time.Second)
	def(&c.DeadAfter, 15*time.Second)
	def(&c.Sweep, 200*time.Millisecond)
	def(&c.RetryBase, 2*time.Second)
	defInt(&c.MaxAttempts, 5)
	defInt(&c.AccountQueue, 20000)
	defInt(&c.BulkWindow, max(1, c.AccountQueue/2))
	defInt(&c.Workers, 64)
	defInt(&c.AcceptBatch, 500)
	defInt(&c.StatusBatch, 1000)
	def(&c.StatusLinger, 5*time.Millisecond)
	defInt(&c.Flushers, 1)
	return c
}

// Deps are the engine's collaborators. Contacts and Templates may be nil:
// then messages go to bare addresses and templates are refused.
type Deps struct {
	Store      Store
	Contacts   herald.ContactDirectory
	Templates  herald.TemplateSource
	Connectors *channel.Registry
	Box        *secret.Box // opens connection secrets
	Webhooks   *webhook.Deliverer
	Clock      herald.Clock
	Log        *slog.Logger
	Metrics    prometheus.Registerer // nil registers nothing
	// Hook, when set, sees every status batch (broadcast statistics).
	Hook Hook
}

// Engine is the messaging pipeline. Its methods are safe for concurrent use.
type Engine struct {
	cfg     Config
	deps    Deps
	log     *slog.Logger
	metrics *metrics

	accept *batch.Batcher[*prepared]
	status *batch.Batcher[update]
	// lookups reads the phone numbers of concurrent requests together;
	// nil when the contact directory cannot.
	lookups *batch.Batcher[*phoneLookup]
	// optOuts reads the opt-outs of the messages being dispatched together;
	// nil when the contact directory cannot.
	optOuts *batch.Batcher[*optOutCheck]
	// deferLookups lets the accept transaction look up the contacts of
	// requests to phone numbers (see deferredLookup): the contact
	// directory is the store that commits messages.
	deferLookups bool
	disp         *dispatcher
	routes       *routes

	hookCache hookCache
	chains    *chainCache
	working   *rowCache // rows of messages being worked, for the status writer
	canceled  sync.Map  // message IDs canceled while this process may hold them
	timeouts  sync.Map  // chain IDs whose timeout waits in the status writer

	running  atomic.Bool
	killed   atomic.Bool
	ctx      context.Context
	stopWork context.CancelFunc
	wg       sync.WaitGroup
}

// ErrStopped answers Send while the engine is not running.
var ErrStopped = herald.Errorf(herald.EUNAVAILABLE, "Herald is not accepting messages right now; retry shortly.")

// New returns an Engine; Start runs it.
func New(cfg Config, deps Deps) *Engine {
	if deps.Clock == nil {
		deps.Clock = herald.SystemClock{}
	}
	if deps.Log == nil {
		deps.Log = slog.New(slog.DiscardHandler)
	}
	e := &Engine{cfg: cfg.withDefaults(), deps: deps, log: deps.Log, chains: newChainCache(), working: newRowCache()}
	e.metrics = newMetrics(deps.Metrics)
	e.routes = newRoutes(e)
	e.disp = newDispatcher(e)
	e.accept = batch.New(batch.Config{MaxSize: e.cfg.AcceptBatch, Linger: 500 * time.Microsecond, Workers: e.cfg.Flushers}, e.flushAccept)
	e.status = batch.New(batch.Config{MaxSize: e.cfg.StatusBatch, Linger: e.cfg.StatusLinger, Queue: 50000}, e.flushStatus)
	e.lookups = e.newLookups()
	e.optOuts = e.newOptOutChecks()
	e.deferLookups = deps.Contacts != nil && deps.Store != nil && any(deps.Contacts) == any(deps.Store)
	// Broadcast messages are stored as references to shared contents
	// (see shared.go): every reader of the store renders them this way.
	deps.Store.SetPayloadRenderer((&StoredPayloads{}).Render)
	e.metrics.queues(e)
	return e
}

// Instance returns this process's ID in leases.
func (e *Engine) Instance() string { return e.cfg.Instance }

// Start runs the writers and, with Dispatch, the dispatcher and sweepers.
func (e *Engine) Start(ctx context.Context) error {
	e.ctx, e.stopWork = context.WithCancel(context.WithoutCancel(ctx))
	e.accept.Start(e.ctx)
	e.status.Start(e.ctx)
	if e.lookups != nil {
		e.lookups.Start(e.ctx)
	}
	if e.optOuts != nil {
		e.optOuts.Start(e.ctx)
	}
	if e.cfg.Dispatch {
		if err := e.deps.Store.Heartbeat(ctx, e.cfg.Instance, e.now().UnixMilli()); err != nil {
			return err
		}
		e.disp.start()
		e.routes.openAll(ctx)
		e.goLoop(e.cfg.Heartbeat, e.heartbeat)
		e.goLoop(e.cfg.Sweep, e.sweepMessages)
		e.goLoop(e.cfg.Sweep, e.sweepChains)
	}
	e.running.Store(true)
	return nil
}

// Stop stops accepting, finishes the submissions in flight, commits every
// pending status change, releases this process's leases so that other
// processes (or the next start) take its work at once, and closes the
// connectors.
func (e *Engine) Stop(ctx context.Context) error {
	if !e.running.Swap(false) {
		return nil
	}
	e.accept.Stop()
	if e.lookups != nil {
		e.lookups.Stop()
	}
	e.stopWork()
	e.wg.Wait()
	e.disp.stop()
	if e.optOuts != nil {
		e.optOuts.Stop()
	}
	e.status.Stop()
	var errs []error
	if e.cfg.Dispatch {
		errs = append(errs, e.deps.Store.RemoveInstance(ctx, e.cfg.Instance, e.now().UnixMilli()))
	}
	errs = append(errs, e.routes.close(ctx))
	return errors.Join(errs...)
}

// Kill stops the engine as a crash would, for restart-safety tests: work
// in memory is dropped, pending batches are not committed, leases are not
// released and the process's heartbeat is left to go stale.
func (e *Engine) Kill() {
	if !e.running.Swap(false) {
		return
	}
	e.killed.Store(true)
	e.stopWork()
	e.wg.Wait()
	e.accept.Stop()
	if e.lookups != nil {
		e.lookups.Stop()
	}
	e.disp.kill()
	if e.optOuts != nil {
		e.optOuts.Stop()
	}
	e.status.Stop()
	_ = e.routes.close(context.Background())
}

// errKilled fails the batches of a killed engine.
var errKilled = errors.New("engine: killed")

// goLoop runs fn every interval until the engine stops.
func (e *Engine) goLoop(interval time.Duration, fn func(ctx context.Context)) {
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			fn(e.ctx)
			select {
			case <-e.ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// now returns the clock's time at microsecond precision.
func (e *Engine) now() time.Time { return e.deps.Clock.Now().UTC().Truncate(time.Microsecond) }

// newID returns a new message ID.
func newID() string { return uuid.Must(uuid.NewV7()).String() }
