package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// Messages are written by the messaging engine in batches (see
// message_tx.go) and read here one by one or as keyset lists.

// MessageRow is a message with the engine's claim on it: while queued or
// scheduled, ClaimUntil is when it is due or when the claiming process's
// lease runs out (Unix milliseconds; 0 stores NULL), and ClaimedBy names
// that process.
type MessageRow struct {
	*herald.Message
	ClaimUntil int64
	ClaimedBy  string
	// Version counts the updates of the row; UpdateMessages writes a row
	// only when the stored one has the same version (see StaleError).
	Version int64
	// ContentID, when not 0, is the SharedContent the message was stored
	// as a reference to, with ContentValues, the recipient's values of
	// its placeholders (a JSON object): the payload column is then empty
	// and readers render Payload from the two.
	ContentID     int64
	ContentValues json.RawMessage
	// OptOutChecked, in memory only, says that whoever made the row
	// found the contact without any opt-out just before, so the
	// dispatcher need not look again; a row read back has it false.
	OptOutChecked bool
}

// messageSelects are the columns scanMessageRow reads.
const messageSelects = "m.seq, m.id, m.account_id, m.direction, m.channel, m.sender_id, m.connection_id, m.contact_id, " +
	"m.destination, m.payload, m.template, m.status, m.detail_code, m.detail_name, m.detail_description, " +
	"m.detail_permanent, m.provider_code, m.provider_id, m.error, m.encoding, m.segments, m.origin, m.traffic, " +
	"m.correlation_id, m.callback_data, m.webhook_url, m.api_key_id, m.chain_id, m.step, m.attempts, m.send_at, " +
	"m.valid_until, m.accepted_at, m.sent_at, m.delivered_at, m.seen_at, m.updated_at, m.claim_until, m.claimed_by, m.version, m.content_id, m.content_values"

// scanMessageRow reads messageSelects, then extra.
func scanMessageRow(r scanner, extra ...any) (MessageRow, error) {
	m := &herald.Message{}
	row := MessageRow{Message: m}
	var payload, template, values string
	var claim *int64
	err := r.Scan(append([]any{&m.Seq, &m.ID, &m.AccountID, &m.Direction, &m.Channel, &m.SenderID, &m.ConnectionID,
		&m.ContactID, &m.Destination, &payload, &template, &m.Status, &m.Detail.Code, &m.Detail.Name,
		&m.Detail.Description, &m.Detail.Permanent, &m.ProviderCode, &m.ProviderID, &m.Error, &m.Encoding,
		&m.Segments, &m.Origin, &m.Traffic, &m.CorrelationID, &m.CallbackData, &m.WebhookURL, &m.APIKeyID,
		&m.ChainID, &m.Step, &m.Attempts, &m.SendAt, &m.ValidUntil, &m.AcceptedAt, &m.SentAt, &m.DeliveredAt,
		&m.SeenAt, &m.UpdatedAt, &claim, &row.ClaimedBy, &row.Version, &row.ContentID, &values}, extra...)...)
	if err != nil {
		return row, err
	}
	if claim != nil {
		row.ClaimUntil = *claim
	}
	m.Payload = json.RawMessage(payload)
	if values != "" {
		row.ContentValues = json.RawMessage(values)
	}
	if template != "" {
		m.Template = &herald.TemplateRef{}
		if err := json.Unmarshal([]byte(template), m.Template); err != nil {
			return row, fmt.Errorf("decoding template of message %s: %w", m.ID, err)
		}
	}
	m.SendAt, m.ValidUntil, m.SentAt = utcPtr(m.SendAt), utcPtr(m.ValidUntil), utcPtr(m.SentAt)
	m.DeliveredAt, m.SeenAt = utcPtr(m.DeliveredAt), utcPtr(m.SeenAt)
	m.AcceptedAt, m.UpdatedAt = utc(m.AcceptedAt), utc(m.UpdatedAt)
	return row, nil
}

// templateJSON encodes a template reference for its TEXT column.
func templateJSON(t *herald.TemplateRef) string {
	if t == nil {
		return ""
	}
	b, _ := json.Marshal(t) // a map of strings always encodes
	return string(b)
}

