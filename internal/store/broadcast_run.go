package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/phone"
)

// A launch expands the recipients once into broadcast_recipients: one
// INSERT ... SELECT over the contacts that match any target, tag or typed
// number (numbered in contact order), then the typed numbers that are no
// contact's. The copy holds what sending needs (addresses, attribute
// values, identities, RCS capability), so later contact changes do not
// alter a running broadcast.
//
// One runner at a time sends a broadcast: it holds the row (runner,
// runner_until) and advances claimed_seq batch by batch in the
// transaction that inserts the batch's messages (CommitRecipients), so a
// recipient is sent to exactly once across crashes and restarts.

// ErrLostClaim is returned by CommitRecipients when the runner no longer
// holds the broadcast, or it is no longer in progress (paused, aborted)
// or another runner committed the batch: nothing of the batch commits.
var ErrLostClaim = errors.New("store: the broadcast is no longer this runner's to send")

// identityChannels reports whether a step of b needs a channel identity
// (push token, chat ID ...) rather than the phone number or e-mail.
func identityChannels(b *herald.Broadcast) bool {
	for _, s := range b.Steps {
		if herald.IdentityKind(s.Channel) != "" {
			return true
		}
	}
	return false
}

// identitiesSQL returns the expression that copies a contact's identities
// into the snapshot as a JSON object, or ” when no step needs them.
func (s *Store) identitiesSQL(b *herald.Broadcast) string {
	switch {
	case !identityChannels(b):
		return "''"
	case s.engine == EnginePostgres:
		return "COALESCE((SELECT json_object_agg(i.kind, i.value)::text FROM contact_identities i WHERE i.contact_id = c.id), '')"
	}
	return "(SELECT json_group_object(i.kind, i.value) FROM contact_identities i WHERE i.contact_id = c.id)"
}

// recipientWhere returns the condition on contacts c that r selects, with
// its arguments ($1 is the account), and the typed numbers (E.164) that
// are no contact's. An unknown target or a malformed number is EINVALID.
func (s *Store) recipientWhere(ctx context.Context, q querier, accountID int64, r herald.Recipients) (string, listArgs, []string, error) {
	attrs, err := loadAttrs(ctx, q, accountID)
	if err != nil {
		return "", nil, nil, err
	}
	cols := herald.ContactColumns(plainAttrs(attrs))
	args := listArgs{accountID}
	var ors []string
	var vs herald.Violations
	for _, id := range r.TargetIDs {
		t, err := getTarget(ctx, q, accountID, id)
		if herald.IsNotFound(err) {
			vs.Add("recipients.targetIds", herald.VUnknown, "No target with ID %d.", id)
			continue
		} else if err != nil {
			return "", nil, nil, err
		}
		if err := herald.ValidateListQuery(herald.ListQuery{Filters: t.Filters}, cols); err != nil {
			vs.Add("recipients.targetIds", herald.VFormat, "Target %q has filters that no longer apply: %s", t.Name, herald.ErrorMessage(err))
			continue
		}
		conds, err := contactConds(attrs, accountID, t.Filters, &args)
		if err != nil {
			return "", nil, nil, err
		}
		ors = append(ors, "("+strings.Join(append([]string{"1 = 1"}, conds...), " AND ")+")")
	}
	for _, tag := range r.Tags {
		ors = append(ors, tagCond(accountID, herald.Filter{Field: herald.ColTags, Op: herald.OpEq, Value: tag}, &args))
	}
	phones := normalizePhones(r.Phones, &vs)
	if err := vs.Err(); err != nil {
		return "", nil, nil, err
	}
	var bare []string
	if len(phones) > 0 {
		known, err := knownPhones(ctx, q, accountID, phones)
		if err != nil {
			return "", nil, nil, err
		}
		ph := make([]string, 0, len(phones))
		for _, p := range phones {
			if known[p] {
				ph = append(ph, args.add(p))
			} else {
				bare = append(bare, p)
			}
		}
		if len(ph) > 0 {
			ors = append(ors, "c.phone IN ("+strings.Join(ph, ", ")+")")
		}
	}
	if len(ors) == 0 {
		ors = []string{"1 = 0"}
	}
	return "c.account_id = $1 AND (" + strings.Join(ors, " OR ") + ")", args, bare, nil
}

