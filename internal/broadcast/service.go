// Package broadcast runs broadcasts: it checks and launches them (now, at
// their scheduled time, or after moderation), expands their recipients
// into a snapshot, sends each recipient's fallback chain through the
// messaging engine at the pace the connections allow, keeps their
// statistics as statuses arrive, publishes their progress on the events
// bus, and launches broadcast templates on their schedules.
//
// # Running
//
// A Runner in every worker process claims the broadcasts in progress that
// no live runner holds, one runner per broadcast. It first copies the
// recipients counted at launch into the snapshot, chunk by chunk
// (store.SnapshotChunk) a few batches ahead of sending, so that a launch
// returns and the first messages leave at once. It reads recipients in
// batches of at most what the engine's dispatcher has room for in the
// account's bulk lane (engine.BulkRoom), personalises their chains in
// memory and commits the batch's messages and chains in one transaction
// with the recipients' progress (store.CommitRecipients): a recipient is
// sent to once, however often the process dies, and none is forgotten.
//
// # Statistics
//
// The Hook sees each of the engine's status batches inside its
// transaction and adds what changed to the broadcasts' counters: the
// fallback counters (chains decided) and the message counters per channel.
// Reading a broadcast's progress is one row.
package broadcast

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/engine"
	"github.com/heraldhq/herald/internal/jobs"
	"github.com/heraldhq/herald/internal/store"
)

var _ herald.BroadcastService = (*Service)(nil)

// Store is what the broadcast service reads and writes.
type Store interface {
	herald.BroadcastStore
	herald.BroadcastTemplateStore
	Account(ctx context.Context, id int64) (*herald.Account, error)
	Attributes(ctx context.Context, accountID int64) ([]herald.Attribute, error)
	ChangeBroadcast(ctx context.Context, accountID, id int64, ch store.BroadcastChange) (*herald.Broadcast, error)
	ChangeBroadcastTemplate(ctx context.Context, t *herald.BroadcastTemplate, enqueue func(ctx context.Context, tx any) error) error
	LaunchFromTemplate(ctx context.Context, accountID, id int64, at time.Time, next *time.Time,
		run func(t *herald.BroadcastTemplate) *herald.Broadcast, enqueue func(ctx context.Context, tx any, runID int64) error) (*herald.Broadcast, error)
	RecordTemplateLaunch(ctx context.Context, accountID, id int64) error
	DueTemplates(ctx context.Context, now time.Time, limit int) ([]store.DueTemplate, error)
	ClaimBroadcastRuns(ctx context.Context, instance string, now, until int64, limit int) ([]store.RunClaim, error)
	ReleaseBroadcastRun(ctx context.Context, instance string, id int64) error
	RenewBroadcastRun(ctx context.Context, instance string, id, until int64) (bool, error)
	OpenContactSnapshot(ctx context.Context) (*store.ContactSnapshot, error)
	SnapshotChunk(ctx context.Context, instance string, id int64, limit int, view *store.ContactSnapshot) (int64, bool, error)
	CountLaunched(ctx context.Context, accountID, id int64) (*herald.Broadcast, error)
	PendingRecipients(ctx context.Context, accountID, id, afterSeq int64, limit int) ([]store.RecipientRow, error)
	OptedOutContacts(ctx context.Context, accountID int64, ids []int64) (map[int64]bool, error)
	MessageTx(ctx context.Context, fn func(x *store.MessageTx) error) error
}

// Engine is what broadcasts need from the messaging engine.
type Engine interface {
	PlanBulk(ctx context.Context, accountID, broadcastID int64, steps []herald.BroadcastStep, attrs []string) (*engine.BulkPlan, error)
	BuildBulk(p *engine.BulkPlan, r *engine.BulkRecipient) (*engine.BulkItem, string)
	BulkRoom(accountID int64) int
	BulkHeld(accountID int64) int
	CommitBulk(ctx context.Context, items []*engine.BulkItem, extra func(ctx context.Context, x *store.MessageTx) error) error
	CheckCapable(ctx context.Context, accountID int64, senderID string, addrs []string) ([]bool, error)
}

