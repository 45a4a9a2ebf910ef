package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/storetest"
)

// TestRestoreContactIndexes drops every index of contacts but the unique
// phone number, as imports defer them, and builds them again: each comes
// back as the migration made it, through RestoreContactIndexes and
// through Migrate (the restart after an import that never finished).
func TestRestoreContactIndexes(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		want := storetest.ContactIndexes(t, s)
		if len(want) < 41 || want["contacts_n16_idx"] == "" || want["contacts_email_idx"] == "" {
			t.Fatalf("indexes of contacts after migrating = %v", want)
		}
		for _, restore := range []func(context.Context) error{s.RestoreContactIndexes, s.Migrate} {
			for name := range want {
				if strings.HasSuffix(name, "_idx") {
					storetest.DropIndex(t, s, name)
				}
			}
			if got := storetest.ContactIndexes(t, s); len(got) != len(want)-41 {
				t.Fatalf("indexes left = %v", got)
			}
			if err := restore(ctx); err != nil {
				t.Fatalf("restoring: %v", err)
			}
			got := storetest.ContactIndexes(t, s)
			for name, def := range want {
				if got[name] != def {
					t.Errorf("restored index %s = %q; want %q", name, got[name], def)
				}
			}
			if len(got) != len(want) {
				t.Errorf("restored %d indexes; want %d", len(got), len(want))
			}
		}
	})
}
