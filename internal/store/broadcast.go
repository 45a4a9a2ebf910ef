package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/heraldhq/herald"
)

// Broadcasts: the definition and status of each run, with its fallback
// counters on the same row. The recipient snapshot and the runner's claims
// are in broadcast_run.go, the statistics the engine writes in
// broadcast_stats.go.

var _ herald.BroadcastStore = (*Store)(nil)

// Audited actions of broadcasts.
const (
	actionAddBroadcast    = "Created broadcast"
	actionChangeBroadcast = "Changed broadcast"
	actionDeleteBroadcast = "Deleted broadcast"
	actionModeration      = "Changed broadcast moderation"
)

// broadcastSelects are the columns scanBroadcast reads.
const broadcastSelects = "b.id, b.account_id, b.name, b.description, b.type, b.status, b.recipients, b.steps, " +
	"b.rcs_check, b.chatbot_id, b.scheduled_at, b.launch_type, b.template_id, b.parent_id, b.contacts, " +
	"b.launched_at, b.finished_at, b.initiated, b.skipped, b.succeeded, b.failed, b.reason, b.created_by, " +
	"b.created_at, b.updated_at"

// scanBroadcast reads broadcastSelects, then extra.
func scanBroadcast(r scanner, extra ...any) (herald.Broadcast, error) {
	var b herald.Broadcast
	var recipients, steps string
	st := &b.Stats
	err := r.Scan(append([]any{&b.ID, &b.AccountID, &b.Name, &b.Description, &b.Type, &b.Status, &recipients, &steps,
		&b.RCSCheck, &b.ChatbotID, &b.ScheduledAt, &b.LaunchType, &b.TemplateID, &b.ParentID, &b.Contacts,
		&b.LaunchedAt, &b.FinishedAt, &st.Initiated, &st.Skipped, &st.Successful, &st.Unsuccessful, &b.Reason,
		&b.CreatedBy, &b.CreatedAt, &b.UpdatedAt}, extra...)...)
	if err != nil {
		return b, err
	}
	b.CreatedAt, b.UpdatedAt = utc(b.CreatedAt), utc(b.UpdatedAt)
	b.ScheduledAt, b.LaunchedAt, b.FinishedAt = utcPtr(b.ScheduledAt), utcPtr(b.LaunchedAt), utcPtr(b.FinishedAt)
	st.Total = b.Contacts
	st.Fill()
	if err := decodeDefinition(recipients, steps, &b.Recipients, &b.Steps); err != nil {
		return b, fmt.Errorf("decoding broadcast %d: %w", b.ID, err)
	}
	return b, nil
}

// decodeDefinition decodes the recipients and steps columns.
func decodeDefinition(recipients, steps string, r *herald.Recipients, s *[]herald.BroadcastStep) error {
	if err := json.Unmarshal([]byte(recipients), r); err != nil {
		return err
	}
	if r.TargetIDs == nil {
		r.TargetIDs = []int64{}
	}
	*s = []herald.BroadcastStep{}
	return json.Unmarshal([]byte(steps), s)
}

// definitionJSON encodes recipients and steps for their columns.
func definitionJSON(r herald.Recipients, s []herald.BroadcastStep) (string, string) {
	if s == nil {
		s = []herald.BroadcastStep{}
	}
	rb, _ := json.Marshal(r) // plain fields and raw JSON always encode
	sb, _ := json.Marshal(s)
	return string(rb), string(sb)
}

// getBroadcast reads one broadcast of the account, or ENOTFOUND; lock
// keeps the row locked until the transaction ends (PostgreSQL).
func (s *Store) getBroadcast(ctx context.Context, q querier, accountID, id int64, lock bool) (*herald.Broadcast, error) {
	query := "SELECT " + broadcastSelects + " FROM broadcasts b WHERE b.account_id = $1 AND b.id = $2"
	if lock {
		query += s.d.forUpdate
	}
	b, err := scanBroadcast(q.queryRow(ctx, query, accountID, id))
	if isNoRows(err) {
		return nil, herald.Errorf(herald.ENOTFOUND, "Broadcast not found.")
	} else if err != nil {
		return nil, fmt.Errorf("reading broadcast: %w", err)
	}
	return &b, nil
}

// Broadcast returns one broadcast of the account with its statistics.
func (s *Store) Broadcast(ctx context.Context, accountID, id int64) (*herald.Broadcast, error) {
	return s.getBroadcast(ctx, s.read(), accountID, id, false)
}

// CreateBroadcast validates and inserts b, a draft unless its status is set.
func (s *Store) CreateBroadcast(ctx context.Context, b *herald.Broadcast) error {
	return s.inTx(ctx, func(t *tx) error { return s.insertBroadcast(ctx, t, b) })
}

