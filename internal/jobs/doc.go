// Package jobs runs Herald's durable background work on River, on SQLite and
// on PostgreSQL alike, behind a small non-generic API.
//
// River's client is generic over the driver's transaction type (*sql.Tx for
// SQLite, pgx.Tx for PostgreSQL). Herald should not carry that type parameter
// through its wiring, so a Runner erases it: New picks the driver for the
// configured engine and keeps a River client behind an internal interface;
// EnqueueTx takes the transaction as `any` and checks its type at run time.
//
// # Job kinds
//
// A job kind is a River job args type (a struct with a Kind method and JSON
// fields) and a worker for it. Kinds are registered once, in Herald's wiring
// code, on a Registry:
//
//	reg := jobs.NewRegistry()
//	if err := jobs.Register(reg, &webhook.DeliverWorker{...}); err != nil { ... }
//	if err := reg.Periodic(time.Minute, expiry.SweepArgs{}, nil); err != nil { ... }
//
// Each kind declares its own policies through River's hooks: the worker's
// Timeout and NextRetry methods (embed river.WorkerDefaults[T] for the
// defaults), and the args' InsertOpts method for MaxAttempts, queue and
// priority. A worker gives up for good by returning river.JobCancel(err) and
// postpones itself with river.JobSnooze(d).
//
// # Engines
//
// PostgreSQL uses riverpgxv5 with LISTEN/NOTIFY, so a job inserted by any
// process is picked up at once. SQLite uses riversqlite on Herald's single
// writer *sql.DB; River emulates LISTEN/NOTIFY there with an outbox table
// (river_notification) that it polls every 50 ms, so poll-only mode is not
// needed. River v0.47.0 forgets to notify the cancellation of a running job
// on SQLite; Cancel sends that notification itself. Both engines keep a
// fetch poll (Config.PollInterval) as a safety net for jobs that become due
// without a notification, such as short retries. River's tables (river_job,
// river_leader, river_queue, ...) live beside Herald's own tables in the
// default schema; Migrate creates and upgrades them and is safe to run from
// several processes at once on PostgreSQL (an advisory lock serialises it).
//
// # Roles
//
// A Runner with InsertOnly set (serve --role=api) only inserts, reads and
// cancels jobs; Start and Stop do nothing. Otherwise Start works the
// configured queues, and River elects one leader among all working processes
// to run periodic jobs and maintenance (moving scheduled jobs to available,
// rescuing stuck jobs, deleting old finished jobs).
//
// # SQLite and transactions
//
// The SQLite writer has a single connection. While a goroutine holds a
// transaction on it, Enqueue (which needs its own connection) would wait for
// that transaction to end: inside a transaction use EnqueueTx.
package jobs
