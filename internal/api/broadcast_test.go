package api_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/api"
	"github.com/heraldhq/herald/internal/broadcast"
	"github.com/heraldhq/herald/internal/channel"
	"github.com/heraldhq/herald/internal/channel/sandbox"
	"github.com/heraldhq/herald/internal/engine"
	"github.com/heraldhq/herald/internal/jobs"
	"github.com/heraldhq/herald/internal/secret"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/storetest"
)

// newBroadcastFixture is the API fixture with the engine, the broadcast
// service and its runner on the sandbox, and a job queue that only
// inserts (scheduled launches are queued, not run).
func newBroadcastFixture(t *testing.T, s *store.Store) *fixture {
	f := newFixture(t, s)
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	box, _ := secret.NewBox(bytes.Repeat([]byte{9}, secret.KeySize))
	net := sandbox.NewNetwork(s, herald.SystemClock{}, log)
	reg := channel.NewRegistry()
	if err := reg.Register(herald.ConnectorSandbox, net.Factory()); err != nil {
		t.Fatal(err)
	}
	engineName := jobs.EngineSQLite
	if s.Engine() == store.EnginePostgres {
		engineName = jobs.EnginePostgres
	}
	jr, err := jobs.New(jobs.Config{Engine: engineName, SQLite: s.SQLiteDB(), Pool: s.PgxPool(), InsertOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := jr.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	svc := broadcast.New(broadcast.Deps{Store: s, Jobs: jr, Log: log})
	e := engine.New(engine.Config{Dispatch: true, Sweep: 20 * time.Millisecond}, engine.Deps{Store: s, Contacts: s, Connectors: reg,
		Box: box, Log: log, Hook: svc.Hook()})
	svc.UseEngine(e)
	runner := broadcast.NewRunner(svc, broadcast.RunnerConfig{Poll: 20 * time.Millisecond})
	if _, err := e.EnsureSandboxConnections(ctx); err != nil {
		t.Fatal(err)
	}
	conns, _ := s.Connections(ctx)
	for _, c := range conns {
		c.Settings = json.RawMessage(`{"deterministic": true, "deliveryLatency": "10ms", "seenLatency": "10ms"}`)
		if err := s.UpdateConnection(ctx, &c); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.ProvisionSandbox(ctx, f.accA.ID); err != nil {
		t.Fatal(err)
	}
	net.Start(ctx)
	if err := e.Start(ctx); err != nil {
		t.Fatal(err)
	}
	runner.Start(ctx)
	t.Cleanup(func() { runner.Stop(); _ = e.Stop(context.Background()); net.Stop() })
	f.srv = httptest.NewServer(api.New(api.Deps{Store: s, Auth: f.auth, Clock: herald.SystemClock{}, Log: log,
		Messages: e, MessageStore: s, Sandbox: e, Broadcasts: svc}))
	t.Cleanup(f.srv.Close)
	for i := range 5 {
		c := &herald.Contact{AccountID: f.accA.ID, Phone: fmt.Sprintf("+3460011122%d", i), Tags: []string{"vip"},
			Attributes: map[string]string{"Name": fmt.Sprintf("Ana %d", i)}}
		if err := s.CreateContact(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// TestBroadcastsAPI runs the broadcast scenarios on both engines.
func TestBroadcastsAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newBroadcastFixture(t, s)
		t.Run("lifecycle", func(t *testing.T) { testBroadcastLifecycle(t, f) })
		t.Run("bad input", func(t *testing.T) { testBroadcastBadInput(t, f) })
		t.Run("templates", func(t *testing.T) { testBroadcastTemplates(t, f) })
	})
}

// broadcastAnswer is the part of a broadcast answer the tests read.
type broadcastAnswer struct {
	ID         int64                `json:"id"`
	Status     string               `json:"status"`
	Contacts   int                  `json:"contacts"`
	LaunchType string               `json:"launchType"`
	Stats      herald.FallbackStats `json:"stats"`
	Progress   herald.Progress      `json:"progress"`
	Reason     string               `json:"reason"`
}

// smsBroadcast is a one-step SMS broadcast body to the vip tag.
func smsBroadcast(name string) map[string]any {
	return map[string]any{"name": name, "recipients": map[string]any{"tags": []string{"vip"}},
		"steps": []map[string]any{{"channel": "sms", "senderId": "sandbox", "payload": map[string]string{"text": "Hi {{attribute.Name}}"}, "waitingTime": 30}}}
}

// waitBroadcast polls GET /broadcasts/{id} until its status is want.
func waitBroadcast(t *testing.T, f *fixture, id int64, want string) broadcastAnswer {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var b broadcastAnswer
		f.want(f.do("GET", fmt.Sprintf("/api/v1/broadcasts/%d", id), f.keyA, nil), http.StatusOK).json(t, &b)
		if b.Status == want {
			return b
		}
		if time.Now().After(deadline) {
			t.Fatalf("broadcast %d is %s, want %s", id, b.Status, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func testBroadcastLifecycle(t *testing.T, f *fixture) {
	f.t = t
	var count struct{ Count int }
	f.want(f.do("POST", "/api/v1/broadcasts/count", f.keyA, map[string]any{"recipients": map[string]any{"tags": []string{"vip"}, "phones": []string{"+34699000111"}}}), 200).json(t, &count)
	if count.Count != 6 {
		t.Errorf("count = %d, want 6", count.Count)
	}
	var b broadcastAnswer
	r := f.want(f.do("POST", "/api/v1/broadcasts", f.keyA, smsBroadcast("Spring")), http.StatusCreated)
	r.json(t, &b)
	if b.Status != "draft" || r.header.Get("Location") != fmt.Sprintf("/api/v1/broadcasts/%d", b.ID) {
		t.Fatalf("created = %+v", b)
	}
	f.want(f.do("GET", fmt.Sprintf("/api/v1/broadcasts/%d", b.ID), f.keyB, nil), http.StatusNotFound)
	f.want(f.do("PATCH", fmt.Sprintf("/api/v1/broadcasts/%d", b.ID), f.keyA, map[string]any{"description": "first"}), http.StatusOK)
	f.want(f.do("POST", fmt.Sprintf("/api/v1/broadcasts/%d/launch", b.ID), f.keyA, nil), http.StatusOK).json(t, &b)
	if b.Status != "in_progress" || b.Contacts != 5 || b.LaunchType != "api" {
		t.Fatalf("launched = %+v", b)
	}
	done := waitBroadcast(t, f, b.ID, "complete")
	if done.Stats.Successful != 5 || done.Progress.Delivered != 100 {
		t.Errorf("complete = %+v", done)
	}
	var st struct {
		Fallback herald.FallbackStats  `json:"fallback"`
		Channels []herald.ChannelStats `json:"channels"`
	}
	f.want(f.do("GET", fmt.Sprintf("/api/v1/broadcasts/%d/statistics", b.ID), f.keyA, nil), http.StatusOK).json(t, &st)
	if st.Fallback.Initiated != 5 || len(st.Channels) != 1 || st.Channels[0].Delivered != 5 {
		t.Errorf("statistics = %+v", st)
	}
	var page struct {
		Items []herald.BroadcastRecipient `json:"items"`
		Next  string                      `json:"next"`
	}
	f.want(f.do("GET", fmt.Sprintf("/api/v1/broadcasts/%d/recipients?limit=2&f.outcome=eq:succeeded", b.ID), f.keyA, nil), http.StatusOK).json(t, &page)
	if len(page.Items) != 2 || page.Next == "" || page.Items[0].Status != herald.StatusDelivered {
		t.Errorf("recipients = %+v", page)
	}
	page.Items = nil
	f.want(f.do("GET", fmt.Sprintf("/api/v1/broadcasts/%d/recipients?f.result=eq:successful&f.channel=eq:sms", b.ID), f.keyA, nil), http.StatusOK).json(t, &page)
	if len(page.Items) != 5 || page.Items[0].Result != herald.ResultSuccessful || page.Items[0].Channel != herald.ChannelSMS {
		t.Errorf("successful recipients on SMS = %+v", page.Items)
	}
	page.Items = nil
	f.want(f.do("GET", fmt.Sprintf("/api/v1/broadcasts/%d/recipients?f.result=eq:in_progress", b.ID), f.keyA, nil), http.StatusOK).json(t, &page)
	if len(page.Items) != 0 {
		t.Errorf("recipients in progress of a complete broadcast = %+v", page.Items)
	}
	res := f.want(f.do("GET", fmt.Sprintf("/api/v1/broadcasts/%d/recipients/export", b.ID), f.keyA, nil), http.StatusOK)
	rows, err := csv.NewReader(bytes.NewReader(res.body)).ReadAll()
	if err != nil || len(rows) != 6 || rows[0][1] != "phone" || rows[1][6] != "succeeded" || rows[0][11] != "result" || rows[1][11] != "successful" {
		t.Errorf("export = %v, %v", rows, err)
	}
	f.want(f.do("POST", fmt.Sprintf("/api/v1/broadcasts/%d/pause", b.ID), f.keyA, nil), http.StatusConflict)
	p := f.want(f.do("POST", fmt.Sprintf("/api/v1/broadcasts/%d/relaunch-failed", b.ID), f.keyA, nil), http.StatusUnprocessableEntity).problem(t)
	if _, ok := p.violation("recipients"); !ok {
		t.Errorf("relaunch with nobody failed = %+v", p)
	}
	var cp broadcastAnswer
	f.want(f.do("POST", fmt.Sprintf("/api/v1/broadcasts/%d/copy", b.ID), f.keyA, nil), http.StatusCreated).json(t, &cp)
	if cp.Status != "draft" || cp.ID == b.ID {
		t.Errorf("copy = %+v", cp)
	}
	at := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	f.want(f.do("POST", fmt.Sprintf("/api/v1/broadcasts/%d/schedule", cp.ID), f.keyA, map[string]string{"scheduledAt": at}), http.StatusOK).json(t, &cp)
	if cp.Status != "scheduled" {
		t.Errorf("scheduled = %+v", cp)
	}
	f.want(f.do("POST", fmt.Sprintf("/api/v1/broadcasts/%d/abort", cp.ID), f.keyA, nil), http.StatusOK).json(t, &cp)
	if cp.Status != "aborted" {
		t.Errorf("aborted = %+v", cp)
	}
	var list struct {
		Items []broadcastAnswer `json:"items"`
	}
	f.want(f.do("GET", "/api/v1/broadcasts?f.status=eq:complete", f.keyA, nil), http.StatusOK).json(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != b.ID {
		t.Errorf("complete broadcasts = %+v", list.Items)
	}
	f.want(f.do("DELETE", fmt.Sprintf("/api/v1/broadcasts/%d", b.ID), f.keyA, nil), http.StatusConflict)
}

func testBroadcastBadInput(t *testing.T, f *fixture) {
	f.t = t
	noRecipients := smsBroadcast("x")
	delete(noRecipients, "recipients")
	noRecipients["launch"] = true
	past := smsBroadcast("y")
	past["launch"], past["scheduledAt"] = true, time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	badStep := smsBroadcast("z")
	badStep["launch"] = true
	badStep["steps"] = []map[string]any{{"channel": "sms", "payload": map[string]string{"text": "{{code}}"}, "waitingTime": 5}}
	cases := []struct {
		body   any
		fields []string
	}{
		{noRecipients, []string{"recipients"}},
		{past, []string{"scheduledAt"}},
		{badStep, []string{"steps[0].senderId", "steps[0].waitingTime"}},
		{map[string]any{"name": "w", "steps": []map[string]any{{"channel": "pigeon"}}}, []string{"steps[0].channel"}},
		{map[string]any{"name": "v", "scheduledAt": "tomorrow"}, []string{"scheduledAt"}},
	}
	for _, c := range cases {
		p := f.want(f.do("POST", "/api/v1/broadcasts", f.keyA, c.body), http.StatusUnprocessableEntity).problem(t)
		for _, field := range c.fields {
			if _, ok := p.violation(field); !ok {
				t.Errorf("POST %v: violations %+v lack %s", c.body, p.Violations, field)
			}
		}
	}
	key := f.key(f.accA.ID, "no-broadcast", herald.ScopeOmniAPI)
	f.want(f.do("GET", "/api/v1/broadcasts", key, nil), http.StatusForbidden)
}

func testBroadcastTemplates(t *testing.T, f *fixture) {
	f.t = t
	body := smsBroadcast("Daily news")
	body["schedule"] = map[string]any{"kind": "daily", "time": "09:00"}
	var tpl herald.BroadcastTemplate
	f.want(f.do("POST", "/api/v1/broadcast-templates", f.keyA, body), http.StatusCreated).json(t, &tpl)
	if tpl.ScheduleStatus != herald.ScheduleActive || tpl.NextLaunchAt == nil || tpl.Schedule.Time != "09:00" {
		t.Fatalf("template = %+v", tpl)
	}
	path := fmt.Sprintf("/api/v1/broadcast-templates/%d", tpl.ID)
	f.want(f.do("POST", path+"/pause", f.keyA, nil), http.StatusOK).json(t, &tpl)
	if tpl.ScheduleStatus != herald.SchedulePaused || tpl.NextLaunchAt != nil {
		t.Errorf("paused = %+v", tpl)
	}
	f.want(f.do("POST", path+"/resume", f.keyA, nil), http.StatusOK).json(t, &tpl)
	if tpl.ScheduleStatus != herald.ScheduleActive {
		t.Errorf("resumed = %+v", tpl)
	}
	p := f.want(f.do("PATCH", path, f.keyA, map[string]any{"schedule": map[string]any{"kind": "cron", "cron": "61 * * * *"}}), http.StatusUnprocessableEntity).problem(t)
	if _, ok := p.violation("schedule.cron"); !ok {
		t.Errorf("bad cron = %+v", p)
	}
	var run broadcastAnswer
	f.want(f.do("POST", path+"/launch", f.keyA, nil), http.StatusCreated).json(t, &run)
	if run.Status != "in_progress" || run.LaunchType != "api" {
		t.Errorf("run = %+v", run)
	}
	waitBroadcast(t, f, run.ID, "complete")
	f.want(f.do("GET", path, f.keyA, nil), http.StatusOK).json(t, &tpl)
	if tpl.Launches != 1 || tpl.LastLaunchAt == nil {
		t.Errorf("after launch = %+v", tpl)
	}
	var list struct {
		Items []herald.BroadcastTemplate `json:"items"`
	}
	f.want(f.do("GET", "/api/v1/broadcast-templates?f.scheduleStatus=eq:active", f.keyA, nil), http.StatusOK).json(t, &list)
	if len(list.Items) != 1 {
		t.Errorf("active templates = %+v", list.Items)
	}
	f.want(f.do("POST", path+"/copy", f.keyA, nil), http.StatusCreated)
	f.want(f.do("DELETE", path, f.keyA, nil), http.StatusNoContent)
	f.want(f.do("GET", path, f.keyA, nil), http.StatusNotFound)
}
