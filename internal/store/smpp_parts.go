package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// smppPartSelects are the columns scanSMPPPart reads.
const smppPartSelects = "id, account_id, set_key, seq, total, text, request, message_id, received_at"

// scanSMPPPart reads one part.
func scanSMPPPart(r scanner) (herald.SMPPSubmitPart, error) {
	var p herald.SMPPSubmitPart
	err := r.Scan(&p.ID, &p.AccountID, &p.SetKey, &p.Seq, &p.Total, &p.Text, &p.Request, &p.MessageID, &p.At)
	p.At = utc(p.At)
	return p, err
}

// AddSMPPSubmitPart stores p, unless its set has a part of its number
// already (sent again by the customer), and returns every part of the set
// in order, with p.ID set to the stored part's. A new part's ID is the
// set's base, then "-" and its number; the set's base is that of its
// parts stored already, else base.
func (s *Store) AddSMPPSubmitPart(ctx context.Context, p *herald.SMPPSubmitPart, base string) ([]herald.SMPPSubmitPart, error) {
	var parts []herald.SMPPSubmitPart
	err := s.inTx(ctx, func(t *tx) error {
		parts = parts[:0]
		read := func() error {
			parts = parts[:0]
			return eachRow(ctx, t, "SELECT "+smppPartSelects+" FROM smpp_submit_parts WHERE set_key = $1 ORDER BY seq",
				[]any{p.SetKey}, func(r scanner) error {
					part, err := scanSMPPPart(r)
					if err == nil {
						parts = append(parts, part)
					}
					return err
				})
		}
		// stored takes p's fields from the stored part of its number.
		stored := func() bool {
			for _, q := range parts {
				if q.Seq == p.Seq {
					p.ID, p.MessageID, p.At = q.ID, q.MessageID, q.At
					return true
				}
			}
			return false
		}
		if err := read(); err != nil || stored() {
			return err
		}
		if len(parts) > 0 {
			base = parts[0].ID[:strings.LastIndexByte(parts[0].ID, '-')]
		}
		p.ID, p.At = base+"-"+strconv.Itoa(p.Seq), t.now
		// The same part may come to two processes at once: the one
		// stored first stands.
		if _, err := t.exec(ctx, `INSERT INTO smpp_submit_parts (id, account_id, set_key, seq, total, text, request, received_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`, p.ID, p.AccountID, p.SetKey, p.Seq, p.Total, p.Text, p.Request, p.At); err != nil {
			return err
		}
		if err := read(); err != nil {
			return err
		}
		stored()
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("storing an SMPP message part: %w", err)
	}
	return parts, nil
}

// MarkSMPPSubmitParts records, in the transaction that commits it, that
// messageID is made of the parts ids, and returns how many of them it
// marked: a part made into a message already keeps its message.
func (x *MessageTx) MarkSMPPSubmitParts(ctx context.Context, messageID string, ids ...string) (int64, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	args := make([]any, 0, len(ids)+1)
	args = append(args, messageID)
	for _, id := range ids {
		args = append(args, id)
	}
	n, err := x.t.exec(ctx, "UPDATE smpp_submit_parts SET message_id = $1 WHERE message_id = '' AND id IN ("+
		placeholders(2, len(ids))+")", args...)
	if err != nil {
		return 0, fmt.Errorf("marking SMPP message parts: %w", err)
	}
	return n, nil
}

// errPartsTaken rolls back the rejection of parts taken meanwhile.
var errPartsTaken = errors.New("store: SMPP message parts taken")

// SMPPPartsRejected is the message_id of parts that could not be made into
// a message.
const SMPPPartsRejected = "rejected"

// RejectSMPPSubmitParts records that the parts ids cannot be made into a
// message, and queues receipt (when not nil) for the customer, in one
// transaction; it does neither and reports false when any of the parts was
// made into a message or rejected already.
func (s *Store) RejectSMPPSubmitParts(ctx context.Context, ids []string, receipt *herald.SMPPDelivery) (bool, error) {
	done := false
	err := s.inTx(ctx, func(t *tx) error {
		done = false
		args := make([]any, 0, len(ids)+1)
		args = append(args, SMPPPartsRejected)
		for _, id := range ids {
			args = append(args, id)
		}
		n, err := t.exec(ctx, "UPDATE smpp_submit_parts SET message_id = $1 WHERE message_id = '' AND id IN ("+
			placeholders(2, len(ids))+")", args...)
		if err != nil {
			return err
		}
		if n != int64(len(ids)) {
			return errPartsTaken // rolled back
		}
		done = true
		if receipt == nil {
			return nil
		}
		return insertSMPPDeliveries(ctx, t, []herald.SMPPDelivery{*receipt})
	})
	if err != nil && !errors.Is(err, errPartsTaken) {
		return false, fmt.Errorf("rejecting SMPP message parts: %w", err)
	}
	return done, nil
}

// StaleSMPPSubmitParts returns the parts of the sets not made into a
// message whose last part came before before, at most limit sets, a set's
// parts together and in order.
func (s *Store) StaleSMPPSubmitParts(ctx context.Context, before time.Time, limit int) ([]herald.SMPPSubmitPart, error) {
	var out []herald.SMPPSubmitPart
	err := eachRow(ctx, s.read(), `SELECT `+smppPartSelects+` FROM smpp_submit_parts WHERE message_id = '' AND set_key IN (
			SELECT set_key FROM smpp_submit_parts WHERE message_id = '' GROUP BY set_key HAVING max(received_at) < $1 LIMIT $2)
		ORDER BY set_key, seq`, []any{before.UTC(), limit}, func(r scanner) error {
		p, err := scanSMPPPart(r)
		if err == nil {
			out = append(out, p)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reading stale SMPP message parts: %w", err)
	}
	return out, nil
}

// ForgetSMPPSubmitParts deletes the parts received before before: those
// made into a message, and those that could not be (sending them failed
// on every try until then).
func (s *Store) ForgetSMPPSubmitParts(ctx context.Context, before time.Time) (int64, error) {
	n, err := s.write().exec(ctx, "DELETE FROM smpp_submit_parts WHERE received_at < $1", before.UTC())
	if err != nil {
		return 0, fmt.Errorf("forgetting SMPP message parts: %w", err)
	}
	return n, nil
}
