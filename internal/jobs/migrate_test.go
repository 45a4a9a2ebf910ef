package jobs_test

import (
	"sync"
	"testing"

	"github.com/heraldhq/herald/internal/jobs"
)

// TestMigrate runs Migrate repeatedly and, on PostgreSQL, from several
// Runners at once as processes starting together would.
func TestMigrate(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db testDB) {
		reg, _ := recorder(t)
		n := 1
		if db.engine == jobs.EnginePostgres {
			n = 3
		}
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			r, err := jobs.New(db.config(reg))
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			wg.Go(func() { errs[i] = r.Migrate(t.Context()) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("Migrate %d: %v", i, err)
			}
		}
		r := startRunner(t, db, reg) // migrates once more: nothing to do
		if _, err := r.Enqueue(t.Context(), markArgs{}, nil); err != nil {
			t.Errorf("Enqueue after Migrate: %v", err)
		}
	})
}
