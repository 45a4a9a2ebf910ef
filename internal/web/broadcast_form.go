package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/problem"
)

// The broadcast form (reference 001 section 7.1.1): name, description,
// the chain partial (type, recipients, fallback chain), and when to
// launch: now or at a scheduled time. "Launch broadcast" (or "Send to
// moderation" for a moderated account) checks everything before anything
// is sent; "Save as draft" keeps it for later.

// localTimeLayout is the value of a datetime-local input.
const localTimeLayout = "2006-01-02T15:04"

// broadcastFormData is the data of the broadcast form.
type broadcastFormData struct {
	Chain     *chainData
	ID        int64
	Status    herald.BroadcastStatus
	Moderated bool
	Zone      string // the account's time zone, for the scheduled time
}

// Later reports whether the form launches at a scheduled time.
func (d *broadcastFormData) Later() bool { return d.Chain.Form.Get("when") == "later" }

// broadcastFields are the broadcast form's inputs.
func broadcastFields() []string { return chainFields("when", "scheduledAt") }

// renderBroadcastForm draws the broadcast form with steps and err shown.
func (p *Portal) renderBroadcastForm(w http.ResponseWriter, r *http.Request, status int, f *form, id int64, bstatus herald.BroadcastStatus, steps []rawStep, err error) {
	chain, cerr := p.newChain(r, f, steps, err)
	if cerr != nil {
		p.fail(w, r, cerr)
		return
	}
	pg := p.newPage(r, "New broadcast")
	if id != 0 {
		pg.Title = "Edit " + f.Get("name")
	}
	pg.Active = "broadcast"
	pg.Data = &broadcastFormData{Chain: chain, ID: id, Status: bstatus,
		Moderated: p.moderated(r.Context(), state(r).User.AccountID), Zone: pg.loc.String()}
	p.renderStatus(w, r, status, "broadcast_form", pg)
}

// newBroadcast shows an empty broadcast form with one SMS step.
func (p *Portal) newBroadcast(w http.ResponseWriter, r *http.Request) {
	if _, ok := p.broadcastReads(w, r); !ok {
		return
	}
	f := newForm(broadcastFields()...)
	f.set("type", string(herald.BroadcastFallback))
	f.set("when", "now")
	// An import's report (or a target's page) links here with its tag or
	// target chosen: /broadcasts/new?tag=NAME or ?target=ID.
	if q := r.URL.Query(); len(q["tag"]) > 0 || len(q["target"]) > 0 {
		f.Values[fieldTags], f.Values[fieldTargets] = q["tag"], q["target"]
	}
	steps := []rawStep{{Channel: herald.ChannelSMS, Criterion: string(herald.CriterionDelivery), Wait: "10", Unit: "min"}}
	p.renderBroadcastForm(w, r, http.StatusOK, f, 0, "", steps, nil)
}

// readBroadcast reads the posted form into b; what cannot be read (a
// waiting time, the scheduled time) goes to vs.
func (p *Portal) readBroadcast(r *http.Request, b *herald.Broadcast, vs *herald.Violations) {
	d := readDefinition(r, vs)
	b.Name, b.Description, b.Type, b.Recipients, b.Steps = d.Name, d.Description, d.Type, d.Recipients, d.Steps
	b.RCSCheck, b.ChatbotID = d.RCSCheck, d.ChatbotID
	b.ScheduledAt = nil
	if r.PostForm.Get("when") == "later" {
		b.ScheduledAt = p.readLocalTime(r, "scheduledAt", vs, true)
	}
}

// readLocalTime reads a datetime-local input in the account's time zone;
// a missing value is nil (a violation when required).
func (p *Portal) readLocalTime(r *http.Request, name string, vs *herald.Violations, required bool) *time.Time {
	v := strings.TrimSpace(r.PostForm.Get(name))
	if v == "" {
		if required {
			vs.Add(name, herald.VRequired, "Choose the date and time.")
		}
		return nil
	}
	t, err := time.ParseInLocation(localTimeLayout, v, p.accountLoc(r))
	if err != nil {
		vs.Add(name, herald.VFormat, "Give the date and time as YYYY-MM-DD HH:MM.")
		return nil
	}
	t = t.UTC()
	return &t
}

// saveBroadcastError draws the form again with err, or fails the request
// when err is internal.
func (p *Portal) saveBroadcastError(w http.ResponseWriter, r *http.Request, f *form, id int64, status herald.BroadcastStatus, err error) {
	code := problem.Status(herald.ErrorCode(err))
	if code == http.StatusInternalServerError {
		p.fail(w, r, err)
		return
	}
	p.renderBroadcastForm(w, r, code, f, id, status, postedSteps(r), err)
}