// nullMS returns ms for a BIGINT column, with 0 as NULL.
func nullMS(ms int64) any {
	if ms == 0 {
		return nil
	}
	return ms
}

// micro truncates an optional time to the microseconds both engines keep.
func micro(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC().Truncate(time.Microsecond)
	return &u
}

// Message returns one message of the account, or ENOTFOUND.
func (s *Store) Message(ctx context.Context, accountID int64, id string) (*herald.Message, error) {
	row, err := scanMessageRow(s.read().queryRow(ctx, "SELECT "+messageSelects+
		" FROM messages m WHERE m.id = $1 AND m.account_id = $2", id, accountID))
	if isNoRows(err) {
		return nil, herald.Errorf(herald.ENOTFOUND, "Message not found.")
	} else if err != nil {
		return nil, fmt.Errorf("reading message: %w", err)
	}
	if err := s.materialize(ctx, s.read(), []MessageRow{row}); err != nil {
		return nil, err
	}
	return row.Message, nil
}

// MessageStatus returns the status of a message in any account, for
// waiting on it; ENOTFOUND.
func (s *Store) MessageStatus(ctx context.Context, id string) (herald.MessageStatus, error) {
	var st herald.MessageStatus
	err := s.read().queryRow(ctx, "SELECT status FROM messages WHERE id = $1", id).Scan(&st)
	if isNoRows(err) {
		return "", herald.Errorf(herald.ENOTFOUND, "Message not found.")
	} else if err != nil {
		return "", fmt.Errorf("reading message status: %w", err)
	}
	return st, nil
}

// channelExpr maps the channel number to its API name in SQL, so that the
// channel column filters and sorts by name.
func channelExpr(col string) string {
	var b strings.Builder
	b.WriteString("CASE " + col)
	for _, c := range herald.AllChannels() {
		b.WriteString(" WHEN " + strconv.Itoa(int(c)) + " THEN '" + c.String() + "'")
	}
	b.WriteString(" END")
	return b.String()
}

// messageSpec is the Messages log.
func messageSpec() *listSpec {
	return &listSpec{
		columns: herald.MessageColumns(),
		cols: map[string]listCol{
			"acceptedAt":    {expr: "m.accepted_at", typ: herald.ColTime},
			"id":            {expr: "m.id", typ: herald.ColText},
			"channel":       {expr: channelExpr("m.channel"), typ: herald.ColEnum},
			"direction":     {expr: "m.direction", typ: herald.ColEnum},
			"senderId":      {expr: "m.sender_id", typ: herald.ColText},
			"destination":   {expr: "m.destination", typ: herald.ColText},
			"contactId":     {expr: "m.contact_id", typ: herald.ColNumber},
			"status":        {expr: "m.status", typ: herald.ColEnum},
			"error":         {expr: "m.error", typ: herald.ColText},
			"sentAt":        {expr: "m.sent_at", typ: herald.ColTime, nullable: true},
			"deliveredAt":   {expr: "m.delivered_at", typ: herald.ColTime, nullable: true},
			"seenAt":        {expr: "m.seen_at", typ: herald.ColTime, nullable: true},
			"chainId":       {expr: "m.chain_id", typ: herald.ColText},
			"correlationId": {expr: "m.correlation_id", typ: herald.ColText},
			"origin":        {expr: "m.origin", typ: herald.ColEnum},
			"segments":      {expr: "m.segments", typ: herald.ColNumber},
		},
		selects:     messageSelects,
		from:        "messages m",
		id:          "m.seq",
		newestFirst: true,
	}
}

