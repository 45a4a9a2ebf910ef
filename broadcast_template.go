package herald

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"
)

// BroadcastTemplate is a saved broadcast with an optional schedule
// (reference 001 section 7.2). Each launch, by its schedule or by hand,
// creates a Broadcast run with the template's definition, its ID and the
// launch type (recurrent, manual or api).
type BroadcastTemplate struct {
	ID          int64           `json:"id"`
	AccountID   int64           `json:"-"`
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Type        BroadcastType   `json:"type"`
	Recipients  Recipients      `json:"recipients"`
	Steps       []BroadcastStep `json:"steps"`
	RCSCheck    bool            `json:"rcsCheck"`
	ChatbotID   int64           `json:"chatbotId,omitempty"`
	// Schedule launches the template on its own; nil for a template that
	// is only launched by hand.
	Schedule *Schedule `json:"schedule"`
	// ScheduleStatus is active, paused or expired (no launch is left
	// before Schedule.Till); "" without a schedule.
	ScheduleStatus ScheduleStatus `json:"scheduleStatus"`
	Launches       int            `json:"launches"`
	LastLaunchAt   *time.Time     `json:"lastLaunchAt"`
	// NextLaunchAt is when the schedule launches next, nil when it is not
	// active.
	NextLaunchAt *time.Time `json:"nextLaunchAt"`
	CreatedBy    string     `json:"createdBy"`
	CreatedAt    time.Time  `json:"createdAt"`
	UpdatedAt    time.Time  `json:"updatedAt"`
}

// ScheduleStatus is the state of a template's schedule.
type ScheduleStatus string

// Schedule statuses.
const (
	ScheduleActive  ScheduleStatus = "active"
	SchedulePaused  ScheduleStatus = "paused"
	ScheduleExpired ScheduleStatus = "expired" // no launch is left in the effective period
)

// ScheduleKind is how a schedule repeats.
type ScheduleKind string

// Schedule kinds. Times are in the account's time zone.
const (
	ScheduleOnce    ScheduleKind = "once"    // one launch at At
	ScheduleDaily   ScheduleKind = "daily"   // every day at Time
	ScheduleWeekly  ScheduleKind = "weekly"  // at Time on each of Weekdays
	ScheduleMonthly ScheduleKind = "monthly" // at Time on each of MonthDays
	ScheduleCron    ScheduleKind = "cron"    // by a five-field cron expression
)

// Schedule says when a broadcast template launches: once, daily, weekly,
// monthly or by a cron expression, in the account's time zone, between
// From and Till (either may be open). A local time that a daylight saving
// change skips launches at the same wall time after the change (02:30
// becomes 03:30); one that happens twice launches the first time.
type Schedule struct {
	Kind ScheduleKind `json:"kind"`
	At   *time.Time   `json:"at,omitempty"`   // once
	Time string       `json:"time,omitempty"` // daily, weekly, monthly: "HH:MM", local
	// Weekdays are 0 (Sunday) to 6 (Saturday).
	Weekdays []int `json:"weekdays,omitempty"`
	// MonthDays are 1 to 31; a day a month lacks means its last day.
	MonthDays []int `json:"monthDays,omitempty"`
	// Cron is "minute hour day-of-month month day-of-week", such as
	// "0 9 * * 1-5", or a descriptor such as "@daily".
	Cron string     `json:"cron,omitempty"`
	From *time.Time `json:"effectiveFrom"`
	Till *time.Time `json:"effectiveTill"`
}

// clockTime matches "HH:MM".
var clockTime = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

