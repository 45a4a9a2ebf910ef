package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/problem"
)

// The Templates tab (reference 001 section 7.2): broadcast templates are
// saved broadcasts with an optional schedule (once, daily, weekly, monthly
// or cron, in the account's time zone, between effective from and till).
// Each launch, by the schedule or by hand, is a run in the Broadcasts tab.

// broadcastTemplatesPath is the Templates tab.
const broadcastTemplatesPath = "/broadcast-templates"

// broadcastTemplatesTable is the Templates table.
func broadcastTemplatesTable() tableSpec {
	return tableSpec{ID: "broadcast-templates", Path: broadcastTemplatesPath, Columns: herald.BroadcastTemplateColumns()}
}

// broadcastTemplatePath is the page of template id.
func broadcastTemplatePath(id int64) string {
	return broadcastTemplatesPath + "/" + strconv.FormatInt(id, 10)
}

// listBroadcastTemplates shows the Templates tab.
func (p *Portal) listBroadcastTemplates(w http.ResponseWriter, r *http.Request) {
	bs, ok := p.broadcastReads(w, r)
	if !ok {
		return
	}
	manage := state(r).User.Can(herald.PermBroadcastsManage)
	listPage[herald.BroadcastTemplate]{Spec: broadcastTemplatesTable(), Title: "Broadcast templates", Active: "broadcast",
		Empty: "No templates yet. A template is a saved broadcast that launches by hand, through the API or on a schedule.",
		List:  listInAccount(r, bs.ListBroadcastTemplates),
		Row: func(pg *page, t *herald.BroadcastTemplate) (map[string]cell, []rowAction, *detailTable) {
			return templateRowCells(pg, t), templateRowActions(t, manage), nil
		},
	}.show(p, w, r, "broadcast_templates")
}

// checkCell is a boolean cell: a tick or a cross.
func checkCell(b bool) cell {
	if b {
		return cell{Text: "✓"}
	}
	return cell{Text: "×", Muted: true}
}

// templateRowCells are the cells of one broadcast template.
func templateRowCells(pg *page, t *herald.BroadcastTemplate) map[string]cell {
	c := map[string]cell{
		"id":           {Text: strconv.FormatInt(t.ID, 10), Mono: true, Href: broadcastTemplatePath(t.ID)},
		"name":         {Text: t.Name, Href: broadcastTemplatePath(t.ID)},
		"type":         {Text: t.Type.Label()},
		"launches":     {Text: strconv.Itoa(t.Launches)},
		"lastLaunchAt": {Text: pg.TimePtr(t.LastLaunchAt)},
		"target":       checkCell(len(t.Recipients.TargetIDs) > 0),
		"schedule":     checkCell(t.Schedule != nil),
		"nextLaunchAt": {Text: pg.TimePtr(t.NextLaunchAt)},
		"description":  {Text: t.Description, Muted: true},
		"createdAt":    {Text: pg.Time(t.CreatedAt)},
	}
	if t.NextLaunchAt == nil && t.LastLaunchAt != nil {
		c["nextLaunchAt"] = cell{Text: pg.TimePtr(t.LastLaunchAt), Muted: true} // the reference shows the last launch then
	}
	if t.ScheduleStatus != "" {
		cls := "status"
		switch t.ScheduleStatus {
		case herald.ScheduleActive:
			cls = "status status-ok"
		case herald.ScheduleExpired:
			cls = "status status-bad"
		}
		c["scheduleStatus"] = cell{Text: strings.ToUpper(string(t.ScheduleStatus)), Status: cls}
	}
	if s := t.Schedule; s != nil {
		c["effectiveFrom"] = cell{Text: pg.TimePtr(s.From)}
		c["effectiveTill"] = cell{Text: pg.TimePtr(s.Till)}
	}
	return c
}

// templateAction is one thing that can be done to a broadcast template.
type templateAction struct {
	Name, Label, Icon, Confirm, Done string
	Danger                           bool
	applies                          func(t *herald.BroadcastTemplate) bool
}

// templateActionList lists the template actions.
func templateActionList() []templateAction {
	always := func(*herald.BroadcastTemplate) bool { return true }
	return []templateAction{
		{Name: "launch", Label: "Launch manually", Icon: "play", Confirm: "Launch a run of the template %s now?",
			Done: "Template %s launched.", applies: always},
		{Name: "pause", Label: "Pause schedule", Icon: "pause", Confirm: "Pause the schedule of %s? It launches nothing until resumed.",
			Done: "Schedule of %s paused.", applies: func(t *herald.BroadcastTemplate) bool {
				return t.Schedule != nil && t.ScheduleStatus != herald.SchedulePaused
			}},
		{Name: "resume", Label: "Resume schedule", Icon: "play", Confirm: "Resume the schedule of %s from now?",
			Done: "Schedule of %s resumed.", applies: func(t *herald.BroadcastTemplate) bool {
				return t.Schedule != nil && t.ScheduleStatus == herald.SchedulePaused
			}},
		{Name: "copy", Label: "Copy", Icon: "copy", Confirm: "Copy the template %s? The copy's schedule is paused.",
			Done: "Template %s copied.", applies: always},
		{Name: "delete", Label: "Delete", Icon: "trash", Danger: true, Confirm: "Delete the template %s? Its runs stay in the Broadcasts tab.",
			Done: "Template %s deleted.", applies: always},
	}
}