// ListMessages returns one page of the account's messages, newest first
// unless q sorts otherwise.
func (s *Store) ListMessages(ctx context.Context, accountID int64, q herald.ListQuery) (herald.Page[herald.Message], error) {
	p, err := s.buildList(messageSpec(), q, "m.account_id = $1", accountID)
	if err != nil {
		return herald.Page[herald.Message]{}, err
	}
	rows, err := runList(ctx, s.read(), p, scanMessageRow)
	if err != nil {
		return herald.Page[herald.Message]{}, err
	}
	if err := s.materialize(ctx, s.read(), rows.Items); err != nil {
		return herald.Page[herald.Message]{}, err
	}
	page := herald.Page[herald.Message]{Items: make([]herald.Message, len(rows.Items)), Next: rows.Next, Prev: rows.Prev}
	for i, r := range rows.Items {
		page.Items[i] = *r.Message
	}
	return page, nil
}

// EachMessage calls fn for every message matching q.Filters in q's order,
// streaming rows so that exports need no memory per row. fn's error stops
// the walk and is returned.
func (s *Store) EachMessage(ctx context.Context, accountID int64, q herald.ListQuery, fn func(*herald.Message) error) error {
	q.Cursor = ""
	p, err := s.buildList(messageSpec(), q, "m.account_id = $1", accountID)
	if err != nil {
		return err
	}
	rs, err := s.read().query(ctx, p.sql(-1), p.args...)
	if err != nil {
		return fmt.Errorf("reading messages: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		var key any
		var seq int64
		r, err := scanMessageRow(rs, &key, &seq)
		if err != nil {
			return fmt.Errorf("reading messages: %w", err)
		}
		// The contents come through another connection of the pool
		// (and mostly from the cache): rs holds this one.
		if err := s.materialize(ctx, s.read(), []MessageRow{r}); err != nil {
			return err
		}
		if err := fn(r.Message); err != nil {
			return err
		}
	}
	return rs.Err()
}

// eventSelects are the columns scanEvent reads.
const eventSelects = "id, account_id, message_id, type, status, detail_code, detail_name, detail_description, " +
	"detail_permanent, provider_code, applied, data, at"

// scanEvent reads eventSelects.
func scanEvent(r scanner) (herald.MessageEvent, error) {
	var e herald.MessageEvent
	var data string
	err := r.Scan(&e.ID, &e.AccountID, &e.MessageID, &e.Type, &e.Status, &e.Detail.Code, &e.Detail.Name,
		&e.Detail.Description, &e.Detail.Permanent, &e.ProviderCode, &e.Applied, &data, &e.At)
	if err != nil {
		return e, err
	}
	e.At = utc(e.At)
	if data != "" {
		e.Switch = &herald.SwitchInfo{}
		if err := json.Unmarshal([]byte(data), e.Switch); err != nil {
			return e, fmt.Errorf("decoding event %d: %w", e.ID, err)
		}
	}
	return e, nil
}

// MessageEvents returns the stored history of a message, oldest first.
func (s *Store) MessageEvents(ctx context.Context, accountID int64, messageID string) ([]herald.MessageEvent, error) {
	rs, err := s.read().query(ctx, "SELECT "+eventSelects+
		" FROM message_events WHERE message_id = $1 AND account_id = $2 ORDER BY id", messageID, accountID)
	if err != nil {
		return nil, fmt.Errorf("reading message events: %w", err)
	}
	defer rs.Close()
	out := []herald.MessageEvent{}
	for rs.Next() {
		e, err := scanEvent(rs)
		if err != nil {
			return nil, fmt.Errorf("reading message events: %w", err)
		}
		out = append(out, e)
	}
	return out, rs.Err()
}

// MessageIDByProvider returns the ID of the message that connection
// submitted under the provider's ID providerID, for delivery reports that
// carry only the provider's ID. ENOTFOUND.
func (s *Store) MessageIDByProvider(ctx context.Context, connectionID int64, providerID string) (string, error) {
	var id string
	err := s.read().queryRow(ctx, `SELECT id FROM messages WHERE connection_id = $1 AND provider_id = $2 AND provider_id <> ''
		ORDER BY seq DESC LIMIT 1`, connectionID, providerID).Scan(&id)
	if isNoRows(err) {
		return "", herald.Errorf(herald.ENOTFOUND, "No message with provider ID %q.", providerID)
	} else if err != nil {
		return "", fmt.Errorf("reading message by provider ID: %w", err)
	}
	return id, nil
}
