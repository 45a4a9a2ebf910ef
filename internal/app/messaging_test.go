package app_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/webhook"
)

// hookReceiver is a customer's webhook endpoint: it verifies signatures
// and keeps the events.
type hookReceiver struct {
	mu     sync.Mutex
	secret string
	events []webhook.Envelope
	bad    int
	srv    *httptest.Server
}

func newHookReceiver(t *testing.T) *hookReceiver {
	r := &hookReceiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.secret == "" || webhook.Verify(r.secret, req.Header.Get(webhook.HeaderSignature), body, time.Now(), time.Minute) != nil {
			r.bad++
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var env webhook.Envelope
		_ = json.Unmarshal(body, &env)
		r.events = append(r.events, env)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

// hookedKey creates the API key "shop" with scopes (comma separated)
// whose webhooks go to a new receiver that knows the key's signing
// secret.
func hookedKey(t *testing.T, h *instance, env map[string]string, scopes string) (string, *hookReceiver) {
	t.Helper()
	hooks := newHookReceiver(t)
	code, out, errOut := runCLI(t, env, "apikey", "create", "--name", "shop", "--scopes", scopes, "--webhook", hooks.srv.URL)
	if code != 0 {
		t.Fatalf("apikey create: %d %s", code, errOut)
	}
	key := strings.TrimSpace(out)
	var settings struct {
		Secret string `json:"secret"`
	}
	apiGet(t, h.url+"/api/v1/webhook", key, &settings)
	hooks.mu.Lock()
	hooks.secret = settings.Secret
	hooks.mu.Unlock()
	return key, hooks
}

// wait waits for an event about message id with type and status.
func (r *hookReceiver) wait(t *testing.T, id, typ, status string) webhook.Envelope {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		r.mu.Lock()
		for _, e := range r.events {
			if e.Data.MessageID == id && e.Type == typ && string(e.Data.Status) == status {
				r.mu.Unlock()
				return e
			}
		}
		r.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no %s %s webhook for %s", typ, status, id)
	return webhook.Envelope{}
}

// apiPost posts body with key and decodes the answer into v.
func apiPost(t *testing.T, u, key string, body any, want int, v any) {
	t.Helper()
	status, data := apiSend(t, u, key, body)
	if status != want {
		t.Fatalf("POST %s = %d %s", u, status, data)
	}
	if v != nil {
		if err := json.Unmarshal([]byte(data), v); err != nil {
			t.Fatal(err)
		}
	}
}

// sentMessage is what the tests read of message answers.
type sentMessage struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	Channel int    `json:"channel"`
	Chain   *struct {
		Outcome          string `json:"outcome"`
		CurrentStep      int    `json:"currentStep"`
		CurrentMessageID string `json:"currentMessageId"`
	} `json:"chain"`
	History []struct {
		Type   string `json:"type"`
		Status string `json:"status"`
	} `json:"history"`
}

// TestMessagingFlow is the new user's tour: send an SMS and an RCS-then-SMS
// chain to the sandbox, watch the fallback, get the signed webhooks, answer
// from the sandbox and get the inbound webhook, and send from the shell.
func TestMessagingFlow(t *testing.T) {
	engines(t, func(t *testing.T, env map[string]string) {
		h := start(t, env)
		key, hooks := hookedKey(t, h, env, "omni-api")

		var sms sentMessage
		apiPost(t, h.url+"/api/v1/messages", key, map[string]any{"contact": "+34600123456", "channel": 1, "senderId": "sandbox",
			"payload": map[string]string{"text": "Hello from Herald"}}, http.StatusAccepted, &sms)
		hooks.wait(t, sms.ID, "message.status", "sent")
		hooks.wait(t, sms.ID, "message.status", "delivered")

		var chain sentMessage
		apiPost(t, h.url+"/api/v1/omnimessages", key, map[string]any{"contact": "+34600120004", "messages": []map[string]any{
			{"channel": 2, "senderId": "sandbox", "payload": map[string]string{"text": "Rich"}, "successCriterion": "delivery", "waitingTime": 30},
			{"channel": 1, "senderId": "sandbox", "payload": map[string]string{"text": "Plain"}, "successCriterion": "delivery", "waitingTime": 30},
		}}, http.StatusAccepted, &chain)
		sw := hooks.wait(t, chain.ID, "message.status", "failed")
		deadline := time.Now().Add(20 * time.Second)
		var got sentMessage
		for got.Chain == nil || got.Chain.Outcome != "succeeded" {
			if time.Now().After(deadline) {
				t.Fatalf("chain did not succeed: %+v (webhook %+v)", got.Chain, sw.Data)
			}
			time.Sleep(50 * time.Millisecond)
			apiGet(t, h.url+"/api/v1/messages/"+chain.ID, key, &got)
		}
		if got.Chain.CurrentStep != 1 || got.History[len(got.History)-1].Type != "switch" {
			t.Errorf("chain %+v, history %+v", got.Chain, got.History)
		}
		hooks.wait(t, got.Chain.CurrentMessageID, "message.status", "delivered")

		var reply sentMessage
		apiPost(t, h.url+"/api/v1/sandbox/replies", key, map[string]string{"messageId": sms.ID, "text": "Thanks"}, http.StatusCreated, &reply)
		hooks.wait(t, reply.ID, "message.inbound", "received")
		hooks.mu.Lock()
		if hooks.bad > 0 {
			t.Errorf("%d webhook requests had bad signatures", hooks.bad)
		}
		hooks.mu.Unlock()

		code, out, errOut := runCLI(t, env, "send", "--to", "+34600129999", "--wait", "Hello from the shell")
		if lines := strings.Fields(out); code != 0 || len(lines) != 2 || lines[1] != "delivered" {
			t.Fatalf("send --wait with a server: %d %q %q", code, out, errOut)
		}
	})
}

// TestCLISend sends from the shell with no server running: the command
// sends the message itself.
func TestCLISend(t *testing.T) {
	engines(t, func(t *testing.T, env map[string]string) {
		if code, _, errOut := runCLI(t, env, "migrate"); code != 0 {
			t.Fatalf("migrate: %s", errOut)
		}
		code, out, errOut := runCLI(t, env, "send", "--channel", "rcs", "--to", "+34600129998", "--wait", "Hello")
		if lines := strings.Fields(out); code != 0 || len(lines) != 2 || lines[1] != "delivered" {
			t.Fatalf("send --wait: %d %q %q", code, out, errOut)
		}
		code, out, errOut = runCLI(t, env, "send", "--to", "+34600120001", "--wait", "Refused")
		if code != 1 || !strings.Contains(out, "failed") || !strings.Contains(errOut, "refused") {
			t.Fatalf("send to a refusing number: %d %q %q", code, out, errOut)
		}
		code, _, errOut = runCLI(t, env, "send", "--channel", "fax", "--to", "1", "x")
		if code != 1 || !strings.Contains(errOut, "channel") {
			t.Fatalf("send with a bad channel: %d %q", code, errOut)
		}
		code, out, _ = runCLI(t, env, "send", "--to", "+34600129997", "No wait")
		if code != 0 || len(strings.Fields(out)) != 1 {
			t.Fatalf("send without --wait: %d %q", code, out)
		}
	})
}
