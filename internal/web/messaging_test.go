package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/channel"
	"github.com/heraldhq/herald/internal/channel/sandbox"
	"github.com/heraldhq/herald/internal/engine"
	"github.com/heraldhq/herald/internal/secret"
	"github.com/heraldhq/herald/internal/webhook"
)

// sandboxSettings make the sandbox exact and fast for tests.
const sandboxSettings = `{"deterministic": true, "deliveryLatency": "20ms", "seenLatency": "20ms"}`

// withMessaging gives f a running engine on its store with the sandbox
// connector in deterministic mode, sandbox sender IDs for f's account,
// and a portal that uses the engine.
func (f *fixture) withMessaging() *engine.Engine {
	t := f.t
	t.Helper()
	ctx := context.Background()
	box, err := secret.NewBox(bytes.Repeat([]byte{7}, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	clock := herald.SystemClock{}
	net := sandbox.NewNetwork(f.store, clock, log)
	reg := channel.NewRegistry()
	if err := reg.Register(herald.ConnectorSandbox, net.Factory()); err != nil {
		t.Fatal(err)
	}
	hooks := webhook.NewService(f.store, box, clock)
	cfg := engine.Config{Dispatch: true, Instance: "web-test", Sweep: 20 * time.Millisecond,
		Heartbeat: 50 * time.Millisecond, RetryBase: 10 * time.Millisecond, MaxAttempts: 3}
	d := webhook.NewDeliverer(webhook.Config{Instance: cfg.Instance, Poll: 20 * time.Millisecond}, f.store, hooks, clock, log, nil)
	e := engine.New(cfg, engine.Deps{Store: f.store, Contacts: f.store, Connectors: reg, Box: box, Webhooks: d, Log: log})
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
	d.Start(ctx)
	if err := e.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Stop(context.Background()); net.Stop(); d.Stop() })
	p, err := New(Config{Logger: testLogger(t)}, Deps{Store: f.store, Auth: f.auth, Clock: f.clock,
		Messaging: e, Webhooks: hooks, ConnectorTypes: reg.Types()})
	if err != nil {
		t.Fatal(err)
	}
	f.portal = p
	f.srv.Config.Handler = p.Handler()
	return e
}

// eventually retries check until it passes or a few seconds pass.
func eventually(t *testing.T, what string, check func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(25 * time.Millisecond) {
		if check() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

var sentID = regexp.MustCompile(`Test message ([0-9a-f-]{36}) sent`)

func TestMessagePages(t *testing.T) {
	f := newFixture(t)
	f.withMessaging()
	c, _ := f.signedInClient(f.account.ID, f.roles[herald.RoleBroadcastManager], "bea")

	// The test message form names bad fields.
	res := c.post("/sandbox/send", url.Values{"channel": {"sms"}, "senderId": {"sandbox"}})
	if res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("empty send: %d, want 422", res.Status)
	}
	if fieldError(res.Body, "destination") == "" || fieldError(res.Body, "text") == "" {
		t.Errorf("empty send shows no field errors:\n%s", res.Body)
	}

	// Send a test SMS; the flash names the message.
	res = c.post("/sandbox/send", url.Values{"channel": {"sms"}, "senderId": {"sandbox"},
		"destination": {"+491701234567"}, "text": {"Hello from the portal"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("send: %d, want 303:\n%s", res.Status, res.Body)
	}
	page := c.get(res.Location)
	m := sentID.FindStringSubmatch(page.Body)
	if m == nil {
		t.Fatalf("no sent message in the flash:\n%s", page.Body)
	}
	id := m[1]

	// It reaches the device and is delivered; the log and its page show it.
	eventually(t, "delivery", func() bool {
		msg, err := f.store.Message(context.Background(), f.account.ID, id)
		return err == nil && msg.Status.Final()
	})
	mustContain(t, c.get("/sandbox?device=%2B491701234567").Body, "Hello from the portal", `data-inbox-message="`+id+`"`)
	mustContain(t, c.get("/messages").Body, id)
	mustContain(t, c.get("/messages?f.origin=portal").Body, id)
	detail := c.get("/messages/" + id).Body
	mustContain(t, detail, "Hello from the portal", "Status timeline", "accepted", "sent", "delivered", "2000 sent")

	// Reply as the contact: an inbound message appears in the log.
	res = c.post("/sandbox/reply", url.Values{"messageId": {id}, "device": {"+491701234567"}, "text": {"STOP? no, thanks!"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("reply: %d", res.Status)
	}
	mustContain(t, c.get(res.Location).Body, "Reply received as inbound message")
	mustContain(t, c.get("/messages?f.direction=mo").Body, "491701234567", "received", ">MO<")

	// The EDRs list both, and export them as CSV and XLSX.
	mustContain(t, c.get("/edrs").Body, id, "DELIVRD")
	exp := c.get("/edrs/export?format=csv&sort=acceptedAt")
	if exp.Status != http.StatusOK || !strings.HasPrefix(exp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("CSV export: %d %s", exp.Status, exp.Header.Get("Content-Type"))
	}
	rows, err := csv.NewReader(strings.NewReader(exp.Body)).ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("CSV rows = %d (%v), want header + 2", len(rows), err)
	}
	if got := rows[1][4] + " " + rows[1][7] + " " + rows[1][8] + " " + rows[2][7]; got != id+" MT DELIVRD MO" {
		t.Errorf("CSV rows = %q", got)
	}
	x := c.get("/edrs/export?format=xlsx&f.direction=mt")
	xf, err := excelize.OpenReader(strings.NewReader(x.Body))
	if err != nil {
		t.Fatalf("XLSX export: %v", err)
	}
	defer xf.Close()
	if v, _ := xf.GetCellValue("EDRs", "E2"); v != id {
		t.Errorf("XLSX E2 = %q, want %s", v, id)
	}
	if res := c.get("/edrs/export?format=pdf"); res.Status != http.StatusBadRequest {
		t.Errorf("pdf export: %d, want 400", res.Status)
	}

	// Another account's message is not found; a bad filter is explained.
	if res := c.get("/messages/00000000-0000-7000-8000-000000000000"); res.Status != http.StatusNotFound {
		t.Errorf("unknown message: %d, want 404", res.Status)
	}
	mustContain(t, c.get("/messages?f.channel=pigeon").Body, "alert-error")
}

func TestFailingDestinationsAndWebhooks(t *testing.T) {
	f := newFixture(t)
	f.withMessaging()
	c, _ := f.signedInClient(f.account.ID, f.roles[herald.RoleAdmin], "ada")
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer recv.Close()
	key := &herald.APIKey{AccountID: f.account.ID, Name: "shop", Scopes: []herald.Scope{herald.ScopeOmniAPI}, WebhookURL: recv.URL}
	if _, err := f.auth.CreateAPIKey(sys(f.account.ID), key); err != nil {
		t.Fatal(err)
	}
	// A rejected destination fails with its detail on the timeline.
	res := c.post("/sandbox/send", url.Values{"channel": {"sms"}, "senderId": {"sandbox"},
		"destination": {"+491700000001"}, "text": {"x"}})
	id := sentID.FindStringSubmatch(c.get(res.Location).Body)[1]
	eventually(t, "failure", func() bool {
		msg, err := f.store.Message(context.Background(), f.account.ID, id)
		return err == nil && msg.Status == herald.StatusFailed
	})
	mustContain(t, c.get("/messages/"+id).Body, "status-bad", "failed")
	mustContain(t, c.get("/webhooks").Body, "No webhook deliveries match.")
}