// normalizePhones returns the distinct numbers of ps in E.164, adding a
// violation for each one that is not a phone number.
func normalizePhones(ps []string, vs *herald.Violations) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range ps {
		n, err := phone.Parse(p)
		if err != nil {
			vs.Add("recipients.phones", herald.VFormat, "%q is not a phone number; use the international format, such as +34600111222.", p)
			continue
		}
		if !seen[n.E164] {
			seen[n.E164] = true
			out = append(out, n.E164)
		}
	}
	return out
}

// knownPhones returns which of phones are the account's contacts'.
func knownPhones(ctx context.Context, q querier, accountID int64, phones []string) (map[string]bool, error) {
	known := map[string]bool{}
	err := chunks(len(phones), 1, func(lo, hi int) error {
		args := listArgs{accountID}
		ph := make([]string, 0, hi-lo)
		for _, p := range phones[lo:hi] {
			ph = append(ph, args.add(p))
		}
		return eachRow(ctx, q, "SELECT phone FROM contacts WHERE account_id = $1 AND phone IN ("+strings.Join(ph, ", ")+")", args,
			func(r scanner) error {
				var p string
				err := r.Scan(&p)
				known[p] = true
				return err
			})
	})
	if err != nil {
		return nil, fmt.Errorf("finding contacts by phone: %w", err)
	}
	return known, nil
}

// CountRecipients counts the contacts r selects now, plus the typed
// numbers that are no contact's.
func (s *Store) CountRecipients(ctx context.Context, accountID int64, r herald.Recipients) (int, error) {
	q := s.read()
	var n int
	if r.FailedOf != 0 {
		err := q.queryRow(ctx, `SELECT count(*) FROM broadcast_recipients r JOIN broadcasts b ON b.id = r.broadcast_id
			JOIN message_chains ch ON ch.id = r.chain_id WHERE b.account_id = $1 AND r.broadcast_id = $2 AND r.chain_id <> ''
			AND ch.outcome IN ('failed', 'canceled')`, accountID, r.FailedOf).Scan(&n)
		if err != nil {
			return 0, fmt.Errorf("counting failed recipients: %w", err)
		}
		return n, nil
	}
	where, args, bare, err := s.recipientWhere(ctx, q, accountID, r)
	if err != nil {
		return 0, err
	}
	if err := q.queryRow(ctx, "SELECT count(*) FROM contacts c WHERE "+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("counting recipients: %w", err)
	}
	return n + len(bare), nil
}

// snapshot copies b's recipients into broadcast_recipients and returns
// how many there are; EINVALID when there are none. Given a view (see
// ContactSnapshot) it only checks that the view has a recipient and
// notes the largest contact ID: the runner copies them from the view in
// chunks (SnapshotChunk), so that the launch commits and the first
// messages leave at once whatever the audience's size; it returns 0, and
// the caller counts them after the commit (CountLaunched). A relaunch for
// failed contacts copies them at once (one INSERT ... SELECT over the
// first run's recipients), as does a launch without a view.
func (s *Store) snapshot(ctx context.Context, t *tx, b *herald.Broadcast, view *ContactSnapshot) (int, error) {
	if _, err := t.exec(ctx, `DELETE FROM broadcast_recipients WHERE broadcast_id = $1`, b.ID); err != nil {
		return 0, fmt.Errorf("clearing the recipients: %w", err)
	}
	var n int64
	var err error
	found := false // some recipient is known to be there, not yet counted
	switch {
	case b.Recipients.FailedOf != 0:
		n, err = t.exec(ctx, `INSERT INTO broadcast_recipients (broadcast_id, seq, contact_id, phone, email, attrs, identities, rcs_capable)
			SELECT $1, row_number() OVER (ORDER BY r.seq), r.contact_id, r.phone, COALESCE(c.email, r.email), COALESCE(c.attrs, r.attrs),
			r.identities, c.rcs_capable FROM broadcast_recipients r JOIN broadcasts ob ON ob.id = r.broadcast_id
			JOIN message_chains ch ON ch.id = r.chain_id LEFT JOIN contacts c ON c.id = r.contact_id AND c.account_id = ob.account_id
			WHERE ob.account_id = $2 AND r.broadcast_id = $3 AND r.chain_id <> '' AND ch.outcome IN ('failed', 'canceled')`,
			b.ID, b.AccountID, b.Recipients.FailedOf)
		if err == nil {
			err = s.snapDone(ctx, t, b.ID, n)
		}
	case view != nil:
		found, err = s.startSnapshot(ctx, t, b, view)
	default:
		n, err = s.snapshotContacts(ctx, t, b)
		if err == nil {
			err = s.snapDone(ctx, t, b.ID, n)
		}
	}
	if err != nil {
		return 0, err
	}
	if n == 0 && !found {
		var vs herald.Violations
		vs.Add("recipients", herald.VRequired, "The recipients select no contacts; choose other targets, tags or numbers.")
		return 0, vs.Err()
	}
	for _, id := range b.Recipients.TargetIDs {
		if _, err := t.exec(ctx, `UPDATE targets SET launches = launches + 1 WHERE account_id = $1 AND id = $2`, b.AccountID, id); err != nil {
			return 0, fmt.Errorf("counting target launch: %w", err)
		}
	}
	return int(n), nil
}

