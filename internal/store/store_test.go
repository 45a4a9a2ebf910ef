package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/storetest"
)

// TestContract runs the contract suite on both engines.
func TestContract(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { storetest.Run(t, storetest.OpenSQLite) })
	t.Run("postgres", func(t *testing.T) { storetest.Run(t, storetest.OpenPostgres) })
}

// TestMigrated checks a migrated store on both engines: current schema,
// ready, and migrating again changes nothing.
func TestMigrated(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		st, err := s.MigrationStatus(ctx)
		if err != nil || st.Current != st.Latest || st.Latest < 1 || st.Pending() {
			t.Fatalf("MigrationStatus() = %+v, %v; want current = latest >= 1", st, err)
		}
		if err := s.Ready(ctx); err != nil {
			t.Errorf("Ready() = %v, want nil", err)
		}
		if err := s.Migrate(ctx); err != nil {
			t.Errorf("Migrate() again = %v, want nil", err)
		}
	})
}

// TestReadyPending checks that Ready fails until the schema is migrated.
func TestReadyPending(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		testReadyPending(t, "", t.TempDir())
	})
	t.Run("postgres", func(t *testing.T) {
		testReadyPending(t, storetest.EmptyPostgresURL(t), "")
	})
}

func testReadyPending(t *testing.T, url, dir string) {
	ctx := context.Background()
	s, err := store.Open(ctx, url, dir, nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	err = s.Ready(ctx)
	if err == nil || !strings.Contains(err.Error(), "herald migrate") {
		t.Fatalf("Ready() on an empty database = %v, want an error that says to run herald migrate", err)
	}
	st, err := s.MigrationStatus(ctx)
	if err != nil || st.Current != 0 || !st.Pending() {
		t.Errorf("MigrationStatus() = %+v, %v; want version 0, pending", st, err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	if err := s.Ready(ctx); err != nil {
		t.Errorf("Ready() after Migrate = %v, want nil", err)
	}
}

// TestSQLitePragmas checks the writer's pragmas and the accessors.
func TestSQLitePragmas(t *testing.T) {
	s := storetest.OpenSQLite(t)
	if s.Engine() != store.EngineSQLite || s.SQLiteDB() == nil || s.PgxPool() != nil {
		t.Fatalf("Engine() = %q, SQLiteDB() = %v, PgxPool() = %v; want sqlite, a DB, nil", s.Engine(), s.SQLiteDB(), s.PgxPool())
	}
	db := s.SQLiteDB()
	if n := db.Stats().MaxOpenConnections; n != 1 {
		t.Errorf("writer MaxOpenConnections = %d, want 1", n)
	}
	for pragma, want := range map[string]string{"journal_mode": "wal", "foreign_keys": "1", "synchronous": "1", "busy_timeout": "5000"} {
		var got string
		if err := db.QueryRow("PRAGMA " + pragma).Scan(&got); err != nil {
			t.Fatalf("PRAGMA %s: %v", pragma, err)
		}
		if got != want {
			t.Errorf("PRAGMA %s = %q, want %q", pragma, got, want)
		}
	}
}

// TestPostgresAccessors checks the accessors on PostgreSQL.
func TestPostgresAccessors(t *testing.T) {
	s := storetest.OpenPostgres(t)
	if s.Engine() != store.EnginePostgres || s.SQLiteDB() != nil || s.PgxPool() == nil {
		t.Fatalf("Engine() = %q, SQLiteDB() = %v, PgxPool() = %v; want postgres, nil, a pool", s.Engine(), s.SQLiteDB(), s.PgxPool())
	}
	if err := s.PgxPool().Ping(context.Background()); err != nil {
		t.Errorf("PgxPool().Ping() = %v", err)
	}
}

// TestSessionTokenHashed checks that the database holds no session token.
func TestSessionTokenHashed(t *testing.T) {
	s := storetest.OpenSQLite(t)
	ctx := context.Background()
	if err := s.CommitSession(ctx, "secret-token", []byte("d"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	var key string
	if err := s.SQLiteDB().QueryRow("SELECT token_hash FROM sessions").Scan(&key); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("secret-token"))
	if want := hex.EncodeToString(sum[:]); key != want {
		t.Errorf("stored session key = %q, want the SHA-256 of the token %q", key, want)
	}
}

// TestOpenDataDir checks that Open creates the data directory privately.
func TestOpenDataDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "herald-data")
	s, err := store.Open(context.Background(), "", dir, herald.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fi, err := os.Stat(dir)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("data directory: %v, %v; want mode 0700", fi, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "herald.db")); err != nil {
		t.Errorf("herald.db: %v", err)
	}
	other := filepath.Join(t.TempDir(), "x.db")
	s2, err := store.Open(context.Background(), "sqlite://"+other, "", nil)
	if err != nil {
		t.Fatalf("Open(sqlite://%s): %v", other, err)
	}
	defer s2.Close()
	if _, err := os.Stat(other); err != nil {
		t.Errorf("%s: %v", other, err)
	}
}

// TestParseURL checks engine selection and the errors of bad URLs, which
// must never repeat a password.
func TestParseURL(t *testing.T) {
	good := map[string]string{
		"":                                       store.EngineSQLite,
		"sqlite:///var/lib/herald.db":            store.EngineSQLite,
		"sqlite:herald.db":                       store.EngineSQLite,
		"sqlite://data/herald.db":                store.EngineSQLite,
		"postgres://u:p@db:5432/herald":          store.EnginePostgres,
		"postgresql://db/herald?sslmode=disable": store.EnginePostgres,
		"POSTGRES://db/herald":                   store.EnginePostgres,
	}
	for url, want := range good {
		if got, err := store.ParseURL(url); got != want || err != nil {
			t.Errorf("ParseURL(%q) = %q, %v; want %q", url, got, err, want)
		}
	}
	bad := map[string]string{
		"mysql://u:hunter2@db/herald":          `"mysql"`,
		"postgres://u:hunter2@db:notaport/x":   "cannot be parsed",
		"postgres://u:hunter2@db/x?sslmode=no": "PostgreSQL",
		"postgres://u:hunter2%zz@db/x":         "cannot be parsed",
		"/var/lib/herald.db":                   "no scheme",
		"sqlite::memory:":                      "in-memory",
		"sqlite://":                            "no file path",
		"redis://hunter2@cache":                `"redis"`,
	}
	for url, want := range bad {
		_, err := store.ParseURL(url)
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("ParseURL(%q) = %v; want an error mentioning %s and no password", url, err, want)
		}
		if _, err := store.Open(context.Background(), url, t.TempDir(), nil); err == nil {
			t.Errorf("Open(%q) = nil error", url)
		}
	}
}

// TestOpenUnreachable checks that Open fails fast on a server that is down.
func TestOpenUnreachable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := store.Open(ctx, "postgres://postgres:hunter2@127.0.0.1:1/x?sslmode=disable&connect_timeout=5", "", nil)
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("Open(unreachable) = %v; want an error without the password", err)
	}
}