// insertBroadcast validates and inserts b in t, with its audit entry.
func (s *Store) insertBroadcast(ctx context.Context, t *tx, b *herald.Broadcast) error {
	if err := b.Validate(); err != nil {
		return err
	}
	if b.Status == "" {
		b.Status = herald.BroadcastDraft
	}
	b.CreatedBy = actorLogin(herald.ActorFrom(ctx))
	b.Contacts, b.Stats, b.LaunchedAt, b.FinishedAt = 0, herald.FallbackStats{}, nil, nil
	b.CreatedAt, b.UpdatedAt = t.now, t.now
	rj, sj := definitionJSON(b.Recipients, b.Steps)
	err := t.queryRow(ctx, `INSERT INTO broadcasts (account_id, name, description, type, status, recipients, steps,
		rcs_check, chatbot_id, scheduled_at, launch_type, template_id, parent_id, reason, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16) RETURNING id`,
		b.AccountID, b.Name, b.Description, b.Type, b.Status, rj, sj, b.RCSCheck, b.ChatbotID, micro(b.ScheduledAt),
		b.LaunchType, b.TemplateID, b.ParentID, b.Reason, b.CreatedBy, t.now).Scan(&b.ID)
	if foreignKeyViolation(err) {
		return herald.Errorf(herald.ENOTFOUND, "Account not found.")
	} else if err != nil {
		return fmt.Errorf("saving broadcast: %w", err)
	}
	return s.audit(ctx, t, b.AccountID, actionAddBroadcast, detail("broadcasts", herald.OpInsert, b.ID, nil, b))
}

// UpdateBroadcast validates b and saves its definition, if the stored
// broadcast is editable.
func (s *Store) UpdateBroadcast(ctx context.Context, b *herald.Broadcast) error {
	if err := b.Validate(); err != nil {
		return err
	}
	return s.inTx(ctx, func(t *tx) error {
		old, err := s.getBroadcast(ctx, t, b.AccountID, b.ID, true)
		if err != nil {
			return err
		}
		if !old.Status.Editable() {
			return herald.Errorf(herald.ECONFLICT, "A broadcast that is %s cannot be changed; copy it instead.", old.Status.Label())
		}
		rj, sj := definitionJSON(b.Recipients, b.Steps)
		_, err = t.exec(ctx, `UPDATE broadcasts SET name = $1, description = $2, type = $3, recipients = $4, steps = $5,
			rcs_check = $6, chatbot_id = $7, scheduled_at = $8, updated_at = $9 WHERE id = $10`,
			b.Name, b.Description, b.Type, rj, sj, b.RCSCheck, b.ChatbotID, micro(b.ScheduledAt), t.now, b.ID)
		if err != nil {
			return fmt.Errorf("saving broadcast: %w", err)
		}
		b.Status, b.LaunchType, b.TemplateID, b.ParentID, b.Reason = old.Status, old.LaunchType, old.TemplateID, old.ParentID, old.Reason
		b.CreatedBy, b.CreatedAt, b.UpdatedAt, b.Stats, b.Contacts = old.CreatedBy, old.CreatedAt, t.now, old.Stats, old.Contacts
		return s.audit(ctx, t, b.AccountID, actionChangeBroadcast, detail("broadcasts", herald.OpUpdate, b.ID, old, b))
	})
}

// DeleteBroadcast removes a broadcast that never launched.
func (s *Store) DeleteBroadcast(ctx context.Context, accountID, id int64) error {
	return s.inTx(ctx, func(t *tx) error {
		old, err := s.getBroadcast(ctx, t, accountID, id, true)
		if err != nil {
			return err
		}
		if old.LaunchedAt != nil || old.Status.Running() {
			return herald.Errorf(herald.ECONFLICT, "A broadcast that ran cannot be deleted; its statistics stay.")
		}
		if _, err := t.exec(ctx, `DELETE FROM broadcasts WHERE id = $1`, id); err != nil {
			return fmt.Errorf("deleting broadcast: %w", err)
		}
		return s.audit(ctx, t, accountID, actionDeleteBroadcast, detail("broadcasts", herald.OpDelete, id, old, nil))
	})
}