// Enqueuer queues a job in a store transaction (jobs.Runner does).
type Enqueuer interface {
	EnqueueTx(ctx context.Context, tx any, args jobs.JobArgs, opts *jobs.InsertOpts) (int64, error)
}

// Publisher publishes events (events.Bus does).
type Publisher interface {
	Publish(ctx context.Context, subject string, data []byte) error
}

// Service is the broadcast service. Its methods are safe for concurrent use.
type Service struct {
	store  Store
	engine Engine
	jobs   Enqueuer
	clock  herald.Clock
	log    *slog.Logger
	prog   *progress
	wake   func()  // wakes this process's runner, when it has one
	runner *Runner // this process's runner, nil without one
}

// Deps are the service's collaborators.
type Deps struct {
	Store  Store
	Engine Engine
	Jobs   Enqueuer
	Clock  herald.Clock
	Log    *slog.Logger
}

// New returns a Service.
func New(d Deps) *Service {
	if d.Clock == nil {
		d.Clock = herald.SystemClock{}
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	s := &Service{store: d.Store, engine: d.Engine, jobs: d.Jobs, clock: d.Clock, log: d.Log, wake: func() {}}
	s.prog = newProgress(s)
	return s
}

// UseEngine sets the messaging engine, which is built after the service
// because it takes the service's Hook.
func (s *Service) UseEngine(e Engine) { s.engine = e }

// SetPublisher makes the service publish progress events on p (the bus
// opens after the service is built).
func (s *Service) SetPublisher(p Publisher) { s.prog.setPublisher(p) }

// now returns the clock's time in UTC at microsecond precision.
func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// Create validates and saves a draft and, with launch, launches it.
func (s *Service) Create(ctx context.Context, b *herald.Broadcast, launch bool) (*herald.Broadcast, error) {
	b.Status, b.ParentID, b.TemplateID = herald.BroadcastDraft, 0, 0
	if b.LaunchType == "" {
		b.LaunchType = herald.LaunchManual
	}
	if !launch {
		if err := s.store.CreateBroadcast(ctx, b); err != nil {
			return nil, err
		}
		return b, nil
	}
	// Nothing is saved when the broadcast cannot launch.
	if err := s.check(ctx, b); err != nil {
		return nil, err
	}
	if err := s.store.CreateBroadcast(ctx, b); err != nil {
		return nil, err
	}
	out, err := s.launch(ctx, b, b.LaunchType)
	if err != nil && herald.ErrorCode(err) == herald.EINVALID {
		// The snapshot found nobody: the draft goes too.
		if derr := s.store.DeleteBroadcast(ctx, b.AccountID, b.ID); derr != nil {
			s.log.Warn("deleting a broadcast that did not launch", "broadcast", b.ID, "err", derr)
		}
	}
	return out, err
}

// Update saves an editable broadcast's definition; a scheduled one is
// checked again and rescheduled, or becomes a draft without a time.
func (s *Service) Update(ctx context.Context, b *herald.Broadcast) (*herald.Broadcast, error) {
	old, err := s.store.Broadcast(ctx, b.AccountID, b.ID)
	if err != nil {
		return nil, err
	}
	if old.Status == herald.BroadcastScheduled {
		if err := s.check(ctx, b); err != nil {
			return nil, err
		}
	}
	if err := s.store.UpdateBroadcast(ctx, b); err != nil {
		return nil, err
	}
	if old.Status != herald.BroadcastScheduled {
		return b, nil
	}
	if b.ScheduledAt == nil {
		return s.store.ChangeBroadcast(ctx, b.AccountID, b.ID, store.BroadcastChange{From: []herald.BroadcastStatus{herald.BroadcastScheduled},
			To: herald.BroadcastDraft, Schedule: true, Action: "Unscheduled broadcast"})
	}
	return s.schedule(ctx, b, herald.BroadcastScheduled, b.LaunchType)
}

// check runs every check launching b needs, without changing anything.
func (s *Service) check(ctx context.Context, b *herald.Broadcast) error {
	var vs herald.Violations
	if err := b.Validate(); err != nil {
		if herald.ErrorCode(err) != herald.EINVALID {
			return err
		}
		vs = append(vs, herald.ErrorViolations(err)...)
	}
	vs = appendNew(vs, herald.ErrorViolations(b.CheckLaunch(s.now())))
	switch b.Type {
	case herald.BroadcastChatbot:
		vs.Add("chatbotId", herald.VUnknown, "Chatbot broadcasts need the chatbots, which this Herald does not have yet.")
	case herald.BroadcastRCSCheck:
		if len(b.Steps) == 1 && b.Steps[0].SenderID != "" {
			if _, err := s.engine.CheckCapable(ctx, b.AccountID, b.Steps[0].SenderID, nil); herald.IsNotFound(err) {
				vs.Add("steps[0].senderId", herald.VUnknown, "The account has no RCS sender ID %q.", b.Steps[0].SenderID)
			} else if err != nil {
				return err
			}
		}
	default:
		if !stepViolations(vs) {
			if _, err := s.plan(ctx, b); err != nil {
				if herald.ErrorCode(err) != herald.EINVALID {
					return err
				}
				vs = appendNew(vs, herald.ErrorViolations(err))
			}
		}
	}
	if err := vs.Err(); err != nil {
		return err
	}
	if b.ScheduledAt == nil {
		return nil // launched at once: the snapshot finds out, in its transaction
	}
	n, err := s.store.CountRecipients(ctx, b.AccountID, b.Recipients)
	if err != nil {
		return err
	}
	if n == 0 {
		vs.Add("recipients", herald.VRequired, "The recipients select no contacts; choose other targets, tags or numbers.")
	}
	return vs.Err()
}

// stepViolations reports whether vs has a violation of the steps.
func stepViolations(vs herald.Violations) bool {
	for _, v := range vs {
		if strings.HasPrefix(v.Field, "steps") {
			return true
		}
	}
	return false
}

// appendNew appends the violations of more whose field and code vs does
// not have yet.
func appendNew(vs herald.Violations, more []herald.Violation) herald.Violations {
	for _, v := range more {
		dup := false
		for _, w := range vs {
			dup = dup || (w.Field == v.Field && w.Code == v.Code)
		}
		if !dup {
			vs = append(vs, v)
		}
	}
	return vs
}

// plan prepares b's steps for sending (routes, templates, content).
func (s *Service) plan(ctx context.Context, b *herald.Broadcast) (*engine.BulkPlan, error) {
	attrs, err := s.store.Attributes(ctx, b.AccountID)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(attrs))
	for i, a := range attrs {
		names[i] = a.Name
	}
	return s.engine.PlanBulk(ctx, b.AccountID, b.ID, b.Steps, names)
}

