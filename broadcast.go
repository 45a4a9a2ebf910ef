package herald

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Broadcast is one run of a messaging campaign (reference 001 section 7.1):
// a name, the recipients (targets, tags, typed numbers), a fallback chain
// of steps and when to launch. Launching expands the recipients once into
// a snapshot; later contact changes do not alter a running broadcast.
// Every launch of a broadcast template is a Broadcast of its own, with the
// template's ID and its launch type.
type Broadcast struct {
	ID          int64           `json:"id"`
	AccountID   int64           `json:"-"`
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Type        BroadcastType   `json:"type"`
	Status      BroadcastStatus `json:"status"`
	Recipients  Recipients      `json:"recipients"`
	// Steps is the fallback chain: each step is sent when the one before
	// does not meet its success criterion within its waiting time. A
	// Chatbot broadcast uses the first step's channel and sender ID; an RCS
	// capability check uses one RCS step's sender ID and no content.
	Steps []BroadcastStep `json:"steps"`
	// RCSCheck, when RCS is in the chain, skips RCS for contacts known not
	// to be RCS capable and updates the contacts' RCS fields from results.
	RCSCheck  bool  `json:"rcsCheck"`
	ChatbotID int64 `json:"chatbotId,omitempty"` // Chatbot broadcasts: the chatbot to start
	// ScheduledAt is when the broadcast launches ("Scheduled for"); nil
	// launches at once.
	ScheduledAt *time.Time `json:"scheduledAt"`
	LaunchType  LaunchType `json:"launchType"`
	TemplateID  int64      `json:"templateId,omitempty"` // the broadcast template it was launched from
	ParentID    int64      `json:"parentId,omitempty"`   // the broadcast it was copied or relaunched from
	// Contacts is the number of recipients in the snapshot, 0 before launch.
	Contacts   int           `json:"contacts"`
	LaunchedAt *time.Time    `json:"launchedAt"`
	FinishedAt *time.Time    `json:"finishedAt"`
	Stats      FallbackStats `json:"stats"`
	// Reason explains a failed broadcast, or why moderation rejected it.
	Reason    string    `json:"reason,omitempty"`
	CreatedBy string    `json:"createdBy"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// BroadcastType is what a broadcast does.
type BroadcastType string

// Broadcast types (reference 001 section 7.1, column Type).
const (
	BroadcastFallback BroadcastType = "fallback"  // messages along a fallback chain
	BroadcastChatbot  BroadcastType = "chatbot"   // starts a chatbot with each contact (two-way)
	BroadcastRCSCheck BroadcastType = "rcs_check" // asks whether each contact's device is RCS capable
)

// Valid reports whether t is a known type.
func (t BroadcastType) Valid() bool {
	return t == BroadcastFallback || t == BroadcastChatbot || t == BroadcastRCSCheck
}

// Label names the type for people.
func (t BroadcastType) Label() string {
	switch t {
	case BroadcastChatbot:
		return "Chatbot"
	case BroadcastRCSCheck:
		return "RCS capability check"
	}
	return "Fallback"
}

// BroadcastStatus is where a broadcast is in its life.
type BroadcastStatus string

// Broadcast statuses. A draft is launched (or scheduled); with moderation on
// for the account it waits in moderation until the system owner approves
// (then it is scheduled or runs) or rejects it (then it can be edited and
// sent again). A running broadcast can be paused, resumed and aborted; it
// completes when every recipient's chain is decided, and fails when it
// cannot start (its recipients select nobody at launch time, a sender ID
// is gone).
const (
	BroadcastDraft      BroadcastStatus = "draft"
	BroadcastModeration BroadcastStatus = "moderation" // waiting for the system owner's approval
	BroadcastRejected   BroadcastStatus = "rejected"   // moderation refused it; Reason says why
	BroadcastScheduled  BroadcastStatus = "scheduled"
	BroadcastInProgress BroadcastStatus = "in_progress"
	BroadcastPaused     BroadcastStatus = "paused"
	BroadcastComplete   BroadcastStatus = "complete"
	BroadcastAborted    BroadcastStatus = "aborted"
	BroadcastFailed     BroadcastStatus = "failed"
)

// BroadcastStatuses returns every status in life order.
func BroadcastStatuses() []BroadcastStatus {
	return []BroadcastStatus{BroadcastDraft, BroadcastModeration, BroadcastRejected, BroadcastScheduled,
		BroadcastInProgress, BroadcastPaused, BroadcastComplete, BroadcastAborted, BroadcastFailed}
}

// Label names the status for people.
func (s BroadcastStatus) Label() string {
	switch s {
	case BroadcastInProgress:
		return "In progress"
	case "":
		return ""
	}
	return strings.ToUpper(string(s[:1])) + string(s[1:])
}

// Editable reports whether a broadcast in status s may have its definition
// changed: drafts, scheduled broadcasts and those moderation rejected.
func (s BroadcastStatus) Editable() bool {
	return s == BroadcastDraft || s == BroadcastScheduled || s == BroadcastRejected
}

// Launchable reports whether a broadcast in status s may be launched or
// scheduled (or sent to moderation).
func (s BroadcastStatus) Launchable() bool {
	return s == BroadcastDraft || s == BroadcastRejected || s == BroadcastScheduled
}

// Running reports whether the broadcast has started and not ended.
func (s BroadcastStatus) Running() bool { return s == BroadcastInProgress || s == BroadcastPaused }

// Final reports whether nothing more will happen to the broadcast.
func (s BroadcastStatus) Final() bool {
	return s == BroadcastComplete || s == BroadcastAborted || s == BroadcastFailed
}

// LaunchType is how a broadcast run was started (column Launch).
type LaunchType string

// Launch types.
const (
	LaunchManual    LaunchType = "manual"    // from the portal, or a template's "Launch manually"
	LaunchRecurrent LaunchType = "recurrent" // by a broadcast template's schedule
	LaunchAPI       LaunchType = "api"       // through the API
)

// Recipients select a broadcast's contacts: every contact that matches any
// of the targets, carries any of the tags or has one of the phone numbers
// (a number that is no contact's is sent to as it is). A relaunch for
// failed selects the contacts of another broadcast whose chain ended
// unsuccessfully instead.
type Recipients struct {
	TargetIDs []int64  `json:"targetIds"`
	Tags      []string `json:"tags"`
	Phones    []string `json:"phones"` // typed or pasted numbers
	FailedOf  int64    `json:"failedOf,omitempty"`
}

// Empty reports whether the recipients select nobody by definition.
func (r Recipients) Empty() bool {
	return len(r.TargetIDs) == 0 && len(r.Tags) == 0 && len(r.Phones) == 0 && r.FailedOf == 0
}

// Limits of recipients.
const (
	MaxRecipientTargets = 50
	MaxRecipientTags    = 50
	MaxRecipientPhones  = 10000
)

// SplitPhones splits pasted text into phone numbers: separated by commas,
// semicolons, tabs or new lines (spaces may group a number's digits).
func SplitPhones(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool {
		return r == ',' || r == ';' || r == '\n' || r == '\r' || r == '\t'
	})
}

// BroadcastStep is one channel of a broadcast's fallback chain, as the
// message constructor makes it (reference 001 section 7.4).
type BroadcastStep struct {
	Channel  Channel         `json:"channel"`
	SenderID string          `json:"senderId"`
	Payload  json.RawMessage `json:"payload,omitempty"`
	Template *TemplateRef    `json:"template,omitempty"`
	// Criterion is what the step waits for (delivery by default).
	Criterion Criterion `json:"successCriterion"`
	// WaitingTime is how long, in seconds, the step waits for its
	// criterion before the next step is sent (or, after the last, the
	// chain fails); DefaultWaitingTime when zero.
	WaitingTime int `json:"waitingTime"`
}

// Waiting time bounds of a broadcast step, in seconds: at least ten
// seconds (providers take that long to report) and at most three days.
const (
	MinWaitingTime     = 10
	MaxWaitingTime     = 72 * 3600
	DefaultWaitingTime = 600
)

// MaxBroadcastSteps bounds a broadcast's fallback chain.
const MaxBroadcastSteps = 10

// Limits of a broadcast's text fields.
const (
	MaxBroadcastName        = 100
	MaxBroadcastDescription = 1000
	MaxModerationReason     = 500
)

// Normalize trims the broadcast's fields and fills defaults: type
// fallback, launch type manual, each step's criterion and waiting time.
func (b *Broadcast) Normalize() {
	b.Name = strings.TrimSpace(b.Name)
	b.Description = strings.TrimSpace(b.Description)
	if b.Type == "" {
		b.Type = BroadcastFallback
	}
	if b.LaunchType == "" {
		b.LaunchType = LaunchManual
	}
	normalizeRecipients(&b.Recipients)
	normalizeSteps(b.Steps)
}

// normalizeRecipients trims tags and numbers and drops empty ones.
func normalizeRecipients(r *Recipients) {
	r.Tags = trimAll(r.Tags)
	var phones []string
	for _, p := range r.Phones {
		phones = append(phones, SplitPhones(p)...)
	}
	r.Phones = trimAll(phones)
	if r.TargetIDs == nil {
		r.TargetIDs = []int64{}
	}
}

// normalizeSteps fills each step's defaults.
func normalizeSteps(steps []BroadcastStep) {
	for i := range steps {
		s := &steps[i]
		s.SenderID = strings.TrimSpace(s.SenderID)
		if s.Criterion == "" {
			s.Criterion = CriterionDelivery
		}
		if s.WaitingTime == 0 {
			s.WaitingTime = DefaultWaitingTime
		}
	}
}

// Validate normalizes b and checks the fields a draft must have right: the
// name, the type, the shape of recipients and steps. A draft may lack
// recipients, steps and sender IDs; CheckLaunch asks for those.
func (b *Broadcast) Validate() error {
	b.Normalize()
	var vs Violations
	vs.CheckLen("name", b.Name, true, MaxBroadcastName)
	vs.CheckLen("description", b.Description, false, MaxBroadcastDescription)
	if !b.Type.Valid() {
		vs.Add("type", VUnknown, "The type must be fallback, chatbot or rcs_check.")
	}
	switch b.LaunchType {
	case LaunchManual, LaunchRecurrent, LaunchAPI:
	default:
		vs.Add("launchType", VUnknown, "The launch type must be manual, recurrent or api.")
	}
	checkRecipients(&vs, b.Recipients)
	checkSteps(&vs, b.Steps, false, false)
	return vs.Err()
}

// CheckLaunch checks what launching needs beyond Validate, at time now:
// recipients, at least one step (exactly one RCS step for an RCS
// capability check), a sender ID and content on every step, and a
// scheduled time in the future. Checks that need the account's data
// (sender IDs exist, template variables are attributes, the recipients
// select somebody) are the service's. b must have passed Validate.
func (b *Broadcast) CheckLaunch(now time.Time) error {
	var vs Violations
	if b.Recipients.Empty() {
		vs.Add("recipients", VRequired, "Choose the recipients: targets, tags or phone numbers.")
	}
	switch {
	case len(b.Steps) == 0:
		vs.Add("steps", VRequired, "Add at least one channel to the broadcast.")
	case b.Type == BroadcastRCSCheck && (len(b.Steps) != 1 || b.Steps[0].Channel != ChannelRCS):
		vs.Add("steps", VFormat, "An RCS capability check has exactly one step: the RCS sender ID to check with.")
	case b.Type == BroadcastChatbot && b.ChatbotID == 0:
		vs.Add("chatbotId", VRequired, "Choose the chatbot to start.")
	}
	checkSteps(&vs, b.Steps, true, b.Type == BroadcastFallback)
	if b.ScheduledAt != nil && !b.ScheduledAt.After(now) {
		vs.Add("scheduledAt", VRange, "The scheduled time %s is in the past; choose a later time or launch now.",
			b.ScheduledAt.UTC().Format(time.RFC3339))
	}
	return vs.Err()
}

// checkRecipients checks the shape of recipients.
func checkRecipients(vs *Violations, r Recipients) {
	if len(r.TargetIDs) > MaxRecipientTargets {
		vs.Add("recipients.targetIds", VTooLong, "Choose at most %d targets.", MaxRecipientTargets)
	}
	for _, id := range r.TargetIDs {
		if id <= 0 {
			vs.Add("recipients.targetIds", VFormat, "Target IDs are positive numbers.")
			break
		}
	}
	if len(r.Tags) > MaxRecipientTags {
		vs.Add("recipients.tags", VTooLong, "Choose at most %d tags.", MaxRecipientTags)
	}
	for _, t := range r.Tags {
		vs.CheckLen("recipients.tags", t, false, MaxTagLen)
	}
	if len(r.Phones) > MaxRecipientPhones {
		vs.Add("recipients.phones", VTooLong, "Give at most %d phone numbers (%d given); use a target or a tag for more.",
			MaxRecipientPhones, len(r.Phones))
	}
}

// checkSteps checks the steps; launching also asks for a sender ID
// (needSender) and content (needContent) on each.
func checkSteps(vs *Violations, steps []BroadcastStep, needSender, needContent bool) {
	if len(steps) > MaxBroadcastSteps {
		vs.Add("steps", VTooLong, "A fallback chain has at most %d steps (it has %d).", MaxBroadcastSteps, len(steps))
	}
	seen := map[Channel]bool{}
	for i, s := range steps {
		p := "steps[" + strconv.Itoa(i) + "]."
		if !s.Channel.Valid() {
			vs.Add(p+"channel", VUnknown, "Unknown channel %d.", s.Channel)
		} else if seen[s.Channel] {
			vs.Add(p+"channel", VTaken, "%s is in the chain already; each channel appears once.", s.Channel.Label())
		}
		seen[s.Channel] = true
		vs.CheckLen(p+"senderId", s.SenderID, needSender, 64)
		if !s.Criterion.Valid() {
			vs.Add(p+"successCriterion", VUnknown, "The success criterion must be delivery, submit or display.")
		}
		if s.WaitingTime < MinWaitingTime || s.WaitingTime > MaxWaitingTime {
			vs.Add(p+"waitingTime", VRange, "The waiting time must be from %d seconds to %d hours (it is %d seconds).",
				MinWaitingTime, MaxWaitingTime/3600, s.WaitingTime)
		}
		switch {
		case len(s.Payload) > 0 && s.Template != nil:
			vs.Add(p+"template", VFormat, "Give the content or a template, not both.")
		case needContent && len(s.Payload) == 0 && s.Template == nil:
			vs.Add(p+"payload", VRequired, "Give the %s message's content or choose a template.", s.Channel.Label())
		}
	}
}

// HasChannel reports whether a step of the chain is on ch.
func (b *Broadcast) HasChannel(ch Channel) bool {
	for _, s := range b.Steps {
		if s.Channel == ch {
			return true
		}
	}
	return false
}

// BroadcastColumns are the columns of the Broadcasts table (reference 001
// section 7.1): every run, newest first.
func BroadcastColumns() []Column {
	statuses := make([]string, 0, len(BroadcastStatuses()))
	for _, s := range BroadcastStatuses() {
		statuses = append(statuses, string(s))
	}
	return []Column{
		{Key: "id", Label: "ID", Type: ColNumber, Sortable: true, Filterable: true},
		{Key: "name", Label: "Broadcast Name", Type: ColText, Sortable: true, Filterable: true},
		{Key: "progress", Label: "Progress", Type: ColNumber},
		{Key: "type", Label: "Type", Type: ColEnum, Options: []string{"fallback", "chatbot", "rcs_check"}, Sortable: true, Filterable: true},
		{Key: "status", Label: "Status", Type: ColEnum, Options: statuses, Sortable: true, Filterable: true},
		{Key: "scheduledAt", Label: "Scheduled for", Type: ColTime, Sortable: true, Filterable: true},
		{Key: "contacts", Label: "Contacts", Type: ColNumber, Sortable: true, Filterable: true},
		{Key: "launchedAt", Label: "Launched", Type: ColTime, Sortable: true, Filterable: true},
		{Key: "launchType", Label: "Launch", Type: ColEnum, Options: []string{"manual", "recurrent", "api"}, Sortable: true, Filterable: true},
		{Key: "finishedAt", Label: "Finished", Type: ColTime, Sortable: true, Filterable: true},
		{Key: "templateId", Label: "Template", Type: ColNumber, Sortable: true, Filterable: true},
		{Key: "description", Label: "Description", Type: ColText, Filterable: true, Hidden: true},
		{Key: "createdBy", Label: "Created by", Type: ColText, Sortable: true, Filterable: true, Hidden: true},
		{Key: "createdAt", Label: "Created", Type: ColTime, Sortable: true, Filterable: true, Hidden: true},
	}
}

// ModerationColumns are the columns of the system owner's moderation
// queue: the account and the Broadcasts columns that matter before launch,
// with the number of contacts the recipients select now ("recipients",
// counted for each row, neither sorted nor filtered).
func ModerationColumns() []Column {
	keep := map[string]bool{"id": true, "name": true, "type": true, "scheduledAt": true, "launchType": true,
		"templateId": true, "description": true, "createdBy": true, "createdAt": true}
	out := []Column{{Key: "accountId", Label: "Account", Type: ColNumber, Sortable: true, Filterable: true}}
	for _, c := range BroadcastColumns() {
		if keep[c.Key] {
			c.Hidden = c.Key == "description" || c.Key == "templateId"
			out = append(out, c)
		}
		if c.Key == "type" {
			out = append(out, Column{Key: "recipients", Label: "Recipients", Type: ColNumber})
		}
	}
	return out
}

// BroadcastStore keeps broadcasts, their recipient snapshots and their
// statistics. Methods are scoped to accountID; another account's broadcast
// is ENOTFOUND.
type BroadcastStore interface {
	// CreateBroadcast validates b (Validate) and inserts it with its
	// status (a draft when empty).
	CreateBroadcast(ctx context.Context, b *Broadcast) error
	// Broadcast returns one broadcast with its statistics, or ENOTFOUND.
	Broadcast(ctx context.Context, accountID, id int64) (*Broadcast, error)
	// UpdateBroadcast validates b and saves its definition (name,
	// description, type, recipients, steps, RCS check, chatbot, scheduled
	// time). ECONFLICT unless the stored broadcast is Editable.
	UpdateBroadcast(ctx context.Context, b *Broadcast) error
	// DeleteBroadcast removes a broadcast that never ran (draft, rejected,
	// scheduled, failed before launch). ECONFLICT otherwise.
	DeleteBroadcast(ctx context.Context, accountID, id int64) error
	// ListBroadcasts returns one page of broadcasts (BroadcastColumns),
	// newest first.
	ListBroadcasts(ctx context.Context, accountID int64, q ListQuery) (Page[Broadcast], error)
	// CountRecipients counts the contacts r selects now (plus the typed
	// numbers that are no contact's): the count shown before launch.
	CountRecipients(ctx context.Context, accountID int64, r Recipients) (int, error)
	// BroadcastChannelStats returns the message statistics of a broadcast
	// by channel, in chain order. ENOTFOUND.
	BroadcastChannelStats(ctx context.Context, accountID, id int64) ([]ChannelStats, error)
	// ListBroadcastRecipients returns one page of a broadcast's recipients
	// with their outcome (BroadcastRecipientColumns). ENOTFOUND.
	ListBroadcastRecipients(ctx context.Context, accountID, id int64, q ListQuery) (Page[BroadcastRecipient], error)
	// EachBroadcastRecipient calls fn for every recipient of a broadcast
	// matching q's filters in q's order, streaming from the database: the
	// outcome export. ENOTFOUND.
	EachBroadcastRecipient(ctx context.Context, accountID, id int64, q ListQuery, fn func(*BroadcastRecipient) error) error
	// ListModeration returns one page of the broadcasts of every account
	// that wait in moderation (ModerationColumns), oldest first: the system
	// owner's queue. Each item has its AccountID.
	ListModeration(ctx context.Context, q ListQuery) (Page[Broadcast], error)
	// BroadcastModeration reports whether the system owner requires
	// moderation of the account's broadcasts.
	BroadcastModeration(ctx context.Context, accountID int64) (bool, error)
	// SetBroadcastModeration turns moderation of the account's broadcasts
	// on or off (the system owner's setting).
	SetBroadcastModeration(ctx context.Context, accountID int64, on bool) error
}

// BroadcastService runs broadcasts: every state change that sends, stops or
// judges a broadcast goes through it, so that the checks before launch
// (recipients, sender IDs, templates, waiting times, the scheduled time)
// and moderation apply wherever the request comes from.
type BroadcastService interface {
	// Create validates and saves a draft (or with launch, launches it: see
	// Launch). EINVALID.
	Create(ctx context.Context, b *Broadcast, launch bool) (*Broadcast, error)
	// Update saves an editable broadcast's definition. ECONFLICT when it is
	// not editable; EINVALID.
	Update(ctx context.Context, b *Broadcast) (*Broadcast, error)
	// Launch checks the broadcast and starts it now, or schedules it for
	// its ScheduledAt, or sends it to moderation when the account's
	// broadcasts are moderated. Nothing is sent when a check fails:
	// EINVALID names every problem. ECONFLICT when it is not launchable.
	Launch(ctx context.Context, accountID, id int64, launchType LaunchType) (*Broadcast, error)
	// Pause stops sending to contacts not yet reached; chains in flight go
	// on. Resume continues. Abort ends the broadcast: contacts not reached
	// are not sent to and running chains stop after their current step.
	// ECONFLICT when the status does not allow it.
	Pause(ctx context.Context, accountID, id int64) (*Broadcast, error)
	Resume(ctx context.Context, accountID, id int64) (*Broadcast, error)
	Abort(ctx context.Context, accountID, id int64) (*Broadcast, error)
	// RelaunchFailed creates and launches a new broadcast for the contacts
	// whose chain ended unsuccessfully in a complete or aborted broadcast.
	// EINVALID when there are none.
	RelaunchFailed(ctx context.Context, accountID, id int64, launchType LaunchType) (*Broadcast, error)
	// Copy creates a draft with the broadcast's definition.
	Copy(ctx context.Context, accountID, id int64) (*Broadcast, error)
	// Approve and Reject decide a broadcast in moderation (system owner
	// only: EFORBIDDEN for anybody else). Reject needs a reason.
	Approve(ctx context.Context, accountID, id int64) (*Broadcast, error)
	Reject(ctx context.Context, accountID, id int64, reason string) (*Broadcast, error)
}