// templateRowActions are a template's row buttons.
func templateRowActions(t *herald.BroadcastTemplate, manage bool) []rowAction {
	href := broadcastTemplatePath(t.ID)
	if !manage {
		return []rowAction{{Label: "View", Icon: "eye", Href: href}}
	}
	out := []rowAction{{Label: "Edit", Icon: "edit", Href: href}}
	for _, a := range templateActionList() {
		if a.applies(t) {
			ra := rowAction{Label: a.Label, Icon: a.Icon, Href: href + "/" + a.Name, Danger: a.Danger}
			if a.Danger {
				ra.Confirm = fmt.Sprintf(a.Confirm, t.Name)
			}
			out = append(out, ra)
		}
	}
	return out
}

// templateActionRoutes are the GET (confirm) and POST (do) routes of
// every template action.
func (p *Portal) templateActionRoutes() []route {
	var out []route
	for _, a := range templateActionList() {
		path := broadcastTemplatesPath + "/{id}/" + a.Name
		out = append(out,
			route{"GET " + path, need(herald.PermBroadcastsManage), p.confirmTemplateAction(a)},
			route{"POST " + path, need(herald.PermBroadcastsManage), p.doTemplateAction(a)})
	}
	return out
}

// loadBroadcastTemplate loads the {id} template of the account; the
// service is nil in a process without it.
func (p *Portal) loadBroadcastTemplate(w http.ResponseWriter, r *http.Request) (Broadcasts, *herald.BroadcastTemplate, bool) {
	bs, ok := p.broadcastReads(w, r)
	if !ok {
		return nil, nil, false
	}
	t, ok := loadByID(p, w, r, getInAccount(r, bs.BroadcastTemplate))
	return p.broadcasts, t, ok
}

// loadTemplateFor loads the {id} template to change it with the service.
func (p *Portal) loadTemplateFor(w http.ResponseWriter, r *http.Request) (Broadcasts, *herald.BroadcastTemplate, bool) {
	if _, _, ok := p.broadcastDeps(w, r); !ok {
		return nil, nil, false
	}
	return p.loadBroadcastTemplate(w, r)
}

// confirmTemplateAction asks before a template action.
func (p *Portal) confirmTemplateAction(a templateAction) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, t, ok := p.loadBroadcastTemplate(w, r)
		if !ok {
			return
		}
		p.confirm(w, r, "broadcast", confirmData{Heading: a.Label, Message: fmt.Sprintf(a.Confirm, t.Name),
			Action: r.URL.Path, Button: a.Label, Cancel: broadcastTemplatesPath})
	}
}

// doTemplateAction runs a template action. A manual launch goes to the
// new run's page.
func (p *Portal) doTemplateAction(a templateAction) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		svc, t, ok := p.loadTemplateFor(w, r)
		if !ok {
			return
		}
		ctx, acc, id := r.Context(), t.AccountID, t.ID
		back := broadcastTemplatesPath
		var err error
		switch a.Name {
		case "launch":
			var run *herald.Broadcast
			if run, err = svc.LaunchTemplate(ctx, acc, id, herald.LaunchManual); err == nil {
				back = broadcastPath(run.ID)
			}
		case "pause":
			_, err = svc.PauseSchedule(ctx, acc, id)
		case "resume":
			_, err = svc.ResumeSchedule(ctx, acc, id)
		case "copy":
			var cp *herald.BroadcastTemplate
			if cp, err = svc.CopyTemplate(ctx, acc, id); err == nil {
				back = broadcastTemplatePath(cp.ID)
			}
		case "delete":
			err = p.bstore.DeleteBroadcastTemplate(ctx, acc, id)
		}
		p.afterAction(w, r, err, back, fmt.Sprintf(a.Done, t.Name))
	}
}

// templateFormData is the data of the broadcast template form.
type templateFormData struct {
	Chain   *chainData
	T       *herald.BroadcastTemplate // nil for a new one
	Zone    string
	Actions []templateAction
	Manage  bool
}

// Kind is the schedule kind chosen on the form ("" for none).
func (d *templateFormData) Kind() string { return d.Chain.Form.Get("schedule.kind") }

