package store_test

import (
	"context"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/storetest"
)

// TestSenderRegistrationMigration checks that the sender IDs of a
// database from before registration requests stay active, bound and
// routable after migrating.
func TestSenderRegistrationMigration(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testSenderMigration(t, "", t.TempDir()) })
	t.Run("postgres", func(t *testing.T) { testSenderMigration(t, storetest.EmptyPostgresURL(t), "") })
}

func testSenderMigration(t *testing.T, url, dir string) {
	ctx := context.Background()
	s, db := openAtVersion(t, url, dir, 4)
	for _, q := range []string{
		`INSERT INTO accounts (name, status, time_zone, created_at, updated_at) VALUES ('Old', 'active', 'UTC', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`,
		`INSERT INTO connections (type, channel, name, created_at, updated_at) VALUES ('sandbox', 1, 'Old SMS', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`,
		`INSERT INTO connection_accounts (connection_id, account_id) SELECT c.id, a.id FROM connections c, accounts a`,
		`INSERT INTO sender_ids (account_id, name, channel, connection_id, created_at) SELECT a.id, 'Acme', 1, c.id, CURRENT_TIMESTAMP FROM connections c, accounts a`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrating: %v", err)
	}
	acc, err := s.AccountByName(ctx, "Old")
	if err != nil {
		t.Fatal(err)
	}
	sd, err := s.SenderByName(ctx, acc.ID, herald.ChannelSMS, "ACME")
	if err != nil || sd.Status != herald.SenderActive || !sd.Routable() || !sd.UpdatedAt.Equal(sd.CreatedAt) {
		t.Fatalf("sender ID after migrating = %+v, %v; want it active and routable", sd, err)
	}
	// A new one goes on after the old IDs.
	next := &herald.SenderID{AccountID: acc.ID, Channel: herald.ChannelSMS, DisplayName: "NEW", Status: herald.SenderDraft}
	if err := s.CreateSender(ctx, next); err != nil || next.ID <= sd.ID {
		t.Fatalf("CreateSender after migrating: ID %d after %d, %v", next.ID, sd.ID, err)
	}
}
