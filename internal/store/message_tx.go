package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/phone"
)

// The messaging engine writes in batches: one transaction inserts many
// messages, or applies many status changes with their events and webhook
// deliveries. Multi-row statements keep the cost per message low; a chunk
// stays under both engines' limit on bound parameters.

// maxParams bounds the parameters of one statement (SQLite allows 32766,
// PostgreSQL 65535).
const maxParams = 30000

// MessageTx is one write transaction of the messaging engine. Its methods
// must be called only inside the function given to Store.MessageTx.
type MessageTx struct {
	s *Store
	t *tx
}

// MessageTx runs fn in one write transaction and commits when fn returns
// nil. On PostgreSQL rows read with LockMessages or LockChains stay locked
// until the end.
func (s *Store) MessageTx(ctx context.Context, fn func(tx *MessageTx) error) error {
	return s.inTx(ctx, func(t *tx) error { return fn(&MessageTx{s: s, t: t}) })
}

// ContactIDsByPhone returns the IDs of accountID's contacts with the
// E.164 numbers phones, by number (read from the index of numbers alone).
func (x *MessageTx) ContactIDsByPhone(ctx context.Context, accountID int64, phones []string) (map[string]int64, error) {
	out := make(map[string]int64, len(phones))
	err := chunks(len(phones), 1, func(lo, hi int) error {
		args := x.s.batch()
		q := "SELECT phone, id FROM contacts WHERE account_id = " + args.add(accountID) +
			" AND phone IN (" + args.list(phones[lo:hi]) + ")"
		return eachRow(ctx, x.t, q, args.vals, func(r scanner) error {
			var phone string
			var id int64
			if err := r.Scan(&phone, &id); err != nil {
				return err
			}
			out[phone] = id
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("reading contacts by phone: %w", err)
	}
	return out, nil
}

// EnsureContacts returns the IDs of accountID's contacts with the numbers
// ns, by E.164 number, creating (and auditing, as EnsureContact does) those
// that do not exist yet. It creates them in the numbers' order, so that
// concurrent transactions on PostgreSQL wait for each other's new numbers
// in one order rather than deadlock.
func (x *MessageTx) EnsureContacts(ctx context.Context, accountID int64, ns []phone.Number) (map[string]int64, error) {
	ns = slices.Clone(ns)
	slices.SortFunc(ns, func(a, b phone.Number) int { return strings.Compare(a.E164, b.E164) })
	numbers := make([]string, len(ns))
	for i, n := range ns {
		numbers[i] = n.E164
	}
	ids, err := x.ContactIDsByPhone(ctx, accountID, numbers)
	if err != nil {
		return nil, err
	}
	for _, n := range ns {
		if ids[n.E164] != 0 {
			continue
		}
		var id int64
		err := x.t.queryRow(ctx, `INSERT INTO contacts (account_id, phone, country, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $4) ON CONFLICT (account_id, phone) DO NOTHING RETURNING id`,
			accountID, n.E164, n.Country, x.t.now).Scan(&id)
		if isNoRows(err) { // made meanwhile by another process
			err = x.t.queryRow(ctx, "SELECT id FROM contacts WHERE account_id = $1 AND phone = $2", accountID, n.E164).Scan(&id)
			if err != nil {
				return nil, fmt.Errorf("reading contact %s: %w", n.E164, err)
			}
			ids[n.E164] = id
			continue
		} else if err != nil {
			return nil, contactErr(err, n.E164)
		}
		ids[n.E164] = id
		nc := &herald.Contact{ID: id, Phone: n.E164, Country: n.Country}
		if err := x.s.audit(ctx, x.t, accountID, actionAddContact, detail("contacts", herald.OpInsert, id, nil, nc)); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// chunks calls fn with consecutive slices of n items, each small enough
// for cols parameters per item. Slices have power-of-two lengths (at most
// 512 items), so a batch statement has only a few distinct texts, which
// stay prepared (see stmtCache) instead of being parsed for each batch.
func chunks(n, cols int, fn func(lo, hi int) error) error {
	per := min(512, max(1, maxParams/cols))
	for lo := 0; lo < n; {
		size := 1
		for size*2 <= min(per, n-lo) {
			size *= 2
		}
		if err := fn(lo, lo+size); err != nil {
			return err
		}
		lo += size
	}
	return nil
}

// messageInsertCols are the columns InsertMessages writes.
const messageInsertCols = "id, account_id, direction, channel, sender_id, connection_id, contact_id, destination, " +
	"payload, template, status, detail_code, detail_name, detail_description, detail_permanent, provider_code, " +
	"provider_id, error, encoding, segments, origin, traffic, correlation_id, callback_data, webhook_url, " +
	"api_key_id, chain_id, step, attempts, send_at, valid_until, accepted_at, sent_at, delivered_at, seen_at, " +
	"updated_at, claim_until, claimed_by, content_id, content_values"

// messageValues returns the values of messageInsertCols for r.
func messageValues(r MessageRow) []any {
	m := r.Message
	payload := string(m.Payload)
	switch {
	case r.ContentID != 0:
		payload = "" // rendered from the shared content when read
	case payload == "":
		payload = "{}"
	}
	return []any{m.ID, m.AccountID, m.Direction, m.Channel, m.SenderID, m.ConnectionID, m.ContactID, m.Destination,
		payload, templateJSON(m.Template), m.Status, m.Detail.Code, m.Detail.Name, m.Detail.Description,
		m.Detail.Permanent, m.ProviderCode, m.ProviderID, m.Error, m.Encoding, m.Segments, m.Origin, m.Traffic,
		m.CorrelationID, m.CallbackData, m.WebhookURL, m.APIKeyID, m.ChainID, m.Step, m.Attempts, micro(m.SendAt),
		micro(m.ValidUntil), m.AcceptedAt.UTC().Truncate(time.Microsecond), micro(m.SentAt), micro(m.DeliveredAt),
		micro(m.SeenAt), m.UpdatedAt.UTC().Truncate(time.Microsecond), nullMS(r.ClaimUntil), r.ClaimedBy,
		r.ContentID, string(r.ContentValues)}
}

// batchArgs collects the values of one batch statement and writes their
// placeholders in order of appearance: "?" on SQLite, "$n" on PostgreSQL.
// SQLite files "$n" as a named parameter in a list that it searches
// linearly while parsing and binding, which makes a statement with
// thousands of them quadratic; "?" has no name. A statement built with
// batchArgs must take every placeholder from it, in order.
type batchArgs struct {
	vals []any
	pos  bool
}

// batch returns empty batchArgs for the Store's engine.
func (s *Store) batch() *batchArgs { return &batchArgs{pos: s.pool == nil} }

// add appends v and returns its placeholder.
func (a *batchArgs) add(v any) string {
	a.vals = append(a.vals, v)
	if a.pos {
		return "?"
	}
	return "$" + strconv.Itoa(len(a.vals))
}

// list returns the placeholders of vs, comma-separated.
func (a *batchArgs) list(vs []string) string {
	ph := make([]string, len(vs))
	for i, v := range vs {
		ph[i] = a.add(v)
	}
	return strings.Join(ph, ", ")
}

// rowsSQL appends "(…), (…)" for rows of values to args and returns it.
func rowsSQL(args *batchArgs, rows [][]any) string {
	var b strings.Builder
	for i, vals := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j, v := range vals {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString(args.add(v))
		}
		b.WriteByte(')')
	}
	return b.String()
}

// InsertMessages inserts new messages with their claims. A column whose
// value is its default in every row of a statement is left out of it:
// most of a message's optional columns are empty, and each value bound
// costs the drivers a conversion (and SQLite's a copy).
func (x *MessageTx) InsertMessages(ctx context.Context, rows []MessageRow) error {
	names := strings.Split(messageInsertCols, ", ")
	return chunks(len(rows), len(names), func(lo, hi int) error {
		var omit uint64 = 1<<len(names) - 1
		for _, r := range rows[lo:hi] {
			omit &= messageDefaults(r)
		}
		cols := make([]string, 0, len(names))
		for i, n := range names {
			if omit&(1<<i) == 0 {
				cols = append(cols, n)
			}
		}
		vals := make([][]any, 0, hi-lo)
		for _, r := range rows[lo:hi] {
			all := messageValues(r)
			v := all[:0]
			for i, a := range all {
				if omit&(1<<i) == 0 {
					v = append(v, a)
				}
			}
			vals = append(vals, v)
		}
		args := x.s.batch()
		q := "INSERT INTO messages (" + strings.Join(cols, ", ") + ") VALUES " + rowsSQL(args, vals)
		if _, err := x.t.exec(ctx, q, args.vals...); err != nil {
			return fmt.Errorf("inserting messages: %w", err)
		}
		return nil
	})
}

// messageDefaults returns the columns of messageInsertCols (bit i for the
// i-th) whose value in r is the column's default in the schema, which an
// INSERT without them stores; the others, those without a default
// included, are 0.
func messageDefaults(r MessageRow) uint64 {
	m := r.Message
	var b uint64
	set := func(i int, isDefault bool) {
		if isDefault {
			b |= 1 << i
		}
	}
	set(4, m.SenderID == "")
	set(5, m.ConnectionID == 0)
	set(6, m.ContactID == 0)
	set(7, m.Destination == "")
	set(8, r.ContentID == 0 && (len(m.Payload) == 0 || string(m.Payload) == "{}")) // written as '{}'
	set(9, m.Template == nil)
	set(11, m.Detail.Code == 0)
	set(12, m.Detail.Name == "")
	set(13, m.Detail.Description == "")
	set(14, !m.Detail.Permanent)
	set(15, m.ProviderCode == "")
	set(16, m.ProviderID == "")
	set(17, m.Error == "")
	set(18, m.Encoding == "")
	set(19, m.Segments == 0)
	set(20, m.Origin == "api")
	set(21, m.Traffic == "API")
	set(22, m.CorrelationID == "")
	set(23, m.CallbackData == "")
	set(24, m.WebhookURL == "")
	set(25, m.APIKeyID == 0)
	set(26, m.ChainID == "")
	set(27, m.Step == 0)
	set(28, m.Attempts == 0)
	set(29, m.SendAt == nil)
	set(30, m.ValidUntil == nil)
	set(32, m.SentAt == nil)
	set(33, m.DeliveredAt == nil)
	set(34, m.SeenAt == nil)
	set(36, r.ClaimUntil == 0)
	set(37, r.ClaimedBy == "")
	set(38, r.ContentID == 0)
	set(39, len(r.ContentValues) == 0)
	return b
}

// lockSelects are messageSelects for LockMessages: the payload is read
// only for a message with a webhook (its status events carry the body);
// the status writer needs it for nothing else, and a campaign's e-mails
// would otherwise be read back, kilobytes each, with every status.
var lockSelects = strings.Replace(strings.Replace(messageSelects, "m.payload,", "CASE WHEN m.webhook_url = '' THEN '' ELSE m.payload END,", 1),
	"m.content_id,", "CASE WHEN m.webhook_url = '' THEN 0 ELSE m.content_id END,", 1)

// LockMessages reads the messages with ids, in any account, keyed by ID;
// unknown IDs are missing from the map. A message without a webhook URL
// is read without its payload. On PostgreSQL the rows stay locked until
// the transaction ends.
func (x *MessageTx) LockMessages(ctx context.Context, ids []string) (map[string]MessageRow, error) {
	out := make(map[string]MessageRow, len(ids))
	err := chunks(len(ids), 1, func(lo, hi int) error {
		args := x.s.batch()
		rows, err := x.s.collectRows(ctx, x.t, "SELECT "+lockSelects+" FROM messages m WHERE m.id IN ("+
			args.list(ids[lo:hi])+")"+x.s.d.forUpdate, args.vals...)
		if err != nil {
			return fmt.Errorf("reading messages: %w", err)
		}
		for _, r := range rows {
			out[r.ID] = r
		}
		return nil
	})
	return out, err
}

// messageUpdateCols are the columns UpdateMessages writes, with their
// SQL types.
var messageUpdateCols = [][2]string{
	{"status", "TEXT"}, {"detail_code", "INTEGER"}, {"detail_name", "TEXT"}, {"detail_description", "TEXT"},
	{"detail_permanent", "BOOLEAN"}, {"provider_code", "TEXT"}, {"provider_id", "TEXT"}, {"error", "TEXT"},
	{"attempts", "INTEGER"}, {"sent_at", "TIMESTAMPTZ"}, {"delivered_at", "TIMESTAMPTZ"}, {"seen_at", "TIMESTAMPTZ"},
	{"updated_at", "TIMESTAMPTZ"}, {"claim_until", "BIGINT"}, {"claimed_by", "TEXT"},
}

// StaleError reports rows that UpdateMessages did not write because the
// stored row's version was not the one given: another statement changed
// them since they were read. The transaction should be rolled back and
// the change applied again to the rows read afresh.
type StaleError struct {
	IDs []string
}

func (e *StaleError) Error() string {
	return fmt.Sprintf("updating messages: %d changed meanwhile", len(e.IDs))
}

// UpdateMessages saves the changing columns of rows (status, detail,
// provider code and ID, error, attempts, the sent, delivered and seen
// times, updated_at and the claim), each only when the stored row still
// has the row's Version, which it increments. Rows whose stored version
// differs are left alone and reported by a *StaleError once all the
// others are written. PostgreSQL takes a chunk of rows in one statement
// (a round trip each); SQLite runs one prepared statement per row, which
// costs less than joining a VALUES list.
func (x *MessageTx) UpdateMessages(ctx context.Context, rows []MessageRow) error {
	var stale []string
	var err error
	if x.s.pool == nil {
		stale, err = x.updateEach(ctx, rows)
	} else {
		stale, err = x.updateJoined(ctx, rows)
	}
	if err != nil {
		return err
	}
	if len(stale) > 0 {
		return &StaleError{IDs: stale}
	}
	return nil
}

// updateJoined updates rows a chunk per statement (PostgreSQL) and
// returns the IDs of stale rows.
func (x *MessageTx) updateJoined(ctx context.Context, rows []MessageRow) ([]string, error) {
	var stale []string
	cols := len(messageUpdateCols) + 2
	err := chunks(len(rows), cols, func(lo, hi int) error {
		args := x.s.batch()
		var b strings.Builder
		for i, r := range rows[lo:hi] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(" + x.s.d.cast(args.add(r.ID), "TEXT") + ", " + x.s.d.cast(args.add(r.Version), "BIGINT"))
			for j, v := range updateValues(r) {
				b.WriteString(", " + x.s.d.cast(args.add(v), messageUpdateCols[j][1]))
			}
			b.WriteByte(')')
		}
		names := make([]string, 0, cols)
		sets := make([]string, 0, cols)
		names = append(names, "id", "version")
		for _, c := range messageUpdateCols {
			names = append(names, c[0])
			sets = append(sets, c[0]+" = v."+c[0])
		}
		q := "WITH v (" + strings.Join(names, ", ") + ") AS (VALUES " + b.String() + ") UPDATE messages SET " +
			strings.Join(sets, ", ") + ", version = messages.version + 1 FROM v WHERE messages.id = v.id AND messages.version = v.version" +
			" RETURNING messages.id"
		rs, err := x.t.query(ctx, q, args.vals...)
		if err != nil {
			return fmt.Errorf("updating messages: %w", err)
		}
		defer rs.Close()
		done := make(map[string]bool, hi-lo)
		for rs.Next() {
			var id string
			if err := rs.Scan(&id); err != nil {
				return fmt.Errorf("updating messages: %w", err)
			}
			done[id] = true
		}
		if err := rs.Err(); err != nil {
			return fmt.Errorf("updating messages: %w", err)
		}
		for _, r := range rows[lo:hi] {
			if !done[r.ID] {
				stale = append(stale, r.ID)
			}
		}
		return nil
	})
	return stale, err
}

// updateValues returns the values of messageUpdateCols for r.
func updateValues(r MessageRow) []any {
	m := r.Message
	return []any{m.Status, m.Detail.Code, m.Detail.Name, m.Detail.Description, m.Detail.Permanent,
		m.ProviderCode, m.ProviderID, m.Error, m.Attempts, micro(m.SentAt), micro(m.DeliveredAt),
		micro(m.SeenAt), m.UpdatedAt.UTC().Truncate(time.Microsecond), nullMS(r.ClaimUntil), r.ClaimedBy}
}

// updateEachSQL is the one-row UPDATE of messageUpdateCols, guarded by
// the row's version.
var updateEachSQL = func() string {
	sets := make([]string, len(messageUpdateCols))
	for i, c := range messageUpdateCols {
		sets[i] = c[0] + " = ?"
	}
	return "UPDATE messages SET " + strings.Join(sets, ", ") + ", version = version + 1 WHERE id = ? AND version = ?"
}()

// updateEach updates rows one by one (SQLite) and returns the IDs of
// stale rows.
func (x *MessageTx) updateEach(ctx context.Context, rows []MessageRow) ([]string, error) {
	var stale []string
	for _, r := range rows {
		n, err := x.t.exec(ctx, updateEachSQL, append(updateValues(r), r.ID, r.Version)...)
		if err != nil {
			return nil, fmt.Errorf("updating message %s: %w", r.ID, err)
		}
		if n == 0 {
			stale = append(stale, r.ID)
		}
	}
	return stale, nil
}

// InsertEvents appends events to their messages' histories.
func (x *MessageTx) InsertEvents(ctx context.Context, events []herald.MessageEvent) error {
	const cols = 12
	return chunks(len(events), cols, func(lo, hi int) error {
		vals := make([][]any, 0, hi-lo)
		for _, e := range events[lo:hi] {
			data := ""
			if e.Switch != nil {
				b, _ := json.Marshal(e.Switch) // plain fields always encode
				data = string(b)
			}
			vals = append(vals, []any{e.AccountID, e.MessageID, e.Type, e.Status, e.Detail.Code, e.Detail.Name,
				e.Detail.Description, e.Detail.Permanent, e.ProviderCode, e.Applied, data, e.At.UTC().Truncate(time.Microsecond)})
		}
		args := x.s.batch()
		q := `INSERT INTO message_events (account_id, message_id, type, status, detail_code, detail_name,
			detail_description, detail_permanent, provider_code, applied, data, at) VALUES ` + rowsSQL(args, vals)
		if _, err := x.t.exec(ctx, q, args.vals...); err != nil {
			return fmt.Errorf("inserting message events: %w", err)
		}
		return nil
	})
}
