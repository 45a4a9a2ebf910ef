package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// The sandbox connector keeps its simulated devices' inboxes here. The
// primary key on the message ID is what makes the sandbox exactly-once: a
// message submitted again after a crash finds its row and is not received
// twice.

// InsertSandboxInbox records that devices received msgs and returns the
// IDs that were new; IDs received before are left as they were.
func (s *Store) InsertSandboxInbox(ctx context.Context, msgs []herald.SandboxMessage) (map[string]bool, error) {
	fresh := make(map[string]bool, len(msgs))
	err := chunks(len(msgs), 7, func(lo, hi int) error {
		vals := make([][]any, 0, hi-lo)
		for _, m := range msgs[lo:hi] {
			vals = append(vals, []any{m.MessageID, m.AccountID, m.ConnectionID, m.Channel, m.Destination, m.Outcome,
				m.ReceivedAt.UTC().Truncate(time.Microsecond)})
		}
		args := s.batch()
		rs, err := s.write().query(ctx, `INSERT INTO sandbox_inbox (message_id, account_id, connection_id, channel, destination,
			outcome, received_at) VALUES `+rowsSQL(args, vals)+" ON CONFLICT (message_id) DO NOTHING RETURNING message_id", args.vals...)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var id string
			if err := rs.Scan(&id); err != nil {
				return err
			}
			fresh[id] = true
		}
		return rs.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("recording sandbox inbox: %w", err)
	}
	return fresh, nil
}

// sandboxSelects are the columns scanSandbox reads: the inbox row joined
// with its message.
const sandboxSelects = "i.message_id, i.account_id, i.connection_id, i.channel, i.destination, i.outcome, i.received_at, " +
	"COALESCE(m.sender_id, ''), COALESCE(m.payload, '{}'), COALESCE(m.status, ''), COALESCE(m.content_id, 0), COALESCE(m.content_values, '')"

// sandboxRow is a row of sandboxSelects: the message, and the reference
// to its shared content when it is stored as one.
type sandboxRow struct {
	herald.SandboxMessage
	contentID int64
	values    string
}

// scanSandbox reads sandboxSelects.
func scanSandbox(r scanner) (sandboxRow, error) {
	var row sandboxRow
	m := &row.SandboxMessage
	var payload string
	err := r.Scan(&m.MessageID, &m.AccountID, &m.ConnectionID, &m.Channel, &m.Destination, &m.Outcome, &m.ReceivedAt,
		&m.SenderID, &payload, &m.Status, &row.contentID, &row.values)
	m.Payload, m.ReceivedAt = json.RawMessage(payload), utc(m.ReceivedAt)
	return row, err
}

// collectSandbox runs a query of sandboxSelects.
func (s *Store) collectSandbox(ctx context.Context, q querier, query string, args ...any) ([]herald.SandboxMessage, error) {
	rows, err := scanSandboxRows(ctx, q, query, args...)
	if err != nil {
		return nil, fmt.Errorf("reading sandbox inbox: %w", err)
	}
	out := make([]herald.SandboxMessage, len(rows))
	for i, r := range rows {
		if r.contentID != 0 {
			if r.Payload, err = s.renderPayload(ctx, q, r.contentID, json.RawMessage(r.values)); err != nil {
				return nil, fmt.Errorf("reading sandbox inbox: rendering message %s: %w", r.MessageID, err)
			}
		}
		out[i] = r.SandboxMessage
	}
	return out, nil
}

// scanSandboxRows runs a query of sandboxSelects.
func scanSandboxRows(ctx context.Context, q querier, query string, args ...any) ([]sandboxRow, error) {
	rs, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []sandboxRow
	for rs.Next() {
		r, err := scanSandbox(rs)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rs.Err()
}

// SandboxInbox returns up to limit messages the account's simulated
// device destination received (every device when destination is ""),
// newest first.
func (s *Store) SandboxInbox(ctx context.Context, accountID int64, destination string, limit int) ([]herald.SandboxMessage, error) {
	q := "SELECT " + sandboxSelects + " FROM sandbox_inbox i LEFT JOIN messages m ON m.id = i.message_id WHERE i.account_id = $1"
	args := []any{accountID}
	if destination != "" {
		q += " AND i.destination = $2"
		args = append(args, destination)
	}
	return s.collectSandbox(ctx, s.read(), q+" ORDER BY i.received_at DESC, i.message_id DESC LIMIT "+fmt.Sprint(max(1, limit)), args...)
}

// SandboxDevices returns the account's simulated devices, most recently
// used first.
func (s *Store) SandboxDevices(ctx context.Context, accountID int64) ([]herald.SandboxDevice, error) {
	rs, err := s.read().query(ctx, `SELECT destination, COUNT(*), MAX(received_at) FROM sandbox_inbox
		WHERE account_id = $1 GROUP BY destination ORDER BY MAX(received_at) DESC, destination`, accountID)
	if err != nil {
		return nil, fmt.Errorf("reading sandbox devices: %w", err)
	}
	defer rs.Close()
	out := []herald.SandboxDevice{}
	for rs.Next() {
		var d herald.SandboxDevice
		var last any
		if err := rs.Scan(&d.Destination, &d.Messages, &last); err != nil {
			return nil, fmt.Errorf("reading sandbox devices: %w", err)
		}
		if d.LastAt, err = anyTime(last); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rs.Err()
}

// anyTime reads a time from an aggregate, which SQLite returns as text.
func anyTime(v any) (time.Time, error) {
	switch t := v.(type) {
	case time.Time:
		return t.UTC(), nil
	case string:
		p, err := time.Parse(sqliteTimeFormat, t)
		return p.UTC(), err
	case []byte:
		return anyTime(string(t))
	}
	return time.Time{}, fmt.Errorf("unexpected time %T", v)
}

// SandboxUnreported returns the inbox rows received on connections since
// since whose message is still sent: reports a crash lost, for the
// sandbox to send again.
func (s *Store) SandboxUnreported(ctx context.Context, connections []int64, since time.Time) ([]herald.SandboxMessage, error) {
	if len(connections) == 0 {
		return nil, nil
	}
	args := listArgs{since.UTC().Truncate(time.Microsecond)}
	ph := make([]string, len(connections))
	for i, c := range connections {
		ph[i] = args.add(c)
	}
	return s.collectSandbox(ctx, s.read(), "SELECT "+sandboxSelects+` FROM sandbox_inbox i JOIN messages m ON m.id = i.message_id
		WHERE i.received_at >= $1 AND i.connection_id IN (`+strings.Join(ph, ", ")+`) AND m.status = 'sent'
		ORDER BY i.received_at`, args...)
}
