package engine_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/channel"
	"github.com/heraldhq/herald/internal/channel/sandbox"
	"github.com/heraldhq/herald/internal/engine"
	"github.com/heraldhq/herald/internal/secret"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/webhook"
)

// deterministic are the sandbox settings of the tests: exact and fast.
// Numbers starting +34719 get RCS messages but never report them.
const deterministic = `{"deterministic": true, "deliveryLatency": "20ms", "seenLatency": "20ms",
	"rules": [{"prefix": "+34719", "channel": 2, "outcome": "silent"}]}`

// harness is a running engine on a real store with the sandbox connector,
// one account with sandbox senders, an API key with a webhook, and a
// receiver for that webhook.
type harness struct {
	t        *testing.T
	s        *store.Store
	e        *engine.Engine
	net      *sandbox.Network
	box      *secret.Box
	hooks    *webhook.Service
	deliver  *webhook.Deliverer
	contacts *contacts
	account  *herald.Account
	key      *herald.APIKey
	recv     *receiver
	cfg      engine.Config
}

// newHarness boots an engine on s.
func newHarness(t *testing.T, s *store.Store, cfg engine.Config) *harness {
	t.Helper()
	box, err := secret.NewBox(bytes.Repeat([]byte{7}, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, s: s, box: box, recv: newReceiver(t), cfg: cfg}
	ctx := context.Background()
	h.account = &herald.Account{Name: "acme"}
	must(t, h.account.Validate())
	if acc, err := s.AccountByName(ctx, "acme"); err == nil {
		h.account = acc
	} else {
		must(t, s.CreateAccount(ctx, h.account))
	}
	h.contacts = newContacts(t, s, h.account.ID)
	h.hooks = webhook.NewService(s, box, herald.SystemClock{})
	h.start()
	if created, err := h.e.EnsureSandboxConnections(ctx); err != nil {
		t.Fatal(err)
	} else if created {
		h.setSandbox(deterministic)
	}
	must(t, h.e.ProvisionSandbox(ctx, h.account.ID))
	h.key = h.apiKey("hrld_test0001")
	return h
}

// start builds and starts the engine, its sandbox and its deliverer.
func (h *harness) start() {
	t := h.t
	log := slog.New(slog.DiscardHandler)
	cfg := h.cfg
	cfg.Dispatch = true
	cfg.Instance = ""
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&cfg.Sweep, 20*time.Millisecond)
	def(&cfg.Heartbeat, 50*time.Millisecond)
	def(&cfg.DeadAfter, 400*time.Millisecond)
	def(&cfg.RetryBase, 10*time.Millisecond)
	def(&cfg.Lease, 10*time.Second)
	def(&cfg.LeaseMargin, time.Second)
	if cfg.MaxAttempts == 0 {
		cfg.MaxAttempts = 3
	}
	cfg.Instance = engineInstance()
	h.net = sandbox.NewNetwork(h.s, herald.SystemClock{}, log)
	reg := channel.NewRegistry()
	must(t, reg.Register(herald.ConnectorSandbox, h.net.Factory()))
	h.deliver = webhook.NewDeliverer(webhook.Config{Instance: cfg.Instance, Poll: 20 * time.Millisecond, FirstRetry: 20 * time.Millisecond},
		h.s, h.hooks, herald.SystemClock{}, log, nil)
	h.e = engine.New(cfg, engine.Deps{Store: h.s, Contacts: h.s, Templates: h.s, Connectors: reg, Box: h.box,
		Webhooks: h.deliver, Log: log})
	ctx := context.Background()
	h.net.Start(ctx)
	h.deliver.Start(ctx)
	must(t, h.e.Start(ctx))
	e, net, d := h.e, h.net, h.deliver
	t.Cleanup(func() { _ = e.Stop(context.Background()); net.Stop(); d.Stop() })
}

// run runs fn as subtest name with a harness whose helpers fail that subtest.
func (h *harness) run(t *testing.T, name string, fn func(h *harness, t *testing.T)) {
	t.Run(name, func(t *testing.T) {
		c := *h
		c.t = t
		c.recv.t = t
		fn(&c, t)
	})
}

// engineInstance returns a new process ID.
func engineInstance() string { return "test-" + webhook.NewEventID() }

// setSandbox gives every sandbox connection the settings.
func (h *harness) setSandbox(settings string) {
	ctx := context.Background()
	conns, err := h.s.Connections(ctx)
	must(h.t, err)
	for _, c := range conns {
		c.Settings = json.RawMessage(settings)
		must(h.t, h.s.UpdateConnection(ctx, &c))
	}
}

// restart stops the engine as a crash would (kill) or cleanly, and starts
// a new one on the same database.
func (h *harness) restart(kill bool) {
	if kill {
		h.e.Kill()
	} else {
		must(h.t, h.e.Stop(context.Background()))
	}
	h.net.Stop()
	h.deliver.Stop()
	h.start()
}

