package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// Audited actions of opt-out words.
const (
	actionAddOptOutWord    = "Added new opt-out word"
	actionChangeOptOutWord = "Changed opt-out word"
	actionDeleteOptOutWord = "Deleted opt-out word"
)

// OptedOut reports whether the contact opted out of ch as a whole or of
// senderID on it. One primary-key lookup: the send path calls it per message.
func (s *Store) OptedOut(ctx context.Context, accountID, contactID int64, ch herald.Channel, senderID string) (bool, error) {
	var n int
	err := s.read().queryRow(ctx, `SELECT count(*) FROM contact_optouts
		WHERE contact_id = $1 AND channel = $2 AND sender_id IN ('', $3) AND account_id = $4`,
		contactID, int(ch), senderID, accountID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("reading opt-outs: %w", err)
	}
	return n > 0, nil
}

// OptOutsOf returns the opt-outs of accountID's contacts contactIDs, of
// every channel and sender ID (channel, sender ID and contact only).
func (s *Store) OptOutsOf(ctx context.Context, accountID int64, contactIDs []int64) ([]herald.OptOut, error) {
	var out []herald.OptOut
	err := chunks(len(contactIDs), 1, func(lo, hi int) error {
		args := s.batch()
		ph := make([]string, 0, hi-lo)
		for _, id := range contactIDs[lo:hi] {
			ph = append(ph, args.add(id))
		}
		q := "SELECT contact_id, channel, sender_id FROM contact_optouts WHERE contact_id IN (" + strings.Join(ph, ", ") +
			") AND account_id = " + args.add(accountID)
		return eachRow(ctx, s.read(), q, args.vals, func(r scanner) error {
			o := herald.OptOut{AccountID: accountID}
			var ch int
			if err := r.Scan(&o.ContactID, &ch, &o.SenderID); err != nil {
				return err
			}
			o.Channel = herald.Channel(ch)
			out = append(out, o)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("reading opt-outs: %w", err)
	}
	return out, nil
}

// AddOptOut records an opt-out of a contact of the account; an existing
// one of the same channel and sender ID is kept as it is.
func (s *Store) AddOptOut(ctx context.Context, o herald.OptOut) error {
	if !o.Channel.Valid() {
		return herald.Violations{{Field: "channel", Code: herald.VUnknown, Message: "Choose a channel."}}.Err()
	}
	return s.inTx(ctx, func(t *tx) error {
		if err := contactExists(ctx, t, o.AccountID, o.ContactID); err != nil {
			return err
		}
		if o.At.IsZero() {
			o.At = t.now
		}
		o.At = o.At.UTC().Truncate(time.Microsecond)
		n, err := t.exec(ctx, `INSERT INTO contact_optouts (contact_id, account_id, channel, sender_id, opted_out_at, set_by)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (contact_id, channel, sender_id) DO NOTHING`,
			o.ContactID, o.AccountID, int(o.Channel), o.SenderID, o.At, o.By)
		if err != nil || n == 0 {
			return wrapErr("saving opt-out", err)
		}
		return s.audit(ctx, t, o.AccountID, actionAddOptOut, detail("contact_optouts", herald.OpInsert, o.ContactID, nil, o))
	})
}

// LiftOptOut removes the contact's opt-outs of ch for senderID and for the
// whole channel. Every MO message calls it, so it is one statement that
// writes no audit entry unless it removed something.
func (s *Store) LiftOptOut(ctx context.Context, accountID, contactID int64, ch herald.Channel, senderID string) error {
	return s.deleteOptOuts(ctx, accountID, contactID, ch, "sender_id IN ('', $4)", senderID)
}

// RemoveOptOut removes exactly the opt-out of ch and senderID.
func (s *Store) RemoveOptOut(ctx context.Context, accountID, contactID int64, ch herald.Channel, senderID string) error {
	return s.deleteOptOuts(ctx, accountID, contactID, ch, "sender_id = $4", senderID)
}

// deleteOptOuts deletes the contact's opt-outs of ch that match cond ($4
// is senderID) and audits what it removed.
func (s *Store) deleteOptOuts(ctx context.Context, accountID, contactID int64, ch herald.Channel, cond, senderID string) error {
	return s.inTx(ctx, func(t *tx) error {
		n, err := t.exec(ctx, `DELETE FROM contact_optouts WHERE contact_id = $1 AND account_id = $2 AND channel = $3 AND `+cond,
			contactID, accountID, int(ch), senderID)
		if err != nil || n == 0 {
			return wrapErr("lifting opt-out", err)
		}
		o := herald.OptOut{AccountID: accountID, ContactID: contactID, Channel: ch, SenderID: senderID, At: t.now}
		return s.audit(ctx, t, accountID, actionLiftOptOut, detail("contact_optouts", herald.OpDelete, contactID, o, nil))
	})
}

// wrapErr prefixes a non-nil err with doing.
func wrapErr(doing string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", doing, err)
}

// contactExists returns ENOTFOUND unless the account has contact id.
func contactExists(ctx context.Context, q querier, accountID, id int64) error {
	var n int
	if err := q.queryRow(ctx, `SELECT count(*) FROM contacts WHERE account_id = $1 AND id = $2`, accountID, id).Scan(&n); err != nil {
		return fmt.Errorf("reading contact: %w", err)
	} else if n == 0 {
		return herald.Errorf(herald.ENOTFOUND, "Contact not found.")
	}
	return nil
}

// ContactOptOuts returns the contact's opt-outs by channel and sender ID.
func (s *Store) ContactOptOuts(ctx context.Context, accountID, contactID int64) ([]herald.OptOut, error) {
	if err := contactExists(ctx, s.read(), accountID, contactID); err != nil {
		return nil, err
	}
	out := []herald.OptOut{}
	err := eachRow(ctx, s.read(), `SELECT channel, sender_id, opted_out_at, set_by FROM contact_optouts
		WHERE contact_id = $1 AND account_id = $2 ORDER BY channel, sender_id`, []any{contactID, accountID}, func(r scanner) error {
		o := herald.OptOut{AccountID: accountID, ContactID: contactID}
		var ch int
		if err := r.Scan(&ch, &o.SenderID, &o.At, &o.By); err != nil {
			return err
		}
		o.Channel, o.At = herald.Channel(ch), utc(o.At)
		out = append(out, o)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading opt-outs: %w", err)
	}
	return out, nil
}

// MatchOptOutWord returns the opt-out word that text is (folded and
// trimmed) on ch for senderID, in effect at at, or nil when none. A word of
// the whole channel comes before one of the sender.
func (s *Store) MatchOptOutWord(ctx context.Context, accountID int64, ch herald.Channel, senderID, text string, at time.Time) (*herald.OptOutWord, error) {
	key := herald.Fold(text)
	if key == "" || len(key) > 256 {
		return nil, nil
	}
	w, err := scanOptOutWord(s.read().queryRow(ctx, "SELECT "+optOutWordSelects+` FROM optout_words w
		WHERE w.account_id = $1 AND w.word_key = $2 AND w.channel = $3 AND w.sender_id IN ('', $4)
		AND (w.effective_from IS NULL OR w.effective_from <= $5) AND (w.effective_till IS NULL OR w.effective_till > $5)
		ORDER BY w.sender_id, w.id LIMIT 1`, accountID, key, int(ch), senderID, at.UTC()))
	if isNoRows(err) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("matching opt-out words: %w", err)
	}
	return &w, nil
}

// optOutWordSelects are the columns scanOptOutWord reads.
const optOutWordSelects = "w.id, w.account_id, w.word, w.channel, w.sender_id, w.effective_from, w.effective_till, w.created_at, w.updated_at"

// scanOptOutWord reads optOutWordSelects, then extra.
func scanOptOutWord(r scanner, extra ...any) (herald.OptOutWord, error) {
	var w herald.OptOutWord
	var ch int
	err := r.Scan(append([]any{&w.ID, &w.AccountID, &w.Word, &ch, &w.SenderID, &w.From, &w.Till, &w.CreatedAt, &w.UpdatedAt}, extra...)...)
	w.Channel, w.From, w.Till, w.CreatedAt, w.UpdatedAt = herald.Channel(ch), utcPtr(w.From), utcPtr(w.Till), utc(w.CreatedAt), utc(w.UpdatedAt)
	return w, err
}

// getOptOutWord reads one word of the account, or ENOTFOUND.
func getOptOutWord(ctx context.Context, q querier, accountID, id int64) (*herald.OptOutWord, error) {
	w, err := scanOptOutWord(q.queryRow(ctx, "SELECT "+optOutWordSelects+" FROM optout_words w WHERE w.account_id = $1 AND w.id = $2", accountID, id))
	if isNoRows(err) {
		return nil, herald.Errorf(herald.ENOTFOUND, "Opt-out word not found.")
	} else if err != nil {
		return nil, fmt.Errorf("reading opt-out word: %w", err)
	}
	return &w, nil
}

// OptOutWord returns one opt-out word of the account.
func (s *Store) OptOutWord(ctx context.Context, accountID, id int64) (*herald.OptOutWord, error) {
	return getOptOutWord(ctx, s.read(), accountID, id)
}

// CreateOptOutWord validates and inserts w.
func (s *Store) CreateOptOutWord(ctx context.Context, w *herald.OptOutWord) error {
	if err := w.Validate(); err != nil {
		return err
	}
	return s.inTx(ctx, func(t *tx) error {
		w.From, w.Till, w.CreatedAt, w.UpdatedAt = utcPtr(w.From), utcPtr(w.Till), t.now, t.now
		err := t.queryRow(ctx, `INSERT INTO optout_words (account_id, word, word_key, channel, sender_id, effective_from,
			effective_till, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`,
			w.AccountID, w.Word, herald.Fold(w.Word), int(w.Channel), w.SenderID, w.From, w.Till, t.now).Scan(&w.ID)
		if foreignKeyViolation(err) {
			return herald.Errorf(herald.ENOTFOUND, "Account not found.")
		} else if err != nil {
			return fmt.Errorf("saving opt-out word: %w", err)
		}
		return s.audit(ctx, t, w.AccountID, actionAddOptOutWord, detail("optout_words", herald.OpInsert, w.ID, nil, w))
	})
}

// UpdateOptOutWord validates and saves w.
func (s *Store) UpdateOptOutWord(ctx context.Context, w *herald.OptOutWord) error {
	if err := w.Validate(); err != nil {
		return err
	}
	return s.inTx(ctx, func(t *tx) error {
		old, err := getOptOutWord(ctx, t, w.AccountID, w.ID)
		if err != nil {
			return err
		}
		w.From, w.Till = utcPtr(w.From), utcPtr(w.Till)
		_, err = t.exec(ctx, `UPDATE optout_words SET word = $1, word_key = $2, channel = $3, sender_id = $4,
			effective_from = $5, effective_till = $6, updated_at = $7 WHERE account_id = $8 AND id = $9`,
			w.Word, herald.Fold(w.Word), int(w.Channel), w.SenderID, w.From, w.Till, t.now, w.AccountID, w.ID)
		if err != nil {
			return fmt.Errorf("saving opt-out word: %w", err)
		}
		w.CreatedAt, w.UpdatedAt = old.CreatedAt, t.now
		return s.audit(ctx, t, w.AccountID, actionChangeOptOutWord, detail("optout_words", herald.OpUpdate, w.ID, old, w))
	})
}

// DeleteOptOutWord removes an opt-out word.
func (s *Store) DeleteOptOutWord(ctx context.Context, accountID, id int64) error {
	return s.inTx(ctx, func(t *tx) error {
		old, err := getOptOutWord(ctx, t, accountID, id)
		if err != nil {
			return err
		}
		if _, err := t.exec(ctx, `DELETE FROM optout_words WHERE account_id = $1 AND id = $2`, accountID, id); err != nil {
			return fmt.Errorf("deleting opt-out word: %w", err)
		}
		return s.audit(ctx, t, accountID, actionDeleteOptOutWord, detail("optout_words", herald.OpDelete, id, old, nil))
	})
}

// optOutWordSpec is the Opt-out words list.
func optOutWordSpec() *listSpec {
	return &listSpec{
		columns: herald.OptOutWordColumns(),
		cols: map[string]listCol{
			"word":          {expr: "w.word", typ: herald.ColText},
			"channel":       {expr: channelNameSQL("w.channel"), typ: herald.ColEnum},
			"senderId":      {expr: "w.sender_id", typ: herald.ColText},
			"effectiveFrom": {expr: "w.effective_from", typ: herald.ColTime, nullable: true},
			"effectiveTill": {expr: "w.effective_till", typ: herald.ColTime, nullable: true},
			"createdAt":     {expr: "w.created_at", typ: herald.ColTime},
		},
		selects:     optOutWordSelects,
		from:        "optout_words w",
		id:          "w.id",
		newestFirst: true,
	}
}

// channelNameSQL returns the SQL that names the channel number in expr.
func channelNameSQL(expr string) string {
	sql := "CASE " + expr
	for _, ch := range herald.AllChannels() {
		sql += fmt.Sprintf(" WHEN %d THEN '%s'", int(ch), ch.String())
	}
	return sql + " END"
}

// ListOptOutWords returns one page of the account's opt-out words.
func (s *Store) ListOptOutWords(ctx context.Context, accountID int64, q herald.ListQuery) (herald.Page[herald.OptOutWord], error) {
	p, err := s.buildList(optOutWordSpec(), q, "w.account_id = $1", accountID)
	if err != nil {
		return herald.Page[herald.OptOutWord]{}, err
	}
	return runList(ctx, s.read(), p, scanOptOutWord)
}
