package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/heraldhq/herald"
)

// The SMPP outbox holds the receipts and MO messages that Herald's SMPP
// server owes its customers. A poller fills it from what the messaging
// pipeline has already committed: status events of messages whose origin
// is smpp, and MO messages of accounts with SMPP credentials. Each source
// has a cursor in smpp_cursors that moves in the transaction that inserts
// the deliveries, so an event is queued exactly once and never lost.

// SMPPSource is a committed change the poller offers: a status event of an
// SMPP message (Kind SMPPReceipt) or an MO message (Kind SMPPMO).
type SMPPSource struct {
	Kind    herald.SMPPDeliveryKind
	Message herald.Message // ID, AccountID, SenderID, Destination, CorrelationID, CallbackData, Payload, AcceptedAt
	Status  herald.MessageStatus
	Code    string // the event's provider code
	At      time.Time
	// SystemID is, for MO, the account's first SMPP system_id.
	SystemID string
}

// Cursor names.
const (
	cursorEvents = "events"
	cursorMO     = "mo"
)

// FillSMPPOutbox reads up to limit committed events and MO messages past
// the cursors, queues the deliveries pick makes of them, and moves the
// cursors. On a new installation the cursors start at the current end. It
// returns how many deliveries it queued.
func (s *Store) FillSMPPOutbox(ctx context.Context, limit int, pick func(SMPPSource) (herald.SMPPDelivery, bool)) (int, error) {
	n := 0
	err := s.inTx(ctx, func(t *tx) error {
		var err error
		var out []herald.SMPPDelivery
		if out, err = fillEvents(ctx, t, limit, pick); err != nil {
			return err
		}
		mo, err := fillMO(ctx, t, limit, pick)
		if err != nil {
			return err
		}
		out = append(out, mo...)
		n = len(out)
		return insertSMPPDeliveries(ctx, t, out)
	})
	if err != nil {
		return 0, fmt.Errorf("filling the SMPP outbox: %w", err)
	}
	return n, nil
}

// smppCursor reads a cursor, starting it at the end of table's key col.
func smppCursor(ctx context.Context, t *tx, name, table, col string) (int64, error) {
	var pos int64
	err := t.queryRow(ctx, "SELECT position FROM smpp_cursors WHERE name = $1", name).Scan(&pos)
	if !isNoRows(err) {
		return pos, err
	}
	if err := t.queryRow(ctx, "SELECT COALESCE(MAX("+col+"), 0) FROM "+table).Scan(&pos); err != nil {
		return 0, err
	}
	_, err = t.exec(ctx, "INSERT INTO smpp_cursors (name, position) VALUES ($1, $2)", name, pos)
	return pos, err
}

// advance reads the key of the limit-th row after pos, the cursor's next
// position; it returns pos when there is nothing new.
func advance(ctx context.Context, t *tx, table, col string, pos int64, limit int) (int64, error) {
	var upto int64
	err := t.queryRow(ctx, "SELECT COALESCE(MAX("+col+"), $1) FROM (SELECT "+col+" FROM "+table+" WHERE "+col+" > $1 ORDER BY "+
		col+" LIMIT $2) x", pos, limit).Scan(&upto)
	return upto, err
}

// fillEvents offers the status events of SMPP messages.
func fillEvents(ctx context.Context, t *tx, limit int, pick func(SMPPSource) (herald.SMPPDelivery, bool)) ([]herald.SMPPDelivery, error) {
	pos, err := smppCursor(ctx, t, cursorEvents, "message_events", "id")
	if err != nil {
		return nil, err
	}
	upto, err := advance(ctx, t, "message_events", "id", pos, limit)
	if err != nil || upto == pos {
		return nil, err
	}
	rs, err := t.query(ctx, `SELECT m.id, m.account_id, m.sender_id, m.destination, m.correlation_id, m.callback_data, m.accepted_at,
		e.status, e.provider_code, e.at FROM message_events e JOIN messages m ON m.id = e.message_id
		WHERE e.id > $1 AND e.id <= $2 AND e.type = 'status' AND e.applied AND m.origin = $3 ORDER BY e.id`, pos, upto, herald.OriginSMPP)
	if err != nil {
		return nil, err
	}
	var out []herald.SMPPDelivery
	for rs.Next() {
		src := SMPPSource{Kind: herald.SMPPReceipt}
		m := &src.Message
		if err := rs.Scan(&m.ID, &m.AccountID, &m.SenderID, &m.Destination, &m.CorrelationID, &m.CallbackData, &m.AcceptedAt,
			&src.Status, &src.Code, &src.At); err != nil {
			rs.Close()
			return nil, err
		}
		if d, ok := pick(src); ok {
			out = append(out, d)
		}
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return nil, err
	}
	_, err = t.exec(ctx, "UPDATE smpp_cursors SET position = $2 WHERE name = $1", cursorEvents, upto)
	return out, err
}