// Launch checks the broadcast and starts it, schedules it, or sends it to
// moderation.
func (s *Service) Launch(ctx context.Context, accountID, id int64, lt herald.LaunchType) (*herald.Broadcast, error) {
	b, err := s.store.Broadcast(ctx, accountID, id)
	if err != nil {
		return nil, err
	}
	if !b.Status.Launchable() {
		return nil, herald.Errorf(herald.ECONFLICT, "The broadcast is %s; only drafts and scheduled broadcasts launch.", b.Status.Label())
	}
	if err := s.check(ctx, b); err != nil {
		return nil, err
	}
	return s.launch(ctx, b, lt)
}

// launch starts, schedules or moderates b, which passed check.
func (s *Service) launch(ctx context.Context, b *herald.Broadcast, lt herald.LaunchType) (*herald.Broadcast, error) {
	if lt == "" {
		lt = b.LaunchType
	}
	moderated, err := s.store.BroadcastModeration(ctx, b.AccountID)
	if err != nil {
		return nil, err
	}
	if moderated {
		b, err = s.store.ChangeBroadcast(ctx, b.AccountID, b.ID, store.BroadcastChange{From: launchable(), To: herald.BroadcastModeration,
			LaunchType: lt, Reason: ptr(""), Action: "Sent broadcast to moderation"})
		if err == nil {
			s.prog.changed(b)
		}
		return b, err
	}
	return s.start(ctx, b, lt)
}