// fixedClock is a clock that the test moves by hand.
type fixedClock struct{ now time.Time }

func (c *fixedClock) Now() time.Time { return c.now }

// TestClock checks that the store takes its times from its clock, in UTC
// at microsecond precision, on both engines.
func TestClock(t *testing.T) {
	clock := &fixedClock{now: time.Date(2030, 1, 2, 3, 4, 5, 123456789, time.FixedZone("X", 7200))}
	want := time.Date(2030, 1, 2, 1, 4, 5, 123456000, time.UTC)
	storetest.EnginesClock(t, clock, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := &herald.Account{Name: "Clocked", Status: herald.AccountActive, TimeZone: "UTC"}
		if err := s.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
		got, err := s.Account(ctx, a.ID)
		if err != nil || got.CreatedAt != want || got.UpdatedAt != want {
			t.Fatalf("Account() = %+v, %v; want created and updated at %v", got, err, want)
		}
		// Sessions expire by the store's clock, not the wall clock.
		if err := s.CommitSession(ctx, "tok", []byte("x"), want.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if _, found, _ := s.FindSession(ctx, "tok"); !found {
			t.Error("FindSession() before expiry: not found")
		}
		clock.now = clock.now.Add(2 * time.Minute)
		if _, found, _ := s.FindSession(ctx, "tok"); found {
			t.Error("FindSession() after expiry by the store clock: found")
		}
		clock.now = clock.now.Add(-2 * time.Minute)
	})
}
