package store

import (
	"context"
	"fmt"

	"github.com/heraldhq/herald"
)

// senderSelects are the columns scanSender reads.
const senderSelects = "s.id, s.account_id, s.name, s.channel, s.connection_id, s.created_at"

// scanSender reads senderSelects.
func scanSender(r scanner) (herald.SenderID, error) {
	var s herald.SenderID
	err := r.Scan(&s.ID, &s.AccountID, &s.Name, &s.Channel, &s.ConnectionID, &s.CreatedAt)
	s.CreatedAt = utc(s.CreatedAt)
	return s, err
}

// CreateSender inserts s. The connection must serve s's channel and be
// assigned to s's account.
func (s *Store) CreateSender(ctx context.Context, sd *herald.SenderID) error {
	return s.inTx(ctx, func(t *tx) error {
		var ch herald.Channel
		err := t.queryRow(ctx, `SELECT c.channel FROM connections c JOIN connection_accounts a ON a.connection_id = c.id
			WHERE c.id = $1 AND a.account_id = $2`, sd.ConnectionID, sd.AccountID).Scan(&ch)
		if isNoRows(err) {
			return herald.Errorf(herald.ENOTFOUND, "Connection not found.")
		} else if err != nil {
			return fmt.Errorf("reading connection: %w", err)
		}
		if ch != sd.Channel {
			var vs herald.Violations
			vs.Add("connectionId", herald.VFormat, "The connection serves %s, not %s.", ch.Label(), sd.Channel.Label())
			return vs.Err()
		}
		sd.CreatedAt = t.now
		err = t.queryRow(ctx, `INSERT INTO sender_ids (account_id, name, channel, connection_id, created_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, sd.AccountID, sd.Name, sd.Channel, sd.ConnectionID, t.now).Scan(&sd.ID)
		if isUnique(err, "sender_ids_name_key", "") {
			return taken("name", "The account has the sender ID %q on %s already.", sd.Name, sd.Channel.Label())
		} else if err != nil {
			return fmt.Errorf("saving sender ID: %w", err)
		}
		return s.audit(ctx, t, sd.AccountID, actionAddSender, detail("sender_ids", herald.OpInsert, sd.ID, nil, sd))
	})
}

// SenderByName returns the account's sender ID name on channel
// (case-insensitive), or ENOTFOUND.
func (s *Store) SenderByName(ctx context.Context, accountID int64, channel herald.Channel, name string) (*herald.SenderID, error) {
	sd, err := scanSender(s.read().queryRow(ctx, "SELECT "+senderSelects+` FROM sender_ids s
		WHERE s.account_id = $1 AND s.channel = $2 AND lower(s.name) = $3`, accountID, channel, asciiLower(name)))
	if isNoRows(err) {
		return nil, herald.Errorf(herald.ENOTFOUND, "Sender ID not found.")
	} else if err != nil {
		return nil, fmt.Errorf("reading sender ID: %w", err)
	}
	return &sd, nil
}

// Senders returns the account's sender IDs by channel and name.
func (s *Store) Senders(ctx context.Context, accountID int64) ([]herald.SenderID, error) {
	rs, err := s.read().query(ctx, "SELECT "+senderSelects+" FROM sender_ids s WHERE s.account_id = $1 ORDER BY s.channel, lower(s.name), s.id", accountID)
	if err != nil {
		return nil, fmt.Errorf("listing sender IDs: %w", err)
	}
	defer rs.Close()
	out := []herald.SenderID{}
	for rs.Next() {
		sd, err := scanSender(rs)
		if err != nil {
			return nil, fmt.Errorf("listing sender IDs: %w", err)
		}
		out = append(out, sd)
	}
	return out, rs.Err()
}

// SenderOnConnection returns the sender ID name (case-insensitive) bound to
// the connection, in whichever account has it (the oldest when several
// do): how an inbound message finds its account. ENOTFOUND.
func (s *Store) SenderOnConnection(ctx context.Context, connectionID int64, name string) (*herald.SenderID, error) {
	sd, err := scanSender(s.read().queryRow(ctx, "SELECT "+senderSelects+` FROM sender_ids s
		WHERE s.connection_id = $1 AND lower(s.name) = $2 ORDER BY s.id LIMIT 1`, connectionID, asciiLower(name)))
	if isNoRows(err) {
		return nil, herald.Errorf(herald.ENOTFOUND, "No sender ID %q on this connection.", name)
	} else if err != nil {
		return nil, fmt.Errorf("reading sender ID: %w", err)
	}
	return &sd, nil
}
