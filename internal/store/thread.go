package store

import (
	"context"
	"fmt"
	"time"

	"github.com/heraldhq/herald"
)

// threadSelects are the columns scanThread reads.
const threadSelects = "id, account_id, contact_id, channel, last_message_id, last_message_at, created_at"

// scanThread reads threadSelects.
func scanThread(r scanner) (herald.Thread, error) {
	var t herald.Thread
	err := r.Scan(&t.ID, &t.AccountID, &t.ContactID, &t.Channel, &t.LastMessageID, &t.LastMessageAt, &t.CreatedAt)
	t.LastMessageAt, t.CreatedAt = utc(t.LastMessageAt), utc(t.CreatedAt)
	return t, err
}

// UpsertThread records th's last message on the thread of its account,
// contact and channel, creating the thread when there is none, and sets
// th's ID and creation time.
func (x *MessageTx) UpsertThread(ctx context.Context, th *herald.Thread) error {
	at := th.LastMessageAt.UTC().Truncate(time.Microsecond)
	err := x.t.queryRow(ctx, `INSERT INTO threads (account_id, contact_id, channel, last_message_id, last_message_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (account_id, contact_id, channel) DO UPDATE SET last_message_id = excluded.last_message_id,
		last_message_at = excluded.last_message_at
		RETURNING id, created_at`, th.AccountID, th.ContactID, th.Channel, th.LastMessageID, at, x.t.now).Scan(&th.ID, &th.CreatedAt)
	if err != nil {
		return fmt.Errorf("saving thread: %w", err)
	}
	th.CreatedAt = utc(th.CreatedAt)
	return nil
}

// Thread returns one thread of the account, or ENOTFOUND.
func (s *Store) Thread(ctx context.Context, accountID, id int64) (*herald.Thread, error) {
	t, err := scanThread(s.read().queryRow(ctx, "SELECT "+threadSelects+" FROM threads WHERE id = $1 AND account_id = $2", id, accountID))
	if isNoRows(err) {
		return nil, herald.Errorf(herald.ENOTFOUND, "Thread not found.")
	} else if err != nil {
		return nil, fmt.Errorf("reading thread: %w", err)
	}
	return &t, nil
}

// ContactThreads returns a contact's threads, most recent first.
func (s *Store) ContactThreads(ctx context.Context, accountID, contactID int64) ([]herald.Thread, error) {
	rs, err := s.read().query(ctx, "SELECT "+threadSelects+
		" FROM threads WHERE account_id = $1 AND contact_id = $2 ORDER BY last_message_at DESC, id DESC", accountID, contactID)
	if err != nil {
		return nil, fmt.Errorf("reading threads: %w", err)
	}
	defer rs.Close()
	out := []herald.Thread{}
	for rs.Next() {
		t, err := scanThread(rs)
		if err != nil {
			return nil, fmt.Errorf("reading threads: %w", err)
		}
		out = append(out, t)
	}
	return out, rs.Err()
}
