package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/api"
	"github.com/heraldhq/herald/internal/channel"
	"github.com/heraldhq/herald/internal/channel/sandbox"
	"github.com/heraldhq/herald/internal/engine"
	"github.com/heraldhq/herald/internal/secret"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/storetest"
	"github.com/heraldhq/herald/internal/webhook"
)

// messagingFixture is the API fixture with the messaging engine on the
// sandbox.
type messagingFixture struct {
	*fixture
	e *engine.Engine
}

func newMessagingFixture(t *testing.T, s *store.Store) *messagingFixture {
	f := newFixture(t, s)
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	box, _ := secret.NewBox(bytes.Repeat([]byte{9}, secret.KeySize))
	net := sandbox.NewNetwork(s, herald.SystemClock{}, log)
	reg := channel.NewRegistry()
	if err := reg.Register(herald.ConnectorSandbox, net.Factory()); err != nil {
		t.Fatal(err)
	}
	hooks := webhook.NewService(s, box, herald.SystemClock{})
	e := engine.New(engine.Config{Dispatch: true, Sweep: 20 * time.Millisecond}, engine.Deps{Store: s, Contacts: s, Connectors: reg, Box: box, Log: log})
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
	t.Cleanup(func() { _ = e.Stop(context.Background()); net.Stop() })
	f.srv = httptest.NewServer(api.New(api.Deps{Store: s, Auth: f.auth, Clock: herald.SystemClock{}, Log: log,
		Messages: e, MessageStore: s, Webhooks: hooks, Sandbox: e}))
	t.Cleanup(f.srv.Close)
	return &messagingFixture{fixture: f, e: e}
}

// TestMessagesAPI runs the message scenarios on both engines.
func TestMessagesAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newMessagingFixture(t, s)
		t.Run("send", f.testSend)
		t.Run("violations", f.testViolations)
		t.Run("omnimessage", f.testOmni)
		t.Run("cancel", f.testCancel)
		t.Run("idempotency", f.testSendIdempotency)
		t.Run("sms preview", f.testPreview)
		t.Run("webhook settings", f.testWebhookSettings)
		t.Run("sandbox", f.testSandboxReply)
	})
}

// message is the part of a message answer the tests read.
type message struct {
	ID       string          `json:"id"`
	Status   string          `json:"status"`
	Channel  int             `json:"channel"`
	Encoding string          `json:"encoding"`
	Segments int             `json:"segments"`
	ChainID  string          `json:"chainId"`
	Steps    int             `json:"steps"`
	History  []historyEntry  `json:"history"`
	Chain    *herald.Chain   `json:"chain"`
	Payload  json.RawMessage `json:"payload"`
}

type historyEntry struct {
	Type   string `json:"type"`
	Status string `json:"status"`
}