// apiKey creates an omni-api key whose webhook is the receiver.
func (h *harness) apiKey(prefix string) *herald.APIKey {
	k := &herald.APIKey{AccountID: h.account.ID, Name: prefix, Prefix: prefix, Scopes: []herald.Scope{herald.ScopeOmniAPI},
		WebhookURL: h.recv.srv.URL + "/hook"}
	must(h.t, h.s.CreateAPIKey(context.Background(), k, "hash"))
	return k
}

// sms returns a request for an SMS to phone.
func (h *harness) sms(phone, text string) *herald.SendRequest {
	return &herald.SendRequest{AccountID: h.account.ID, APIKey: h.key, Contact: herald.ContactRef{Phone: phone},
		Steps:  []herald.SendStep{{Channel: herald.ChannelSMS, SenderID: "sandbox", Payload: textPayload(text)}},
		Origin: herald.OriginAPI, Traffic: herald.TrafficAPI}
}

// textPayload returns {"text": text}.
func textPayload(text string) json.RawMessage { return sandbox.TextPayload(text) }

// send sends req and fails the test on error.
func (h *harness) send(req *herald.SendRequest) *herald.Message {
	h.t.Helper()
	m, err := h.e.Send(context.Background(), req)
	if err != nil {
		h.t.Fatalf("Send: %v", err)
	}
	return m
}

// waitStatus waits until message id has status want.
func (h *harness) waitStatus(id string, want herald.MessageStatus) *herald.Message {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		m, err := h.s.Message(context.Background(), h.account.ID, id)
		must(h.t, err)
		if m.Status == want {
			return m
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("message %s (%s to %s) is %s (%s), want %s", id, m.Channel, m.Destination, m.Status, m.Error, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// history returns the statuses of a message's stored events, in order.
func (h *harness) history(id string) []string {
	h.t.Helper()
	evs, err := h.s.MessageEvents(context.Background(), h.account.ID, id)
	must(h.t, err)
	var out []string
	for _, e := range evs {
		s := string(e.Status)
		if e.Type == herald.EventSwitch {
			s = "switch"
		}
		if !e.Applied {
			s += "(late)"
		}
		out = append(out, s)
	}
	return out
}

// must fails t on err.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// receiver is a webhook endpoint that verifies signatures and keeps the
// envelopes it got. fail makes it answer with a status instead.
type receiver struct {
	t    *testing.T
	srv  *httptest.Server
	mu   sync.Mutex
	got  []webhook.Envelope
	sigs []string
	fail func(n int) int // status to answer the n-th request with; 0 accepts
	n    int
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{t: t}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.n++
	n, fail := r.n, r.fail
	r.mu.Unlock()
	if fail != nil {
		if st := fail(n); st != 0 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(st)
			return
		}
	}
	var envs []webhook.Envelope
	if bytes.HasPrefix(body, []byte("[")) {
		_ = json.Unmarshal(body, &envs)
	} else {
		var env webhook.Envelope
		_ = json.Unmarshal(body, &env)
		envs = append(envs, env)
	}
	r.mu.Lock()
	r.got = append(r.got, envs...)
	r.sigs = append(r.sigs, req.Header.Get(webhook.HeaderSignature)+"|"+string(body))
	r.mu.Unlock()
}

// events returns "type:status" of the envelopes about message id.
func (r *receiver) events(id string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.got {
		if e.Data.MessageID == id {
			s := e.Type + ":" + string(e.Data.Status)
			if e.Data.Switch != nil {
				s += ":switch"
			}
			out = append(out, s)
		}
	}
	return out
}

// waitEvents waits until message id has n envelopes.
func (r *receiver) waitEvents(id string, n int) []string {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := r.events(id)
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("webhooks of %s = %v, want %d", id, got, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// contacts is the store's contact directory, with a helper to add
// contacts with attributes.
type contacts struct {
	*store.Store
	t       *testing.T
	account int64
}

// newContacts returns the directory of s for the account, with the
// opt-out word STOP on SMS.
func newContacts(t *testing.T, s *store.Store, account int64) *contacts {
	c := &contacts{Store: s, t: t, account: account}
	ctx := context.Background()
	w := &herald.OptOutWord{AccountID: account, Word: "STOP", Channel: herald.ChannelSMS}
	if err := s.CreateOptOutWord(ctx, w); err != nil && herald.ErrorCode(err) != herald.EINVALID {
		t.Fatal(err)
	}
	return c
}

// add creates a contact with text attributes, defining them as needed.
func (c *contacts) add(phone string, attrs map[string]string) *herald.Contact {
	ctx := context.Background()
	for name := range attrs {
		a := &herald.Attribute{AccountID: c.account, Name: name, Type: herald.AttrText}
		if err := c.CreateAttribute(ctx, a); err != nil && herald.ErrorCode(err) != herald.EINVALID {
			c.t.Fatal(err)
		}
	}
	ct := &herald.Contact{AccountID: c.account, Phone: phone, Attributes: attrs}
	if err := c.CreateContact(ctx, ct); err != nil {
		c.t.Fatal(err)
	}
	return ct
}
