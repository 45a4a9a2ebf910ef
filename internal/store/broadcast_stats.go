package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/heraldhq/herald"
)

// Broadcast statistics are counters, added to by the engine's status
// writer in its own transactions (AddBroadcastCounts): the fallback
// counters on the broadcast row, the message counters by channel in
// broadcast_channel_stats. Reading progress is one row.

// BroadcastCounts is what one status batch adds to a broadcast.
type BroadcastCounts struct {
	Succeeded, Failed int // chains decided
	Channels          map[herald.Channel]herald.ChannelStats
}

// AddBroadcastCounts adds counts to their broadcasts and completes the
// broadcasts whose every chain is now decided; it returns those.
func (x *MessageTx) AddBroadcastCounts(ctx context.Context, counts map[int64]*BroadcastCounts) ([]int64, error) {
	ids := make([]int64, 0, len(counts))
	for id := range counts {
		ids = append(ids, id)
	}
	slices.Sort(ids) // a fixed lock order among processes sharing PostgreSQL
	var decided []int64
	for _, id := range ids {
		c := counts[id]
		if c.Succeeded != 0 || c.Failed != 0 {
			_, err := x.t.exec(ctx, `UPDATE broadcasts SET succeeded = succeeded + $1, failed = failed + $2 WHERE id = $3`,
				c.Succeeded, c.Failed, id)
			if err != nil {
				return nil, fmt.Errorf("counting broadcast outcomes: %w", err)
			}
			decided = append(decided, id)
		}
		chans := make([]herald.Channel, 0, len(c.Channels))
		for ch := range c.Channels {
			chans = append(chans, ch)
		}
		slices.Sort(chans)
		for _, ch := range chans {
			st := c.Channels[ch]
			if st.Zero() {
				continue
			}
			_, err := x.t.exec(ctx, `INSERT INTO broadcast_channel_stats (broadcast_id, channel, sent, delivered, seen, failed, expired)
				VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (broadcast_id, channel) DO UPDATE SET
				sent = broadcast_channel_stats.sent + excluded.sent, delivered = broadcast_channel_stats.delivered + excluded.delivered,
				seen = broadcast_channel_stats.seen + excluded.seen, failed = broadcast_channel_stats.failed + excluded.failed,
				expired = broadcast_channel_stats.expired + excluded.expired`,
				id, ch, st.Sent, st.Delivered, st.Seen, st.Failed, st.Expired)
			if err != nil {
				return nil, fmt.Errorf("counting broadcast messages: %w", err)
			}
		}
	}
	return x.completeBroadcasts(ctx, decided)
}

// BroadcastRCSChecks returns which of the broadcasts ids have the RCS
// capability check on.
func (x *MessageTx) BroadcastRCSChecks(ctx context.Context, ids []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	err := chunks(len(ids), 1, func(lo, hi int) error {
		a := x.s.batch()
		ph := make([]string, 0, hi-lo)
		for _, id := range ids[lo:hi] {
			ph = append(ph, a.add(id))
		}
		return eachRow(ctx, x.t, "SELECT id, rcs_check FROM broadcasts WHERE id IN ("+strings.Join(ph, ", ")+")", a.vals,
			func(r scanner) error {
				var id int64
				var on bool
				err := r.Scan(&id, &on)
				out[id] = on
				return err
			})
	})
	if err != nil {
		return nil, fmt.Errorf("reading broadcasts' RCS checks: %w", err)
	}
	return out, nil
}

// SetRCSCapable records whether the contacts ids are RCS capable, as of
// the transaction's time.
func (x *MessageTx) SetRCSCapable(ctx context.Context, ids []int64, capable bool) error {
	return chunks(len(ids), 1, func(lo, hi int) error {
		a := x.s.batch()
		capArg, at := a.add(capable), a.add(x.t.now)
		ph := make([]string, 0, hi-lo)
		for _, id := range ids[lo:hi] {
			ph = append(ph, a.add(id))
		}
		_, err := x.t.exec(ctx, "UPDATE contacts SET rcs_capable = "+capArg+", rcs_checked_at = "+at+" WHERE id IN ("+
			strings.Join(ph, ", ")+")", a.vals...)
		if err != nil {
			return fmt.Errorf("recording RCS capability: %w", err)
		}
		return nil
	})
}