// snapDone records a snapshot copied whole: n recipients.
func (s *Store) snapDone(ctx context.Context, t *tx, id, n int64) error {
	_, err := t.exec(ctx, `UPDATE broadcasts SET snap_pending = FALSE, snap_until = 0, snap_cursor = 0, snap_count = $1 WHERE id = $2`, n, id)
	if err != nil {
		return fmt.Errorf("recording the snapshot: %w", err)
	}
	return nil
}

// snapshotContacts copies the contacts and typed numbers b selects.
func (s *Store) snapshotContacts(ctx context.Context, t *tx, b *herald.Broadcast) (int64, error) {
	where, args, bare, err := s.recipientWhere(ctx, t, b.AccountID, b.Recipients)
	if err != nil {
		return 0, err
	}
	bid := args.add(b.ID)
	n, err := t.exec(ctx, `INSERT INTO broadcast_recipients (broadcast_id, seq, contact_id, phone, email, attrs, identities, rcs_capable)
		SELECT `+bid+`, row_number() OVER (ORDER BY c.id), c.id, c.phone, c.email, c.attrs, `+s.identitiesSQL(b)+`, c.rcs_capable
		FROM contacts c WHERE `+where, args...)
	if err != nil {
		return 0, fmt.Errorf("copying the recipients: %w", err)
	}
	if err := s.copyBare(ctx, t, b.ID, n, bare); err != nil {
		return 0, err
	}
	return n + int64(len(bare)), nil
}

// startSnapshot reports whether b selects a typed number or a contact in
// view, and sets up the chunked copy. Counting them would hold the
// launch's transaction, and SQLite's one writer, for a time that grows
// with the audience.
func (s *Store) startSnapshot(ctx context.Context, t *tx, b *herald.Broadcast, view *ContactSnapshot) (bool, error) {
	where, args, bare, err := s.recipientWhere(ctx, view.q, b.AccountID, b.Recipients)
	if err != nil {
		return false, err
	}
	found := len(bare) > 0
	if !found {
		// The first contact IDs, each checked on its own, answer at once
		// for a broad audience; the whole set (which a tag condition
		// builds before its first row) is read only when they hold none.
		wargs := append(listArgs(nil), args...)
		l := wargs.add(int64(existsWindow))
		err := view.q.queryRow(ctx, "SELECT EXISTS (SELECT 1 FROM contacts c"+s.d.byID+" WHERE "+perContact(where)+" AND c.id <= "+l+")",
			wargs...).Scan(&found)
		if err == nil && !found {
			err = view.q.queryRow(ctx, "SELECT EXISTS (SELECT 1 FROM contacts c WHERE "+where+")", args...).Scan(&found)
		}
		if err != nil {
			return false, fmt.Errorf("looking for recipients: %w", err)
		}
	}
	// Contacts created after the launch have larger IDs than any now.
	var until int64
	if err := view.q.queryRow(ctx, "SELECT COALESCE(max(id), 0) FROM contacts").Scan(&until); err != nil {
		return false, fmt.Errorf("reading the last contact: %w", err)
	}
	view.sel = &viewSelection{where: where, args: append(listArgs(nil), args...), bare: bare}
	_, err = t.exec(ctx, `UPDATE broadcasts SET snap_pending = TRUE, snap_until = $1, snap_cursor = 0, snap_count = 0 WHERE id = $2`,
		until, b.ID)
	if err != nil {
		return false, fmt.Errorf("starting the snapshot: %w", err)
	}
	return found, nil
}

