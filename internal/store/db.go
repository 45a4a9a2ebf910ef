package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/heraldhq/herald"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
)

// querier is the little both engines share: run a statement, run a query,
// run a query for one row. One implementation wraps database/sql (SQLite),
// the other pgx (PostgreSQL). SQL uses $1, $2 placeholders in both.
type querier interface {
	exec(ctx context.Context, query string, args ...any) (int64, error)
	query(ctx context.Context, query string, args ...any) (rows, error)
	queryRow(ctx context.Context, query string, args ...any) scanner
}

// scanner reads the columns of one row.
type scanner interface {
	Scan(dest ...any) error
}

// rows is a result set; Close is idempotent.
type rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// sqlConn is the part of *sql.DB and *sql.Tx that sqlQuerier needs.
type sqlConn interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// sqlQuerier runs queries through database/sql, with prepared statements
// from stmts when it has them (see stmtCache).
type sqlQuerier struct {
	c     sqlConn
	stmts *stmtCache
	// detach ignores the cancellation of the caller's context: in a group
	// transaction an interrupted write would roll back the other callers'
	// work too (SQLite aborts the whole transaction).
	detach bool
}

// inTx reports whether q runs in a transaction.
func (q sqlQuerier) inTx() bool {
	_, ok := q.c.(*sql.Tx)
	return ok
}

func (q sqlQuerier) exec(ctx context.Context, query string, args ...any) (int64, error) {
	if q.detach {
		ctx = context.WithoutCancel(ctx)
	}
	c, done := q.conn(ctx, query)
	defer done()
	res, err := c.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (q sqlQuerier) query(ctx context.Context, query string, args ...any) (rows, error) {
	if q.detach {
		ctx = context.WithoutCancel(ctx)
	}
	c, done := q.conn(ctx, query)
	r, err := c.QueryContext(ctx, query, args...)
	if err != nil {
		done()
		return nil, err
	}
	return sqlRows{Rows: r, done: done}, nil
}

func (q sqlQuerier) queryRow(ctx context.Context, query string, args ...any) scanner {
	if q.detach {
		ctx = context.WithoutCancel(ctx)
	}
	c, done := q.conn(ctx, query)
	return &sqlRow{Row: c.QueryRowContext(ctx, query, args...), done: done}
}

// conn returns what runs query: a prepared statement when the cache has
// or makes one, else the connection itself. done releases it.
func (q sqlQuerier) conn(ctx context.Context, query string) (sqlConn, func()) {
	if q.stmts == nil {
		return q.c, func() {}
	}
	st := q.stmts.get(ctx, query, q.inTx())
	if st == nil {
		return q.c, func() {}
	}
	if t, ok := q.c.(*sql.Tx); ok {
		ts := t.StmtContext(ctx, st)
		return stmtConn{ts}, func() { _ = ts.Close() }
	}
	return stmtConn{st}, func() {}
}

// stmtConn runs its prepared statement whatever query it is given (the
// statement's own).
type stmtConn struct{ st *sql.Stmt }

func (s stmtConn) ExecContext(ctx context.Context, _ string, args ...any) (sql.Result, error) {
	return s.st.ExecContext(ctx, args...)
}

func (s stmtConn) QueryContext(ctx context.Context, _ string, args ...any) (*sql.Rows, error) {
	return s.st.QueryContext(ctx, args...)
}

func (s stmtConn) QueryRowContext(ctx context.Context, _ string, args ...any) *sql.Row {
	return s.st.QueryRowContext(ctx, args...)
}

// sqlRow adapts *sql.Row, releasing a transaction's statement after Scan.
type sqlRow struct {
	*sql.Row
	done func()
}

func (r *sqlRow) Scan(dest ...any) error {
	defer r.done()
	return r.Row.Scan(dest...)
}

// stmtCache keeps SQLite statements prepared, one set per *sql.DB: the
// modernc driver parses a statement's text on every call otherwise, which
// costs more than running a small query. Statements are prepared on first
// use; once the cache holds maxStmts, further texts run unprepared.
//
// Preparing takes a connection of the pool. The writer has one, which a
// transaction holds, so a text first seen in a transaction runs unprepared
// and is prepared after the commit (preparePending).
type stmtCache struct {
	db      *sql.DB
	mu      sync.RWMutex
	stmts   map[string]*sql.Stmt
	pending map[string]bool
}

// maxStmts bounds a stmtCache.
const maxStmts = 2000

// newStmtCache returns an empty cache for db.
func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, stmts: map[string]*sql.Stmt{}, pending: map[string]bool{}}
}

