package store_test

import (
	"context"
	"database/sql"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/pressly/goose/v3"

	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/storetest"
)

// TestContactsMigrationSeeds checks that migrating a database whose
// accounts predate contacts gives each of them Name and Surname.
func TestContactsMigrationSeeds(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testContactsMigration(t, "", t.TempDir()) })
	t.Run("postgres", func(t *testing.T) { testContactsMigration(t, storetest.EmptyPostgresURL(t), "") })
}

func testContactsMigration(t *testing.T, url, dir string) {
	ctx := context.Background()
	s, db := openAtVersion(t, url, dir, 1)
	if _, err := db.ExecContext(ctx, `INSERT INTO accounts (name, status, time_zone, created_at, updated_at)
		VALUES ('Old', 'active', 'UTC', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`); err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrating: %v", err)
	}
	acc, err := s.AccountByName(ctx, "Old")
	if err != nil {
		t.Fatal(err)
	}
	attrs, err := s.Attributes(ctx, acc.ID)
	if err != nil || len(attrs) != 2 || attrs[0].Name != "Name" || attrs[1].Name != "Surname" || !attrs[0].FreeText {
		t.Fatalf("attributes of an old account = %+v, %v; want Name and Surname, free text", attrs, err)
	}
}

// openAtVersion opens a fresh store (PostgreSQL at url, or SQLite in dir)
// migrated up to version only, with the database/sql handle that writes
// the rows of an older Herald.
func openAtVersion(t *testing.T, url, dir string, version int64) (*store.Store, *sql.DB) {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, url, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	fsys, err := store.Migrations(s.Engine())
	if err != nil {
		t.Fatal(err)
	}
	dialect, db := goose.DialectSQLite3, s.SQLiteDB()
	if s.Engine() == store.EnginePostgres {
		dialect = goose.DialectPostgres
		db = openPgSQL(t, url)
	}
	p, err := goose.NewProvider(dialect, db, fsys, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, version); err != nil {
		t.Fatalf("migrating to %d: %v", version, err)
	}
	return s, db
}

// openPgSQL opens url through database/sql, for goose.
func openPgSQL(t *testing.T, url string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}
