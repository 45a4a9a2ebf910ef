package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// deliverySpec is the Webhook deliveries list.
func deliverySpec() *listSpec {
	return &listSpec{
		columns: herald.WebhookDeliveryColumns(),
		cols: map[string]listCol{
			"id":         {expr: "d.id", typ: herald.ColNumber},
			"createdAt":  {expr: "d.created_at", typ: herald.ColTime},
			"eventType":  {expr: "d.event_type", typ: herald.ColEnum},
			"messageId":  {expr: "d.message_id", typ: herald.ColText},
			"url":        {expr: "d.url", typ: herald.ColText},
			"state":      {expr: "d.state", typ: herald.ColEnum},
			"attempts":   {expr: "d.attempts", typ: herald.ColNumber},
			"lastStatus": {expr: "d.last_status", typ: herald.ColNumber},
		},
		selects:     deliverySelects,
		from:        "webhook_deliveries d",
		id:          "d.id",
		newestFirst: true,
	}
}

// ListWebhookDeliveries returns one page of the account's deliveries,
// newest first unless sorted otherwise.
func (s *Store) ListWebhookDeliveries(ctx context.Context, accountID int64, q herald.ListQuery) (herald.Page[herald.WebhookDelivery], error) {
	p, err := s.buildList(deliverySpec(), q, "d.account_id = $1", accountID)
	if err != nil {
		return herald.Page[herald.WebhookDelivery]{}, err
	}
	return runList(ctx, s.read(), p, scanDelivery)
}

// WebhookDelivery returns one delivery of the account, or ENOTFOUND.
func (s *Store) WebhookDelivery(ctx context.Context, accountID, id int64) (*herald.WebhookDelivery, error) {
	d, err := scanDelivery(s.read().queryRow(ctx, "SELECT "+deliverySelects+
		" FROM webhook_deliveries d WHERE d.id = $1 AND d.account_id = $2", id, accountID))
	if isNoRows(err) {
		return nil, herald.Errorf(herald.ENOTFOUND, "Webhook delivery not found.")
	} else if err != nil {
		return nil, fmt.Errorf("reading webhook delivery: %w", err)
	}
	return &d, nil
}

// MessageDeliveries returns the deliveries of a message's events, oldest
// first.
func (s *Store) MessageDeliveries(ctx context.Context, accountID int64, messageID string) ([]herald.WebhookDelivery, error) {
	rs, err := s.read().query(ctx, "SELECT "+deliverySelects+
		" FROM webhook_deliveries d WHERE d.message_id = $1 AND d.account_id = $2 ORDER BY d.id", messageID, accountID)
	if err != nil {
		return nil, fmt.Errorf("reading webhook deliveries: %w", err)
	}
	defer rs.Close()
	out := []herald.WebhookDelivery{}
	for rs.Next() {
		d, err := scanDelivery(rs)
		if err != nil {
			return nil, fmt.Errorf("reading webhook deliveries: %w", err)
		}
		out = append(out, d)
	}
	return out, rs.Err()
}

// WebhookAttempts returns the requests that carried a delivery, oldest
// first: its own and the batches it was part of. Batches are found among
// the account's attempts since the delivery was created.
func (s *Store) WebhookAttempts(ctx context.Context, accountID, deliveryID int64) ([]herald.WebhookAttempt, error) {
	d, err := s.WebhookDelivery(ctx, accountID, deliveryID)
	if err != nil {
		return nil, err
	}
	rs, err := s.read().query(ctx, `SELECT id, account_id, delivery_id, delivery_ids, url, status_code, error, duration_ms, at
		FROM webhook_attempts WHERE account_id = $1 AND at >= $2
		AND (delivery_id = $3 OR delivery_ids LIKE $4) ORDER BY id`,
		accountID, d.CreatedAt, deliveryID, "%,"+strconv.FormatInt(deliveryID, 10)+",%")
	if err != nil {
		return nil, fmt.Errorf("reading webhook attempts: %w", err)
	}
	defer rs.Close()
	out := []herald.WebhookAttempt{}
	for rs.Next() {
		a, err := scanAttempt(rs)
		if err != nil {
			return nil, fmt.Errorf("reading webhook attempts: %w", err)
		}
		out = append(out, a)
	}
	return out, rs.Err()
}

// scanAttempt reads one webhook_attempts row.
func scanAttempt(r scanner) (herald.WebhookAttempt, error) {
	var a herald.WebhookAttempt
	var first int64
	var ids string
	err := r.Scan(&a.ID, &a.AccountID, &first, &ids, &a.URL, &a.StatusCode, &a.Error, &a.DurationMS, &a.At)
	if err != nil {
		return a, err
	}
	a.At, a.Duration = utc(a.At), time.Duration(a.DurationMS)*time.Millisecond
	a.DeliveryIDs = []int64{first}
	if ids != "" {
		a.DeliveryIDs = a.DeliveryIDs[:0]
		for _, p := range strings.Split(strings.Trim(ids, ","), ",") {
			n, err := strconv.ParseInt(p, 10, 64)
			if err != nil {
				return a, fmt.Errorf("decoding attempt %d: %w", a.ID, err)
			}
			a.DeliveryIDs = append(a.DeliveryIDs, n)
		}
	}
	return a, nil
}

// RedeliverWebhook makes the account's delivery id pending again, due at
// once, with its attempts counted afresh. ENOTFOUND.
func (s *Store) RedeliverWebhook(ctx context.Context, accountID, id int64) error {
	n, err := s.write().exec(ctx, `UPDATE webhook_deliveries SET state = 'pending', attempts = 0, next_attempt_at = $1,
		claimed_by = '', delivered_at = NULL WHERE id = $2 AND account_id = $3`, s.now().UnixMilli(), id, accountID)
	if err != nil {
		return fmt.Errorf("redelivering webhook: %w", err)
	} else if n == 0 {
		return herald.Errorf(herald.ENOTFOUND, "Webhook delivery not found.")
	}
	return nil
}
