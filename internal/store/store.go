// Package store keeps Herald's data in an embedded SQLite database or in
// PostgreSQL. One Store type serves both engines with plain SQL that the
// two dialects share; the few places where they differ are spelled out in
// dialect.go. Migrations are embedded per engine and applied with goose.
//
// Every method that takes an account ID is scoped to it: another account's
// object is ENOTFOUND. Mutating methods write their audit entry in the same
// transaction as the change, taking the actor from the context.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/heraldhq/herald"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// Engine names, as returned by ParseURL and Store.Engine.
const (
	EngineSQLite   = "sqlite"
	EnginePostgres = "postgres"
)

// Interfaces of the domain package that Store implements.
var (
	_ herald.AccountStore     = (*Store)(nil)
	_ herald.UserStore        = (*Store)(nil)
	_ herald.RoleStore        = (*Store)(nil)
	_ herald.APIKeyStore      = (*Store)(nil)
	_ herald.AuditStore       = (*Store)(nil)
	_ herald.SessionStore     = (*Store)(nil)
	_ herald.IdempotencyStore = (*Store)(nil)
)

// Store is Herald's database. It is safe for concurrent use.
type Store struct {
	engine string
	clock  herald.Clock
	d      dialect

	writer *sql.DB // SQLite: the one connection that writes
	reader *sql.DB // SQLite: a pool of read-only connections

	writeStmts, readStmts *stmtCache      // SQLite: prepared statements of writer and reader
	group                 *groupCommitter // SQLite: runs the write transactions

	pool  *pgxpool.Pool // PostgreSQL
	pgSQL *sql.DB       // PostgreSQL through database/sql, for goose only

	migrator *goose.Provider

	contents contentCache // contents of messages stored by reference, and their renderer

	authMu  sync.Mutex
	authFns []func() // called after a commit that changed authentication (OnAuthChange)
}

// ParseURL tells which engine a database URL selects without connecting:
// "" is the embedded SQLite database, sqlite:///path/to/file.db a SQLite
// file elsewhere, postgres:// or postgresql:// PostgreSQL. Any other URL
// is an error that names the problem (but never echoes a password).
func ParseURL(databaseURL string) (string, error) {
	engine, _, err := parseURL(databaseURL)
	return engine, err
}

// parseURL is ParseURL that also returns the SQLite file path, if any.
func parseURL(raw string) (engine, path string, err error) {
	if raw == "" {
		return EngineSQLite, "", nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		// The parser's message quotes the URL or part of it, which may
		// be the password: say only what to look for.
		return "", "", errors.New("invalid database URL: it cannot be parsed; percent-encode special characters in the user name and password")
	}
	switch strings.ToLower(u.Scheme) {
	case "postgres", "postgresql":
		if _, err := pgconn.ParseConfig(lowerScheme(raw)); err != nil {
			return "", "", fmt.Errorf("invalid PostgreSQL database URL: %w", err)
		}
		return EnginePostgres, "", nil
	case "sqlite":
		path, err := sqlitePath(u)
		return EngineSQLite, path, err
	case "":
		return "", "", errors.New("database URL has no scheme: use postgres://..., postgresql://... or sqlite:///path/to/file.db")
	}
	return "", "", fmt.Errorf("unsupported database URL scheme %q: use postgres://, postgresql:// or sqlite://", u.Scheme)
}

// lowerScheme lowers the scheme of a URL: pgx accepts only lower case
// and redacts passwords only in URLs it recognises.
func lowerScheme(raw string) string {
	if i := strings.Index(raw, ":"); i > 0 {
		return strings.ToLower(raw[:i]) + raw[i:]
	}
	return raw
}

// sqlitePath returns the file of a sqlite: URL: sqlite:///abs/file.db,
// sqlite://relative/file.db or sqlite:file.db.
func sqlitePath(u *url.URL) (string, error) {
	path := u.Opaque
	if path == "" {
		path = u.Host + u.Path
	}
	switch {
	case path == "":
		return "", errors.New("invalid SQLite database URL: no file path (use sqlite:///path/to/file.db)")
	case strings.Contains(path, ":memory:") || u.Query().Get("mode") == "memory":
		return "", errors.New("invalid SQLite database URL: in-memory databases are not supported; name a file")
	}
	return path, nil
}

