package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/heraldhq/herald"
)

// Audited actions on sender IDs. A status change is audited as
// actionSenderStatus followed by the new status's label.
const (
	actionAddSender     = "Added new sender ID"
	actionRequestSender = "Requested sender ID"
	actionChangeSender  = "Changed sender ID"
	actionSenderStatus  = "Changed sender ID status to "
	actionBindSender    = "Bound sender ID to connection"
	actionUnbindSender  = "Unbound sender ID from connection"
	actionDeleteSender  = "Deleted sender ID"
)

// senderLive is the condition of the live sender IDs, the rows of the
// partial unique index sender_ids_name_key; written out so that both
// engines' planners see the index applies.
const senderLive = "s.name <> '' AND s.status NOT IN ('canceled', 'rejected')"

// senderSelects are the columns scanSender reads.
const senderSelects = "s.id, s.account_id, s.name, s.display_name, s.channel, s.status, s.reason, s.agreement, " +
	"COALESCE(s.connection_id, 0), s.profile, s.created_at, s.updated_at"

// scanSender reads senderSelects, then extra.
func scanSender(r scanner, extra ...any) (herald.SenderID, error) {
	var s herald.SenderID
	var profile string
	err := r.Scan(append([]any{&s.ID, &s.AccountID, &s.Name, &s.DisplayName, &s.Channel, &s.Status, &s.Reason,
		&s.Agreement, &s.ConnectionID, &profile, &s.CreatedAt, &s.UpdatedAt}, extra...)...)
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal([]byte(profile), &s.SenderProfile); err != nil {
		return s, fmt.Errorf("reading the profile of sender ID %d: %w", s.ID, err)
	}
	s.CreatedAt, s.UpdatedAt = utc(s.CreatedAt), utc(s.UpdatedAt)
	return s, nil
}

// scanListedSender reads senderSelects, the connection's and the
// account's names, then extra.
func scanListedSender(r scanner, extra ...any) (herald.SenderID, error) {
	var conn, account string
	s, err := scanSender(r, append([]any{&conn, &account}, extra...)...)
	s.ConnectionName, s.AccountName = conn, account
	return s, err
}

// senderArgs are the values of the columns CreateSender and UpdateSender
// write, in senderWrites order.
func senderArgs(sd *herald.SenderID) ([]any, error) {
	profile, err := json.Marshal(sd.SenderProfile)
	if err != nil {
		return nil, fmt.Errorf("encoding the sender ID's profile: %w", err)
	}
	var conn any
	if sd.ConnectionID != 0 {
		conn = sd.ConnectionID
	}
	return []any{sd.Name, sd.DisplayName, sd.Channel, sd.Status, sd.Reason, sd.Agreement, conn, string(profile)}, nil
}

// checkSenderConnection returns ENOTFOUND unless sd's connection (if any)
// is assigned to sd's account, and a violation unless it serves sd's
// channel.
func checkSenderConnection(ctx context.Context, t *tx, sd *herald.SenderID) error {
	if sd.ConnectionID == 0 {
		return nil
	}
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

// CreateSender validates sd and inserts it. A connection must serve sd's
// channel and be assigned to sd's account.
func (s *Store) CreateSender(ctx context.Context, sd *herald.SenderID) error {
	if err := sd.Validate(); err != nil {
		return err
	}
	args, err := senderArgs(sd)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(t *tx) error {
		if err := checkSenderConnection(ctx, t, sd); err != nil {
			return err
		}
		sd.CreatedAt, sd.UpdatedAt = t.now, t.now
		err := t.queryRow(ctx, `INSERT INTO sender_ids (name, display_name, channel, status, reason, agreement, connection_id,
			profile, account_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id`,
			append(args, sd.AccountID, t.now)...).Scan(&sd.ID)
		if err != nil {
			return senderErr(err, sd)
		}
		action := actionAddSender
		if sd.Status == herald.SenderDraft || sd.Status == herald.SenderSubmitted {
			action = actionRequestSender
		}
		return s.audit(ctx, t, sd.AccountID, action, detail("sender_ids", herald.OpInsert, sd.ID, nil, sd))
	})
}

// SenderByName returns the account's live sender ID name on channel
// (case-insensitive), or ENOTFOUND.
func (s *Store) SenderByName(ctx context.Context, accountID int64, channel herald.Channel, name string) (*herald.SenderID, error) {
	sd, err := scanSender(s.read().queryRow(ctx, "SELECT "+senderSelects+` FROM sender_ids s
		WHERE s.account_id = $1 AND s.channel = $2 AND lower(s.name) = $3 AND `+senderLive, accountID, channel, asciiLower(name)))
	if isNoRows(err) {
		return nil, herald.Errorf(herald.ENOTFOUND, "Sender ID not found.")
	} else if err != nil {
		return nil, fmt.Errorf("reading sender ID: %w", err)
	}
	return &sd, nil
}

