package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/heraldhq/herald"
)

var _ herald.BroadcastTemplateStore = (*Store)(nil)

// Audited actions of broadcast templates.
const (
	actionAddBroadcastTemplate    = "Created broadcast template"
	actionChangeBroadcastTemplate = "Changed broadcast template"
	actionDeleteBroadcastTemplate = "Deleted broadcast template"
)

// templateSelects are the columns scanBroadcastTemplate reads.
const broadcastTemplateSelects = "bt.id, bt.account_id, bt.name, bt.description, bt.type, bt.recipients, bt.steps, " +
	"bt.rcs_check, bt.chatbot_id, bt.schedule, bt.schedule_status, bt.launches, bt.last_launch_at, bt.next_launch_at, " +
	"bt.created_by, bt.created_at, bt.updated_at"

// scanBroadcastTemplate reads broadcastTemplateSelects, then extra.
func scanBroadcastTemplate(r scanner, extra ...any) (herald.BroadcastTemplate, error) {
	var t herald.BroadcastTemplate
	var recipients, steps, schedule string
	err := r.Scan(append([]any{&t.ID, &t.AccountID, &t.Name, &t.Description, &t.Type, &recipients, &steps, &t.RCSCheck,
		&t.ChatbotID, &schedule, &t.ScheduleStatus, &t.Launches, &t.LastLaunchAt, &t.NextLaunchAt, &t.CreatedBy,
		&t.CreatedAt, &t.UpdatedAt}, extra...)...)
	if err != nil {
		return t, err
	}
	t.CreatedAt, t.UpdatedAt = utc(t.CreatedAt), utc(t.UpdatedAt)
	t.LastLaunchAt, t.NextLaunchAt = utcPtr(t.LastLaunchAt), utcPtr(t.NextLaunchAt)
	if err := decodeDefinition(recipients, steps, &t.Recipients, &t.Steps); err != nil {
		return t, fmt.Errorf("decoding broadcast template %d: %w", t.ID, err)
	}
	if schedule != "" {
		t.Schedule = &herald.Schedule{}
		if err := json.Unmarshal([]byte(schedule), t.Schedule); err != nil {
			return t, fmt.Errorf("decoding schedule of broadcast template %d: %w", t.ID, err)
		}
	}
	return t, nil
}

// templateValues returns the schedule column and the effective period.
func scheduleValues(s *herald.Schedule) (string, *time.Time, *time.Time) {
	if s == nil {
		return "", nil, nil
	}
	b, _ := json.Marshal(s) // plain fields always encode
	return string(b), micro(s.From), micro(s.Till)
}

// getBroadcastTemplate reads one template of the account, or ENOTFOUND.
func (s *Store) getBroadcastTemplate(ctx context.Context, q querier, accountID, id int64, lock bool) (*herald.BroadcastTemplate, error) {
	query := "SELECT " + broadcastTemplateSelects + " FROM broadcast_templates bt WHERE bt.account_id = $1 AND bt.id = $2"
	if lock {
		query += s.d.forUpdate
	}
	t, err := scanBroadcastTemplate(q.queryRow(ctx, query, accountID, id))
	if isNoRows(err) {
		return nil, herald.Errorf(herald.ENOTFOUND, "Broadcast template not found.")
	} else if err != nil {
		return nil, fmt.Errorf("reading broadcast template: %w", err)
	}
	return &t, nil
}

// BroadcastTemplate returns one template of the account.
func (s *Store) BroadcastTemplate(ctx context.Context, accountID, id int64) (*herald.BroadcastTemplate, error) {
	return s.getBroadcastTemplate(ctx, s.read(), accountID, id, false)
}

// CreateBroadcastTemplate validates and inserts t.
func (s *Store) CreateBroadcastTemplate(ctx context.Context, t *herald.BroadcastTemplate) error {
	if err := t.Validate(); err != nil {
		return err
	}
	t.CreatedBy, t.Launches, t.LastLaunchAt = actorLogin(herald.ActorFrom(ctx)), 0, nil
	return s.inTx(ctx, func(tx *tx) error {
		t.CreatedAt, t.UpdatedAt = tx.now, tx.now
		rj, sj := definitionJSON(t.Recipients, t.Steps)
		sched, from, till := scheduleValues(t.Schedule)
		err := tx.queryRow(ctx, `INSERT INTO broadcast_templates (account_id, name, description, type, recipients, steps,
			rcs_check, chatbot_id, schedule, schedule_status, effective_from, effective_till, next_launch_at, created_by,
			created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15) RETURNING id`,
			t.AccountID, t.Name, t.Description, t.Type, rj, sj, t.RCSCheck, t.ChatbotID, sched, t.ScheduleStatus, from, till,
			micro(t.NextLaunchAt), t.CreatedBy, tx.now).Scan(&t.ID)
		if foreignKeyViolation(err) {
			return herald.Errorf(herald.ENOTFOUND, "Account not found.")
		} else if err != nil {
			return fmt.Errorf("saving broadcast template: %w", err)
		}
		return s.audit(ctx, tx, t.AccountID, actionAddBroadcastTemplate, detail("broadcast_templates", herald.OpInsert, t.ID, nil, t))
	})
}