// broadcastSpec is the Broadcasts list.
func broadcastSpec() *listSpec {
	return &listSpec{
		columns: herald.BroadcastColumns(),
		cols: map[string]listCol{
			"id":          {expr: "b.id", typ: herald.ColNumber},
			"name":        {expr: "b.name", typ: herald.ColText},
			"type":        {expr: "b.type", typ: herald.ColEnum},
			"status":      {expr: "b.status", typ: herald.ColEnum},
			"scheduledAt": {expr: "b.scheduled_at", typ: herald.ColTime, nullable: true},
			"contacts":    {expr: "b.contacts", typ: herald.ColNumber},
			"launchedAt":  {expr: "b.launched_at", typ: herald.ColTime, nullable: true},
			"launchType":  {expr: "b.launch_type", typ: herald.ColEnum},
			"finishedAt":  {expr: "b.finished_at", typ: herald.ColTime, nullable: true},
			"templateId":  {expr: "b.template_id", typ: herald.ColNumber},
			"description": {expr: "b.description", typ: herald.ColText},
			"createdBy":   {expr: "b.created_by", typ: herald.ColText},
			"createdAt":   {expr: "b.created_at", typ: herald.ColTime},
		},
		selects:     broadcastSelects,
		from:        "broadcasts b",
		id:          "b.id",
		newestFirst: true,
	}
}

// ListBroadcasts returns one page of the account's broadcasts.
func (s *Store) ListBroadcasts(ctx context.Context, accountID int64, q herald.ListQuery) (herald.Page[herald.Broadcast], error) {
	p, err := s.buildList(broadcastSpec(), q, "b.account_id = $1", accountID)
	if err != nil {
		return herald.Page[herald.Broadcast]{}, err
	}
	return runList(ctx, s.read(), p, scanBroadcast)
}

// ListModeration returns one page of every account's broadcasts waiting
// in moderation, oldest first unless sorted otherwise.
func (s *Store) ListModeration(ctx context.Context, q herald.ListQuery) (herald.Page[herald.Broadcast], error) {
	spec := broadcastSpec()
	spec.newestFirst = false
	spec.columns = herald.ModerationColumns()
	spec.cols["accountId"] = listCol{expr: "b.account_id", typ: herald.ColNumber}
	p, err := s.buildList(spec, q, "b.status = $1", herald.BroadcastModeration)
	if err != nil {
		return herald.Page[herald.Broadcast]{}, err
	}
	return runList(ctx, s.read(), p, scanBroadcast)
}

// BroadcastModeration reports whether the account's broadcasts are
// moderated.
func (s *Store) BroadcastModeration(ctx context.Context, accountID int64) (bool, error) {
	var on bool
	err := s.read().queryRow(ctx, `SELECT moderation FROM broadcast_settings WHERE account_id = $1`, accountID).Scan(&on)
	if isNoRows(err) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("reading broadcast moderation: %w", err)
	}
	return on, nil
}

// SetBroadcastModeration turns moderation of the account's broadcasts on
// or off.
func (s *Store) SetBroadcastModeration(ctx context.Context, accountID int64, on bool) error {
	return s.inTx(ctx, func(t *tx) error {
		_, err := t.exec(ctx, `INSERT INTO broadcast_settings (account_id, moderation, updated_at) VALUES ($1, $2, $3)
			ON CONFLICT (account_id) DO UPDATE SET moderation = excluded.moderation, updated_at = excluded.updated_at`,
			accountID, on, t.now)
		if foreignKeyViolation(err) {
			return herald.Errorf(herald.ENOTFOUND, "Account not found.")
		} else if err != nil {
			return fmt.Errorf("saving broadcast moderation: %w", err)
		}
		return s.audit(ctx, t, accountID, actionModeration, detail("broadcast_settings", herald.OpUpdate, accountID, nil,
			map[string]bool{"moderation": on}))
	})
}

// BroadcastChange is a status change of a broadcast, made by
// ChangeBroadcast in one transaction.
type BroadcastChange struct {
	From   []herald.BroadcastStatus // the statuses it may be in; ECONFLICT otherwise
	To     herald.BroadcastStatus
	Action string // the audit action
	// Reason replaces the broadcast's reason when set.
	Reason *string
	// ScheduledAt replaces the scheduled time when Schedule is set.
	Schedule    bool
	ScheduledAt *time.Time
	LaunchType  herald.LaunchType // replaces the launch type when set
	// Launch snapshots the recipients and starts the broadcast: Contacts,
	// LaunchedAt and the targets' launch counts are set. EINVALID when the
	// recipients select nobody.
	Launch bool
	// Finish sets FinishedAt; Abort also stops the broadcast's running
	// chains (counted as unsuccessful).
	Finish, Abort bool
	// Enqueue runs in the transaction with its driver transaction, to
	// queue a job that exists only if the change commits.
	Enqueue func(ctx context.Context, tx any) error
	// View, with Launch, makes the launch count the recipients in the
	// view and leave their copy to the runner Runner (SnapshotChunk),
	// which then holds the broadcast until RunnerUntil (Unix ms). Without
	// it (or for a relaunch for failed contacts) the launch copies them
	// in its transaction.
	View        *ContactSnapshot
	Runner      string
	RunnerUntil int64
}