// existsWindow is how many of the first contact IDs a launch looks for a
// recipient in, one by one, before it reads the whole selection.
const existsWindow = 2048

// CountLaunched counts the recipients of the account's broadcast id,
// launched with a view whose copy is still under way, and records the
// count as the broadcast's contacts until the copy ends with the exact
// one. It returns the broadcast as it is then. The count runs on a
// reader after the launch committed, while the first messages leave; it
// can differ from the copy's by contacts changed meanwhile.
func (s *Store) CountLaunched(ctx context.Context, accountID, id int64) (*herald.Broadcast, error) {
	b, err := s.Broadcast(ctx, accountID, id)
	if err != nil {
		return nil, err
	}
	n, err := s.CountRecipients(ctx, accountID, b.Recipients)
	if err != nil {
		return nil, err
	}
	if _, err := s.write().exec(ctx, `UPDATE broadcasts SET contacts = $1 WHERE id = $2 AND account_id = $3 AND snap_pending`,
		n, id, accountID); err != nil {
		return nil, fmt.Errorf("recording the count of recipients: %w", err)
	}
	return s.Broadcast(ctx, accountID, id)
}

// SnapshotChunk copies the next limit recipients of broadcast id, which
// instance holds, in contact ID order, from view (the contacts at the
// launch; nil after a restart, when the rest is copied from the contacts
// as they are, still without those created after the launch), and, with
// the last chunk, the typed numbers that are no contact's; the
// broadcast's Contacts then becomes the exact count. It returns the
// number of recipients copied so far and whether more remain.
// ErrLostClaim when instance no longer holds the broadcast: nothing is
// copied.
func (s *Store) SnapshotChunk(ctx context.Context, instance string, id int64, limit int, view *ContactSnapshot) (copied int64, more bool, err error) {
	err = s.inTx(ctx, func(t *tx) error {
		var runner string
		var pending bool
		var until, cursor int64
		b, err := scanBroadcast(t.queryRow(ctx, "SELECT "+broadcastSelects+`, b.runner, b.snap_pending, b.snap_until, b.snap_cursor,
			b.snap_count FROM broadcasts b WHERE b.id = $1`+s.d.forUpdate, id), &runner, &pending, &until, &cursor, &copied)
		switch {
		case err != nil:
			return fmt.Errorf("reading the snapshot's progress: %w", err)
		case runner != instance || b.Status != herald.BroadcastInProgress:
			return ErrLostClaim
		case !pending:
			return nil
		}
		where, args, bare, err := s.chunkWhere(ctx, t, view, &b)
		if err != nil {
			return err
		}
		var n int64
		if view != nil {
			n, cursor, more, err = s.copyFromView(ctx, t, view, id, s.identitiesSQL(&b), where, args, copied, cursor, until, limit)
		} else {
			n, cursor, err = s.copyCurrent(ctx, t, &b, where, args, copied, cursor, until, limit)
			more = n == int64(limit)
		}
		if err != nil {
			return err
		}
		copied += n
		if !more {
			if err := s.copyBare(ctx, t, id, copied, bare); err != nil {
				return err
			}
			copied += int64(len(bare))
		}
		contacts := int64(b.Contacts)
		if !more {
			contacts = copied
		}
		_, err = t.exec(ctx, `UPDATE broadcasts SET snap_pending = $1, snap_cursor = $2, snap_count = $3, contacts = $4
			WHERE id = $5`, more, cursor, copied, contacts, id)
		if err != nil {
			return fmt.Errorf("recording the snapshot's progress: %w", err)
		}
		return nil
	})
	if err != nil && view != nil {
		view.reset() // the rows read are not copied: read again after the committed cursor
	}
	return copied, more, err
}

// chunkWhere returns the recipients' condition for SnapshotChunk: read in
// the view once and kept with it, or read in t without a view.
func (s *Store) chunkWhere(ctx context.Context, t *tx, view *ContactSnapshot, b *herald.Broadcast) (string, listArgs, []string, error) {
	if view == nil {
		return s.recipientWhere(ctx, t, b.AccountID, b.Recipients)
	}
	if view.sel == nil {
		view.reset()
		where, args, bare, err := s.recipientWhere(ctx, view.q, b.AccountID, b.Recipients)
		if err != nil {
			return "", nil, nil, err
		}
		view.sel = &viewSelection{where: where, args: args, bare: bare}
	}
	// A copy: copyFromView adds its own arguments.
	return view.sel.where, append(listArgs(nil), view.sel.args...), view.sel.bare, nil
}