// createBroadcast saves the form as a draft, or launches it (now, at its
// scheduled time, or to moderation).
func (p *Portal) createBroadcast(w http.ResponseWriter, r *http.Request) {
	svc, _, ok := p.broadcastDeps(w, r)
	if !ok {
		return
	}
	f := readForm(r, broadcastFields()...)
	if steps, ok := addingStep(r); ok {
		p.renderBroadcastForm(w, r, http.StatusOK, f, 0, "", steps, nil)
		return
	}
	st := state(r)
	b := &herald.Broadcast{AccountID: st.User.AccountID, CreatedBy: st.User.Login, LaunchType: herald.LaunchManual}
	var vs herald.Violations
	p.readBroadcast(r, b, &vs)
	launch := r.PostForm.Get("action") == "launch"
	if len(vs) > 0 {
		p.saveBroadcastError(w, r, f, 0, "", withDomainChecks(vs, b, launch, p.clock.Now()))
		return
	}
	out, err := svc.Create(r.Context(), b, launch)
	if err != nil {
		p.saveBroadcastError(w, r, f, 0, "", err)
		return
	}
	p.redirect(w, r, broadcastPath(out.ID), savedMessage(out))
}

// savedMessage is the flash after a broadcast was saved or launched.
func savedMessage(b *herald.Broadcast) string {
	switch b.Status {
	case herald.BroadcastDraft:
		return "Broadcast " + b.Name + " saved as a draft."
	case herald.BroadcastModeration:
		return "Broadcast " + b.Name + " sent to moderation."
	case herald.BroadcastScheduled:
		return "Broadcast " + b.Name + " scheduled."
	}
	return "Broadcast " + b.Name + " launched."
}

// editBroadcast shows an editable broadcast in the form.
func (p *Portal) editBroadcast(w http.ResponseWriter, r *http.Request) {
	_, b, ok := p.loadBroadcast(w, r)
	if !ok {
		return
	}
	if !b.Status.Editable() {
		p.flashError(r, "A broadcast that is "+strings.ToLower(b.Status.Label())+" cannot be edited; copy it instead.")
		http.Redirect(w, r, broadcastPath(b.ID), http.StatusSeeOther)
		return
	}
	f := newForm(broadcastFields()...)
	setDefinitionForm(f, definition{Name: b.Name, Description: b.Description, Type: b.Type, Recipients: b.Recipients,
		RCSCheck: b.RCSCheck, ChatbotID: b.ChatbotID})
	f.set("when", "now")
	if b.ScheduledAt != nil {
		f.set("when", "later")
		f.set("scheduledAt", b.ScheduledAt.In(p.accountLoc(r)).Format(localTimeLayout))
	}
	p.renderBroadcastForm(w, r, http.StatusOK, f, b.ID, b.Status, storedSteps(b.Steps), nil)
}

// updateBroadcast saves an editable broadcast and, with "launch", launches
// it. A broadcast that is saved but cannot launch stays as it was saved,
// with the reasons shown.
func (p *Portal) updateBroadcast(w http.ResponseWriter, r *http.Request) {
	svc, b, ok := p.loadBroadcastFor(w, r)
	if !ok {
		return
	}
	f := readForm(r, broadcastFields()...)
	if steps, ok := addingStep(r); ok {
		p.renderBroadcastForm(w, r, http.StatusOK, f, b.ID, b.Status, steps, nil)
		return
	}
	var vs herald.Violations
	p.readBroadcast(r, b, &vs)
	if len(vs) > 0 {
		p.saveBroadcastError(w, r, f, b.ID, b.Status, withDomainChecks(vs, b, r.PostForm.Get("action") == "launch", p.clock.Now()))
		return
	}
	out, err := svc.Update(r.Context(), b)
	if err != nil {
		p.saveBroadcastError(w, r, f, b.ID, b.Status, err)
		return
	}
	// A scheduled broadcast is rescheduled by the update itself.
	if r.PostForm.Get("action") == "launch" && out.Status.Launchable() && out.Status != herald.BroadcastScheduled {
		if out, err = svc.Launch(r.Context(), b.AccountID, b.ID, herald.LaunchManual); err != nil {
			p.saveBroadcastError(w, r, f, b.ID, b.Status, err)
			return
		}
	}
	p.redirect(w, r, broadcastPath(out.ID), savedMessage(out))
}

// accountLoc returns the account's time zone (UTC when it names none
// known). Unlike newPage it leaves the flash messages for the page.
func (p *Portal) accountLoc(r *http.Request) *time.Location {
	if st := state(r); st != nil {
		if loc, err := time.LoadLocation(st.Account.TimeZone); err == nil {
			return loc
		}
	}
	return time.UTC
}

// timeIn formats t in the account's time zone as the pages do.
func (p *Portal) timeIn(r *http.Request, t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.In(p.accountLoc(r)).Format(timeLayout)
}

// withDomainChecks adds to vs (what the form could not read) the
// broadcast's own checks, so that one answer names every problem.
func withDomainChecks(vs herald.Violations, b *herald.Broadcast, launch bool, now time.Time) error {
	more := herald.ErrorViolations(b.Validate())
	if launch {
		more = append(more, herald.ErrorViolations(b.CheckLaunch(now))...)
	}
	for _, v := range more {
		if !vs.Has(v.Field) {
			vs = append(vs, v)
		}
	}
	return vs.Err()
}
