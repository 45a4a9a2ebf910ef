package store

import (
	"context"
	"fmt"

	"github.com/heraldhq/herald"
)

// InboundByProvider returns the ID of the inbound message that a
// connection already received under providerID (an e-mail's Message-ID,
// say), or "" when it received none. On PostgreSQL it first takes a lock
// on the pair for the rest of the transaction, so two deliveries of one
// message that arrive together cannot both find nothing; SQLite's single
// writer serialises them already.
func (x *MessageTx) InboundByProvider(ctx context.Context, connectionID int64, providerID string) (string, error) {
	if providerID == "" {
		return "", nil
	}
	if x.s.engine == EnginePostgres {
		if _, err := x.t.exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, $2))`, providerID, connectionID); err != nil {
			return "", fmt.Errorf("locking inbound message %q: %w", providerID, err)
		}
	}
	var id string
	err := x.t.queryRow(ctx, `SELECT id FROM messages WHERE connection_id = $1 AND provider_id = $2 AND direction = $3
		ORDER BY seq LIMIT 1`, connectionID, providerID, herald.MO).Scan(&id)
	if isNoRows(err) {
		return "", nil
	} else if err != nil {
		return "", fmt.Errorf("finding inbound message %q: %w", providerID, err)
	}
	return id, nil
}
