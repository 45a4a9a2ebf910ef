package web

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/broadcast"
	"github.com/heraldhq/herald/internal/channel"
	"github.com/heraldhq/herald/internal/channel/sandbox"
	"github.com/heraldhq/herald/internal/engine"
	"github.com/heraldhq/herald/internal/events"
	"github.com/heraldhq/herald/internal/jobs"
	"github.com/heraldhq/herald/internal/secret"
	"github.com/heraldhq/herald/internal/webhook"
)

// broadcastRig is the fixture's portal with broadcasts: the engine on the
// sandbox (deterministic), the broadcast service with its runner and
// jobs, and an embedded events bus carrying progress to the pages.
type broadcastRig struct {
	svc *broadcast.Service
	bus *events.Bus
}

// withBroadcasts gives f a portal with broadcasts.
func (f *fixture) withBroadcasts() *broadcastRig {
	t := f.t
	t.Helper()
	ctx := context.Background()
	box, err := secret.NewBox(bytes.Repeat([]byte{7}, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	rig := &broadcastRig{}
	reg := jobs.NewRegistry()
	if err := broadcast.RegisterJobs(reg, func() *broadcast.Service { return rig.svc }); err != nil {
		t.Fatal(err)
	}
	jr, err := jobs.New(jobs.Config{Engine: jobs.EngineSQLite, SQLite: f.store.SQLiteDB(), Registry: reg, PollInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := jr.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := jr.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if rig.bus, err = events.Open(ctx, events.Config{}); err != nil {
		t.Fatal(err)
	}
	net := sandbox.NewNetwork(f.store, herald.SystemClock{}, log)
	creg := channel.NewRegistry()
	if err := creg.Register(herald.ConnectorSandbox, net.Factory()); err != nil {
		t.Fatal(err)
	}
	rig.svc = broadcast.New(broadcast.Deps{Store: f.store, Jobs: jr, Log: log})
	rig.svc.SetPublisher(rig.bus)
	hooks := webhook.NewService(f.store, box, herald.SystemClock{})
	cfg := engine.Config{Dispatch: true, Instance: "web-test", Sweep: 20 * time.Millisecond, Heartbeat: 50 * time.Millisecond,
		RetryBase: 10 * time.Millisecond, MaxAttempts: 3}
	e := engine.New(cfg, engine.Deps{Store: f.store, Contacts: f.store, Templates: f.store, Connectors: creg, Box: box, Log: log, Hook: rig.svc.Hook()})
	rig.svc.UseEngine(e)
	runner := broadcast.NewRunner(rig.svc, broadcast.RunnerConfig{Poll: 20 * time.Millisecond})
	if _, err := e.EnsureSandboxConnections(ctx); err != nil {
		t.Fatal(err)
	}
	conns, err := f.store.Connections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range conns {
		c.Settings = json.RawMessage(sandboxSettings)
		if err := f.store.UpdateConnection(ctx, &c); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.ProvisionSandbox(ctx, f.account.ID); err != nil {
		t.Fatal(err)
	}
	net.Start(ctx)
	if err := e.Start(ctx); err != nil {
		t.Fatal(err)
	}
	runner.Start(ctx)
	t.Cleanup(func() {
		runner.Stop()
		_ = e.Stop(context.Background())
		net.Stop()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = jr.Stop(sctx)
		_ = rig.bus.Close()
	})
	p, err := New(Config{Logger: testLogger(t)}, Deps{Store: f.store, Auth: f.auth, Clock: f.clock, Messaging: e,
		Webhooks: hooks, ConnectorTypes: creg.Types(), Media: f.media, Broadcasts: rig.svc, Events: rig.bus})
	if err != nil {
		t.Fatal(err)
	}
	f.portal = p
	f.srv.Config.Handler = p.Handler()
	return rig
}

// newContacts creates contacts with the given numbers, tagged tag, with
// the attribute Name.
func (f *fixture) newContacts(tag string, phones ...string) {
	f.t.Helper()
	ctx := sys(f.account.ID)
	if _, err := f.store.Attributes(ctx, f.account.ID); err != nil {
		f.t.Fatal(err)
	}
	for _, ph := range phones {
		c := &herald.Contact{AccountID: f.account.ID, Phone: ph, Tags: []string{tag}, Attributes: map[string]string{}}
		if err := f.store.CreateContact(ctx, c); err != nil {
			f.t.Fatal(err)
		}
	}
}

// stepForm adds one chain step's inputs to v, in order.
func stepForm(v url.Values, ch, sender, payload, wait, unit string) {
	v.Add(stepChannel, ch)
	v.Add(stepPayload, payload)
	v.Add(stepSender, sender)
	v.Add(stepTemplate, "")
	v.Add(stepParams, "")
	v.Add(stepCriterion, "delivery")
	v.Add(stepWait, wait)
	v.Add(stepWaitUnit, unit)
}

// stepError returns the error shown beside step n's (from 1) input name.
func stepError(body string, n int, name string) string {
	steps := strings.Split(body, `<li class="chain-step card" data-step>`)
	if n >= len(steps) {
		return ""
	}
	s := steps[n]
	i := strings.Index(s, `data-step-error="`+name+`">`)
	if i < 0 {
		return ""
	}
	s = s[i+len(`data-step-error="`+name+`">`):]
	return s[:strings.Index(s, "<")]
}

// TestBroadcastFormShowsViolationsAtFields posts the bad input of the issue
// and finds each problem beside its field, with nothing saved.
func TestBroadcastFormShowsViolationsAtFields(t *testing.T) {
	f := newFixture(t)
	f.withBroadcasts()
	c, _ := f.signedInClient(f.account.ID, f.roles[herald.RoleBroadcastManager], "bea")

	// No recipients, no sender ID on a step, a waiting time out of bounds,
	// a scheduled time in the past.
	v := url.Values{"name": {"Spring"}, "type": {"fallback"}, "when": {"later"}, "action": {"launch"},
		"scheduledAt": {time.Now().Add(-time.Hour).Format(localTimeLayout)}}
	stepForm(v, "rcs", "", `{"text":"Hi"}`, "5", "s")
	stepForm(v, "sms", "sandbox", `{"text":"Hi"}`, "80", "h")
	res := c.post("/broadcasts", v)
	if res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad launch: %d, want 422\n%s", res.Status, res.Body)
	}
	if fieldError(res.Body, "recipients") == "" {
		t.Errorf("no error beside the recipients:\n%s", res.Body)
	}
	if got := fieldError(res.Body, "scheduledAt"); !strings.Contains(got, "in the past") {
		t.Errorf("scheduled time error: %q", got)
	}
	if got := stepError(res.Body, 1, "senderId"); got == "" {
		t.Error("no error beside step 1's sender ID")
	}
	if got := stepError(res.Body, 1, "waitingTime"); !strings.Contains(got, "waiting time") {
		t.Errorf("step 1's waiting time error: %q", got)
	}
	if got := stepError(res.Body, 2, "waitingTime"); !strings.Contains(got, "waiting time") {
		t.Errorf("step 2's waiting time error: %q", got)
	}
	if got := stepError(res.Body, 2, "senderId"); got != "" {
		t.Errorf("step 2's sender ID has an error: %q", got)
	}
	mustContain(t, res.Body, `value="Spring"`) // the form keeps what was typed

	// Content with a placeholder that is no attribute, and a content
	// template whose variable is not an attribute (and has no value).
	tmpl := &herald.Template{AccountID: f.account.ID, Name: "Code", Channel: herald.ChannelSMS,
		Payload: []byte(`{"text":"Your code {{code}}"}`), Variables: []string{"code"}}
	if err := f.portal.templates.CreateTemplate(sys(f.account.ID), tmpl); err != nil {
		t.Fatal(err)
	}
	f.newContacts("vip", "+34600100009")
	v = url.Values{"name": {"Spring"}, "type": {"fallback"}, "when": {"now"}, "action": {"launch"}, fieldTags: {"vip"}}
	stepForm(v, "rcs", "sandbox", `{"text":"Hi {{attribute.Nickname}}"}`, "1", "min")
	stepForm(v, "sms", "sandbox", "", "1", "min")
	v[stepTemplate][1] = fmt.Sprint(tmpl.ID)
	res = c.post("/broadcasts", v)
	if res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad content: %d, want 422\n%s", res.Status, res.Body)
	}
	if !strings.Contains(res.Body, "Nickname") || !strings.Contains(res.Body, "names no contact attribute") {
		t.Errorf("the unknown attribute is not named:\n%s", res.Body)
	}
	if got := stepError(res.Body, 2, "template"); !strings.Contains(got, "not a contact attribute") {
		t.Errorf("step 2's template error: %q", got)
	}
	page, err := f.store.ListBroadcasts(context.Background(), f.account.ID, herald.ListQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 0 {
		t.Errorf("refused launches saved %d broadcasts", len(page.Items))
	}

	// Without scripts, "Add channel" draws the form again with one more step.
	v.Set("action", "add-step")
	res = c.post("/broadcasts", v)
	if n := strings.Count(res.Body, `<li class="chain-step card" data-step>`); res.Status != http.StatusOK || n != 3+1 {
		t.Errorf("add step: %d with %d steps (the blank one included)", res.Status, n)
	}

	// The recipient count counts what the form selects.
	res = c.post("/broadcasts/count", url.Values{fieldTags: {"vip"}, fieldPhones: {"+34600100008, +34600100009"}})
	if res.Status != http.StatusOK || !strings.Contains(res.Body, `"count":2`) {
		t.Errorf("count: %d %s", res.Status, res.Body)
	}
}

// TestBroadcastPagesFlow saves a draft, launches it, follows it to the end
// on its page and its event stream, relaunches it for the failed, copies
// it, and runs a template with a daily schedule.
func TestBroadcastPagesFlow(t *testing.T) {
	f := newFixture(t)
	f.withBroadcasts()
	c, _ := f.signedInClient(f.account.ID, f.roles[herald.RoleBroadcastManager], "bea")
	f.newContacts("spring", "+34600200009", "+34600200019", "+34600200002")

	v := url.Values{"name": {"Spring"}, "description": {"First run"}, "type": {"fallback"}, "when": {"now"}, "action": {"draft"}, fieldTags: {"spring"}}
	stepForm(v, "sms", "sandbox", `{"text":"Spring sale"}`, "1", "min")
	res := c.post("/broadcasts", v)
	if res.Status != http.StatusSeeOther {
		t.Fatalf("draft: %d\n%s", res.Status, res.Body)
	}
	var id int64
	if _, err := fmt.Sscanf(res.Location, "/broadcasts/%d", &id); err != nil {
		t.Fatalf("draft went to %q", res.Location)
	}
	mustContain(t, c.get(res.Location).Body, "saved as a draft", "Draft", "Spring sale")
	mustContain(t, c.get(fmt.Sprintf("/broadcasts/%d/edit", id)).Body, `value="Spring"`, "Spring sale", `value="spring" checked`)

	// Launch from the edit form.
	v.Set("action", "launch")
	res = c.post(fmt.Sprintf("/broadcasts/%d", id), v)
	if res.Status != http.StatusSeeOther {
		t.Fatalf("launch: %d\n%s", res.Status, res.Body)
	}
	var b *herald.Broadcast
	eventually(t, "the broadcast to complete", func() bool {
		var err error
		b, err = f.store.Broadcast(context.Background(), f.account.ID, id)
		return err == nil && b.Status == herald.BroadcastComplete
	})
	if b.Stats.Total != 3 || b.Stats.Successful != 2 || b.Stats.Unsuccessful != 1 {
		t.Fatalf("stats %+v", b.Stats)
	}

	// The event stream sends the state and ends with the broadcast.
	ev := readEvents(t, c, fmt.Sprintf("/broadcasts/%d/events", id))
	if len(ev) == 0 || ev[0].Status != herald.BroadcastComplete || !ev[0].Final || !strings.Contains(ev[0].HTML, `data-stat="successful">2<`) {
		t.Fatalf("events: %+v", ev)
	}

	// The list and the page show the progress and the statistics.
	list := c.get("/broadcasts").Body
	mustContain(t, list, "Spring", "Complete", "data-progress", "Delivered 66% (2), undelivered 33% (1)")
	detail := c.get(fmt.Sprintf("/broadcasts/%d", id)).Body
	mustContain(t, detail, `data-stat="total">3<`, `data-stat="unsuccessful">1<`, `data-channel-stats="sms"`, "chart-donut", "chart-bars",
		fmt.Sprintf(`href="/broadcasts/%d/contacts"`, id), "Relaunch for failed")

	// Relaunch for failed: a new run for the one failed contact.
	res = c.post(fmt.Sprintf("/broadcasts/%d/relaunch-failed", id), url.Values{})
	if res.Status != http.StatusSeeOther || res.Location == fmt.Sprintf("/broadcasts/%d", id) {
		t.Fatalf("relaunch: %d to %s", res.Status, res.Location)
	}
	mustContain(t, c.get(res.Location).Body, "Relaunched Spring for the failed contacts.", "Relaunch of")

	// Copy makes a draft and opens its form; a draft can be deleted.
	res = c.post(fmt.Sprintf("/broadcasts/%d/copy", id), url.Values{})
	if res.Status != http.StatusSeeOther || !strings.HasSuffix(res.Location, "/edit") {
		t.Fatalf("copy: %d to %s", res.Status, res.Location)
	}
	copyPath := strings.TrimSuffix(res.Location, "/edit")
	mustContain(t, c.get(res.Location).Body, `value="Spring (copy)"`)
	res = c.post(copyPath+"/delete", url.Values{})
	if res.Status != http.StatusSeeOther || res.Location != "/broadcasts" {
		t.Fatalf("delete: %d to %s", res.Status, res.Location)
	}
	// A complete broadcast cannot be deleted or edited.
	res = c.post(fmt.Sprintf("/broadcasts/%d/delete", id), url.Values{})
	mustContain(t, c.get(res.Location).Body, "alert-error")

	// A template with a daily schedule shows its next launch; a manual
	// launch is a run listed with the template's ID.
	tv := url.Values{"name": {"Daily news"}, "type": {"fallback"}, fieldTags: {"spring"},
		"schedule.kind": {"daily"}, "schedule.time": {"09:30"}}
	stepForm(tv, "sms", "sandbox", `{"text":"News"}`, "10", "min")
	res = c.post("/broadcast-templates", tv)
	if res.Status != http.StatusSeeOther {
		t.Fatalf("template: %d\n%s", res.Status, res.Body)
	}
	tpage := c.get(res.Location).Body
	mustContain(t, tpage, "Template Daily news saved. Next launch:", "Daily at 09:30", "active")
	var tid int64
	if _, err := fmt.Sscanf(res.Location, "/broadcast-templates/%d", &tid); err != nil {
		t.Fatal(err)
	}
	mustContain(t, c.get("/broadcast-templates").Body, "Daily news", "ACTIVE", "Daily")
	res = c.post(fmt.Sprintf("/broadcast-templates/%d/pause", tid), url.Values{})
	mustContain(t, c.get(res.Location).Body, "Schedule of Daily news paused.", "PAUSED")
	res = c.post(fmt.Sprintf("/broadcast-templates/%d/resume", tid), url.Values{})
	mustContain(t, c.get(res.Location).Body, "Schedule of Daily news resumed.", "ACTIVE")
	res = c.post(fmt.Sprintf("/broadcast-templates/%d/launch", tid), url.Values{})
	if res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Location, "/broadcasts/") {
		t.Fatalf("launch template: %d to %s", res.Status, res.Location)
	}
	mustContain(t, c.get(res.Location).Body, fmt.Sprintf(`href="/broadcast-templates/%d"`, tid), "Manual")
	mustContain(t, c.get(runsLink(tid)).Body, "Daily news", fmt.Sprintf(`>%d</a>`, tid))

	// A broadcast scheduled for later waits; its form keeps the time; it
	// can be aborted.
	sv := url.Values{"name": {"Later"}, "type": {"fallback"}, "when": {"later"}, "action": {"launch"}, fieldTags: {"spring"},
		"scheduledAt": {time.Now().Add(2 * time.Hour).In(time.UTC).Format(localTimeLayout)}}
	stepForm(sv, "sms", "sandbox", `{"text":"Later"}`, "1", "min")
	res = c.post("/broadcasts", sv)
	if res.Status != http.StatusSeeOther {
		t.Fatalf("schedule: %d\n%s", res.Status, res.Body)
	}
	later := res.Location
	mustContain(t, c.get(later).Body, "Broadcast Later scheduled.", "Scheduled", later+"/events")
	mustContain(t, c.get(later+"/edit").Body, `value="later" checked`, sv.Get("scheduledAt"))
	res = c.post(later+"/abort", url.Values{})
	mustContain(t, c.get(res.Location).Body, "Broadcast Later aborted.", "Aborted")

	// The table filters and sorts.
	mustContain(t, c.get("/broadcasts?f.launchType=eq:manual&sort=contacts&desc=1").Body, "Spring")
	if body := c.get("/broadcasts?f.status=eq:draft").Body; strings.Contains(body, "Spring") {
		t.Error("the status filter lets complete broadcasts through")
	}

	// With moderation on, launching sends to moderation.
	if err := f.store.SetBroadcastModeration(context.Background(), f.account.ID, true); err != nil {
		t.Fatal(err)
	}
	mustContain(t, c.get("/broadcasts/new").Body, "Send to moderation")
	v.Set("name", "Moderated")
	res = c.post("/broadcasts", v)
	if res.Status != http.StatusSeeOther {
		t.Fatalf("moderated launch: %d\n%s", res.Status, res.Body)
	}
	mustContain(t, c.get(res.Location).Body, "Broadcast Moderated sent to moderation.", "Moderation")

	// A bad schedule is shown at its field.
	tv.Set("schedule.time", "9h")
	res = c.post("/broadcast-templates", tv)
	if res.Status != http.StatusUnprocessableEntity || fieldError(res.Body, "schedule.time") == "" {
		t.Errorf("bad schedule time: %d\n%s", res.Status, fieldError(res.Body, "schedule.time"))
	}
}

// readEvents reads a server-sent event stream until it ends.
func readEvents(t *testing.T, c *client, path string) []liveBroadcastEvent {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", c.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("events: content type %q", ct)
	}
	var out []liveBroadcastEvent
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	event := ""
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: ") && event == "progress":
			var ev liveBroadcastEvent
			if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &ev); err != nil {
				t.Fatal(err)
			}
			out = append(out, ev)
		case event == "end":
			return out
		}
	}
	return out
}