// Open connects to the database that databaseURL names: "" is the SQLite
// file herald.db in dataDir (created with mode 0700 when missing). Open
// pings the database but does not migrate it; see Migrate and Ready. A nil
// clock means herald.SystemClock. The caller must Close the Store.
func Open(ctx context.Context, databaseURL, dataDir string, clock herald.Clock) (*Store, error) {
	engine, path, err := parseURL(databaseURL)
	if err != nil {
		return nil, err
	}
	if clock == nil {
		clock = herald.SystemClock{}
	}
	s := &Store{engine: engine, clock: clock, d: newDialect(engine)}
	if engine == EnginePostgres {
		err = s.openPostgres(ctx, databaseURL)
	} else {
		err = s.openSQLite(ctx, path, dataDir)
	}
	if err == nil {
		err = s.newMigrator()
	}
	if err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// openSQLite opens the writer and the reader pool on one file.
func (s *Store) openSQLite(ctx context.Context, path, dataDir string) error {
	if path == "" {
		if dataDir == "" {
			return errors.New("opening SQLite database: no data directory")
		}
		path = filepath.Join(dataDir, "herald.db")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("creating data directory: %w", err)
	}
	// busy_timeout comes first so that the others wait for a lock rather
	// than fail; the driver applies it before the rest in any case.
	const common = "_pragma=busy_timeout(5000)&_time_format=sqlite"
	// The writer keeps a 16 MB page cache: bulk contact imports touch the
	// pages of many indexes at once. Not more: each commit walks the
	// cache's whole hash table when it drops pages past the end of the
	// file, which with 64 MB cost a broadcast 3.5 % of its CPU (and the
	// cache counts in the process's memory).
	writer, err := sql.Open("sqlite", path+"?"+common+
		"&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_pragma=cache_size(-16384)&_txlock=immediate")
	if err != nil {
		return fmt.Errorf("opening SQLite writer: %w", err)
	}
	writer.SetMaxOpenConns(1)
	s.writer = writer
	// The writer connects first: it creates the file and switches it to WAL.
	if err := writer.PingContext(ctx); err != nil {
		return fmt.Errorf("opening SQLite database %s: %w", path, err)
	}
	// Readers map the file: counting a target over millions of contacts
	// reads pages without a system call each.
	reader, err := sql.Open("sqlite", path+"?"+common+"&_pragma=foreign_keys(1)&_pragma=query_only(1)")
	if err != nil {
		return fmt.Errorf("opening SQLite reader: %w", err)
	}
	// Every reader connection stays open: one closed for being idle past
	// database/sql's default of two would be opened again, and each of
	// the statements cached for it prepared again, under the next burst.
	readers := max(4, runtime.NumCPU())
	reader.SetMaxOpenConns(readers)
	reader.SetMaxIdleConns(readers)
	s.reader = reader
	s.writeStmts, s.readStmts = newStmtCache(writer), newStmtCache(reader)
	s.group = startGroupCommitter(s)
	if err := reader.PingContext(ctx); err != nil {
		return fmt.Errorf("opening SQLite reader %s: %w", path, err)
	}
	return nil
}

// openPostgres opens the pgx pool.
func (s *Store) openPostgres(ctx context.Context, databaseURL string) error {
	cfg, err := pgxpool.ParseConfig(lowerScheme(databaseURL))
	if err != nil {
		return fmt.Errorf("parsing PostgreSQL URL: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("opening PostgreSQL pool: %w", err)
	}
	s.pool = pool
	if err := pool.Ping(ctx); err != nil {
		return fmt.Errorf("connecting to PostgreSQL at %s: %w", cfg.ConnConfig.Host, err)
	}
	s.pgSQL = stdlib.OpenDBFromPool(pool)
	return nil
}

// Engine returns EngineSQLite or EnginePostgres.
func (s *Store) Engine() string { return s.engine }

// SQLiteDB returns the SQLite writer connection, or nil on PostgreSQL.
// Work done through it serialises with the Store's own writes.
func (s *Store) SQLiteDB() *sql.DB { return s.writer }

// PgxPool returns the PostgreSQL pool, or nil on SQLite.
func (s *Store) PgxPool() *pgxpool.Pool { return s.pool }

// Close closes every connection of the Store.
func (s *Store) Close() error {
	var errs []error
	if s.group != nil {
		s.group.close()
	}
	for _, c := range []*stmtCache{s.writeStmts, s.readStmts} {
		if c != nil {
			c.close()
		}
	}
	for _, db := range []*sql.DB{s.pgSQL, s.reader, s.writer} {
		if db != nil {
			errs = append(errs, db.Close())
		}
	}
	if s.pool != nil {
		s.pool.Close()
	}
	return errors.Join(errs...)
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if s.pool != nil {
		return s.pool.Ping(ctx)
	}
	if err := s.writer.PingContext(ctx); err != nil {
		return err
	}
	return s.reader.PingContext(ctx)
}