// Validate checks the schedule's shape; the cron expression's syntax is
// checked by the code that evaluates it. Fields go under prefix, such as
// "schedule.".
func (s *Schedule) Validate(prefix string) Violations {
	var vs Violations
	s.Time, s.Cron = strings.TrimSpace(s.Time), strings.TrimSpace(s.Cron)
	switch s.Kind {
	case ScheduleOnce:
		if s.At == nil {
			vs.Add(prefix+"at", VRequired, "Choose when the template launches.")
		}
	case ScheduleDaily, ScheduleWeekly, ScheduleMonthly:
		if !clockTime.MatchString(s.Time) {
			vs.Add(prefix+"time", VFormat, "Give the time of day as HH:MM, such as 09:30.")
		}
	case ScheduleCron:
		if s.Cron == "" {
			vs.Add(prefix+"cron", VRequired, "Give a cron expression, such as \"0 9 * * 1-5\" (9:00 on weekdays).")
		}
	default:
		vs.Add(prefix+"kind", VUnknown, "The schedule must be once, daily, weekly, monthly or cron.")
	}
	if s.Kind == ScheduleWeekly {
		if len(s.Weekdays) == 0 {
			vs.Add(prefix+"weekdays", VRequired, "Choose the days of the week.")
		}
		for _, d := range s.Weekdays {
			if d < 0 || d > 6 {
				vs.Add(prefix+"weekdays", VRange, "Days of the week are 0 (Sunday) to 6 (Saturday).")
				break
			}
		}
		s.Weekdays = sortedUnique(s.Weekdays)
	}
	if s.Kind == ScheduleMonthly {
		if len(s.MonthDays) == 0 {
			vs.Add(prefix+"monthDays", VRequired, "Choose the days of the month.")
		}
		for _, d := range s.MonthDays {
			if d < 1 || d > 31 {
				vs.Add(prefix+"monthDays", VRange, "Days of the month are 1 to 31.")
				break
			}
		}
		s.MonthDays = sortedUnique(s.MonthDays)
	}
	if s.From != nil && s.Till != nil && !s.Till.After(*s.From) {
		vs.Add(prefix+"effectiveTill", VRange, "Effective till must be after effective from.")
	}
	return vs
}

// sortedUnique returns ns sorted without repeats.
func sortedUnique(ns []int) []int {
	out := slices.Clone(ns)
	slices.Sort(out)
	return slices.Compact(out)
}

// Normalize trims the template's fields and fills defaults as
// Broadcast.Normalize does.
func (t *BroadcastTemplate) Normalize() {
	t.Name = strings.TrimSpace(t.Name)
	t.Description = strings.TrimSpace(t.Description)
	if t.Type == "" {
		t.Type = BroadcastFallback
	}
	normalizeRecipients(&t.Recipients)
	normalizeSteps(t.Steps)
}

// Validate normalizes t and checks its fields; like a draft broadcast, a
// template may lack recipients and sender IDs until it launches.
func (t *BroadcastTemplate) Validate() error {
	t.Normalize()
	var vs Violations
	vs.CheckLen("name", t.Name, true, MaxBroadcastName)
	vs.CheckLen("description", t.Description, false, MaxBroadcastDescription)
	if !t.Type.Valid() {
		vs.Add("type", VUnknown, "The type must be fallback, chatbot or rcs_check.")
	}
	checkRecipients(&vs, t.Recipients)
	checkSteps(&vs, t.Steps, false, false)
	if t.Schedule != nil {
		vs = append(vs, t.Schedule.Validate("schedule.")...)
	}
	return vs.Err()
}

// Broadcast returns a new broadcast run of the template with launch type lt.
func (t *BroadcastTemplate) Broadcast(lt LaunchType) *Broadcast {
	b := &Broadcast{AccountID: t.AccountID, Name: t.Name, Description: t.Description, Type: t.Type,
		Recipients: t.Recipients, RCSCheck: t.RCSCheck, ChatbotID: t.ChatbotID, LaunchType: lt, TemplateID: t.ID}
	b.Recipients.TargetIDs = slices.Clone(t.Recipients.TargetIDs)
	b.Recipients.Tags = slices.Clone(t.Recipients.Tags)
	b.Recipients.Phones = slices.Clone(t.Recipients.Phones)
	b.Steps = slices.Clone(t.Steps)
	return b
}