// TestBroadcastRoles checks the actions of the Broadcast section against
// the system roles: the Broadcast manager and the Administrator act, the
// NOC engineer only looks, the Finance manager does not see broadcasts.
func TestBroadcastRoles(t *testing.T) {
	f := newFixture(t)
	f.withBroadcasts()
	f.newContacts("r", "+34600300009")
	bc := &herald.Broadcast{AccountID: f.account.ID, Name: "Roles", Recipients: herald.Recipients{Tags: []string{"r"}},
		Steps: []herald.BroadcastStep{{Channel: herald.ChannelSMS, SenderID: "sandbox", Payload: json.RawMessage(`{"text":"Hi"}`)}}}
	if err := f.store.CreateBroadcast(sys(f.account.ID), bc); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		role string
		view bool
		act  bool
	}{{herald.RoleAdmin, true, true}, {herald.RoleBroadcastManager, true, true}, {herald.RoleNOCEngineer, true, false}, {herald.RoleFinanceManager, false, false}} {
		t.Run(tc.role, func(t *testing.T) {
			c, _ := f.signedInClient(f.account.ID, f.roles[tc.role], "u"+strings.ReplaceAll(strings.ToLower(tc.role), " ", ""))
			want := func(ok bool, good int) int {
				if ok {
					return good
				}
				return http.StatusForbidden
			}
			if got := c.get(fmt.Sprintf("/broadcasts/%d", bc.ID)).Status; got != want(tc.view, http.StatusOK) {
				t.Errorf("view: %d", got)
			}
			if !tc.view { // a stream of a draft stays open: only the refusal is quick to check
				if got := c.get(fmt.Sprintf("/broadcasts/%d/events", bc.ID)).Status; got != http.StatusForbidden {
					t.Errorf("events: %d", got)
				}
			}
			if got := c.post("/broadcasts", url.Values{"name": {""}}).Status; got != want(tc.act, http.StatusUnprocessableEntity) {
				t.Errorf("create: %d", got)
			}
			if got := c.post("/broadcasts/count", url.Values{fieldTags: {"r"}}).Status; got != want(tc.act, http.StatusOK) {
				t.Errorf("count: %d", got)
			}
			if got := c.post("/broadcast-templates", url.Values{"name": {""}}).Status; got != want(tc.act, http.StatusUnprocessableEntity) {
				t.Errorf("create template: %d", got)
			}
			if got := c.post(fmt.Sprintf("/broadcasts/%d/copy", bc.ID), url.Values{}).Status; got != want(tc.act, http.StatusSeeOther) {
				t.Errorf("copy: %d", got)
			}
		})
	}
}

