package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/secret"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/storetest"
	"github.com/heraldhq/herald/internal/webhook"
)

func TestSignVerify(t *testing.T) {
	secret, err := webhook.NewSecret()
	if err != nil || !strings.HasPrefix(secret, webhook.SecretPrefix) {
		t.Fatalf("NewSecret = %q, %v", secret, err)
	}
	body := []byte(`{"id":"1"}`)
	now := time.Now()
	sig := webhook.Sign(secret, now, body)
	if err := webhook.Verify(secret, sig, body, now, time.Minute); err != nil {
		t.Errorf("Verify(own signature) = %v", err)
	}
	cases := []struct {
		name, secret, sig string
		body              []byte
		at                time.Time
		want              error
	}{
		{"other body", secret, sig, []byte(`{"id":"2"}`), now, webhook.ErrBadSignature},
		{"other secret", "whsec_other", sig, body, now, webhook.ErrBadSignature},
		{"too old", secret, sig, body, now.Add(10 * time.Minute), webhook.ErrTooOld},
		{"malformed", secret, "v1=abc", body, now, webhook.ErrMalformed},
	}
	for _, c := range cases {
		if err := webhook.Verify(c.secret, c.sig, c.body, c.at, 5*time.Minute); err != c.want {
			t.Errorf("%s: Verify = %v, want %v", c.name, err, c.want)
		}
	}
}

func TestDeliveryInfo(t *testing.T) {
	at := time.Date(2016, 7, 28, 11, 47, 56, 459e6, time.UTC)
	m := &herald.Message{ID: "8f0f", Channel: herald.ChannelSMS, Destination: "+910000000001", Direction: herald.MT, CallbackData: "cb"}
	for st, code := range map[herald.MessageStatus]string{"delivered": "7500", "expired": "7208", "sent": "7400", "undelivered": "7201"} {
		info, ok := webhook.DeliveryInfoFor(m, &herald.MessageEvent{Status: st, At: at})
		if !ok || info.Notification.Info.Code != code || info.Notification.Info.Destination != "910000000001" ||
			info.Notification.Info.TimeStamp != "2016-07-28T11:47:56.459" || info.Notification.TransID != "8f0f" {
			t.Errorf("%s: %+v, %v", st, info, ok)
		}
	}
	if _, ok := webhook.DeliveryInfoFor(m, &herald.MessageEvent{Status: herald.StatusQueued}); ok {
		t.Error("a queued event has a delivery-info notification")
	}
}

// endpoint records the requests of a webhook receiver.
type endpoint struct {
	mu     sync.Mutex
	bodies [][]byte
	heads  []http.Header
	answer func(n int) int
}

func (e *endpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	e.mu.Lock()
	e.bodies, e.heads = append(e.bodies, body), append(e.heads, r.Header.Clone())
	n := len(e.bodies)
	e.mu.Unlock()
	if e.answer != nil {
		if st := e.answer(n); st != 0 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(st)
		}
	}
}

// fixture is a deliverer on a real store with one API key.
type fixture struct {
	s     *store.Store
	svc   *webhook.Service
	d     *webhook.Deliverer
	acc   *herald.Account
	key   *herald.APIKey
	ep    *endpoint
	url   string
	clock herald.Clock
}

func newFixture(t *testing.T, ep *endpoint) *fixture {
	s := storetest.OpenSQLite(t)
	ctx := context.Background()
	f := &fixture{s: s, ep: ep, acc: &herald.Account{Name: "hooks"}, clock: herald.SystemClock{}}
	_ = f.acc.Validate()
	if err := s.CreateAccount(ctx, f.acc); err != nil {
		t.Fatal(err)
	}
	f.key = &herald.APIKey{AccountID: f.acc.ID, Name: "k", Prefix: "hrld_k", Scopes: []herald.Scope{herald.ScopeOmniAPI}}
	if err := s.CreateAPIKey(ctx, f.key, "h"); err != nil {
		t.Fatal(err)
	}
	box, _ := secret.NewBox(bytes.Repeat([]byte{3}, secret.KeySize))
	f.svc = webhook.NewService(s, box, f.clock)
	srv := httptest.NewServer(ep)
	t.Cleanup(srv.Close)
	f.url = srv.URL
	f.d = webhook.NewDeliverer(webhook.Config{Instance: "me", Poll: 10 * time.Millisecond, FirstRetry: 10 * time.Millisecond},
		s, f.svc, f.clock, slog.New(slog.DiscardHandler), nil)
	f.d.Start(ctx)
	t.Cleanup(f.d.Stop)
	return f
}

// enqueue commits n deliveries claimed by the deliverer and hands them over.
func (f *fixture) enqueue(t *testing.T, n int, status herald.MessageStatus) []*herald.WebhookDelivery {
	var ds []*herald.WebhookDelivery
	for i := range n {
		m := &herald.Message{ID: "m" + string(rune('a'+i)), AccountID: f.acc.ID, Channel: herald.ChannelSMS, Destination: "+34600", Direction: herald.MT}
		env := webhook.StatusEnvelope(m, &herald.MessageEvent{Status: status, At: time.Now()})
		b, _ := json.Marshal(env)
		ds = append(ds, &herald.WebhookDelivery{AccountID: f.acc.ID, APIKeyID: f.key.ID, MessageID: m.ID, EventID: env.ID,
			EventType: env.Type, URL: f.url, Payload: string(b), NextAttempt: time.Now().Add(time.Minute), CreatedAt: time.Now()})
	}
	err := f.s.MessageTx(context.Background(), func(x *store.MessageTx) error { return x.InsertDeliveries(context.Background(), ds, "me") })
	if err != nil {
		t.Fatal(err)
	}
	f.d.Hand(ds...)
	return ds
}

