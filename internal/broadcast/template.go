package broadcast

import (
	"context"
	"fmt"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/jobs"
	"github.com/heraldhq/herald/internal/schedule"
	"github.com/heraldhq/herald/internal/store"
)

var _ herald.BroadcastTemplateService = (*Service)(nil)

// CreateTemplate validates t and saves it, its schedule active.
func (s *Service) CreateTemplate(ctx context.Context, t *herald.BroadcastTemplate) (*herald.BroadcastTemplate, error) {
	if err := s.checkTemplate(t); err != nil {
		return nil, err
	}
	t.ScheduleStatus = ""
	if t.Schedule != nil {
		t.ScheduleStatus = herald.ScheduleActive
	}
	if err := s.arm(ctx, t); err != nil {
		return nil, err
	}
	if err := s.store.CreateBroadcastTemplate(ctx, t); err != nil {
		return nil, err
	}
	return t, nil
}

// checkTemplate validates t with its cron expression.
func (s *Service) checkTemplate(t *herald.BroadcastTemplate) error {
	err := t.Validate()
	if t.Schedule == nil {
		return err
	}
	vs := herald.Violations(herald.ErrorViolations(err))
	return appendNew(vs, schedule.Check(t.Schedule, "schedule.")).Err()
}

// arm computes the next launch of an active schedule from now; a schedule
// with no launch left expires.
func (s *Service) arm(ctx context.Context, t *herald.BroadcastTemplate) error {
	t.NextLaunchAt = nil
	if t.Schedule == nil {
		t.ScheduleStatus = ""
		return nil
	}
	if t.ScheduleStatus != herald.ScheduleActive && t.ScheduleStatus != herald.ScheduleExpired {
		return nil
	}
	next, ok, err := schedule.Next(t.Schedule, s.accountLocation(ctx, t.AccountID), s.now())
	if err != nil {
		return err
	}
	t.ScheduleStatus = herald.ScheduleExpired
	if ok {
		t.ScheduleStatus, t.NextLaunchAt = herald.ScheduleActive, &next
	}
	return nil
}

// UpdateTemplate saves t's definition and schedule and computes the next
// launch again (a paused schedule stays paused).
func (s *Service) UpdateTemplate(ctx context.Context, t *herald.BroadcastTemplate) (*herald.BroadcastTemplate, error) {
	old, err := s.store.BroadcastTemplate(ctx, t.AccountID, t.ID)
	if err != nil {
		return nil, err
	}
	if err := s.checkTemplate(t); err != nil {
		return nil, err
	}
	t.ScheduleStatus = old.ScheduleStatus
	if t.ScheduleStatus == "" && t.Schedule != nil {
		t.ScheduleStatus = herald.ScheduleActive
	}
	if err := s.arm(ctx, t); err != nil {
		return nil, err
	}
	if err := s.store.UpdateBroadcastTemplate(ctx, t); err != nil {
		return nil, err
	}
	return t, nil
}

// PauseSchedule stops the schedule's launches.
func (s *Service) PauseSchedule(ctx context.Context, accountID, id int64) (*herald.BroadcastTemplate, error) {
	return s.setSchedule(ctx, accountID, id, herald.SchedulePaused)
}

// ResumeSchedule starts the schedule's launches again from now.
func (s *Service) ResumeSchedule(ctx context.Context, accountID, id int64) (*herald.BroadcastTemplate, error) {
	return s.setSchedule(ctx, accountID, id, herald.ScheduleActive)
}

// setSchedule moves the template's schedule to status.
func (s *Service) setSchedule(ctx context.Context, accountID, id int64, status herald.ScheduleStatus) (*herald.BroadcastTemplate, error) {
	t, err := s.store.BroadcastTemplate(ctx, accountID, id)
	if err != nil {
		return nil, err
	}
	if t.Schedule == nil {
		return nil, herald.Errorf(herald.ECONFLICT, "The template has no schedule; give it one first.")
	}
	t.ScheduleStatus = status
	if err := s.arm(ctx, t); err != nil {
		return nil, err
	}
	if err := s.store.UpdateBroadcastTemplate(ctx, t); err != nil {
		return nil, err
	}
	return t, nil
}

