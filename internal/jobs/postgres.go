package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
)

// migrateLockKey is the PostgreSQL advisory lock that serialises River
// migrations between Herald processes starting together.
const migrateLockKey = 0x68657261 // "hera"

// newPostgresEngine returns the engine on pool, using LISTEN/NOTIFY for prompt
// pick-up of new jobs and cancellations.
func newPostgresEngine(pool *pgxpool.Pool, rc *river.Config) (engine, error) {
	if pool == nil {
		return nil, errors.New("engine postgres needs Config.Pool")
	}
	e, err := newRiverEngine(riverpgxv5.New(pool), rc, "pgx.Tx")
	if err != nil {
		return nil, err
	}
	e.lock = func(ctx context.Context) (func(), error) { return advisoryLock(ctx, pool, migrateLockKey) }
	return e, nil
}

// advisoryLock takes the session advisory lock key on a connection of pool and
// returns the function that releases both.
func advisoryLock(ctx context.Context, pool *pgxpool.Pool, key int64) (func(), error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("acquiring connection for migration lock: %w", err)
	}
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", key); err != nil {
		conn.Release()
		return nil, fmt.Errorf("taking migration lock: %w", err)
	}
	return func() {
		// A fresh context: the caller's may be done, and the lock must go.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := conn.Exec(ctx, "SELECT pg_advisory_unlock($1)", key); err != nil {
			// Closing the connection ends the session and so the lock.
			_ = conn.Conn().Close(ctx)
		}
		conn.Release()
	}, nil
}