// launchable are the statuses a launch starts from.
func launchable() []herald.BroadcastStatus {
	return []herald.BroadcastStatus{herald.BroadcastDraft, herald.BroadcastRejected, herald.BroadcastScheduled}
}

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }

// start schedules b for its scheduled time, or launches it now.
func (s *Service) start(ctx context.Context, b *herald.Broadcast, lt herald.LaunchType) (*herald.Broadcast, error) {
	from := b.Status
	if b.ScheduledAt != nil && b.ScheduledAt.After(s.now()) {
		return s.schedule(ctx, b, from, lt)
	}
	return s.launchNow(ctx, b.AccountID, b.ID, from, lt)
}

// schedule makes b scheduled with a job that launches it at its time.
func (s *Service) schedule(ctx context.Context, b *herald.Broadcast, from herald.BroadcastStatus, lt herald.LaunchType) (*herald.Broadcast, error) {
	at := *b.ScheduledAt
	b, err := s.store.ChangeBroadcast(ctx, b.AccountID, b.ID, store.BroadcastChange{From: []herald.BroadcastStatus{from},
		To: herald.BroadcastScheduled, Schedule: true, ScheduledAt: &at, LaunchType: lt, Reason: ptr(""), Action: "Scheduled broadcast",
		Enqueue: func(ctx context.Context, tx any) error {
			_, err := s.jobs.EnqueueTx(ctx, tx, LaunchArgs{AccountID: b.AccountID, BroadcastID: b.ID, At: at}, &jobs.InsertOpts{ScheduledAt: at})
			return err
		}})
	if err == nil {
		s.prog.changed(b)
	}
	return b, err
}

// launchNow snapshots the recipients and starts sending. With a runner
// in this process, the launch checks that a view of the contacts opened
// before its transaction has recipients and hands the broadcast, held
// already, to the runner, which copies them from that view while it
// sends; the recipients are counted meanwhile, after the commit. Without
// a runner, the launch copies them itself.
func (s *Service) launchNow(ctx context.Context, accountID, id int64, from herald.BroadcastStatus, lt herald.LaunchType) (*herald.Broadcast, error) {
	ch := store.BroadcastChange{From: []herald.BroadcastStatus{from}, To: herald.BroadcastInProgress, Launch: true, LaunchType: lt,
		Reason: ptr(""), Action: "Launched broadcast"}
	r := s.runner
	if r != nil && !r.reserve(id) {
		r = nil
	}
	if r != nil {
		view, err := s.store.OpenContactSnapshot(ctx)
		if err != nil {
			r.unreserve(id)
			return nil, err
		}
		ch.View, ch.Runner, ch.RunnerUntil = view, r.cfg.Instance, s.now().Add(r.cfg.Hold).UnixMilli()
	}
	b, err := s.store.ChangeBroadcast(ctx, accountID, id, ch)
	if err != nil {
		if r != nil {
			ch.View.Close()
			r.unreserve(id)
		}
		return nil, err
	}
	if r != nil {
		r.adopt(b, ch.View)
		// The runner sends while the recipients are counted.
		counted, err := s.store.CountLaunched(ctx, accountID, id)
		if err != nil {
			s.log.Warn("counting a launched broadcast's recipients", "broadcast", id, "err", err)
		} else {
			b = counted
		}
	} else {
		s.wake()
	}
	s.prog.changed(b)
	return b, nil
}

// launchScheduled launches a scheduled broadcast whose time at came (the
// job of schedule). A broadcast rescheduled or changed meanwhile is left
// alone; one that can no longer launch fails with the reason.
func (s *Service) launchScheduled(ctx context.Context, accountID, id int64, at time.Time) error {
	b, err := s.store.Broadcast(ctx, accountID, id)
	if herald.IsNotFound(err) {
		return nil
	} else if err != nil {
		return err
	}
	if b.Status != herald.BroadcastScheduled || b.ScheduledAt == nil || !b.ScheduledAt.Equal(at.UTC().Truncate(time.Microsecond)) {
		return nil
	}
	b.ScheduledAt = nil // due: the past is fine now
	err = s.check(ctx, b)
	if err == nil {
		err = s.launchDueRun(ctx, b)
	}
	if herald.ErrorCode(err) != herald.EINVALID {
		return err
	}
	reason := failReason(err)
	b, err = s.store.ChangeBroadcast(ctx, accountID, id, store.BroadcastChange{From: []herald.BroadcastStatus{herald.BroadcastScheduled},
		To: herald.BroadcastFailed, Finish: true, Reason: &reason, Action: "Broadcast failed to launch"})
	if err == nil {
		s.prog.changed(b)
	}
	return err
}

