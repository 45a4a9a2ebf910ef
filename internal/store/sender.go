package store

import (
	"context"
	"fmt"

	"github.com/heraldhq/herald"
)

// senderSelects are the columns scanSender reads.
const senderSelects = "s.id, s.account_id, s.name, s.channel, s.connection_id, s.created_at"

// scanSender reads senderSelects, then extra.
func scanSender(r scanner, extra ...any) (herald.SenderID, error) {
	var s herald.SenderID
	err := r.Scan(append([]any{&s.ID, &s.AccountID, &s.Name, &s.Channel, &s.ConnectionID, &s.CreatedAt}, extra...)...)
	s.CreatedAt = utc(s.CreatedAt)
	return s, err
}

// scanListedSender reads senderSelects, the connection's name, then extra.
func scanListedSender(r scanner, extra ...any) (herald.SenderID, error) {
	var name string
	s, err := scanSender(r, append([]any{&name}, extra...)...)
	s.ConnectionName = name
	return s, err
}

// checkSenderConnection returns ENOTFOUND unless sd's connection is
// assigned to sd's account, and a violation unless it serves sd's channel.
func checkSenderConnection(ctx context.Context, t *tx, sd *herald.SenderID) error {
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
	return nil
}

// senderErr maps the errors of saving a sender ID.
func senderErr(err error, sd *herald.SenderID) error {
	if isUnique(err, "sender_ids_name_key", "") {
		return taken("name", "The account has the sender ID %q on %s already.", sd.Name, sd.Channel.Label())
	}
	return fmt.Errorf("saving sender ID: %w", err)
}

// CreateSender inserts s. The connection must serve s's channel and be
// assigned to s's account.
func (s *Store) CreateSender(ctx context.Context, sd *herald.SenderID) error {
	return s.inTx(ctx, func(t *tx) error {
		if err := checkSenderConnection(ctx, t, sd); err != nil {
			return err
		}
		sd.CreatedAt = t.now
		err := t.queryRow(ctx, `INSERT INTO sender_ids (account_id, name, channel, connection_id, created_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, sd.AccountID, sd.Name, sd.Channel, sd.ConnectionID, t.now).Scan(&sd.ID)
		if err != nil {
			return senderErr(err, sd)
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

// getSender reads one sender ID of the account, or ENOTFOUND.
func getSender(ctx context.Context, q querier, accountID, id int64) (*herald.SenderID, error) {
	sd, err := scanSender(q.queryRow(ctx, "SELECT "+senderSelects+" FROM sender_ids s WHERE s.account_id = $1 AND s.id = $2", accountID, id))
	if isNoRows(err) {
		return nil, herald.Errorf(herald.ENOTFOUND, "Sender ID not found.")
	} else if err != nil {
		return nil, fmt.Errorf("reading sender ID: %w", err)
	}
	return &sd, nil
}

// Sender returns one sender ID of the account, or ENOTFOUND.
func (s *Store) Sender(ctx context.Context, accountID, id int64) (*herald.SenderID, error) {
	return getSender(ctx, s.read(), accountID, id)
}

// UpdateSender validates sd and saves its name, channel and connection;
// the connection must serve the channel and be assigned to the account.
func (s *Store) UpdateSender(ctx context.Context, sd *herald.SenderID) error {
	if err := sd.Validate(); err != nil {
		return err
	}
	return s.inTx(ctx, func(t *tx) error {
		old, err := getSender(ctx, t, sd.AccountID, sd.ID)
		if err != nil {
			return err
		}
		if err := checkSenderConnection(ctx, t, sd); err != nil {
			return err
		}
		_, err = t.exec(ctx, `UPDATE sender_ids SET name = $1, channel = $2, connection_id = $3 WHERE account_id = $4 AND id = $5`,
			sd.Name, sd.Channel, sd.ConnectionID, sd.AccountID, sd.ID)
		if err != nil {
			return senderErr(err, sd)
		}
		sd.CreatedAt, sd.ConnectionName = old.CreatedAt, ""
		return s.audit(ctx, t, sd.AccountID, actionChangeSender, detail("sender_ids", herald.OpUpdate, sd.ID, old, sd))
	})
}

// DeleteSender removes a sender ID of the account. Messages keep its name.
func (s *Store) DeleteSender(ctx context.Context, accountID, id int64) error {
	return s.inTx(ctx, func(t *tx) error {
		old, err := getSender(ctx, t, accountID, id)
		if err != nil {
			return err
		}
		if _, err := t.exec(ctx, `DELETE FROM sender_ids WHERE account_id = $1 AND id = $2`, accountID, id); err != nil {
			return fmt.Errorf("deleting sender ID: %w", err)
		}
		return s.audit(ctx, t, accountID, actionDeleteSender, detail("sender_ids", herald.OpDelete, id, old, nil))
	})
}

// senderSpec is the Sender IDs list.
func senderSpec() *listSpec {
	return &listSpec{
		columns: herald.SenderColumns(),
		cols: map[string]listCol{
			"name":       {expr: "s.name", typ: herald.ColText},
			"channel":    {expr: channelNameSQL("s.channel"), typ: herald.ColEnum},
			"connection": {expr: "c.name", typ: herald.ColText},
			"createdAt":  {expr: "s.created_at", typ: herald.ColTime},
		},
		selects: senderSelects + ", c.name",
		from:    "sender_ids s JOIN connections c ON c.id = s.connection_id",
		id:      "s.id",
	}
}

// ListSenders returns one page of the account's sender IDs with their
// connections' names.
func (s *Store) ListSenders(ctx context.Context, accountID int64, q herald.ListQuery) (herald.Page[herald.SenderID], error) {
	p, err := s.buildList(senderSpec(), q, "s.account_id = $1", accountID)
	if err != nil {
		return herald.Page[herald.SenderID]{}, err
	}
	return runList(ctx, s.read(), p, scanListedSender)
}