// Weekday reports whether weekday n is ticked.
func (d *templateFormData) Weekday(n int) bool {
	return d.Chain.Form.Has("schedule.weekdays", strconv.Itoa(n))
}

// weekday is a day of the week of the weekly schedule: 0 is Sunday.
type weekday struct {
	N    int
	Name string
}

// Weekdays are the days of the week for the weekly schedule, from Monday.
func (d *templateFormData) Weekdays() []weekday {
	names := []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	out := make([]weekday, 0, 7)
	for i := 1; i <= 7; i++ {
		out = append(out, weekday{i % 7, names[i%7]})
	}
	return out
}

// templateFields are the template form's inputs.
func templateFields() []string {
	return chainFields("schedule", "schedule.kind", "schedule.at", "schedule.time", "schedule.weekdays",
		"schedule.monthDays", "schedule.cron", "schedule.effectiveFrom", "schedule.effectiveTill")
}

// renderTemplateForm draws the template form.
func (p *Portal) renderTemplateForm(w http.ResponseWriter, r *http.Request, status int, f *form, t *herald.BroadcastTemplate, steps []rawStep, err error) {
	chain, cerr := p.newChain(r, f, steps, err)
	if cerr != nil {
		p.fail(w, r, cerr)
		return
	}
	chain.Template = true
	pg := p.newPage(r, "New template")
	if t != nil {
		pg.Title = t.Name
	}
	pg.Active = "broadcast"
	d := &templateFormData{Chain: chain, T: t, Zone: pg.loc.String(), Manage: state(r).User.Can(herald.PermBroadcastsManage)}
	if t != nil {
		for _, a := range templateActionList() {
			if a.applies(t) {
				d.Actions = append(d.Actions, a)
			}
		}
	}
	pg.Data = d
	p.renderStatus(w, r, status, "broadcast_template", pg)
}

// newBroadcastTemplate shows an empty template form.
func (p *Portal) newBroadcastTemplate(w http.ResponseWriter, r *http.Request) {
	if _, ok := p.broadcastReads(w, r); !ok {
		return
	}
	f := newForm(templateFields()...)
	f.set("type", string(herald.BroadcastFallback))
	steps := []rawStep{{Channel: herald.ChannelSMS, Criterion: string(herald.CriterionDelivery), Wait: "10", Unit: "min"}}
	p.renderTemplateForm(w, r, http.StatusOK, f, nil, steps, nil)
}

// readTemplate reads the posted form into t.
func (p *Portal) readTemplate(r *http.Request, t *herald.BroadcastTemplate, vs *herald.Violations) {
	d := readDefinition(r, vs)
	t.Name, t.Description, t.Type, t.Recipients, t.Steps = d.Name, d.Description, d.Type, d.Recipients, d.Steps
	t.RCSCheck, t.ChatbotID = d.RCSCheck, d.ChatbotID
	t.Schedule = p.readSchedule(r, vs)
}

// readSchedule reads the schedule inputs; nil without a kind.
func (p *Portal) readSchedule(r *http.Request, vs *herald.Violations) *herald.Schedule {
	f := r.PostForm
	kind := herald.ScheduleKind(f.Get("schedule.kind"))
	if kind == "" {
		return nil
	}
	s := &herald.Schedule{Kind: kind, Time: f.Get("schedule.time"), Cron: f.Get("schedule.cron")}
	if kind == herald.ScheduleOnce {
		s.At = p.readLocalTime(r, "schedule.at", vs, false)
	}
	if kind == herald.ScheduleWeekly {
		for _, v := range f["schedule.weekdays"] {
			if n, err := strconv.Atoi(v); err == nil {
				s.Weekdays = append(s.Weekdays, n)
			}
		}
	}
	if kind == herald.ScheduleMonthly {
		for _, v := range strings.FieldsFunc(f.Get("schedule.monthDays"), func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
			n, err := strconv.Atoi(v)
			if err != nil {
				vs.Add("schedule.monthDays", herald.VFormat, "Give the days of the month as numbers, such as 1, 15, 31.")
				break
			}
			s.MonthDays = append(s.MonthDays, n)
		}
	}
	s.From = p.readLocalTime(r, "schedule.effectiveFrom", vs, false)
	s.Till = p.readLocalTime(r, "schedule.effectiveTill", vs, false)
	return s
}