// UpdateBroadcastTemplate validates and saves t's definition, schedule,
// schedule status and next launch.
func (s *Store) UpdateBroadcastTemplate(ctx context.Context, t *herald.BroadcastTemplate) error {
	return s.ChangeBroadcastTemplate(ctx, t, nil)
}

// ChangeBroadcastTemplate is UpdateBroadcastTemplate with enqueue run in
// the same transaction (a job for the next launch), when not nil.
func (s *Store) ChangeBroadcastTemplate(ctx context.Context, t *herald.BroadcastTemplate, enqueue func(ctx context.Context, tx any) error) error {
	if err := t.Validate(); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *tx) error {
		old, err := s.getBroadcastTemplate(ctx, tx, t.AccountID, t.ID, true)
		if err != nil {
			return err
		}
		rj, sj := definitionJSON(t.Recipients, t.Steps)
		sched, from, till := scheduleValues(t.Schedule)
		_, err = tx.exec(ctx, `UPDATE broadcast_templates SET name = $1, description = $2, type = $3, recipients = $4,
			steps = $5, rcs_check = $6, chatbot_id = $7, schedule = $8, schedule_status = $9, effective_from = $10,
			effective_till = $11, next_launch_at = $12, updated_at = $13 WHERE id = $14`,
			t.Name, t.Description, t.Type, rj, sj, t.RCSCheck, t.ChatbotID, sched, t.ScheduleStatus, from, till,
			micro(t.NextLaunchAt), tx.now, t.ID)
		if err != nil {
			return fmt.Errorf("saving broadcast template: %w", err)
		}
		t.Launches, t.LastLaunchAt, t.CreatedBy, t.CreatedAt, t.UpdatedAt = old.Launches, old.LastLaunchAt, old.CreatedBy, old.CreatedAt, tx.now
		if enqueue != nil {
			if err := enqueue(ctx, rawTx(tx)); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, t.AccountID, actionChangeBroadcastTemplate, detail("broadcast_templates", herald.OpUpdate, t.ID, old, t))
	})
}