// LaunchTemplate launches a run of the template now. Nothing is created
// when the run cannot launch.
func (s *Service) LaunchTemplate(ctx context.Context, accountID, id int64, lt herald.LaunchType) (*herald.Broadcast, error) {
	t, err := s.store.BroadcastTemplate(ctx, accountID, id)
	if err != nil {
		return nil, err
	}
	if lt == "" {
		lt = herald.LaunchManual
	}
	b := t.Broadcast(lt)
	if err := s.check(ctx, b); err != nil {
		return nil, err
	}
	b.Status = herald.BroadcastDraft
	if err := s.store.CreateBroadcast(ctx, b); err != nil {
		return nil, err
	}
	b, err = s.Launch(ctx, accountID, b.ID, lt)
	if err != nil {
		return nil, err
	}
	return b, s.store.RecordTemplateLaunch(ctx, accountID, id)
}

// CopyTemplate saves a copy of the template with its schedule paused.
func (s *Service) CopyTemplate(ctx context.Context, accountID, id int64) (*herald.BroadcastTemplate, error) {
	t, err := s.store.BroadcastTemplate(ctx, accountID, id)
	if err != nil {
		return nil, err
	}
	c := *t
	c.ID, c.Launches, c.LastLaunchAt, c.NextLaunchAt = 0, 0, nil, nil
	if n := []rune(t.Name + " (copy)"); len(n) <= herald.MaxBroadcastName {
		c.Name = string(n)
	}
	if c.Schedule != nil {
		c.ScheduleStatus = herald.SchedulePaused
	}
	if err := s.store.CreateBroadcastTemplate(ctx, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// LaunchDue launches every template whose schedule is due: each due
// launch becomes a run, scheduled for the launch time with a job that
// launches it (so a run is made once, whichever process sees it first).
// Launches missed while Herald was down are made once, not one by one.
func (s *Service) LaunchDue(ctx context.Context) error {
	due, err := s.store.DueTemplates(ctx, s.now(), 100)
	if err != nil {
		return err
	}
	for _, d := range due {
		if err := s.launchDue(ctx, d); err != nil {
			return fmt.Errorf("launching template %d: %w", d.ID, err)
		}
	}
	return nil
}

// launchDue makes the run of one due template.
func (s *Service) launchDue(ctx context.Context, d store.DueTemplate) error {
	t, err := s.store.BroadcastTemplate(ctx, d.AccountID, d.ID)
	if err != nil || t.Schedule == nil {
		return err
	}
	after := s.now()
	if d.At.After(after) {
		after = d.At
	}
	var next *time.Time
	n, ok, err := schedule.Next(t.Schedule, s.accountLocation(ctx, d.AccountID), after)
	if err != nil {
		return err
	}
	if ok {
		next = &n
	}
	run := func(t *herald.BroadcastTemplate) *herald.Broadcast {
		b := t.Broadcast(herald.LaunchRecurrent)
		at := d.At
		b.Status, b.ScheduledAt = herald.BroadcastScheduled, &at
		return b
	}
	b, err := s.store.LaunchFromTemplate(ctx, d.AccountID, d.ID, d.At, next, run, func(ctx context.Context, tx any, runID int64) error {
		_, err := s.jobs.EnqueueTx(ctx, tx, LaunchArgs{AccountID: d.AccountID, BroadcastID: runID, At: d.At}, &jobs.InsertOpts{ScheduledAt: d.At})
		return err
	})
	if err == nil && b != nil {
		s.log.Info("launched broadcast template on schedule", "template", d.ID, "broadcast", b.ID, "at", d.At)
	}
	return err
}