// ChangeBroadcast applies ch to the account's broadcast id and returns it
// as saved. ENOTFOUND; ECONFLICT when its status is not in ch.From.
func (s *Store) ChangeBroadcast(ctx context.Context, accountID, id int64, ch BroadcastChange) (*herald.Broadcast, error) {
	var b *herald.Broadcast
	err := s.inTx(ctx, func(t *tx) error {
		// Chains first, then the broadcast: the order the engine's status
		// transactions lock them in (a status is rolled back with the
		// rest when the broadcast turns out not to allow the change).
		aborted := 0
		if ch.Abort {
			var err error
			if aborted, err = abortChains(ctx, t, id); err != nil {
				return err
			}
		}
		var err error
		if b, err = s.getBroadcast(ctx, t, accountID, id, true); err != nil {
			return err
		}
		b.Stats.Unsuccessful += aborted
		if !slices.Contains(ch.From, b.Status) {
			return herald.Errorf(herald.ECONFLICT, "The broadcast is %s; it cannot be %s.", b.Status.Label(), changeVerb(ch.To))
		}
		old := *b
		if err := s.applyChange(ctx, t, b, ch); err != nil {
			return err
		}
		if ch.Enqueue != nil {
			if err := ch.Enqueue(ctx, rawTx(t)); err != nil {
				return err
			}
		}
		return s.audit(ctx, t, accountID, ch.Action, detail("broadcasts", herald.OpUpdate, id, &old, b))
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// changeVerb says what moving to status to does, for conflict messages.
func changeVerb(to herald.BroadcastStatus) string {
	switch to {
	case herald.BroadcastInProgress:
		return "launched or resumed"
	case herald.BroadcastScheduled:
		return "scheduled"
	case herald.BroadcastModeration:
		return "sent to moderation"
	case herald.BroadcastPaused:
		return "paused"
	case herald.BroadcastAborted:
		return "aborted"
	case herald.BroadcastRejected, herald.BroadcastDraft:
		return "judged in moderation"
	}
	return "changed so"
}

// applyChange writes ch to b's row.
func (s *Store) applyChange(ctx context.Context, t *tx, b *herald.Broadcast, ch BroadcastChange) error {
	b.Status, b.UpdatedAt = ch.To, t.now
	if ch.Reason != nil {
		b.Reason = *ch.Reason
	}
	if ch.Schedule {
		b.ScheduledAt = utcPtr(ch.ScheduledAt)
	}
	if ch.LaunchType != "" {
		b.LaunchType = ch.LaunchType
	}
	if ch.Launch {
		n, err := s.snapshot(ctx, t, b, ch.View)
		if err != nil {
			return err
		}
		now := t.now
		b.Contacts, b.LaunchedAt, b.Stats = n, &now, herald.FallbackStats{Total: n, NotInitiated: n}
		if b.ScheduledAt == nil {
			b.ScheduledAt = &now
		}
	}
	if ch.Finish {
		now := t.now
		b.FinishedAt = &now
	}
	_, err := t.exec(ctx, `UPDATE broadcasts SET status = $1, reason = $2, scheduled_at = $3, launch_type = $4,
		contacts = $5, launched_at = $6, finished_at = $7, failed = $8, runner = '', runner_until = 0, updated_at = $9 WHERE id = $10`,
		b.Status, b.Reason, micro(b.ScheduledAt), b.LaunchType, b.Contacts, micro(b.LaunchedAt), micro(b.FinishedAt),
		b.Stats.Unsuccessful, t.now, b.ID)
	if err != nil {
		return fmt.Errorf("changing broadcast: %w", err)
	}
	if ch.Launch && ch.View != nil && ch.Runner != "" {
		_, err = t.exec(ctx, `UPDATE broadcasts SET runner = $1, runner_until = $2 WHERE id = $3`, ch.Runner, ch.RunnerUntil, b.ID)
		if err != nil {
			return fmt.Errorf("holding the launched broadcast: %w", err)
		}
	}
	return nil
}

// abortChains stops the broadcast's running chains: their current message
// goes on, but no further step is sent and they count as unsuccessful.
func abortChains(ctx context.Context, t *tx, broadcastID int64) (int, error) {
	n, err := t.exec(ctx, `UPDATE message_chains SET outcome = $1, fallback_at = NULL, updated_at = $2
		WHERE id IN (SELECT chain_id FROM broadcast_recipients WHERE broadcast_id = $3 AND chain_id <> '') AND outcome = ''`,
		herald.ChainCanceled, t.now, broadcastID)
	if err != nil {
		return 0, fmt.Errorf("stopping the broadcast's chains: %w", err)
	}
	return int(n), nil
}
