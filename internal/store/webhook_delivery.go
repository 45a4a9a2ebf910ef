package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// DeliveryRow is a webhook delivery with the claim of the process that
// works it: NextAttempt is when it is due or until when it is leased.
type DeliveryRow struct {
	*herald.WebhookDelivery
	ClaimedBy string
}

// deliverySelects are the columns scanDelivery reads.
const deliverySelects = "d.id, d.account_id, d.api_key_id, d.message_id, d.event_id, d.event_type, d.url, d.payload, " +
	"d.state, d.attempts, d.next_attempt_at, d.claimed_by, d.last_status, d.last_error, d.created_at, d.delivered_at"

// scanDeliveryRow reads deliverySelects, then extra.
func scanDeliveryRow(r scanner, extra ...any) (DeliveryRow, error) {
	d := &herald.WebhookDelivery{}
	row := DeliveryRow{WebhookDelivery: d}
	var next int64
	err := r.Scan(append([]any{&d.ID, &d.AccountID, &d.APIKeyID, &d.MessageID, &d.EventID, &d.EventType, &d.URL,
		&d.Payload, &d.State, &d.Attempts, &next, &row.ClaimedBy, &d.LastStatus, &d.LastError, &d.CreatedAt,
		&d.DeliveredAt}, extra...)...)
	d.NextAttempt = time.UnixMilli(next).UTC()
	d.CreatedAt, d.DeliveredAt = utc(d.CreatedAt), utcPtr(d.DeliveredAt)
	return row, err
}

// scanDelivery is scanDeliveryRow for lists.
func scanDelivery(r scanner, extra ...any) (herald.WebhookDelivery, error) {
	row, err := scanDeliveryRow(r, extra...)
	return *row.WebhookDelivery, err
}

// InsertDeliveries inserts pending deliveries claimed by claimedBy (""
// for none) and sets their IDs.
func (x *MessageTx) InsertDeliveries(ctx context.Context, ds []*herald.WebhookDelivery, claimedBy string) error {
	const cols = 10
	return chunks(len(ds), cols, func(lo, hi int) error {
		vals := make([][]any, 0, hi-lo)
		byEvent := make(map[string]*herald.WebhookDelivery, hi-lo)
		for _, d := range ds[lo:hi] {
			d.State = herald.DeliveryPending
			vals = append(vals, []any{d.AccountID, d.APIKeyID, d.MessageID, d.EventID, d.EventType, d.URL, d.Payload,
				d.NextAttempt.UnixMilli(), claimedBy, d.CreatedAt.UTC().Truncate(time.Microsecond)})
			byEvent[d.EventID+" "+d.URL] = d
		}
		args := x.s.batch()
		q := `INSERT INTO webhook_deliveries (account_id, api_key_id, message_id, event_id, event_type, url, payload,
			next_attempt_at, claimed_by, created_at) VALUES ` + rowsSQL(args, vals) + " RETURNING id, event_id, url"
		rs, err := x.t.query(ctx, q, args.vals...)
		if err != nil {
			return fmt.Errorf("inserting webhook deliveries: %w", err)
		}
		defer rs.Close()
		for rs.Next() {
			var id int64
			var event, url string
			if err := rs.Scan(&id, &event, &url); err != nil {
				return fmt.Errorf("inserting webhook deliveries: %w", err)
			}
			if d := byEvent[event+" "+url]; d != nil {
				d.ID = id
			}
		}
		return rs.Err()
	})
}