// fillMO offers the MO messages of accounts with SMPP credentials.
func fillMO(ctx context.Context, t *tx, limit int, pick func(SMPPSource) (herald.SMPPDelivery, bool)) ([]herald.SMPPDelivery, error) {
	pos, err := smppCursor(ctx, t, cursorMO, "messages", "seq")
	if err != nil {
		return nil, err
	}
	upto, err := advance(ctx, t, "messages", "seq", pos, limit)
	if err != nil || upto == pos {
		return nil, err
	}
	rs, err := t.query(ctx, `SELECT m.id, m.account_id, m.sender_id, m.destination, m.payload, m.accepted_at,
		(SELECT c.system_id FROM smpp_credentials c WHERE c.account_id = m.account_id ORDER BY c.id LIMIT 1)
		FROM messages m WHERE m.seq > $1 AND m.seq <= $2 AND m.direction = 'mo'
		AND EXISTS (SELECT 1 FROM smpp_credentials c WHERE c.account_id = m.account_id) ORDER BY m.seq`, pos, upto)
	if err != nil {
		return nil, err
	}
	var out []herald.SMPPDelivery
	for rs.Next() {
		src := SMPPSource{Kind: herald.SMPPMO}
		m := &src.Message
		var payload string
		if err := rs.Scan(&m.ID, &m.AccountID, &m.SenderID, &m.Destination, &payload, &m.AcceptedAt, &src.SystemID); err != nil {
			rs.Close()
			return nil, err
		}
		m.Payload, src.At = json.RawMessage(payload), utc(m.AcceptedAt)
		if d, ok := pick(src); ok {
			out = append(out, d)
		}
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return nil, err
	}
	_, err = t.exec(ctx, "UPDATE smpp_cursors SET position = $2 WHERE name = $1", cursorMO, upto)
	return out, err
}

// insertSMPPDeliveries queues deliveries.
func insertSMPPDeliveries(ctx context.Context, t *tx, ds []herald.SMPPDelivery) error {
	for i := range ds {
		d := &ds[i]
		d.CreatedAt = t.now
		err := t.queryRow(ctx, `INSERT INTO smpp_deliveries (account_id, system_id, kind, message_id, status, provider_code, source,
			dest, text, registered_delivery, submitted_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
			RETURNING id`, d.AccountID, d.SystemID, d.Kind, d.MessageID, d.Status, d.ProviderCode, d.Source, d.Dest, d.Text,
			d.RegisteredDelivery, d.SubmittedAt.UTC().Truncate(time.Microsecond), t.now).Scan(&d.ID)
		if err != nil {
			return fmt.Errorf("queuing an SMPP delivery: %w", err)
		}
	}
	return nil
}

// PendingSMPPDeliveries returns the queued deliveries of a system_id with
// IDs above after, oldest first.
func (s *Store) PendingSMPPDeliveries(ctx context.Context, systemID string, after int64, limit int) ([]herald.SMPPDelivery, error) {
	rs, err := s.read().query(ctx, `SELECT id, account_id, system_id, kind, message_id, status, provider_code, source, dest, text,
		registered_delivery, submitted_at, created_at FROM smpp_deliveries WHERE lower(system_id) = $1 AND id > $2 ORDER BY id LIMIT $3`,
		asciiLower(systemID), after, limit)
	if err != nil {
		return nil, fmt.Errorf("reading the SMPP outbox: %w", err)
	}
	defer rs.Close()
	out := []herald.SMPPDelivery{}
	for rs.Next() {
		var d herald.SMPPDelivery
		if err := rs.Scan(&d.ID, &d.AccountID, &d.SystemID, &d.Kind, &d.MessageID, &d.Status, &d.ProviderCode, &d.Source, &d.Dest,
			&d.Text, &d.RegisteredDelivery, &d.SubmittedAt, &d.CreatedAt); err != nil {
			return nil, fmt.Errorf("reading the SMPP outbox: %w", err)
		}
		d.SubmittedAt, d.CreatedAt = utc(d.SubmittedAt), utc(d.CreatedAt)
		out = append(out, d)
	}
	return out, rs.Err()
}

// SMPPOutboxSystems returns the system_ids with queued deliveries.
func (s *Store) SMPPOutboxSystems(ctx context.Context) ([]string, error) {
	rs, err := s.read().query(ctx, "SELECT DISTINCT system_id FROM smpp_deliveries")
	if err != nil {
		return nil, fmt.Errorf("reading the SMPP outbox: %w", err)
	}
	defer rs.Close()
	var out []string
	for rs.Next() {
		var id string
		if err := rs.Scan(&id); err != nil {
			return nil, fmt.Errorf("reading the SMPP outbox: %w", err)
		}
		out = append(out, id)
	}
	return out, rs.Err()
}

// DeleteSMPPDeliveries dequeues acknowledged deliveries.
func (s *Store) DeleteSMPPDeliveries(ctx context.Context, ids ...int64) error {
	if len(ids) == 0 {
		return nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	if _, err := s.write().exec(ctx, "DELETE FROM smpp_deliveries WHERE id IN ("+placeholders(1, len(ids))+")", args...); err != nil {
		return fmt.Errorf("dequeuing SMPP deliveries: %w", err)
	}
	return nil
}