// copyCurrent is copyFromView from the contacts as they are, in one
// INSERT ... SELECT.
func (s *Store) copyCurrent(ctx context.Context, t *tx, b *herald.Broadcast, where string, args listArgs,
	base, after, until int64, limit int) (int64, int64, error) {
	bs, a, l, bid := args.add(base), args.add(after), args.add(until), args.add(b.ID)
	n, err := t.exec(ctx, `INSERT INTO broadcast_recipients (broadcast_id, seq, contact_id, phone, email, attrs, identities, rcs_capable)
		SELECT `+bid+`, `+bs+` + row_number() OVER (ORDER BY c.id), c.id, c.phone, c.email, c.attrs, `+s.identitiesSQL(b)+`, c.rcs_capable
		FROM (SELECT c.* FROM contacts c WHERE `+where+` AND c.id > `+a+` AND c.id <= `+l+` ORDER BY c.id LIMIT `+
		strconv.Itoa(limit)+`) c`, args...)
	if err != nil {
		return 0, 0, fmt.Errorf("copying the recipients: %w", err)
	}
	last := after
	if n > 0 {
		if err := t.queryRow(ctx, `SELECT contact_id FROM broadcast_recipients WHERE broadcast_id = $1 AND seq = $2`,
			b.ID, base+n).Scan(&last); err != nil {
			return 0, 0, fmt.Errorf("reading the snapshot's cursor: %w", err)
		}
	}
	return n, last, nil
}

// copyBare copies the typed numbers that are no contact's after the
// recipients copied so far.
func (s *Store) copyBare(ctx context.Context, t *tx, id, copied int64, bare []string) error {
	err := chunks(len(bare), 3, func(lo, hi int) error {
		rows := make([][]any, 0, hi-lo)
		for i, p := range bare[lo:hi] {
			rows = append(rows, []any{id, copied + int64(lo+i) + 1, p})
		}
		a := s.batch()
		_, err := t.exec(ctx, "INSERT INTO broadcast_recipients (broadcast_id, seq, phone) VALUES "+rowsSQL(a, rows), a.vals...)
		return err
	})
	if err != nil {
		return fmt.Errorf("copying the typed numbers: %w", err)
	}
	return nil
}

// RunClaim is a running broadcast a runner holds.
type RunClaim struct {
	Broadcast  herald.Broadcast
	ClaimedSeq int64 // the last recipient seq committed
	// Snapshotting is true while recipients remain to be copied
	// (SnapshotChunk); Snapshotted is how many are copied.
	Snapshotting bool
	Snapshotted  int64
}

// ClaimBroadcastRuns takes up to limit broadcasts in progress that have
// recipients left and no live runner (none, this one, or one whose hold
// ran out at now), holding them for instance until until (Unix ms).
func (s *Store) ClaimBroadcastRuns(ctx context.Context, instance string, now, until int64, limit int) ([]RunClaim, error) {
	var out []RunClaim
	err := s.inTx(ctx, func(t *tx) error {
		var ids []int64
		err := eachRow(ctx, t, `SELECT id FROM broadcasts WHERE status = $1 AND (claimed_seq < contacts OR snap_pending)
			AND (runner = '' OR runner = $2 OR runner_until < $3) ORDER BY id LIMIT $4`+s.d.skipLocked,
			[]any{herald.BroadcastInProgress, instance, now, limit}, func(r scanner) error {
				var id int64
				err := r.Scan(&id)
				ids = append(ids, id)
				return err
			})
		if err != nil {
			return fmt.Errorf("finding broadcasts to send: %w", err)
		}
		for _, id := range ids {
			if _, err := t.exec(ctx, `UPDATE broadcasts SET runner = $1, runner_until = $2 WHERE id = $3`, instance, until, id); err != nil {
				return fmt.Errorf("claiming broadcast: %w", err)
			}
			var c RunClaim
			c.Broadcast, err = scanBroadcast(t.queryRow(ctx, "SELECT "+broadcastSelects+", b.claimed_seq, b.snap_pending, b.snap_count FROM broadcasts b WHERE b.id = $1", id),
				&c.ClaimedSeq, &c.Snapshotting, &c.Snapshotted)
			if err != nil {
				return fmt.Errorf("reading claimed broadcast: %w", err)
			}
			out = append(out, c)
		}
		return nil
	})
	return out, err
}

