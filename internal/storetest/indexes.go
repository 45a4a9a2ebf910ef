package storetest

import (
	"context"
	"testing"

	"github.com/heraldhq/herald/internal/store"
)

// ContactIndexes returns the definitions of the indexes that table
// contacts has, by name, as the engine reports them (sqlite_master.sql,
// pg_indexes.indexdef); SQLite's automatic indexes have none and are left
// out.
func ContactIndexes(t *testing.T, s *store.Store) map[string]string {
	t.Helper()
	ctx := context.Background()
	if db := s.SQLiteDB(); db != nil {
		rs, err := db.QueryContext(ctx, "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'contacts' AND sql IS NOT NULL")
		if err != nil {
			t.Fatalf("listing indexes: %v", err)
		}
		defer rs.Close()
		return namedDefs(t, rs)
	}
	rs, err := s.PgxPool().Query(ctx, "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'contacts'")
	if err != nil {
		t.Fatalf("listing indexes: %v", err)
	}
	defer rs.Close()
	return namedDefs(t, rs)
}

// nameRows is what namedDefs reads: database/sql's and pgx's rows alike.
type nameRows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// namedDefs reads rows of (name, definition) into a map.
func namedDefs(t *testing.T, rs nameRows) map[string]string {
	t.Helper()
	out := map[string]string{}
	for rs.Next() {
		var name, def string
		if err := rs.Scan(&name, &def); err != nil {
			t.Fatalf("listing indexes: %v", err)
		}
		out[name] = def
	}
	if err := rs.Err(); err != nil {
		t.Fatalf("listing indexes: %v", err)
	}
	return out
}

// DropIndex drops an index, as an import that defers it does.
func DropIndex(t *testing.T, s *store.Store, name string) {
	t.Helper()
	var err error
	if db := s.SQLiteDB(); db != nil {
		_, err = db.ExecContext(context.Background(), "DROP INDEX "+name)
	} else {
		_, err = s.PgxPool().Exec(context.Background(), "DROP INDEX "+name)
	}
	if err != nil {
		t.Fatalf("dropping index %s: %v", name, err)
	}
}
