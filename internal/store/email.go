package store

import (
	"context"
	"fmt"
	"time"

	"github.com/heraldhq/herald"
)

var _ herald.EmailEventStore = (*Store)(nil)

// RecordEmailEvent inserts an open, click or unsubscribe of an e-mail and
// sets its ID (and At when zero).
func (s *Store) RecordEmailEvent(ctx context.Context, e *herald.EmailEvent) error {
	if e.At.IsZero() {
		e.At = s.now()
	}
	e.At = e.At.UTC().Truncate(time.Microsecond)
	err := s.write().queryRow(ctx, `INSERT INTO email_events (account_id, message_id, kind, url, detail, user_agent, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, e.AccountID, e.MessageID, string(e.Kind), e.URL, e.Detail,
		e.UserAgent, e.At).Scan(&e.ID)
	if err != nil {
		return fmt.Errorf("recording e-mail event: %w", err)
	}
	return nil
}

// EmailEvents returns a message's e-mail events, oldest first, at most
// limit.
func (s *Store) EmailEvents(ctx context.Context, accountID int64, messageID string, limit int) ([]herald.EmailEvent, error) {
	rs, err := s.read().query(ctx, `SELECT id, account_id, message_id, kind, url, detail, user_agent, at FROM email_events
		WHERE account_id = $1 AND message_id = $2 ORDER BY id LIMIT $3`, accountID, messageID, limit)
	if err != nil {
		return nil, fmt.Errorf("reading e-mail events: %w", err)
	}
	defer rs.Close()
	out := []herald.EmailEvent{}
	for rs.Next() {
		var e herald.EmailEvent
		var kind string
		if err := rs.Scan(&e.ID, &e.AccountID, &e.MessageID, &kind, &e.URL, &e.Detail, &e.UserAgent, &e.At); err != nil {
			return nil, fmt.Errorf("reading e-mail events: %w", err)
		}
		e.Kind, e.At = herald.EmailEventKind(kind), utc(e.At)
		out = append(out, e)
	}
	return out, rs.Err()
}

// InboundEmailReceived reports whether the account already has an inbound
// e-mail with Message-ID messageID (its provider ID) to sender ID
// senderID on the connection, so that mail delivered twice makes one
// inbound message.
func (s *Store) InboundEmailReceived(ctx context.Context, accountID, connectionID int64, senderID, messageID string) (bool, error) {
	var n int
	err := s.read().queryRow(ctx, `SELECT count(*) FROM messages WHERE connection_id = $1 AND provider_id = $2
		AND account_id = $3 AND sender_id = $4 AND direction = $5`, connectionID, messageID, accountID, senderID, herald.MO).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("looking for an inbound e-mail: %w", err)
	}
	return n > 0, nil
}