// ReleaseBroadcastRun gives up instance's hold on broadcast id, so that
// another runner takes it at once.
func (s *Store) ReleaseBroadcastRun(ctx context.Context, instance string, id int64) error {
	_, err := s.write().exec(ctx, `UPDATE broadcasts SET runner = '', runner_until = 0 WHERE id = $1 AND runner = $2`, id, instance)
	if err != nil {
		return fmt.Errorf("releasing broadcast: %w", err)
	}
	return nil
}

// RenewBroadcastRun extends instance's hold on broadcast id in progress
// until until; false when it no longer holds it or it is not in progress.
func (s *Store) RenewBroadcastRun(ctx context.Context, instance string, id, until int64) (bool, error) {
	n, err := s.write().exec(ctx, `UPDATE broadcasts SET runner_until = $1 WHERE id = $2 AND runner = $3 AND status = $4`,
		until, id, instance, herald.BroadcastInProgress)
	if err != nil {
		return false, fmt.Errorf("renewing broadcast claim: %w", err)
	}
	return n == 1, nil
}

// BroadcastRunStatus returns the status of a broadcast and whether
// instance still holds it, for a runner between batches.
func (s *Store) BroadcastRunStatus(ctx context.Context, id int64, instance string) (herald.BroadcastStatus, bool, error) {
	var st herald.BroadcastStatus
	var runner string
	err := s.read().queryRow(ctx, `SELECT status, runner FROM broadcasts WHERE id = $1`, id).Scan(&st, &runner)
	if err != nil {
		return "", false, fmt.Errorf("reading broadcast status: %w", err)
	}
	return st, runner == instance, nil
}

// RecipientRow is one recipient of a snapshot as the runner sends to it.
type RecipientRow struct {
	Seq        int64
	ContactID  int64 // 0 for a typed number that is no contact's
	Phone      string
	Email      string
	Attrs      map[string]string // attribute values by attribute name
	Identities map[string]string // by identity kind
	RCSCapable *bool
}