// get returns the prepared statement of query, or nil to run it
// unprepared: when it cannot be prepared (running it reports the error),
// when the cache is full, or in a transaction (inTx) when it is new.
// Preparing waits for a connection, so it happens without c.mu held: a
// transaction holding the writer may be asking the cache meanwhile.
func (c *stmtCache) get(ctx context.Context, query string, inTx bool) *sql.Stmt {
	c.mu.RLock()
	st, ok := c.stmts[query]
	full := len(c.stmts)+len(c.pending) >= maxStmts
	c.mu.RUnlock()
	if ok || full {
		return st
	}
	if inTx {
		c.mu.Lock()
		c.pending[query] = true
		c.mu.Unlock()
		return nil
	}
	return c.prepare(ctx, query)
}

// prepare prepares query and caches it, keeping the statement another
// goroutine cached first.
func (c *stmtCache) prepare(ctx context.Context, query string) *sql.Stmt {
	st, err := c.db.PrepareContext(context.WithoutCancel(ctx), query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.stmts[query]; ok {
		_ = st.Close()
		return old
	}
	c.stmts[query] = st
	return st
}

// preparePending prepares the texts first seen in transactions; call it
// when no transaction of the caller holds the connection.
func (c *stmtCache) preparePending(ctx context.Context) {
	c.mu.Lock()
	var todo []string
	for q := range c.pending {
		if _, ok := c.stmts[q]; !ok {
			todo = append(todo, q)
		}
		delete(c.pending, q)
	}
	c.mu.Unlock()
	for _, q := range todo {
		c.prepare(ctx, q)
	}
}

// close closes every statement.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.stmts {
		_ = st.Close()
	}
	c.stmts = map[string]*sql.Stmt{}
}

// sqlRows adapts *sql.Rows, whose Close returns an error nobody needs:
// Err reports what went wrong while reading. done releases a
// transaction's statement.
type sqlRows struct {
	*sql.Rows
	done func()
}

func (r sqlRows) Close() {
	_ = r.Rows.Close()
	if r.done != nil {
		r.done()
	}
}

// pgxConn is the part of *pgxpool.Pool and pgx.Tx that pgxQuerier needs.
type pgxConn interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// pgxQuerier runs queries through pgx.
type pgxQuerier struct{ c pgxConn }

func (q pgxQuerier) exec(ctx context.Context, query string, args ...any) (int64, error) {
	tag, err := q.c.Exec(ctx, query, args...)
	return tag.RowsAffected(), err
}

func (q pgxQuerier) query(ctx context.Context, query string, args ...any) (rows, error) {
	r, err := q.c.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return r, nil
}

func (q pgxQuerier) queryRow(ctx context.Context, query string, args ...any) scanner {
	return q.c.QueryRow(ctx, query, args...)
}

// tx is one write transaction: its querier, the time fixed for it and
// whether it changed what authentication reads (see Store.OnAuthChange).
type tx struct {
	querier
	now         time.Time
	authChanged bool
}

// read returns the querier for read-only work outside a transaction: the
// SQLite reader pool or the PostgreSQL pool.
func (s *Store) read() querier {
	if s.pool != nil {
		return pgxQuerier{s.pool}
	}
	return sqlQuerier{c: s.reader, stmts: s.readStmts}
}

// write returns the querier for single-statement writes outside a
// transaction: the SQLite writer or the PostgreSQL pool.
func (s *Store) write() querier {
	if s.pool != nil {
		return pgxQuerier{s.pool}
	}
	return sqlQuerier{c: s.writer, stmts: s.writeStmts}
}

// now returns the store clock's time in UTC at microsecond precision.
func (s *Store) now() time.Time {
	return s.clock.Now().UTC().Truncate(time.Microsecond)
}