// DeleteBroadcastTemplate removes a template; its runs stay.
func (s *Store) DeleteBroadcastTemplate(ctx context.Context, accountID, id int64) error {
	return s.inTx(ctx, func(tx *tx) error {
		old, err := s.getBroadcastTemplate(ctx, tx, accountID, id, true)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM broadcast_templates WHERE id = $1`, id); err != nil {
			return fmt.Errorf("deleting broadcast template: %w", err)
		}
		return s.audit(ctx, tx, accountID, actionDeleteBroadcastTemplate, detail("broadcast_templates", herald.OpDelete, id, old, nil))
	})
}

// broadcastTemplateSpec is the Templates list.
func broadcastTemplateSpec() *listSpec {
	return &listSpec{
		columns: herald.BroadcastTemplateColumns(),
		cols: map[string]listCol{
			"id":             {expr: "bt.id", typ: herald.ColNumber},
			"name":           {expr: "bt.name", typ: herald.ColText},
			"type":           {expr: "bt.type", typ: herald.ColEnum},
			"launches":       {expr: "bt.launches", typ: herald.ColNumber},
			"lastLaunchAt":   {expr: "bt.last_launch_at", typ: herald.ColTime, nullable: true},
			"target":         {expr: "(bt.recipients <> '{}' AND bt.recipients NOT LIKE '%\"targetIds\":[]%')", typ: herald.ColBool},
			"schedule":       {expr: "(bt.schedule <> '')", typ: herald.ColBool},
			"scheduleStatus": {expr: "bt.schedule_status", typ: herald.ColEnum},
			"nextLaunchAt":   {expr: "bt.next_launch_at", typ: herald.ColTime, nullable: true},
			"effectiveFrom":  {expr: "bt.effective_from", typ: herald.ColTime, nullable: true},
			"effectiveTill":  {expr: "bt.effective_till", typ: herald.ColTime, nullable: true},
			"description":    {expr: "bt.description", typ: herald.ColText},
			"createdAt":      {expr: "bt.created_at", typ: herald.ColTime},
		},
		selects:     broadcastTemplateSelects,
		from:        "broadcast_templates bt",
		id:          "bt.id",
		newestFirst: true,
	}
}

// ListBroadcastTemplates returns one page of the account's templates.
func (s *Store) ListBroadcastTemplates(ctx context.Context, accountID int64, q herald.ListQuery) (herald.Page[herald.BroadcastTemplate], error) {
	p, err := s.buildList(broadcastTemplateSpec(), q, "bt.account_id = $1", accountID)
	if err != nil {
		return herald.Page[herald.BroadcastTemplate]{}, err
	}
	return runList(ctx, s.read(), p, scanBroadcastTemplate)
}

// LaunchFromTemplate makes the run of template id's schedule that is due
// at, in one transaction: unless the schedule is active with its next
// launch at (then it returns nil: another process did it, or the schedule
// changed), it inserts the broadcast run makes of the template (to be
// launched by a job), counts the launch, moves the next launch to next
// (nil: none is left and the schedule expires) and calls enqueue with the
// run's ID to queue the jobs that launch it and, later, the next run.
func (s *Store) LaunchFromTemplate(ctx context.Context, accountID, id int64, at time.Time, next *time.Time,
	run func(t *herald.BroadcastTemplate) *herald.Broadcast, enqueue func(ctx context.Context, tx any, runID int64) error) (*herald.Broadcast, error) {
	var b *herald.Broadcast
	err := s.inTx(ctx, func(tx *tx) error {
		t, err := s.getBroadcastTemplate(ctx, tx, accountID, id, true)
		if err != nil {
			return err
		}
		if t.ScheduleStatus != herald.ScheduleActive || t.NextLaunchAt == nil || !t.NextLaunchAt.Equal(at.UTC().Truncate(time.Microsecond)) {
			return nil
		}
		b = run(t)
		if err := s.insertBroadcast(ctx, tx, b); err != nil {
			return err
		}
		status := t.ScheduleStatus
		if next == nil {
			status = herald.ScheduleExpired
		}
		if err := recordLaunch(ctx, tx, id, micro(next), status); err != nil {
			return err
		}
		return enqueue(ctx, rawTx(tx), b.ID)
	})
	return b, err
}

// RecordTemplateLaunch counts a launch of template id by hand.
func (s *Store) RecordTemplateLaunch(ctx context.Context, accountID, id int64) error {
	return s.inTx(ctx, func(tx *tx) error {
		t, err := s.getBroadcastTemplate(ctx, tx, accountID, id, true)
		if err != nil {
			return err
		}
		return recordLaunch(ctx, tx, id, t.NextLaunchAt, t.ScheduleStatus)
	})
}

// recordLaunch counts a launch of template id and saves its next launch
// and schedule status.
func recordLaunch(ctx context.Context, tx *tx, id int64, next *time.Time, status herald.ScheduleStatus) error {
	_, err := tx.exec(ctx, `UPDATE broadcast_templates SET launches = launches + 1, last_launch_at = $1, next_launch_at = $2,
		schedule_status = $3, updated_at = $1 WHERE id = $4`, tx.now, next, status, id)
	if err != nil {
		return fmt.Errorf("recording template launch: %w", err)
	}
	return nil
}

// DueTemplate is a template whose schedule's next launch has come.
type DueTemplate struct {
	AccountID, ID int64
	At            time.Time
}

// DueTemplates returns, oldest first, up to limit active templates of
// every account whose next launch is at or before now.
func (s *Store) DueTemplates(ctx context.Context, now time.Time, limit int) ([]DueTemplate, error) {
	var out []DueTemplate
	err := eachRow(ctx, s.read(), `SELECT account_id, id, next_launch_at FROM broadcast_templates
		WHERE schedule_status = $1 AND next_launch_at <= $2 ORDER BY next_launch_at LIMIT $3`,
		[]any{herald.ScheduleActive, now.UTC().Truncate(time.Microsecond), limit}, func(r scanner) error {
			var d DueTemplate
			err := r.Scan(&d.AccountID, &d.ID, &d.At)
			d.At = utc(d.At)
			out = append(out, d)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("finding due templates: %w", err)
	}
	return out, nil
}