// BroadcastChannelStats returns a broadcast's message statistics by
// channel, in the order of its steps (channels it never used are zero).
func (s *Store) BroadcastChannelStats(ctx context.Context, accountID, id int64) ([]herald.ChannelStats, error) {
	b, err := s.Broadcast(ctx, accountID, id)
	if err != nil {
		return nil, err
	}
	got := map[herald.Channel]herald.ChannelStats{}
	err = eachRow(ctx, s.read(), `SELECT channel, sent, delivered, seen, failed, expired FROM broadcast_channel_stats
		WHERE broadcast_id = $1`, []any{id}, func(r scanner) error {
		var c herald.ChannelStats
		err := r.Scan(&c.Channel, &c.Sent, &c.Delivered, &c.Seen, &c.Failed, &c.Expired)
		got[c.Channel] = c
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reading broadcast statistics: %w", err)
	}
	out := []herald.ChannelStats{}
	for _, st := range b.Steps {
		c := got[st.Channel]
		c.Channel = st.Channel
		out = append(out, c)
		delete(got, st.Channel)
	}
	for _, c := range got { // a channel the steps no longer name
		out = append(out, c)
	}
	return out, nil
}

// recipientSelects are the columns scanRecipient reads.
const recipientSelects = "r.seq, r.contact_id, r.phone, r.email, r.state, r.reason, r.chain_id, COALESCE(ch.outcome, ''), " +
	"COALESCE(ch.current_step, 0), COALESCE(m.channel, 0), COALESCE(m.id, ''), COALESCE(m.status, ''), m.updated_at"

// scanRecipient reads recipientSelects, then extra.
func scanRecipient(r scanner, extra ...any) (herald.BroadcastRecipient, error) {
	var x herald.BroadcastRecipient
	err := r.Scan(append([]any{&x.Seq, &x.ContactID, &x.Phone, &x.Email, &x.State, &x.Reason, &x.ChainID, &x.Outcome,
		&x.Step, &x.Channel, &x.MessageID, &x.Status, &x.UpdatedAt}, extra...)...)
	x.UpdatedAt = utcPtr(x.UpdatedAt)
	x.Result = herald.ResultOf(&x)
	return x, err
}

// recipientResultSQL computes herald.ResultOf in SQL, for filtering and
// sorting by a recipient's result.
const recipientResultSQL = "(CASE WHEN r.state <> 'initiated' THEN 'not_initiated' " +
	"WHEN r.chain_id = '' AND r.reason = 'rcs_capable' THEN 'successful' " +
	"WHEN r.chain_id = '' THEN 'unsuccessful' " +
	"WHEN ch.outcome = 'succeeded' THEN 'successful' " +
	"WHEN ch.outcome IN ('failed', 'canceled') THEN 'unsuccessful' ELSE 'in_progress' END)"

// recipientSpec is a broadcast's per-contact outcome list.
func recipientSpec() *listSpec {
	return &listSpec{
		columns: herald.BroadcastRecipientColumns(),
		cols: map[string]listCol{
			"seq":       {expr: "r.seq", typ: herald.ColNumber},
			"phone":     {expr: "r.phone", typ: herald.ColText},
			"email":     {expr: "r.email", typ: herald.ColText},
			"contactId": {expr: "r.contact_id", typ: herald.ColNumber},
			"state":     {expr: "r.state", typ: herald.ColEnum},
			"outcome":   {expr: "COALESCE(ch.outcome, '')", typ: herald.ColEnum},
			"result":    {expr: recipientResultSQL, typ: herald.ColEnum},
			"channel":   {expr: channelNameSQL("m.channel"), typ: herald.ColEnum},
			"status":    {expr: "COALESCE(m.status, '')", typ: herald.ColEnum},
			"reason":    {expr: "r.reason", typ: herald.ColText},
			"messageId": {expr: "COALESCE(m.id, '')", typ: herald.ColText},
			"updatedAt": {expr: "m.updated_at", typ: herald.ColTime, nullable: true},
		},
		selects: recipientSelects,
		from: "broadcast_recipients r LEFT JOIN message_chains ch ON ch.id = r.chain_id AND r.chain_id <> '' " +
			"LEFT JOIN messages m ON m.id = ch.current_message_id",
		id: "r.seq",
	}
}

// ListBroadcastRecipients returns one page of a broadcast's recipients
// with their outcome.
func (s *Store) ListBroadcastRecipients(ctx context.Context, accountID, id int64, q herald.ListQuery) (herald.Page[herald.BroadcastRecipient], error) {
	if _, err := s.Broadcast(ctx, accountID, id); err != nil {
		return herald.Page[herald.BroadcastRecipient]{}, err
	}
	p, err := s.buildList(recipientSpec(), q, "r.broadcast_id = $1", id)
	if err != nil {
		return herald.Page[herald.BroadcastRecipient]{}, err
	}
	return runList(ctx, s.read(), p, scanRecipient)
}

// EachBroadcastRecipient streams a broadcast's recipients matching q's
// filters, in q's order, to fn.
func (s *Store) EachBroadcastRecipient(ctx context.Context, accountID, id int64, q herald.ListQuery, fn func(*herald.BroadcastRecipient) error) error {
	if _, err := s.Broadcast(ctx, accountID, id); err != nil {
		return err
	}
	q.Cursor = ""
	p, err := s.buildList(recipientSpec(), q, "r.broadcast_id = $1", id)
	if err != nil {
		return err
	}
	rs, err := s.read().query(ctx, p.sql(-1), p.args...)
	if err != nil {
		return fmt.Errorf("reading recipients: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		var key any
		var seq int64
		x, err := scanRecipient(rs, &key, &seq)
		if err != nil {
			return fmt.Errorf("reading recipients: %w", err)
		}
		if err := fn(&x); err != nil {
			return err
		}
	}
	return rs.Err()
}