// inTx runs fn in a write transaction and commits when fn returns nil.
// On SQLite fn runs in a group transaction with the others waiting (see
// groupCommitter); the writer DSN uses _txlock=immediate, so the write
// lock is taken at BEGIN and a transaction never fails half-way for lack
// of it.
func (s *Store) inTx(ctx context.Context, fn func(tx *tx) error) error {
	if s.pool != nil {
		return s.inPgxTx(ctx, fn)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("beginning transaction: %w", err)
	}
	return s.group.do(fn)
}

// inPgxTx is inTx for PostgreSQL.
func (s *Store) inPgxTx(ctx context.Context, fn func(tx *tx) error) error {
	t, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("beginning transaction: %w", err)
	}
	defer func() { _ = t.Rollback(context.WithoutCancel(ctx)) }()
	x := &tx{querier: pgxQuerier{t}, now: s.now()}
	if err := fn(x); err != nil {
		return err
	}
	if err := t.Commit(ctx); err != nil {
		return fmt.Errorf("committing transaction: %w", err)
	}
	s.committed(x)
	return nil
}

// isNoRows reports whether err means a single-row query found nothing.
func isNoRows(err error) bool {
	return errors.Is(err, sql.ErrNoRows) || errors.Is(err, pgx.ErrNoRows)
}

// SQLite extended result codes (sqlite3.h) for constraint failures.
const (
	sqliteConstraintForeignKey = 787
	sqliteConstraintPrimaryKey = 1555
	sqliteConstraintUnique     = 2067
)

// uniqueViolation reports whether err is a unique violation and, if so, the
// name of the index or constraint it broke (see isUnique).
func uniqueViolation(err error) (string, bool) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.ConstraintName, pe.Code == "23505"
	}
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return "", false
	}
	if se.Code() != sqliteConstraintUnique && se.Code() != sqliteConstraintPrimaryKey {
		return "", false
	}
	// "UNIQUE constraint failed: index 'users_login_key'" for indexes on
	// expressions, "UNIQUE constraint failed: api_keys.prefix" for
	// indexes and keys on plain columns.
	msg := se.Error()
	if i := strings.Index(msg, "index '"); i >= 0 {
		name := msg[i+len("index '"):]
		if j := strings.IndexByte(name, '\''); j >= 0 {
			return name[:j], true
		}
	}
	if i := strings.LastIndex(msg, "constraint failed: "); i >= 0 {
		name := msg[i+len("constraint failed: "):]
		if j := strings.LastIndex(name, " ("); j >= 0 {
			name = name[:j] // the driver appends the code: " (2067)"
		}
		return name, true
	}
	return "", true
}

// isUnique reports whether err violates the unique index index. SQLite
// names an index on plain columns by its columns ("table.col, ..."),
// which the caller gives as columns.
func isUnique(err error, index, columns string) bool {
	c, ok := uniqueViolation(err)
	return ok && (c == index || c == columns)
}

// lockConflict reports whether err is PostgreSQL's deadlock or
// serialization failure: the transaction was rolled back, and may be
// tried again.
func lockConflict(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001")
}

// inTxRetried is inTx, tried again (up to three times in all) when
// PostgreSQL rolls it back for a deadlock or a serialization failure. fn
// must change nothing but the database.
func (s *Store) inTxRetried(ctx context.Context, fn func(tx *tx) error) error {
	var err error
	for range 3 {
		if err = s.inTx(ctx, fn); !lockConflict(err) {
			return err
		}
	}
	return err
}

// foreignKeyViolation reports whether err is a foreign key violation.
func foreignKeyViolation(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23503"
	}
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code() == sqliteConstraintForeignKey
}

// taken returns the EINVALID error for a unique value in use.
func taken(field, format string, args ...any) error {
	var vs herald.Violations
	vs.Add(field, herald.VTaken, format, args...)
	return vs.Err()
}

// placeholders returns "$from, $from+1, ..." for n values.
func placeholders(from, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(from+i))
	}
	return b.String()
}

// utc returns t in UTC; pgx reads TIMESTAMPTZ in the local zone.
func utc(t time.Time) time.Time { return t.UTC() }

// utcPtr is utc for nullable times.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// asciiLower lowers ASCII letters only. Both engines fold case with
// lower(), which touches only ASCII on SQLite and, because every
// PostgreSQL text column uses COLLATE "C", only ASCII there too; values
// compared with lower(column) are folded the same way in Go.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
