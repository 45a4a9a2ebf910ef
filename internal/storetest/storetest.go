// Package storetest is the contract test suite of internal/store: every
// engine must pass Run. It also gives other packages' tests a fresh,
// migrated Store on either engine (OpenSQLite, OpenPostgres, Engines).
//
// The PostgreSQL leg never skips by itself: without a reachable server it
// fails, unless HERALD_TEST_POSTGRES=off is set. HERALD_TEST_POSTGRES_URL
// names the server (default DefaultPostgresURL); each test gets its own
// database, cloned from a template that is migrated once per schema.
package storetest

import (
	"context"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
)

// OpenSQLite returns a Store on a fresh, migrated SQLite database in
// t.TempDir(), closed when t ends. Its clock is herald.SystemClock.
func OpenSQLite(t *testing.T) *store.Store {
	t.Helper()
	return OpenSQLiteClock(t, herald.SystemClock{})
}

// OpenSQLiteClock is OpenSQLite with the store's clock, for tests that
// move time and need the store's timestamps to move with it.
func OpenSQLiteClock(t *testing.T, clock herald.Clock) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, "", t.TempDir(), clock)
	if err != nil {
		t.Fatalf("opening SQLite store: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrating SQLite store: %v", err)
	}
	return s
}

// Engines runs fn as the subtests "sqlite" and "postgres", each with a
// fresh, migrated Store.
func Engines(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	EnginesClock(t, herald.SystemClock{}, fn)
}

// EnginesClock is Engines with the stores' clock.
func EnginesClock(t *testing.T, clock herald.Clock, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, OpenSQLiteClock(t, clock)) })
	t.Run("postgres", func(t *testing.T) { fn(t, OpenPostgresClock(t, clock)) })
}

// Run is the contract suite: open must return a fresh, migrated Store
// each time it is called. Each aggregate is a parallel subtest.
func Run(t *testing.T, open func(t *testing.T) *store.Store) {
	suites := []struct {
		name string
		fn   func(t *testing.T, open func(t *testing.T) *store.Store)
	}{
		{"Accounts", testAccounts},
		{"Departments", testDepartments},
		{"Users", testUsers},
		{"Credentials", testCredentials},
		{"UserPrefs", testUserPrefs},
		{"Roles", testRoles},
		{"APIKeys", testAPIKeys},
		{"Audit", testAudit},
		{"Sessions", testSessions},
		{"Idempotency", testIdempotency},
		{"Lists", testLists},
		{"ContactDirectory", testContactDirectory},
		{"Contacts", testContacts},
		{"Connections", testConnections},
		{"Senders", testSenders},
		{"SenderRequests", testSenderRequests},
		{"Messages", testMessages},
		{"MessageList", testMessageList},
		{"Claims", testClaims},
		{"SharedContents", testSharedContents},
		{"EmailEvents", testEmailEvents},
		{"Chains", testChains},
		{"WebhookSettings", testWebhookSettings},
		{"WebhookDeliveries", testWebhookDeliveries},
		{"Threads", testThreads},
		{"Sandbox", testSandbox},
		{"SMPP", testSMPP},
		{"SMSSegments", testSMSSegments},
		{"SMPPSubmitParts", testSMPPSubmitParts},
		{"Media", testMedia},
		{"Templates", testTemplates},
		{"ConversationTemplates", testConversationTemplates},
		{"Broadcasts", testBroadcasts},
	}
	for _, s := range suites {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel() // each opens databases of its own
			s.fn(t, open)
		})
	}
}
