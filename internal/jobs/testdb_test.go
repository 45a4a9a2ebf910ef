package jobs_test

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	_ "modernc.org/sqlite"

	"github.com/heraldhq/herald/internal/jobs"
)

// defaultPostgresURL is the admin URL used when HERALD_TEST_POSTGRES_URL is
// unset.
const defaultPostgresURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// testDB is a fresh database of one engine.
type testDB struct {
	engine string
	sqlite *sql.DB
	pool   *pgxpool.Pool
}

// eachEngine runs fn as parallel subtests "sqlite" and "postgres", each with a
// fresh database.
func eachEngine(t *testing.T, fn func(t *testing.T, db testDB)) {
	t.Helper()
	t.Run(jobs.EngineSQLite, func(t *testing.T) {
		t.Parallel()
		fn(t, openSQLite(t))
	})
	t.Run(jobs.EnginePostgres, func(t *testing.T) {
		t.Parallel()
		fn(t, openPostgres(t))
	})
}

// openSQLite opens a SQLite database in a temporary directory the way Herald
// opens its writer: one connection, WAL, busy timeout, immediate transactions.
func openSQLite(t *testing.T) testDB {
	t.Helper()
	dsn := "file:" + filepath.Join(t.TempDir(), "herald.db") + "?_txlock=immediate" +
		"&_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatalf("opening sqlite: %v", err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return testDB{engine: jobs.EngineSQLite, sqlite: db}
}

// openPostgres creates a fresh PostgreSQL database, dropped on cleanup. It
// fails the test when PostgreSQL cannot be reached, unless
// HERALD_TEST_POSTGRES=off, which skips it.
func openPostgres(t *testing.T) testDB {
	t.Helper()
	if os.Getenv("HERALD_TEST_POSTGRES") == "off" {
		t.Skip("HERALD_TEST_POSTGRES=off")
	}
	admin := cmp.Or(os.Getenv("HERALD_TEST_POSTGRES_URL"), defaultPostgresURL)
	name := fmt.Sprintf("herald_jobs_test_%d", rand.Uint64())
	adminExec(t, admin, "CREATE DATABASE "+name)
	t.Cleanup(func() { adminExec(t, admin, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })

	cfg, err := pgxpool.ParseConfig(admin)
	if err != nil {
		t.Fatalf("parsing %s: %v", admin, err)
	}
	cfg.ConnConfig.Database = name
	pool, err := pgxpool.NewWithConfig(t.Context(), cfg)
	if err != nil {
		t.Fatalf("opening pool on %s: %v", name, err)
	}
	t.Cleanup(pool.Close)
	return testDB{engine: jobs.EnginePostgres, pool: pool}
}

// adminExec runs sql on a new connection to the admin URL.
func adminExec(t *testing.T, url, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("PostgreSQL is not reachable at %s: %v\n"+
			"Start PostgreSQL, point HERALD_TEST_POSTGRES_URL at it, "+
			"or set HERALD_TEST_POSTGRES=off to skip the PostgreSQL tests.", url, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// begin starts a transaction of the engine's native type.
func (db testDB) begin(t *testing.T) (tx any, commit, rollback func() error) {
	t.Helper()
	if db.engine == jobs.EngineSQLite {
		stx, err := db.sqlite.BeginTx(t.Context(), nil)
		if err != nil {
			t.Fatalf("beginning sqlite transaction: %v", err)
		}
		return stx, stx.Commit, stx.Rollback
	}
	ptx, err := db.pool.Begin(t.Context())
	if err != nil {
		t.Fatalf("beginning postgres transaction: %v", err)
	}
	ctx := context.WithoutCancel(t.Context())
	return ptx, func() error { return ptx.Commit(ctx) }, func() error { return ptx.Rollback(ctx) }
}

// config returns a Runner configuration on db with a short poll interval.
func (db testDB) config(reg *jobs.Registry) jobs.Config {
	return jobs.Config{
		Engine:       db.engine,
		SQLite:       db.sqlite,
		Pool:         db.pool,
		Logger:       slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: testLogLevel})),
		Registry:     reg,
		PollInterval: 100 * time.Millisecond,
	}
}

// startRunner migrates db, starts a Runner on it and stops it on cleanup.
func startRunner(t *testing.T, db testDB, reg *jobs.Registry) *jobs.Runner {
	t.Helper()
	r, err := jobs.New(db.config(reg))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := r.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	if err := r.Start(t.Context()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := r.Stop(ctx); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return r
}

// testLogLevel is the level of River's logs in tests.
var testLogLevel = slog.LevelWarn
