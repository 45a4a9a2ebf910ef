package store

import (
	"context"
	"fmt"
	"time"

	"github.com/heraldhq/herald"
)

// IdempotentResult returns the saved result for the account's key, or
// ENOTFOUND.
func (s *Store) IdempotentResult(ctx context.Context, accountID int64, key string) (*herald.IdempotentResult, error) {
	r := herald.IdempotentResult{AccountID: accountID, Key: key}
	err := s.read().queryRow(ctx, `SELECT fingerprint, status, body, created_at FROM idempotency_results
		WHERE account_id = $1 AND key = $2`, accountID, key).Scan(&r.Fingerprint, &r.Status, &r.Body, &r.CreatedAt)
	if isNoRows(err) {
		return nil, herald.Errorf(herald.ENOTFOUND, "No result for this idempotency key.")
	} else if err != nil {
		return nil, fmt.Errorf("reading idempotent result: %w", err)
	}
	r.CreatedAt = utc(r.CreatedAt)
	if r.Body == nil {
		r.Body = []byte{}
	}
	return &r, nil
}

// SaveIdempotentResult saves r, setting CreatedAt to now when it is zero;
// ECONFLICT when the key is taken.
func (s *Store) SaveIdempotentResult(ctx context.Context, r *herald.IdempotentResult) error {
	if r.CreatedAt.IsZero() {
		r.CreatedAt = s.now()
	}
	r.CreatedAt = r.CreatedAt.UTC().Truncate(time.Microsecond)
	body := r.Body
	if body == nil {
		body = []byte{}
	}
	_, err := s.write().exec(ctx, `INSERT INTO idempotency_results (account_id, key, fingerprint, status, body, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, r.AccountID, r.Key, r.Fingerprint, r.Status, body, r.CreatedAt)
	if _, ok := uniqueViolation(err); ok {
		return herald.Errorf(herald.ECONFLICT, "The idempotency key %q was used already.", r.Key)
	} else if err != nil {
		return fmt.Errorf("saving idempotent result: %w", err)
	}
	return nil
}

// CompleteIdempotentResult sets the status and body of the saved result
// for r's key; ENOTFOUND when there is none.
func (s *Store) CompleteIdempotentResult(ctx context.Context, r *herald.IdempotentResult) error {
	body := r.Body
	if body == nil {
		body = []byte{}
	}
	n, err := s.write().exec(ctx, `UPDATE idempotency_results SET status = $1, body = $2
		WHERE account_id = $3 AND key = $4`, r.Status, body, r.AccountID, r.Key)
	if err != nil {
		return fmt.Errorf("completing idempotent result: %w", err)
	} else if n == 0 {
		return herald.Errorf(herald.ENOTFOUND, "No result for this idempotency key.")
	}
	return nil
}

// DeleteIdempotentResult removes the result for the account's key, if any.
func (s *Store) DeleteIdempotentResult(ctx context.Context, accountID int64, key string) error {
	if _, err := s.write().exec(ctx, `DELETE FROM idempotency_results WHERE account_id = $1 AND key = $2`, accountID, key); err != nil {
		return fmt.Errorf("deleting idempotent result: %w", err)
	}
	return nil
}

// DeleteIdempotentResultsBefore removes results created before t and
// returns how many.
func (s *Store) DeleteIdempotentResultsBefore(ctx context.Context, t time.Time) (int, error) {
	n, err := s.write().exec(ctx, `DELETE FROM idempotency_results WHERE created_at < $1`, t.UTC().Truncate(time.Microsecond))
	if err != nil {
		return 0, fmt.Errorf("deleting idempotent results: %w", err)
	}
	return int(n), nil
}