// ClaimDueDeliveries leases to instance, until leaseUntil (Unix ms), up
// to limit pending deliveries due at now (Unix ms), oldest first.
func (s *Store) ClaimDueDeliveries(ctx context.Context, instance string, now, leaseUntil int64, limit int) ([]DeliveryRow, error) {
	var out []DeliveryRow
	err := s.inTx(ctx, func(t *tx) error {
		pick := "SELECT id FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_at <= $3 ORDER BY next_attempt_at LIMIT " +
			strconv.Itoa(limit) + s.d.skipLocked
		rs, err := t.query(ctx, `UPDATE webhook_deliveries SET next_attempt_at = $1, claimed_by = $2 WHERE id IN (`+pick+`)
			RETURNING `+strings.ReplaceAll(deliverySelects, "d.", "webhook_deliveries."), leaseUntil, instance, now)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			r, err := scanDeliveryRow(rs)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return rs.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("claiming webhook deliveries: %w", err)
	}
	return out, nil
}

// AttemptResult is the outcome of one HTTP request to a webhook for the
// deliveries it carried (Attempt.DeliveryIDs).
type AttemptResult struct {
	Attempt   herald.WebhookAttempt
	Delivered bool
	// NextAttempt holds, when not delivered, the Unix ms of each
	// delivery's next attempt (parallel to Attempt.DeliveryIDs); 0 gives
	// the delivery up as failed.
	NextAttempt []int64
}

// RecordWebhookAttempts stores attempts and their outcome in one
// transaction: delivered deliveries are done, the others wait for their
// next attempt or fail. It sets each attempt's ID.
func (s *Store) RecordWebhookAttempts(ctx context.Context, results []AttemptResult) error {
	if len(results) == 0 {
		return nil
	}
	return s.inTx(ctx, func(t *tx) error {
		if err := s.insertAttempts(ctx, t, results); err != nil {
			return err
		}
		if err := s.markDelivered(ctx, t, results); err != nil {
			return err
		}
		return s.markRetries(ctx, t, results)
	})
}

// insertAttempts inserts one row per result.
func (s *Store) insertAttempts(ctx context.Context, t *tx, results []AttemptResult) error {
	const cols = 8
	return chunks(len(results), cols, func(lo, hi int) error {
		vals := make([][]any, 0, hi-lo)
		for _, r := range results[lo:hi] {
			a := r.Attempt
			ids := ""
			if len(a.DeliveryIDs) > 1 {
				ids = "," + joinIDs(a.DeliveryIDs) + ","
			}
			vals = append(vals, []any{a.AccountID, a.DeliveryIDs[0], ids, a.URL, a.StatusCode, a.Error,
				a.Duration.Milliseconds(), a.At.UTC().Truncate(time.Microsecond)})
		}
		args := s.batch()
		_, err := t.exec(ctx, `INSERT INTO webhook_attempts (account_id, delivery_id, delivery_ids, url, status_code, error,
			duration_ms, at) VALUES `+rowsSQL(args, vals), args.vals...)
		if err != nil {
			return fmt.Errorf("recording webhook attempts: %w", err)
		}
		return nil
	})
}

// joinIDs returns the IDs comma-separated.
func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}

// markDelivered finishes the delivered deliveries, one statement per
// answer status.
func (s *Store) markDelivered(ctx context.Context, t *tx, results []AttemptResult) error {
	byStatus := map[int][]int64{}
	for _, r := range results {
		if r.Delivered {
			byStatus[r.Attempt.StatusCode] = append(byStatus[r.Attempt.StatusCode], r.Attempt.DeliveryIDs...)
		}
	}
	for status, ids := range byStatus {
		err := chunks(len(ids), 1, func(lo, hi int) error {
			args := s.batch()
			q := "UPDATE webhook_deliveries SET state = 'delivered', attempts = attempts + 1, last_status = " + args.add(status) +
				", last_error = '', delivered_at = " + args.add(t.now) + ", claimed_by = '' WHERE id IN ("
			ph := make([]string, 0, hi-lo)
			for _, id := range ids[lo:hi] {
				ph = append(ph, args.add(id))
			}
			_, err := t.exec(ctx, q+strings.Join(ph, ", ")+")", args.vals...)
			return err
		})
		if err != nil {
			return fmt.Errorf("marking webhook deliveries delivered: %w", err)
		}
	}
	return nil
}

// markRetries schedules the next attempt of undelivered deliveries, or
// fails them.
func (s *Store) markRetries(ctx context.Context, t *tx, results []AttemptResult) error {
	type retry struct {
		id, next int64
		state    herald.DeliveryState
		status   int
		err      string
	}
	var rs []retry
	for _, r := range results {
		if r.Delivered {
			continue
		}
		for i, id := range r.Attempt.DeliveryIDs {
			rt := retry{id: id, state: herald.DeliveryPending, status: r.Attempt.StatusCode, err: r.Attempt.Error}
			if i < len(r.NextAttempt) {
				rt.next = r.NextAttempt[i]
			}
			if rt.next == 0 {
				rt.state, rt.next = herald.DeliveryFailed, t.now.UnixMilli()
			}
			rs = append(rs, rt)
		}
	}
	return chunks(len(rs), 5, func(lo, hi int) error {
		args := s.batch()
		rows := make([]string, 0, hi-lo)
		for _, r := range rs[lo:hi] {
			rows = append(rows, "("+s.d.cast(args.add(r.id), "BIGINT")+", "+s.d.cast(args.add(r.next), "BIGINT")+", "+
				s.d.cast(args.add(r.state), "TEXT")+", "+s.d.cast(args.add(r.status), "INTEGER")+", "+
				s.d.cast(args.add(r.err), "TEXT")+")")
		}
		_, err := t.exec(ctx, `WITH v (id, next_attempt_at, state, last_status, last_error) AS (VALUES `+strings.Join(rows, ", ")+`)
			UPDATE webhook_deliveries SET next_attempt_at = v.next_attempt_at, state = v.state, last_status = v.last_status,
			last_error = v.last_error, attempts = webhook_deliveries.attempts + 1, claimed_by = ''
			FROM v WHERE webhook_deliveries.id = v.id`, args.vals...)
		if err != nil {
			return fmt.Errorf("scheduling webhook retries: %w", err)
		}
		return nil
	})
}