// PendingRecipients returns, in seq order, up to limit recipients of
// broadcast id after seq afterSeq.
func (s *Store) PendingRecipients(ctx context.Context, accountID, id, afterSeq int64, limit int) ([]RecipientRow, error) {
	q := s.read()
	attrs, err := loadAttrs(ctx, q, accountID)
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(attrs))
	for _, a := range attrs {
		names[strconv.FormatInt(a.ID, 10)] = a.Name
	}
	var out []RecipientRow
	err = eachRow(ctx, q, `SELECT seq, contact_id, phone, email, attrs, identities, rcs_capable FROM broadcast_recipients
		WHERE broadcast_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, []any{id, afterSeq, limit}, func(r scanner) error {
		var row RecipientRow
		var values, idents string
		if err := r.Scan(&row.Seq, &row.ContactID, &row.Phone, &row.Email, &values, &idents, &row.RCSCapable); err != nil {
			return err
		}
		row.Attrs = map[string]string{}
		var byID map[string]string
		if err := json.Unmarshal([]byte(values), &byID); err != nil {
			return fmt.Errorf("decoding attributes of recipient %d: %w", row.Seq, err)
		}
		for k, v := range byID {
			if n, ok := names[k]; ok {
				row.Attrs[n] = v
			}
		}
		if idents != "" {
			if err := json.Unmarshal([]byte(idents), &row.Identities); err != nil {
				return fmt.Errorf("decoding identities of recipient %d: %w", row.Seq, err)
			}
		}
		out = append(out, row)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading recipients: %w", err)
	}
	return out, nil
}

// OptedOutContacts returns which of the account's contacts ids have any
// opt-out.
func (s *Store) OptedOutContacts(ctx context.Context, accountID int64, ids []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	err := chunks(len(ids), 1, func(lo, hi int) error {
		args := listArgs{accountID}
		ph := make([]string, 0, hi-lo)
		for _, id := range ids[lo:hi] {
			ph = append(ph, args.add(id))
		}
		return eachRow(ctx, s.read(), "SELECT DISTINCT contact_id FROM contact_optouts WHERE account_id = $1 AND contact_id IN ("+
			strings.Join(ph, ", ")+")", args, func(r scanner) error {
			var id int64
			err := r.Scan(&id)
			out[id] = true
			return err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("reading opt-outs: %w", err)
	}
	return out, nil
}

// RecipientResult is what a runner did with one recipient.
type RecipientResult struct {
	Seq     int64
	State   herald.RecipientState // initiated or skipped
	Reason  string                // why it was skipped; an RCS check's answer
	ChainID string                // the chain started for it
	// Outcome counts a recipient decided at once (an RCS check):
	// ChainSucceeded or ChainFailed; "" for a chain that runs on.
	Outcome herald.ChainOutcome
}

// CommitRecipients records, in the engine's transaction that inserts their
// messages, what the runner did with the recipients after fromSeq up to
// toSeq, and renews its hold until leaseUntil. ErrLostClaim when instance
// no longer holds the broadcast in progress at fromSeq. It returns whether
// the broadcast completed with this batch.
func (x *MessageTx) CommitRecipients(ctx context.Context, id int64, instance string, fromSeq, toSeq, leaseUntil int64, results []RecipientResult) (bool, error) {
	var initiated, skipped, ok, failed int
	for _, r := range results {
		switch r.State {
		case herald.RecipientInitiated:
			initiated++
		case herald.RecipientSkipped:
			skipped++
		}
		switch r.Outcome {
		case herald.ChainSucceeded:
			ok++
		case herald.ChainFailed:
			failed++
		}
	}
	n, err := x.t.exec(ctx, `UPDATE broadcasts SET claimed_seq = $1, initiated = initiated + $2, skipped = skipped + $3,
		succeeded = succeeded + $4, failed = failed + $5, runner_until = $6
		WHERE id = $7 AND runner = $8 AND claimed_seq = $9 AND status = $10`,
		toSeq, initiated, skipped, ok, failed, leaseUntil, id, instance, fromSeq, herald.BroadcastInProgress)
	if err != nil {
		return false, fmt.Errorf("recording the runner's progress: %w", err)
	} else if n != 1 {
		return false, ErrLostClaim
	}
	if err := x.updateRecipients(ctx, id, results); err != nil {
		return false, err
	}
	done, err := x.completeBroadcasts(ctx, []int64{id})
	return len(done) > 0, err
}

// updateRecipients saves the state, reason and chain of each result, a
// chunk of them per statement on both engines.
func (x *MessageTx) updateRecipients(ctx context.Context, id int64, results []RecipientResult) error {
	return chunks(len(results), 4, func(lo, hi int) error {
		a := x.s.batch()
		cast := x.s.d.cast
		rows := make([]string, 0, hi-lo)
		for _, r := range results[lo:hi] {
			rows = append(rows, "("+cast(a.add(r.Seq), "BIGINT")+", "+cast(a.add(string(r.State)), "TEXT")+", "+
				cast(a.add(r.Reason), "TEXT")+", "+cast(a.add(r.ChainID), "TEXT")+")")
		}
		bid := a.add(id)
		_, err := x.t.exec(ctx, `WITH v (seq, state, reason, chain) AS (VALUES `+strings.Join(rows, ", ")+`)
			UPDATE broadcast_recipients SET state = v.state, reason = v.reason, chain_id = v.chain
			FROM v WHERE broadcast_recipients.broadcast_id = `+bid+` AND broadcast_recipients.seq = v.seq`, a.vals...)
		if err != nil {
			return fmt.Errorf("recording recipients: %w", err)
		}
		return nil
	})
}

// completeBroadcasts marks complete those of ids whose every recipient is
// claimed and every chain decided, and returns them.
func (x *MessageTx) completeBroadcasts(ctx context.Context, ids []int64) ([]int64, error) {
	var done []int64
	for _, id := range ids {
		n, err := x.t.exec(ctx, `UPDATE broadcasts SET status = $1, finished_at = $2, updated_at = $2, runner = '', runner_until = 0
			WHERE id = $3 AND status IN ($4, $5) AND claimed_seq >= contacts AND NOT snap_pending AND succeeded + failed >= initiated`,
			herald.BroadcastComplete, x.t.now, id, herald.BroadcastInProgress, herald.BroadcastPaused)
		if err != nil {
			return nil, fmt.Errorf("completing broadcast: %w", err)
		}
		if n > 0 {
			done = append(done, id)
		}
	}
	return done, nil
}