// launchDueRun launches a scheduled broadcast whose time came. A template's
// recurrent run goes to moderation first when the account is moderated
// (other broadcasts passed moderation before they were scheduled).
func (s *Service) launchDueRun(ctx context.Context, b *herald.Broadcast) error {
	if b.LaunchType == herald.LaunchRecurrent {
		moderated, err := s.store.BroadcastModeration(ctx, b.AccountID)
		if err != nil {
			return err
		}
		if moderated {
			_, err := s.change(ctx, b.AccountID, b.ID, store.BroadcastChange{From: []herald.BroadcastStatus{herald.BroadcastScheduled},
				To: herald.BroadcastModeration, Action: "Sent broadcast to moderation"})
			return err
		}
	}
	_, err := s.launchNow(ctx, b.AccountID, b.ID, herald.BroadcastScheduled, b.LaunchType)
	return err
}

// failReason turns launch violations into a broadcast's reason.
func failReason(err error) string {
	var parts []string
	for _, v := range herald.ErrorViolations(err) {
		parts = append(parts, v.Field+": "+v.Message)
	}
	if len(parts) == 0 {
		return herald.ErrorMessage(err)
	}
	r := strings.Join(parts, " ")
	if len([]rune(r)) > herald.MaxModerationReason {
		r = string([]rune(r)[:herald.MaxModerationReason-1]) + "…"
	}
	return r
}

// Pause stops sending to the contacts not reached yet.
func (s *Service) Pause(ctx context.Context, accountID, id int64) (*herald.Broadcast, error) {
	return s.change(ctx, accountID, id, store.BroadcastChange{From: []herald.BroadcastStatus{herald.BroadcastInProgress},
		To: herald.BroadcastPaused, Action: "Paused broadcast"})
}

// Resume continues a paused broadcast.
func (s *Service) Resume(ctx context.Context, accountID, id int64) (*herald.Broadcast, error) {
	b, err := s.change(ctx, accountID, id, store.BroadcastChange{From: []herald.BroadcastStatus{herald.BroadcastPaused},
		To: herald.BroadcastInProgress, Action: "Resumed broadcast"})
	if err == nil {
		s.wake()
	}
	return b, err
}

// Abort ends a broadcast: no more contacts are sent to and its running
// chains stop after their current step.
func (s *Service) Abort(ctx context.Context, accountID, id int64) (*herald.Broadcast, error) {
	return s.change(ctx, accountID, id, store.BroadcastChange{
		From: []herald.BroadcastStatus{herald.BroadcastInProgress, herald.BroadcastPaused, herald.BroadcastScheduled, herald.BroadcastModeration},
		To:   herald.BroadcastAborted, Abort: true, Finish: true, Action: "Aborted broadcast"})
}

// change applies ch and publishes the new status.
func (s *Service) change(ctx context.Context, accountID, id int64, ch store.BroadcastChange) (*herald.Broadcast, error) {
	b, err := s.store.ChangeBroadcast(ctx, accountID, id, ch)
	if err != nil {
		return nil, err
	}
	s.prog.changed(b)
	return b, nil
}