// TestBroadcastTemplateSchedules saves templates with each kind of
// schedule and shows a bad one's problems at their fields.
func TestBroadcastTemplateSchedules(t *testing.T) {
	f := newFixture(t)
	f.withBroadcasts()
	c, _ := f.signedInClient(f.account.ID, f.roles[herald.RoleBroadcastManager], "bea")
	base := func(name string) url.Values {
		v := url.Values{"name": {name}, "type": {"fallback"}, fieldPhones: {"+34600700009"}}
		stepForm(v, "sms", "sandbox", `{"text":"Hi"}`, "10", "min")
		return v
	}
	for _, tc := range []struct {
		name  string
		set   url.Values
		label string
	}{
		{"Weekly", url.Values{"schedule.kind": {"weekly"}, "schedule.time": {"08:15"}, "schedule.weekdays": {"1", "3"}}, "Weekly at 08:15"},
		{"Monthly", url.Values{"schedule.kind": {"monthly"}, "schedule.time": {"07:00"}, "schedule.monthDays": {"1, 31"}}, "Monthly at 07:00"},
		{"Cron", url.Values{"schedule.kind": {"cron"}, "schedule.cron": {"0 9 * * 1-5"}}, "Cron 0 9 * * 1-5"},
		{"Once", url.Values{"schedule.kind": {"once"}, "schedule.at": {time.Now().Add(48 * time.Hour).UTC().Format(localTimeLayout)}}, "Once"},
		{"Manual", url.Values{}, "No schedule"},
	} {
		v := base(tc.name)
		for k, vals := range tc.set {
			v[k] = vals
		}
		res := c.post("/broadcast-templates", v)
		if res.Status != http.StatusSeeOther {
			t.Fatalf("%s: %d\n%s", tc.name, res.Status, res.Body)
		}
		page := c.get(res.Location).Body
		mustContain(t, page, tc.label)
		if tc.name == "Weekly" {
			mustContain(t, page, `name="schedule.weekdays" value="1" checked`, `name="schedule.weekdays" value="3" checked`)
		}
		if tc.name == "Monthly" {
			mustContain(t, page, `value="1, 31"`)
		}
	}
	v := base("Bad")
	v.Set("schedule.kind", "cron")
	v.Set("schedule.cron", "61 * * * *")
	v.Set("schedule.effectiveFrom", "2030-01-02T10:00")
	v.Set("schedule.effectiveTill", "2030-01-01T10:00")
	res := c.post("/broadcast-templates", v)
	if res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad schedule: %d", res.Status)
	}
	if fieldError(res.Body, "schedule.cron") == "" || fieldError(res.Body, "schedule.effectiveTill") == "" {
		t.Errorf("cron %q, till %q", fieldError(res.Body, "schedule.cron"), fieldError(res.Body, "schedule.effectiveTill"))
	}
}
