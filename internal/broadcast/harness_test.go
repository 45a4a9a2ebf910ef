package broadcast_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/broadcast"
	"github.com/heraldhq/herald/internal/channel"
	"github.com/heraldhq/herald/internal/channel/sandbox"
	"github.com/heraldhq/herald/internal/engine"
	"github.com/heraldhq/herald/internal/jobs"
	"github.com/heraldhq/herald/internal/secret"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/storetest"
)

// deterministic are the sandbox settings of the tests: exact and fast.
const deterministic = `{"deterministic": true, "deliveryLatency": "10ms", "seenLatency": "10ms"}`

// harness is a running engine with the broadcast service, its hook, its
// runner and a job runner, on a real store with the sandbox connector.
type harness struct {
	t       *testing.T
	s       *store.Store
	svc     *broadcast.Service
	runner  *broadcast.Runner
	e       *engine.Engine
	net     *sandbox.Network
	jobs    *jobs.Runner
	box     *secret.Box
	account *herald.Account
	ctx     context.Context // carries an actor of the account
	batch   int
	events  *recorder
}

// recorder is a Publisher that keeps the events.
type recorder struct {
	mu     sync.Mutex
	events []herald.BroadcastProgress
}

func (r *recorder) Publish(_ context.Context, subject string, data []byte) error {
	var ev herald.BroadcastProgress
	if err := json.Unmarshal(data, &ev); err != nil {
		return err
	}
	if subject != herald.BroadcastSubject(ev.AccountID, ev.ID) {
		return fmt.Errorf("subject %q for broadcast %d", subject, ev.ID)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
	return nil
}

// statuses returns the statuses broadcast id's events reported, in order.
func (r *recorder) statuses(id int64) []herald.BroadcastStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []herald.BroadcastStatus
	for _, ev := range r.events {
		if ev.ID == id && (len(out) == 0 || out[len(out)-1] != ev.Status) {
			out = append(out, ev.Status)
		}
	}
	return out
}

// engines runs fn on SQLite and on PostgreSQL.
func engines(t *testing.T, fn func(t *testing.T, h *harness)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, newHarness(t, storetest.OpenSQLite(t), 500)) })
	t.Run("postgres", func(t *testing.T) { fn(t, newHarness(t, storetest.OpenPostgres(t), 500)) })
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// newHarness boots everything on s; batch is the runner's batch size.
func newHarness(t *testing.T, s *store.Store, batch int) *harness {
	t.Helper()
	box, err := secret.NewBox(bytes.Repeat([]byte{7}, secret.KeySize))
	must(t, err)
	h := &harness{t: t, s: s, box: box, batch: batch, events: &recorder{}}
	ctx := context.Background()
	h.account = &herald.Account{Name: "acme", TimeZone: "Europe/Madrid"}
	must(t, s.CreateAccount(ctx, h.account))
	h.ctx = herald.WithActor(ctx, herald.Actor{AccountID: h.account.ID, UserID: 1, Login: "ann"})
	h.startJobs()
	h.start()
	created, err := h.e.EnsureSandboxConnections(ctx)
	must(t, err)
	if created {
		conns, err := s.Connections(ctx)
		must(t, err)
		for _, c := range conns {
			c.Settings = json.RawMessage(deterministic)
			must(t, s.UpdateConnection(ctx, &c))
		}
		h.restart(false) // the connectors read their settings when opened
	}
	must(t, h.e.ProvisionSandbox(ctx, h.account.ID))
	return h
}

// startJobs starts a River runner with the broadcast jobs.
func (h *harness) startJobs() {
	reg := jobs.NewRegistry()
	must(h.t, broadcast.RegisterJobs(reg, func() *broadcast.Service { return h.svc }))
	engineName := jobs.EngineSQLite
	if h.s.Engine() == store.EnginePostgres {
		engineName = jobs.EnginePostgres
	}
	r, err := jobs.New(jobs.Config{Engine: engineName, SQLite: h.s.SQLiteDB(), Pool: h.s.PgxPool(), Registry: reg,
		PollInterval: 50 * time.Millisecond})
	must(h.t, err)
	ctx := context.Background()
	must(h.t, r.Migrate(ctx))
	must(h.t, r.Start(ctx))
	h.jobs = r
	h.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = r.Stop(ctx)
	})
}