// waitMessage polls GET /messages/{id} until its status is want.
func (f *messagingFixture) waitMessage(t *testing.T, id, want string) message {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var m message
		f.want(f.do("GET", "/api/v1/messages/"+id, f.keyA, nil), http.StatusOK).json(t, &m)
		if m.Status == want {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("message %s is %s, want %s", id, m.Status, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (f *messagingFixture) testSend(t *testing.T) {
	f.t = t
	body := map[string]any{"contact": "+34600111222", "channel": 1, "senderId": "sandbox", "payload": map[string]string{"text": "Hello {"},
		"callbackData": "cb-1", "correlationId": "c-1"}
	r := f.want(f.do("POST", "/api/v1/messages", f.keyA, body), http.StatusAccepted)
	var m message
	r.json(t, &m)
	if m.ID == "" || m.Status != "queued" || m.Encoding != "GSM-7" || m.Segments != 1 || r.header.Get("Location") != "/api/v1/messages/"+m.ID {
		t.Fatalf("202 answer = %s", r.body)
	}
	// The 202 came after the commit: the message is there at once.
	f.want(f.do("GET", "/api/v1/messages/"+m.ID, f.keyA, nil), http.StatusOK)
	got := f.waitMessage(t, m.ID, "delivered")
	var hist []string
	for _, h := range got.History {
		hist = append(hist, h.Status)
	}
	if strings.Join(hist, ",") != "accepted,sent,delivered" {
		t.Errorf("history = %v", hist)
	}
	f.want(f.do("GET", "/api/v1/messages/"+m.ID, f.keyB, nil), http.StatusNotFound)
	var page struct {
		Items []message `json:"items"`
	}
	f.want(f.do("GET", "/api/v1/messages?f.status=delivered&f.channel=sms", f.keyA, nil), http.StatusOK).json(t, &page)
	if len(page.Items) == 0 || page.Items[0].ID != m.ID {
		t.Errorf("list = %+v", page.Items)
	}
	f.want(f.do("GET", "/api/v1/messages?f.payload=x", f.keyA, nil), http.StatusUnprocessableEntity)
	byName := map[string]any{"contact": map[string]string{"phone": "+34600111223"}, "channel": "sms", "senderId": "SANDBOX", "payload": map[string]string{"text": "x"}}
	f.want(f.do("POST", "/api/v1/messages", f.keyA, byName), http.StatusAccepted)
}

func (f *messagingFixture) testViolations(t *testing.T) {
	f.t = t
	restricted := f.restrictedKey(t)
	base := func() map[string]any {
		return map[string]any{"contact": "+34600111222", "channel": 1, "senderId": "sandbox", "payload": map[string]string{"text": "x"}}
	}
	cases := []struct {
		name  string
		key   string
		edit  func(b map[string]any)
		field string
	}{
		{"unknown channel", f.keyA, func(b map[string]any) { b["channel"] = 42 }, "channel"},
		{"unknown channel name", f.keyA, func(b map[string]any) { b["channel"] = "pigeon" }, "channel"},
		{"sender not allowed", restricted, func(map[string]any) {}, "senderId"},
		{"unknown sender", f.keyA, func(b map[string]any) { b["senderId"] = "nobody" }, "senderId"},
		{"content over limit", f.keyA, func(b map[string]any) { b["payload"] = map[string]string{"text": strings.Repeat("ab", 1000)} }, "payload.text"},
		{"unknown payload field", f.keyA, func(b map[string]any) { b["payload"] = map[string]any{"text": "x", "colour": "red"} }, "payload.colour"},
		{"bad phone number", f.keyA, func(b map[string]any) { b["contact"] = "+12" }, "contact"},
		{"missing contact", f.keyA, func(b map[string]any) { delete(b, "contact") }, "contact"},
		{"missing template params", f.keyA, func(b map[string]any) { b["payload"] = map[string]string{"text": "Your code {{code}}"} }, "template.params.code"},
		{"templates", f.keyA, func(b map[string]any) {
			delete(b, "payload")
			b["template"] = map[string]any{"id": 7, "params": map[string]any{"code": 1}}
		}, "template.id"},
		{"bad sendAt", f.keyA, func(b map[string]any) { b["sendAt"] = "tomorrow" }, "sendAt"},
		{"bad webhook", f.keyA, func(b map[string]any) { b["webhook"] = "ftp://x" }, "webhook"},
		{"unknown field", f.keyA, func(b map[string]any) { b["priority"] = "high" }, "priority"},
	}
	for _, c := range cases {
		b := base()
		c.edit(b)
		p := f.want(f.do("POST", "/api/v1/messages", c.key, b), http.StatusUnprocessableEntity).problem(t)
		if _, ok := p.violation(c.field); !ok {
			t.Errorf("%s: violations %+v, want %q", c.name, p.Violations, c.field)
		}
	}
	noScope := f.key(f.accA.ID, "admin only", herald.ScopeAdmin)
	f.want(f.do("POST", "/api/v1/messages", noScope, base()), http.StatusForbidden)
}

// restrictedKey returns a key of account A that may send only from "Acme".
func (f *messagingFixture) restrictedKey(t *testing.T) string {
	k := &herald.APIKey{AccountID: f.accA.ID, Name: "acme only", Scopes: []herald.Scope{herald.ScopeOmniAPI}, SenderIDs: []string{"Acme"}}
	secret, err := f.auth.CreateAPIKey(context.Background(), k)
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

func (f *messagingFixture) testOmni(t *testing.T) {
	f.t = t
	body := map[string]any{"contact": "+34600110004", "messages": []map[string]any{
		{"channel": 2, "senderId": "sandbox", "payload": map[string]string{"text": "rich"}, "successCriterion": "delivery", "waitingTime": 60},
		{"channel": 1, "senderId": "sandbox", "payload": map[string]string{"text": "plain"}, "successCriterion": "submit", "waitingTime": 60},
	}}
	var m message
	f.want(f.do("POST", "/api/v1/omnimessages", f.keyA, body), http.StatusAccepted).json(t, &m)
	if m.ChainID != m.ID || m.Steps != 2 || m.Channel != 2 {
		t.Fatalf("omnimessage answer = %+v", m)
	}
	got := f.waitMessage(t, m.ID, "failed")
	deadline := time.Now().Add(5 * time.Second)
	for got.Chain == nil || got.Chain.Outcome != herald.ChainSucceeded {
		if time.Now().After(deadline) {
			t.Fatalf("chain = %+v", got.Chain)
		}
		time.Sleep(10 * time.Millisecond)
		f.want(f.do("GET", "/api/v1/messages/"+m.ID, f.keyA, nil), http.StatusOK).json(t, &got)
	}
	if got.Chain.Current != 1 || got.History[len(got.History)-1].Type != "switch" {
		t.Errorf("chain %+v, history %+v", got.Chain, got.History)
	}
	bad := map[string]any{"contact": "+34600111222", "messages": []map[string]any{
		{"channel": 2, "senderId": "sandbox", "payload": map[string]string{"text": "x"}, "successCriterion": "eventually"},
		{"channel": 99, "senderId": "sandbox", "payload": map[string]string{"text": "x"}},
	}}
	p := f.want(f.do("POST", "/api/v1/omnimessages", f.keyA, bad), http.StatusUnprocessableEntity).problem(t)
	for _, field := range []string{"messages[0].successCriterion", "messages[1].channel"} {
		if _, ok := p.violation(field); !ok {
			t.Errorf("violations %+v, want %q", p.Violations, field)
		}
	}
}

func (f *messagingFixture) testCancel(t *testing.T) {
	f.t = t
	at := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	body := map[string]any{"contact": "+34600111222", "channel": 1, "senderId": "sandbox", "payload": map[string]string{"text": "later"}, "sendAt": at}
	var m message
	f.want(f.do("POST", "/api/v1/messages", f.keyA, body), http.StatusAccepted).json(t, &m)
	if m.Status != "scheduled" {
		t.Fatalf("status = %s", m.Status)
	}
	f.want(f.do("POST", "/api/v1/messages/"+m.ID+"/cancel", f.keyB, nil), http.StatusNotFound)
	f.want(f.do("POST", "/api/v1/messages/"+m.ID+"/cancel", f.keyA, nil), http.StatusOK).json(t, &m)
	if m.Status != "canceled" {
		t.Errorf("after cancel: %s", m.Status)
	}
	f.want(f.do("POST", "/api/v1/messages/"+m.ID+"/cancel", f.keyA, nil), http.StatusConflict)
}

func (f *messagingFixture) testSendIdempotency(t *testing.T) {
	f.t = t
	body := map[string]any{"contact": "+34600111222", "channel": 1, "senderId": "sandbox", "payload": map[string]string{"text": "once"}}
	var a, b message
	f.want(f.do("POST", "/api/v1/messages", f.keyA, body, "Idempotency-Key", "send-once"), http.StatusAccepted).json(t, &a)
	r := f.want(f.do("POST", "/api/v1/messages", f.keyA, body, "Idempotency-Key", "send-once"), http.StatusAccepted)
	r.json(t, &b)
	if a.ID != b.ID || r.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("repeat made %s (replayed %q), first %s", b.ID, r.header.Get("Idempotent-Replayed"), a.ID)
	}
}

func (f *messagingFixture) testPreview(t *testing.T) {
	f.t = t
	var p struct {
		Encoding       string   `json:"encoding"`
		Segments       int      `json:"segments"`
		CharactersLeft int      `json:"charactersLeft"`
		UCS2           []string `json:"ucs2Characters"`
	}
	f.want(f.do("POST", "/api/v1/sms/preview", f.keyA, map[string]string{"text": "Hi ❤ and ✓"}), http.StatusOK).json(t, &p)
	if p.Encoding != "UCS-2" || p.Segments != 1 || p.CharactersLeft != 60 || fmt.Sprint(p.UCS2) != "[❤ ✓]" {
		t.Errorf("preview = %+v", p)
	}
	f.want(f.do("POST", "/api/v1/sms/preview", f.keyA, map[string]string{"text": strings.Repeat("a", 161)}), http.StatusOK).json(t, &p)
	if p.Encoding != "GSM-7" || p.Segments != 2 || p.CharactersLeft != 145 || len(p.UCS2) != 0 {
		t.Errorf("preview of 161 letters = %+v", p)
	}
}

func (f *messagingFixture) testWebhookSettings(t *testing.T) {
	f.t = t
	var w struct {
		Secret string `json:"secret"`
		Format string `json:"format"`
		Batch  bool   `json:"batch"`
	}
	f.want(f.do("GET", "/api/v1/webhook", f.keyA, nil), http.StatusOK).json(t, &w)
	if !strings.HasPrefix(w.Secret, "whsec_") || w.Format != "envelope" {
		t.Fatalf("webhook settings = %+v", w)
	}
	first := w.Secret
	f.want(f.do("PATCH", "/api/v1/webhook", f.keyA, map[string]any{"batch": true, "format": "delivery-info"}), http.StatusOK).json(t, &w)
	if !w.Batch || w.Format != "delivery-info" || w.Secret != first {
		t.Errorf("after PATCH = %+v", w)
	}
	f.want(f.do("PATCH", "/api/v1/webhook", f.keyA, map[string]any{"batchSize": 1000}), http.StatusUnprocessableEntity)
	f.want(f.do("POST", "/api/v1/webhook/rotate-secret", f.keyA, nil), http.StatusOK).json(t, &w)
	if w.Secret == first {
		t.Error("rotating kept the secret")
	}
	f.want(f.do("GET", "/api/v1/webhook-deliveries", f.keyA, nil), http.StatusOK)
	f.want(f.do("GET", "/api/v1/webhook-deliveries/999999", f.keyA, nil), http.StatusNotFound)
}

func (f *messagingFixture) testSandboxReply(t *testing.T) {
	f.t = t
	body := map[string]any{"contact": "+34600117777", "channel": 1, "senderId": "sandbox", "payload": map[string]string{"text": "Answer me"}}
	var m message
	f.want(f.do("POST", "/api/v1/messages", f.keyA, body), http.StatusAccepted).json(t, &m)
	f.waitMessage(t, m.ID, "delivered")
	var inbox struct {
		Items []herald.SandboxMessage `json:"items"`
	}
	f.want(f.do("GET", "/api/v1/sandbox/inbox?destination=%2B34600117777", f.keyA, nil), http.StatusOK).json(t, &inbox)
	if len(inbox.Items) != 1 || inbox.Items[0].MessageID != m.ID {
		t.Fatalf("inbox = %+v", inbox.Items)
	}
	var in message
	f.want(f.do("POST", "/api/v1/sandbox/replies", f.keyA, map[string]string{"messageId": m.ID, "text": "Yes!"}), http.StatusCreated).json(t, &in)
	if in.Status != "received" {
		t.Errorf("reply = %+v", in)
	}
	f.want(f.do("POST", "/api/v1/sandbox/replies", f.keyA, map[string]string{"messageId": m.ID, "text": ""}), http.StatusUnprocessableEntity)
}
