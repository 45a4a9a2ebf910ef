package store

import (
	"context"
	"fmt"
	"time"

	"github.com/heraldhq/herald"
)

// RememberSegments records the SMSC's message IDs of the segments of a
// multi-part message sent through connectionID, in order, so that the
// receipt of each folds into the message's status (FoldSegment).
func (s *Store) RememberSegments(ctx context.Context, connectionID int64, messageID string, providerIDs []string) error {
	if len(providerIDs) == 0 {
		return nil
	}
	now := s.now()
	args := make([]any, 0, 5*len(providerIDs))
	values := ""
	for i, id := range providerIDs {
		if i > 0 {
			values += ", "
		}
		values += "(" + placeholders(len(args)+1, 5) + ")"
		args = append(args, connectionID, id, messageID, i, now)
	}
	// A segment ID seen again (an SMSC reusing IDs after a long while)
	// belongs to the newer message.
	_, err := s.write().exec(ctx, `INSERT INTO smpp_segments (connection_id, provider_id, message_id, part, sent_at)
		VALUES `+values+` ON CONFLICT (connection_id, provider_id) DO UPDATE
		SET message_id = excluded.message_id, part = excluded.part, state = '', sent_at = excluded.sent_at`, args...)
	if err != nil {
		return fmt.Errorf("remembering SMS segments of message %s: %w", messageID, err)
	}
	return nil
}

// FoldSegment records state as the latest receipt state of the segment
// the SMSC knows as providerID on connectionID and returns the message's
// ID and the states of all its segments in order ("" for a segment with no
// receipt yet), or nil when no remembered segment has the ID. When
// final reports the folded states final, the segments are forgotten. The
// segments' rows are locked while they are read, so that receipts of two
// segments arriving at once both see each other's state.
func (s *Store) FoldSegment(ctx context.Context, connectionID int64, providerID, state string,
	final func(states []string) bool) (*herald.SMSSegments, error) {
	// Most receipts are of single-part messages: find out on the readers.
	var messageID string
	err := s.read().queryRow(ctx, `SELECT message_id FROM smpp_segments WHERE connection_id = $1 AND provider_id = $2`,
		connectionID, providerID).Scan(&messageID)
	if isNoRows(err) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("folding the receipt of SMS segment %s: %w", providerID, err)
	}
	var out *herald.SMSSegments
	err = s.inTx(ctx, func(tx *tx) error {
		rs, err := tx.query(ctx, `SELECT provider_id, state FROM smpp_segments WHERE message_id = $1 AND connection_id = $2
			ORDER BY part`+s.d.forUpdate, messageID, connectionID)
		if err != nil {
			return err
		}
		seg := &herald.SMSSegments{MessageID: messageID}
		found := false
		for rs.Next() {
			var id, st string
			if err := rs.Scan(&id, &st); err != nil {
				rs.Close()
				return err
			}
			if id == providerID {
				st, found = state, true
			}
			seg.ProviderIDs = append(seg.ProviderIDs, id)
			seg.States = append(seg.States, st)
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return err
		}
		if !found {
			return nil // the message's receipts were all folded meanwhile
		}
		out = seg
		if final(seg.States) {
			_, err = tx.exec(ctx, `DELETE FROM smpp_segments WHERE message_id = $1 AND connection_id = $2`, messageID, connectionID)
			return err
		}
		_, err = tx.exec(ctx, `UPDATE smpp_segments SET state = $3 WHERE connection_id = $1 AND provider_id = $2`,
			connectionID, providerID, state)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("folding the receipt of SMS segment %s: %w", providerID, err)
	}
	return out, nil
}

// ForgetSegments removes the segments of messages sent before cutoff
// whose receipts never all came, and returns how many it removed.
func (s *Store) ForgetSegments(ctx context.Context, cutoff time.Time) (int64, error) {
	n, err := s.write().exec(ctx, `DELETE FROM smpp_segments WHERE sent_at < $1`, cutoff.UTC().Truncate(time.Microsecond))
	if err != nil {
		return 0, fmt.Errorf("forgetting old SMS segments: %w", err)
	}
	return n, nil
}