// BroadcastTemplateColumns are the columns of the Templates table
// (reference 001 section 7.2).
func BroadcastTemplateColumns() []Column {
	return []Column{
		{Key: "id", Label: "ID", Type: ColNumber, Sortable: true, Filterable: true},
		{Key: "name", Label: "Name", Type: ColText, Sortable: true, Filterable: true},
		{Key: "type", Label: "Type", Type: ColEnum, Options: []string{"fallback", "chatbot", "rcs_check"}, Sortable: true, Filterable: true},
		{Key: "launches", Label: "Launches", Type: ColNumber, Sortable: true, Filterable: true},
		{Key: "lastLaunchAt", Label: "Last launch", Type: ColTime, Sortable: true, Filterable: true},
		{Key: "target", Label: "Target", Type: ColBool, Filterable: true},
		{Key: "schedule", Label: "Schedule", Type: ColBool, Filterable: true},
		{Key: "scheduleStatus", Label: "Schedule status", Type: ColEnum, Options: []string{"active", "paused", "expired"}, Sortable: true, Filterable: true},
		{Key: "nextLaunchAt", Label: "Next launch", Type: ColTime, Sortable: true, Filterable: true},
		{Key: "effectiveFrom", Label: "Effective from", Type: ColTime, Sortable: true, Filterable: true},
		{Key: "effectiveTill", Label: "Effective till", Type: ColTime, Sortable: true, Filterable: true},
		{Key: "description", Label: "Description", Type: ColText, Filterable: true, Hidden: true},
		{Key: "createdAt", Label: "Created", Type: ColTime, Sortable: true, Filterable: true, Hidden: true},
	}
}

// BroadcastTemplateStore keeps broadcast templates. Methods are scoped to
// accountID.
type BroadcastTemplateStore interface {
	// CreateBroadcastTemplate validates and inserts t with its schedule
	// status and next launch as given.
	CreateBroadcastTemplate(ctx context.Context, t *BroadcastTemplate) error
	// BroadcastTemplate returns one template, or ENOTFOUND.
	BroadcastTemplate(ctx context.Context, accountID, id int64) (*BroadcastTemplate, error)
	// UpdateBroadcastTemplate validates and saves t's definition, schedule,
	// schedule status and next launch. ENOTFOUND.
	UpdateBroadcastTemplate(ctx context.Context, t *BroadcastTemplate) error
	// DeleteBroadcastTemplate removes a template; its runs stay. ENOTFOUND.
	DeleteBroadcastTemplate(ctx context.Context, accountID, id int64) error
	// ListBroadcastTemplates returns one page of templates
	// (BroadcastTemplateColumns), newest first.
	ListBroadcastTemplates(ctx context.Context, accountID int64, q ListQuery) (Page[BroadcastTemplate], error)
}

// BroadcastTemplateService manages templates with their schedules: it
// computes the next launch in the account's time zone and launches runs.
type BroadcastTemplateService interface {
	// CreateTemplate validates t (its cron expression too) and saves it,
	// its schedule active. EINVALID.
	CreateTemplate(ctx context.Context, t *BroadcastTemplate) (*BroadcastTemplate, error)
	// UpdateTemplate saves t's definition and schedule and computes the
	// next launch again. EINVALID, ENOTFOUND.
	UpdateTemplate(ctx context.Context, t *BroadcastTemplate) (*BroadcastTemplate, error)
	// PauseSchedule stops the schedule's launches; ResumeSchedule starts
	// them again from now. ECONFLICT without a schedule.
	PauseSchedule(ctx context.Context, accountID, id int64) (*BroadcastTemplate, error)
	ResumeSchedule(ctx context.Context, accountID, id int64) (*BroadcastTemplate, error)
	// LaunchTemplate launches a run of the template now, as Launch does.
	LaunchTemplate(ctx context.Context, accountID, id int64, lt LaunchType) (*Broadcast, error)
	// CopyTemplate saves a copy of the template, its schedule paused.
	CopyTemplate(ctx context.Context, accountID, id int64) (*BroadcastTemplate, error)
}
