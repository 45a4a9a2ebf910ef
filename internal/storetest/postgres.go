package storetest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/jackc/pgx/v5"
)

// Environment variables of the PostgreSQL leg.
const (
	// EnvPostgresURL names the admin URL of the test server; the tests
	// create and drop databases through it.
	EnvPostgresURL = "HERALD_TEST_POSTGRES_URL"
	// EnvPostgres set to "off" skips the PostgreSQL tests. Nothing else
	// does: an unreachable server fails them.
	EnvPostgres = "HERALD_TEST_POSTGRES"
)

// DefaultPostgresURL is the admin URL used when EnvPostgresURL is unset.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// templateLock is the advisory lock key that serialises building template
// databases across test binaries running in parallel.
const templateLock = 0x4865_7261_6c64 // "Herald"

// PostgresURL returns the URL of a fresh PostgreSQL database, migrated to
// the current schema and dropped when t ends. It skips t only when
// HERALD_TEST_POSTGRES=off and fails t when the server cannot be reached.
func PostgresURL(t *testing.T) string {
	t.Helper()
	return newDatabase(t, true)
}

// EmptyPostgresURL returns the URL of a fresh PostgreSQL database with no
// schema at all, dropped when t ends: for tests of migrating. It skips
// and fails as PostgresURL does.
func EmptyPostgresURL(t *testing.T) string {
	t.Helper()
	return newDatabase(t, false)
}

// newDatabase creates a test database, cloned from the migrated template
// when migrated is true, and returns its URL; see PostgresURL.
func newDatabase(t *testing.T, migrated bool) string {
	t.Helper()
	if strings.EqualFold(os.Getenv(EnvPostgres), "off") {
		t.Skip("PostgreSQL tests are off (" + EnvPostgres + "=off)")
	}
	admin := adminURL()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn := connectAdmin(ctx, t, admin)
	defer conn.Close(context.WithoutCancel(ctx))
	name := "herald_test_" + randomHex(8)
	create := "CREATE DATABASE " + name
	if migrated {
		tmpl, err := ensureTemplate(ctx, conn, admin)
		if err != nil {
			t.Fatalf("preparing PostgreSQL template database: %v", err)
		}
		create += " TEMPLATE " + tmpl
	}
	if _, err := conn.Exec(ctx, create); err != nil {
		t.Fatalf("creating test database: %v", err)
	}
	t.Cleanup(func() { dropDatabase(t, admin, name) })
	return withDatabase(admin, name)
}

// OpenPostgres returns a Store on a fresh, migrated PostgreSQL database
// (see PostgresURL), closed and dropped when t ends. Its clock is
// herald.SystemClock.
func OpenPostgres(t *testing.T) *store.Store {
	t.Helper()
	return OpenPostgresClock(t, herald.SystemClock{})
}

// OpenPostgresClock is OpenPostgres with the store's clock.
func OpenPostgresClock(t *testing.T, clock herald.Clock) *store.Store {
	t.Helper()
	u := PostgresURL(t)
	s, err := store.Open(context.Background(), u, "", clock)
	if err != nil {
		t.Fatalf("opening PostgreSQL store: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// adminURL returns the admin URL of the test server.
func adminURL() string {
	if u := os.Getenv(EnvPostgresURL); u != "" {
		return u
	}
	return DefaultPostgresURL
}

// connectAdmin connects to the test server or fails t saying what to do.
func connectAdmin(ctx context.Context, t *testing.T, admin string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("PostgreSQL is not reachable through %s (%v): start PostgreSQL, point %s at it, or set %s=off to skip the PostgreSQL tests",
			redact(admin), err, EnvPostgresURL, EnvPostgres)
	}
	return conn
}

// ensureTemplate returns the name of a template database migrated to the
// current schema, building it when missing. The name carries a hash of
// the migration files, so a schema change builds a new template.
func ensureTemplate(ctx context.Context, conn *pgx.Conn, admin string) (string, error) {
	sum, err := schemaHash()
	if err != nil {
		return "", err
	}
	name := "herald_tmpl_" + sum
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", templateLock); err != nil {
		return "", fmt.Errorf("locking: %w", err)
	}
	defer func() { _, _ = conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", templateLock) }()
	var ready bool
	err = conn.QueryRow(ctx, "SELECT datistemplate FROM pg_database WHERE datname = $1", name).Scan(&ready)
	if err == nil && ready {
		return name, nil
	} else if err != nil && err != pgx.ErrNoRows {
		return "", fmt.Errorf("looking for template: %w", err)
	}
	return name, buildTemplate(ctx, conn, admin, name)
}

// buildTemplate (re)creates database name, migrates it and marks it as a
// template. A template left half-built by a crashed run is rebuilt.
func buildTemplate(ctx context.Context, conn *pgx.Conn, admin, name string) error {
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("dropping stale template: %w", err)
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return fmt.Errorf("creating template: %w", err)
	}
	s, err := store.Open(ctx, withDatabase(admin, name), "", herald.SystemClock{})
	if err != nil {
		return err
	}
	err = s.Migrate(ctx)
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, "ALTER DATABASE "+name+" WITH IS_TEMPLATE true"); err != nil {
		return fmt.Errorf("marking template: %w", err)
	}
	return nil
}

// schemaHash hashes the PostgreSQL migration files.
func schemaHash() (string, error) {
	fsys, err := store.Migrations(store.EnginePostgres)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	err = fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", path, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("hashing migrations: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// dropDatabase drops a test database, failing t when it cannot.
func dropDatabase(t *testing.T, admin, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Errorf("dropping test database %s: %v", name, err)
		return
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		t.Errorf("dropping test database %s: %v", name, err)
	}
}

// withDatabase returns the admin URL pointing at database name.
func withDatabase(admin, name string) string {
	u, err := url.Parse(admin)
	if err != nil {
		return admin // pgx.Connect has already accepted it; keep it as is
	}
	u.Path = "/" + name
	return u.String()
}

// redact returns u without its password, for messages.
func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "the configured URL"
	}
	return p.Redacted()
}

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