// wait waits until every delivery is in state.
func (f *fixture) wait(t *testing.T, ds []*herald.WebhookDelivery, state herald.DeliveryState) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for _, d := range ds {
		for {
			got, err := f.s.WebhookDelivery(context.Background(), f.acc.ID, d.ID)
			if err == nil && got.State == state {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("delivery %d: %+v, want %s", d.ID, got, state)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// TestRetries answers 500, then 429, then 200: the delivery arrives on
// the third attempt, each attempt recorded.
func TestRetries(t *testing.T) {
	ep := &endpoint{answer: func(n int) int {
		return map[int]int{1: 500, 2: 429}[n]
	}}
	f := newFixture(t, ep)
	ds := f.enqueue(t, 1, herald.StatusDelivered)
	f.wait(t, ds, herald.DeliveryDelivered)
	as, err := f.s.WebhookAttempts(context.Background(), f.acc.ID, ds[0].ID)
	if err != nil || len(as) != 3 || as[0].StatusCode != 500 || as[1].StatusCode != 429 || as[2].StatusCode != 200 {
		t.Fatalf("attempts = %+v, %v", as, err)
	}
	w, _ := f.svc.ForKey(context.Background(), f.acc.ID, f.key.ID)
	ep.mu.Lock()
	defer ep.mu.Unlock()
	if err := webhook.Verify(w.Secret, ep.heads[2].Get(webhook.HeaderSignature), ep.bodies[2], time.Now(), time.Minute); err != nil {
		t.Errorf("signature: %v", err)
	}
	if gap := as[2].At.Sub(as[1].At); gap < 900*time.Millisecond {
		t.Errorf("the retry after 429 with Retry-After: 1 came after %v", gap)
	}
}

// TestNotRetried does not retry a 400 answer.
func TestNotRetried(t *testing.T) {
	f := newFixture(t, &endpoint{answer: func(int) int { return 400 }})
	ds := f.enqueue(t, 1, herald.StatusSent)
	f.wait(t, ds, herald.DeliveryFailed)
}

// TestBatch sends many events as arrays when the key batches, in the
// delivery-info format when it asks for it.
func TestBatch(t *testing.T) {
	ep := &endpoint{}
	f := newFixture(t, ep)
	ctx := context.Background()
	w, err := f.svc.WebhookSettings(ctx, f.acc.ID, f.key.ID)
	if err != nil {
		t.Fatal(err)
	}
	w.Batch, w.BatchSize, w.BatchWait, w.Format = true, 10, 100*time.Millisecond, herald.FormatDeliveryInfo
	if err := f.svc.UpdateWebhookSettings(ctx, w); err != nil {
		t.Fatal(err)
	}
	ds := f.enqueue(t, 25, herald.StatusDelivered)
	f.wait(t, ds, herald.DeliveryDelivered)
	ep.mu.Lock()
	defer ep.mu.Unlock()
	total := 0
	for i, b := range ep.bodies {
		var infos []webhook.DeliveryInfo
		if err := json.Unmarshal(b, &infos); err != nil || len(infos) > 10 || infos[0].Notification.Info.Code != "7500" {
			t.Fatalf("request %d = %s (%v)", i, b, err)
		}
		if ep.heads[i].Get(webhook.HeaderEventType) != "batch" && len(infos) > 1 {
			t.Errorf("batch header = %q", ep.heads[i].Get(webhook.HeaderEventType))
		}
		total += len(infos)
	}
	if total != 25 || len(ep.bodies) > 5 {
		t.Errorf("%d events in %d requests, want 25 in at most 5", total, len(ep.bodies))
	}
	as, err := f.s.WebhookAttempts(ctx, f.acc.ID, ds[24].ID)
	if err != nil || len(as) != 1 || len(as[0].DeliveryIDs) < 2 {
		t.Errorf("attempts of a batched delivery = %+v, %v", as, err)
	}
}

// TestSettings creates, updates and rotates a key's settings.
func TestSettings(t *testing.T) {
	f := newFixture(t, &endpoint{})
	ctx := context.Background()
	w, err := f.svc.WebhookSettings(ctx, f.acc.ID, f.key.ID)
	if err != nil || w.Format != herald.FormatEnvelope || w.Batch || !strings.HasPrefix(w.Secret, webhook.SecretPrefix) {
		t.Fatalf("settings = %+v, %v", w, err)
	}
	again, _ := f.svc.WebhookSettings(ctx, f.acc.ID, f.key.ID)
	if again.Secret != w.Secret {
		t.Error("reading settings again changed the secret")
	}
	w.Format = "xml"
	if err := f.svc.UpdateWebhookSettings(ctx, w); herald.ErrorCode(err) != herald.EINVALID {
		t.Errorf("format xml = %v, want EINVALID", err)
	}
	rotated, err := f.svc.RotateWebhookSecret(ctx, f.acc.ID, f.key.ID)
	if err != nil || rotated.Secret == w.Secret {
		t.Errorf("rotate = %+v, %v", rotated, err)
	}
	if _, err := f.svc.WebhookSettings(ctx, f.acc.ID+1, f.key.ID); !herald.IsNotFound(err) {
		t.Errorf("another account's key = %v, want ENOTFOUND", err)
	}
}