// RelaunchFailed creates and launches a broadcast for the contacts whose
// chain ended unsuccessfully.
func (s *Service) RelaunchFailed(ctx context.Context, accountID, id int64, lt herald.LaunchType) (*herald.Broadcast, error) {
	src, err := s.store.Broadcast(ctx, accountID, id)
	if err != nil {
		return nil, err
	}
	if src.Status != herald.BroadcastComplete && src.Status != herald.BroadcastAborted {
		return nil, herald.Errorf(herald.ECONFLICT, "Only a complete or aborted broadcast can be relaunched for its failed contacts; this one is %s.", src.Status.Label())
	}
	if src.Type == herald.BroadcastRCSCheck {
		return nil, herald.Errorf(herald.ECONFLICT, "An RCS capability check has no failed messages to send again.")
	}
	n, err := s.store.CountRecipients(ctx, accountID, herald.Recipients{FailedOf: id})
	if err != nil {
		return nil, err
	}
	if n == 0 {
		var vs herald.Violations
		vs.Add("recipients", herald.VRequired, "No contact's chain failed in broadcast %d: there is nobody to relaunch for.", id)
		return nil, vs.Err()
	}
	b := copyOf(src)
	b.Recipients, b.ParentID, b.LaunchType, b.TemplateID = herald.Recipients{FailedOf: id, TargetIDs: []int64{}}, id, lt, src.TemplateID
	if b.LaunchType == "" {
		b.LaunchType = herald.LaunchManual
	}
	if err := s.check(ctx, b); err != nil {
		return nil, err
	}
	if err := s.store.CreateBroadcast(ctx, b); err != nil {
		return nil, err
	}
	return s.Launch(ctx, accountID, b.ID, b.LaunchType)
}

// copyOf returns a new draft with src's definition.
func copyOf(src *herald.Broadcast) *herald.Broadcast {
	return &herald.Broadcast{AccountID: src.AccountID, Name: src.Name, Description: src.Description, Type: src.Type,
		Recipients: src.Recipients, Steps: src.Steps, RCSCheck: src.RCSCheck, ChatbotID: src.ChatbotID,
		Status: herald.BroadcastDraft, LaunchType: herald.LaunchManual}
}

// Copy creates a draft with the broadcast's definition.
func (s *Service) Copy(ctx context.Context, accountID, id int64) (*herald.Broadcast, error) {
	src, err := s.store.Broadcast(ctx, accountID, id)
	if err != nil {
		return nil, err
	}
	b := copyOf(src)
	b.ParentID = id
	if n := []rune(b.Name + " (copy)"); len(n) <= herald.MaxBroadcastName {
		b.Name = string(n)
	}
	if err := s.store.CreateBroadcast(ctx, b); err != nil {
		return nil, err
	}
	return b, nil
}

// errNotOwner answers moderation by anybody but the system owner.
var errNotOwner = herald.Errorf(herald.EFORBIDDEN, "Only the system owner moderates broadcasts.")

// Approve launches (or schedules) a broadcast in moderation.
func (s *Service) Approve(ctx context.Context, accountID, id int64) (*herald.Broadcast, error) {
	if !herald.ActorFrom(ctx).SystemOwner {
		return nil, errNotOwner
	}
	b, err := s.store.Broadcast(ctx, accountID, id)
	if err != nil {
		return nil, err
	}
	if b.Status != herald.BroadcastModeration {
		return nil, herald.Errorf(herald.ECONFLICT, "The broadcast is %s, not in moderation.", b.Status.Label())
	}
	return s.start(ctx, b, b.LaunchType)
}

// Reject sends a broadcast in moderation back to its author with reason.
func (s *Service) Reject(ctx context.Context, accountID, id int64, reason string) (*herald.Broadcast, error) {
	if !herald.ActorFrom(ctx).SystemOwner {
		return nil, errNotOwner
	}
	reason = strings.TrimSpace(reason)
	var vs herald.Violations
	vs.CheckLen("reason", reason, true, herald.MaxModerationReason)
	if err := vs.Err(); err != nil {
		return nil, err
	}
	return s.change(ctx, accountID, id, store.BroadcastChange{From: []herald.BroadcastStatus{herald.BroadcastModeration},
		To: herald.BroadcastRejected, Reason: &reason, Action: "Rejected broadcast in moderation"})
}

// accountLocation returns the account's time zone, UTC when unknown.
func (s *Service) accountLocation(ctx context.Context, accountID int64) *time.Location {
	a, err := s.store.Account(ctx, accountID)
	if err != nil {
		return time.UTC
	}
	loc, err := time.LoadLocation(a.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}