// start builds and starts the sandbox, the engine and the runner.
func (h *harness) start() {
	log := slog.New(slog.DiscardHandler)
	cfg := engine.Config{Dispatch: true, SandboxSenders: true, Sweep: 20 * time.Millisecond, Heartbeat: 50 * time.Millisecond,
		DeadAfter: 400 * time.Millisecond, RetryBase: 10 * time.Millisecond, Lease: 10 * time.Second, LeaseMargin: time.Second,
		MaxAttempts: 3, AccountQueue: 200}
	h.net = sandbox.NewNetwork(h.s, herald.SystemClock{}, log)
	reg := channel.NewRegistry()
	must(h.t, reg.Register(herald.ConnectorSandbox, h.net.Factory()))
	h.svc = broadcast.New(broadcast.Deps{Store: h.s, Jobs: h.jobs, Log: log})
	h.svc.SetPublisher(h.events)
	h.e = engine.New(cfg, engine.Deps{Store: h.s, Contacts: h.s, Connectors: reg, Box: h.box, Log: log, Hook: h.svc.Hook()})
	h.svc.UseEngine(h.e)
	h.runner = broadcast.NewRunner(h.svc, broadcast.RunnerConfig{Batch: h.batch, Hold: time.Second, Poll: 50 * time.Millisecond})
	ctx := context.Background()
	h.net.Start(ctx)
	must(h.t, h.e.Start(ctx))
	h.runner.Start(ctx)
	e, net, r := h.e, h.net, h.runner
	h.t.Cleanup(func() { r.Stop(); _ = e.Stop(context.Background()); net.Stop() })
}

// restart stops everything, as a crash would (kill) or cleanly, and
// starts it again on the same database.
func (h *harness) restart(kill bool) {
	if kill {
		h.runner.Kill()
		h.e.Kill()
	} else {
		h.runner.Stop()
		must(h.t, h.e.Stop(context.Background()))
	}
	h.net.Stop()
	h.start()
}

// contacts creates n contacts +346NNNNNNN9 (N from first), tagged tag,
// with the attribute Name, and returns them. Their numbers end in 9: no
// sandbox test destination.
func (h *harness) contacts(first, n int, tag string) []*herald.Contact {
	h.t.Helper()
	var out []*herald.Contact
	for i := first; i < first+n; i++ {
		out = append(out, h.contact(fmt.Sprintf("+346%07d9", i), tag))
	}
	return out
}

// contact creates one contact with the attribute Name, tagged tag.
func (h *harness) contact(phone, tag string) *herald.Contact {
	h.t.Helper()
	c := &herald.Contact{AccountID: h.account.ID, Phone: phone, Attributes: map[string]string{"Name": "N" + phone[len(phone)-4:]}, Tags: []string{tag}}
	must(h.t, h.s.CreateContact(h.ctx, c))
	return c
}

// storetestSQLite opens a fresh SQLite store.
func storetestSQLite(t *testing.T) *store.Store { return storetest.OpenSQLite(t) }

// rcsThenSMS is a two-step chain: RCS, then SMS after waiting.
func rcsThenSMS(wait int) []herald.BroadcastStep {
	return []herald.BroadcastStep{
		{Channel: herald.ChannelRCS, SenderID: "sandbox", Payload: json.RawMessage(`{"text":"Hola {{attribute.Name}}"}`), WaitingTime: wait},
		{Channel: herald.ChannelSMS, SenderID: "sandbox", Payload: json.RawMessage(`{"text":"Hola {{attribute.Name}}, por SMS"}`), WaitingTime: wait},
	}
}

// waitStatus waits until broadcast id has status want and returns it.
func (h *harness) waitStatus(id int64, want herald.BroadcastStatus) *herald.Broadcast {
	h.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		b, err := h.s.Broadcast(h.ctx, h.account.ID, id)
		must(h.t, err)
		if b.Status == want {
			return b
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("broadcast %d is %s (%+v, %s), want %s", id, b.Status, b.Stats, b.Reason, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitFor waits until cond holds.
func (h *harness) waitFor(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// recipients returns every recipient of broadcast id.
func (h *harness) recipients(id int64) []herald.BroadcastRecipient {
	h.t.Helper()
	var out []herald.BroadcastRecipient
	must(h.t, h.s.EachBroadcastRecipient(h.ctx, h.account.ID, id, herald.ListQuery{Sort: "seq"}, func(r *herald.BroadcastRecipient) error {
		out = append(out, *r)
		return nil
	}))
	return out
}

// hasViolation reports whether err names field with code.
func hasViolation(err error, field, code string) bool {
	for _, v := range herald.ErrorViolations(err) {
		if v.Field == field && v.Code == code {
			return true
		}
	}
	return false
}