// Senders returns the account's routable sender IDs by channel and name.
func (s *Store) Senders(ctx context.Context, accountID int64) ([]herald.SenderID, error) {
	out := []herald.SenderID{}
	err := eachRow(ctx, s.read(), "SELECT "+senderSelects+` FROM sender_ids s
		WHERE s.account_id = $1 AND s.status = 'active' AND s.connection_id IS NOT NULL AND `+senderLive+`
		ORDER BY s.channel, lower(s.name), s.id`, []any{accountID}, func(r scanner) error {
		sd, err := scanSender(r)
		out = append(out, sd)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("listing sender IDs: %w", err)
	}
	return out, nil
}

// SenderOnConnection returns the active sender ID name (case-insensitive)
// bound to the connection, in whichever account has it (the oldest when
// several do): how an inbound message finds its account. ENOTFOUND.
func (s *Store) SenderOnConnection(ctx context.Context, connectionID int64, name string) (*herald.SenderID, error) {
	sd, err := scanSender(s.read().queryRow(ctx, "SELECT "+senderSelects+` FROM sender_ids s
		WHERE s.connection_id = $1 AND lower(s.name) = $2 AND s.status = 'active' ORDER BY s.id LIMIT 1`,
		connectionID, asciiLower(name)))
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

// AnySender returns a sender ID of any account with its account's and
// connection's names, or ENOTFOUND.
func (s *Store) AnySender(ctx context.Context, id int64) (*herald.SenderID, error) {
	sd, err := scanListedSender(s.read().queryRow(ctx, "SELECT "+senderSelects+", COALESCE(c.name, ''), a.name FROM "+
		senderFrom+" WHERE s.id = $1", id))
	if isNoRows(err) {
		return nil, herald.Errorf(herald.ENOTFOUND, "Sender ID not found.")
	} else if err != nil {
		return nil, fmt.Errorf("reading sender ID: %w", err)
	}
	return &sd, nil
}

// UpdateSender validates sd and saves every field of it while its stored
// status is still from. The connection must serve the channel and be
// assigned to the account.
func (s *Store) UpdateSender(ctx context.Context, sd *herald.SenderID, from herald.SenderStatus) error {
	if err := sd.Validate(); err != nil {
		return err
	}
	args, err := senderArgs(sd)
	if err != nil {
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
		n, err := t.exec(ctx, `UPDATE sender_ids SET name = $1, display_name = $2, channel = $3, status = $4, reason = $5,
			agreement = $6, connection_id = $7, profile = $8, updated_at = $9 WHERE account_id = $10 AND id = $11 AND status = $12`,
			append(args, t.now, sd.AccountID, sd.ID, from)...)
		if err != nil {
			return senderErr(err, sd)
		}
		if n == 0 {
			return herald.Errorf(herald.ECONFLICT, "The sender ID is %s now, no longer %s: reload it and try again.",
				old.Status.Label(), from.Label())
		}
		sd.CreatedAt, sd.UpdatedAt, sd.ConnectionName, sd.AccountName = old.CreatedAt, t.now, "", ""
		return s.audit(ctx, t, sd.AccountID, senderAction(old, sd), detail("sender_ids", herald.OpUpdate, sd.ID, old, sd))
	})
}

// senderAction names the change from old to sd for the audit log.
func senderAction(old, sd *herald.SenderID) string {
	switch {
	case old.Status != sd.Status:
		return actionSenderStatus + sd.Status.Label()
	case old.ConnectionID != sd.ConnectionID && sd.ConnectionID == 0:
		return actionUnbindSender
	case old.ConnectionID != sd.ConnectionID:
		return actionBindSender
	}
	return actionChangeSender
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

// senderFrom joins a sender ID's connection and account.
const senderFrom = "sender_ids s LEFT JOIN connections c ON c.id = s.connection_id JOIN accounts a ON a.id = s.account_id"

// senderSpec is the Sender IDs list: an account's (SenderColumns) or
// every account's (SenderReviewColumns).
func senderSpec(columns []herald.Column) *listSpec {
	return &listSpec{
		columns: columns,
		cols: map[string]listCol{
			"name":        {expr: "s.name", typ: herald.ColText},
			"displayName": {expr: "s.display_name", typ: herald.ColText},
			"account":     {expr: "a.name", typ: herald.ColText},
			"channel":     {expr: channelNameSQL("s.channel"), typ: herald.ColEnum},
			"status":      {expr: "s.status", typ: herald.ColEnum},
			"agreement":   {expr: "s.agreement", typ: herald.ColText},
			"connection":  {expr: "COALESCE(c.name, '')", typ: herald.ColText},
			"createdAt":   {expr: "s.created_at", typ: herald.ColTime},
			"updatedAt":   {expr: "s.updated_at", typ: herald.ColTime},
		},
		selects:     senderSelects + ", COALESCE(c.name, ''), a.name",
		from:        senderFrom,
		id:          "s.id",
		newestFirst: true,
	}
}

// ListSenders returns one page of the account's sender IDs with their
// connections' names, newest first unless sorted.
func (s *Store) ListSenders(ctx context.Context, accountID int64, q herald.ListQuery) (herald.Page[herald.SenderID], error) {
	p, err := s.buildList(senderSpec(herald.SenderColumns()), q, "s.account_id = $1", accountID)
	if err != nil {
		return herald.Page[herald.SenderID]{}, err
	}
	pg, err := runList(ctx, s.read(), p, scanListedSender)
	for i := range pg.Items {
		pg.Items[i].AccountName = "" // the caller's own account
	}
	return pg, err
}

// ListAllSenders returns one page of every account's sender IDs, newest
// first unless sorted.
func (s *Store) ListAllSenders(ctx context.Context, q herald.ListQuery) (herald.Page[herald.SenderID], error) {
	p, err := s.buildList(senderSpec(herald.SenderReviewColumns()), q, "")
	if err != nil {
		return herald.Page[herald.SenderID]{}, err
	}
	return runList(ctx, s.read(), p, scanListedSender)
}