// setScheduleForm writes a saved schedule into f's inputs.
func setScheduleForm(f *form, s *herald.Schedule, loc *time.Location) {
	if s == nil {
		return
	}
	f.set("schedule.kind", string(s.Kind))
	f.set("schedule.time", s.Time)
	f.set("schedule.cron", s.Cron)
	for _, d := range s.Weekdays {
		f.Values.Add("schedule.weekdays", strconv.Itoa(d))
	}
	days := make([]string, len(s.MonthDays))
	for i, d := range s.MonthDays {
		days[i] = strconv.Itoa(d)
	}
	f.set("schedule.monthDays", strings.Join(days, ", "))
	if s.At != nil {
		f.set("schedule.at", s.At.In(loc).Format(localTimeLayout))
	}
	if s.From != nil {
		f.set("schedule.effectiveFrom", s.From.In(loc).Format(localTimeLayout))
	}
	if s.Till != nil {
		f.set("schedule.effectiveTill", s.Till.In(loc).Format(localTimeLayout))
	}
}

// saveTemplateFormError draws the form again with err.
func (p *Portal) saveTemplateFormError(w http.ResponseWriter, r *http.Request, f *form, t *herald.BroadcastTemplate, err error) {
	code := problem.Status(herald.ErrorCode(err))
	if code == http.StatusInternalServerError {
		p.fail(w, r, err)
		return
	}
	p.renderTemplateForm(w, r, code, f, t, postedSteps(r), err)
}

// createBroadcastTemplate saves a new template, its schedule active.
func (p *Portal) createBroadcastTemplate(w http.ResponseWriter, r *http.Request) {
	svc, _, ok := p.broadcastDeps(w, r)
	if !ok {
		return
	}
	f := readForm(r, templateFields()...)
	if steps, ok := addingStep(r); ok {
		p.renderTemplateForm(w, r, http.StatusOK, f, nil, steps, nil)
		return
	}
	st := state(r)
	t := &herald.BroadcastTemplate{AccountID: st.User.AccountID, CreatedBy: st.User.Login}
	var vs herald.Violations
	p.readTemplate(r, t, &vs)
	if err := vs.Err(); err != nil {
		p.saveTemplateFormError(w, r, f, nil, err)
		return
	}
	out, err := svc.CreateTemplate(r.Context(), t)
	if err != nil {
		p.saveTemplateFormError(w, r, f, nil, err)
		return
	}
	p.redirect(w, r, broadcastTemplatePath(out.ID), "Template "+out.Name+" saved."+nextLaunchNote(p.timeIn(r, out.NextLaunchAt)))
}

// nextLaunchNote says when a saved template launches next.
func nextLaunchNote(at string) string {
	if at == "" {
		return ""
	}
	return " Next launch: " + at + "."
}

// editBroadcastTemplate shows a template in its form.
func (p *Portal) editBroadcastTemplate(w http.ResponseWriter, r *http.Request) {
	_, t, ok := p.loadBroadcastTemplate(w, r)
	if !ok {
		return
	}
	f := newForm(templateFields()...)
	setDefinitionForm(f, definition{Name: t.Name, Description: t.Description, Type: t.Type, Recipients: t.Recipients,
		RCSCheck: t.RCSCheck, ChatbotID: t.ChatbotID})
	setScheduleForm(f, t.Schedule, p.accountLoc(r))
	p.renderTemplateForm(w, r, http.StatusOK, f, t, storedSteps(t.Steps), nil)
}

// updateBroadcastTemplate saves a template and computes its next launch.
func (p *Portal) updateBroadcastTemplate(w http.ResponseWriter, r *http.Request) {
	svc, t, ok := p.loadTemplateFor(w, r)
	if !ok {
		return
	}
	f := readForm(r, templateFields()...)
	if steps, ok := addingStep(r); ok {
		p.renderTemplateForm(w, r, http.StatusOK, f, t, steps, nil)
		return
	}
	var vs herald.Violations
	p.readTemplate(r, t, &vs)
	if err := vs.Err(); err != nil {
		p.saveTemplateFormError(w, r, f, t, err)
		return
	}
	out, err := svc.UpdateTemplate(r.Context(), t)
	if err != nil {
		p.saveTemplateFormError(w, r, f, t, err)
		return
	}
	p.redirect(w, r, broadcastTemplatePath(out.ID), "Template "+out.Name+" saved."+nextLaunchNote(p.timeIn(r, out.NextLaunchAt)))
}

// scheduleLabel describes a schedule for people: "Daily at 09:00".
func scheduleLabel(s *herald.Schedule) string {
	if s == nil {
		return "No schedule: launched by hand or through the API"
	}
	switch s.Kind {
	case herald.ScheduleOnce:
		return "Once"
	case herald.ScheduleDaily:
		return "Daily at " + s.Time
	case herald.ScheduleWeekly:
		return "Weekly at " + s.Time
	case herald.ScheduleMonthly:
		return "Monthly at " + s.Time
	case herald.ScheduleCron:
		return "Cron " + s.Cron
	}
	return string(s.Kind)
}
