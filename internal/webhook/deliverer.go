package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/batch"
	"github.com/heraldhq/herald/internal/store"
)

// Config tunes a Deliverer.
type Config struct {
	Instance string        // the engine process's ID, which claims deliveries
	Lease    time.Duration // how long a claimed delivery is this process's; default 1 minute
	PerHost  int           // concurrent requests per host; default 16
	Timeout  time.Duration // per request; default 10 seconds
	Poll     time.Duration // how often due retries are claimed; default 500 ms
	RetryFor time.Duration // how long a delivery is retried; default 25 hours
	// FirstRetry is the delay after the first failure; it doubles up to an
	// hour. Default 5 seconds.
	FirstRetry time.Duration
	Client     *http.Client // default: keep-alive client with Timeout
}

// withDefaults fills the zero fields.
func (c Config) withDefaults() Config {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.Lease, time.Minute)
	def(&c.Timeout, 10*time.Second)
	def(&c.Poll, 500*time.Millisecond)
	def(&c.RetryFor, 25*time.Hour)
	def(&c.FirstRetry, 5*time.Second)
	if c.PerHost <= 0 {
		c.PerHost = 16
	}
	if c.Client == nil {
		c.Client = &http.Client{Timeout: c.Timeout, Transport: &http.Transport{
			Proxy: http.ProxyFromEnvironment, MaxIdleConns: 1024, MaxIdleConnsPerHost: c.PerHost,
			IdleConnTimeout: 90 * time.Second, ForceAttemptHTTP2: true,
		}}
	}
	return c
}

// Deliverer posts webhook deliveries. Deliveries reach it two ways: handed
// over in memory by the engine right after they were committed (already
// claimed by this process), and claimed from the database when a retry is
// due or a dead process's claims were released. A receiver that does not
// answer slows only its own lane.
type Deliverer struct {
	cfg      Config
	store    Store
	settings *Service
	clock    herald.Clock
	log      *slog.Logger
	results  *batch.Batcher[store.AttemptResult]
	metrics  *Metrics

	mu    sync.Mutex
	lanes map[laneKey]*lane
	hosts map[string]chan struct{}
	wg    sync.WaitGroup
	ctx   context.Context
	stop  context.CancelFunc
}

// NewDeliverer returns a Deliverer; Start runs it. metrics may be nil.
func NewDeliverer(cfg Config, s Store, settings *Service, clock herald.Clock, log *slog.Logger, metrics *Metrics) *Deliverer {
	d := &Deliverer{cfg: cfg.withDefaults(), store: s, settings: settings, clock: clock, log: log,
		metrics: metrics, lanes: map[laneKey]*lane{}, hosts: map[string]chan struct{}{}}
	d.results = batch.New(batch.Config{MaxSize: 1000, Queue: 20000}, d.record)
	return d
}

// Start runs the Deliverer until Stop.
func (d *Deliverer) Start(ctx context.Context) {
	d.ctx, d.stop = context.WithCancel(context.WithoutCancel(ctx))
	d.results.Start(context.WithoutCancel(ctx))
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		d.sweep()
	}()
}

// Stop ends the requests in flight, records what is known and returns.
// Deliveries not attempted stay claimed until their lease runs out or
// the process's claims are released.
func (d *Deliverer) Stop() {
	if d.stop == nil {
		return
	}
	d.stop()
	d.wg.Wait()
	d.results.Stop()
}

// Hand gives the Deliverer deliveries that this process committed and
// claimed. It never blocks: what does not fit waits for its lease to run
// out and is claimed again.
func (d *Deliverer) Hand(ds ...*herald.WebhookDelivery) {
	for _, del := range ds {
		d.route(del)
	}
}

// sweep claims due deliveries until stopped.
func (d *Deliverer) sweep() {
	t := time.NewTicker(d.cfg.Poll)
	defer t.Stop()
	for {
		select {
		case <-d.ctx.Done():
			return
		case <-t.C:
		}
		for {
			now := d.clock.Now()
			rows, err := d.store.ClaimDueDeliveries(d.ctx, d.cfg.Instance, now.UnixMilli(), now.Add(d.cfg.Lease).UnixMilli(), 500)
			if err != nil {
				if d.ctx.Err() == nil {
					d.log.Error("claiming webhook deliveries", "err", err)
				}
				break
			}
			for _, r := range rows {
				d.route(r.WebhookDelivery)
			}
			if len(rows) < 500 {
				break
			}
		}
	}
}

// laneKey groups deliveries that go out together: one URL, one key.
type laneKey struct {
	url    string
	apiKey int64
}

// route puts del on its lane, starting the lane when needed.
func (d *Deliverer) route(del *herald.WebhookDelivery) {
	k := laneKey{del.URL, del.APIKeyID}
	d.mu.Lock()
	l := d.lanes[k]
	if l == nil {
		l = &lane{d: d, key: k, account: del.AccountID, in: make(chan *herald.WebhookDelivery, laneQueue)}
		d.lanes[k] = l
		d.wg.Add(1)
		go func() {
			defer d.wg.Done()
			l.run()
		}()
	}
	d.mu.Unlock()
	select {
	case l.in <- del:
	default: // full: the claim runs out and the delivery is claimed again
		d.metrics.dropped()
	}
}

// host returns the semaphore of u's host.
func (d *Deliverer) host(u string) chan struct{} {
	h := u
	if p, err := url.Parse(u); err == nil {
		h = p.Host
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	s := d.hosts[h]
	if s == nil {
		s = make(chan struct{}, d.cfg.PerHost)
		d.hosts[h] = s
	}
	return s
}

// retireLane forgets an idle lane unless deliveries arrived meanwhile.
func (d *Deliverer) retireLane(l *lane) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(l.in) > 0 {
		return false
	}
	delete(d.lanes, l.key)
	return true
}

// record stores a batch of attempt results.
func (d *Deliverer) record(ctx context.Context, results []store.AttemptResult) ([]error, error) {
	if err := d.store.RecordWebhookAttempts(ctx, results); err != nil {
		d.log.Error("recording webhook attempts", "err", err)
		return nil, err
	}
	return nil, nil
}

// post sends one request carrying ds and returns its result.
func (d *Deliverer) post(ctx context.Context, w *herald.WebhookSettings, ds []*herald.WebhookDelivery, body []byte) store.AttemptResult {
	start := d.clock.Now()
	ids := make([]int64, len(ds))
	for i, del := range ds {
		ids[i] = del.ID
	}
	res := store.AttemptResult{Attempt: herald.WebhookAttempt{AccountID: ds[0].AccountID, DeliveryIDs: ids, URL: ds[0].URL, At: start}}
	status, retryAfter, err := d.send(ctx, w, ds, body)
	res.Attempt.Duration = d.clock.Now().Sub(start)
	res.Attempt.StatusCode = status
	switch {
	case err != nil:
		res.Attempt.Error = err.Error()
	case status >= 200 && status < 300:
		res.Delivered = true
		d.metrics.delivered(len(ds))
		return res
	default:
		res.Attempt.Error = "HTTP " + strconv.Itoa(status)
	}
	d.metrics.failed(len(ds))
	retry := status == 0 || status == http.StatusTooManyRequests || status >= 500 || status == http.StatusRequestTimeout
	res.NextAttempt = make([]int64, len(ds))
	for i, del := range ds {
		if retry {
			res.NextAttempt[i] = d.nextAttempt(del, retryAfter)
		}
	}
	return res
}

// send posts body and returns the answer's status and Retry-After.
func (d *Deliverer) send(ctx context.Context, w *herald.WebhookSettings, ds []*herald.WebhookDelivery, body []byte) (int, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ds[0].URL, bytes.NewReader(body))
	if err != nil {
		return 0, 0, fmt.Errorf("building request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Herald-Webhooks/"+herald.Version)
	req.Header.Set(HeaderEventID, ds[0].EventID)
	req.Header.Set(HeaderEventType, ds[0].EventType)
	if len(ds) > 1 {
		req.Header.Set(HeaderEventType, "batch")
		req.Header.Set(HeaderCount, strconv.Itoa(len(ds)))
	}
	if w != nil && w.Secret != "" {
		req.Header.Set(HeaderSignature, Sign(w.Secret, d.clock.Now(), body))
	}
	resp, err := d.cfg.Client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // drained, so the connection is reused
	return resp.StatusCode, retryAfter(resp.Header.Get("Retry-After"), d.clock.Now()), nil
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// nextAttempt returns when del is tried again (Unix ms), or 0 when its
// retries are over: exponential backoff from FirstRetry, doubling up to an
// hour, with ±20 % jitter, at least the receiver's Retry-After.
func (d *Deliverer) nextAttempt(del *herald.WebhookDelivery, after time.Duration) int64 {
	back := d.cfg.FirstRetry
	for i := 0; i < del.Attempts && back < time.Hour; i++ {
		back *= 2
	}
	back = min(back, time.Hour)
	back = time.Duration(float64(back) * (0.8 + 0.4*rand.Float64()))
	back = max(back, after)
	next := d.clock.Now().Add(back)
	if next.After(del.CreatedAt.Add(d.cfg.RetryFor)) {
		return 0
	}
	return next.UnixMilli()
}

// bodyOf returns the request body for ds in format w: one event or, when
// batching, a JSON array. Events the format cannot express are left out
// and returned as skipped.
func bodyOf(w *herald.WebhookSettings, ds []*herald.WebhookDelivery) (body []byte, sent, skipped []*herald.WebhookDelivery) {
	parts := make([][]byte, 0, len(ds))
	for _, del := range ds {
		p := []byte(del.Payload)
		if w != nil && w.Format == herald.FormatDeliveryInfo {
			var ok bool
			if p, ok = toDeliveryInfo(p); !ok {
				skipped = append(skipped, del)
				continue
			}
		}
		parts, sent = append(parts, p), append(sent, del)
	}
	if len(parts) == 1 && (w == nil || !w.Batch) {
		return parts[0], sent, skipped
	}
	return append(append([]byte{'['}, bytes.Join(parts, []byte{','})...), ']'), sent, skipped
}

// toDeliveryInfo converts a stored envelope to a delivery-info notification.
func toDeliveryInfo(payload []byte) ([]byte, bool) {
	var env Envelope
	if err := json.Unmarshal(payload, &env); err != nil {
		return nil, false
	}
	m := &herald.Message{ID: env.Data.MessageID, Channel: env.Data.Channel, Destination: env.Data.To,
		CorrelationID: env.Data.CorrelationID, CallbackData: env.Data.CallbackData, Direction: herald.MT}
	if env.Type == herald.EventMessageInbound {
		m.Direction = herald.MO
	}
	e := &herald.MessageEvent{Type: herald.EventStatus, Status: env.Data.Status, At: env.Time}
	if env.Data.Switch != nil {
		e.Type = herald.EventSwitch
	}
	info, ok := DeliveryInfoFor(m, e)
	if !ok {
		return nil, false
	}
	b, err := json.Marshal(info)
	return b, err == nil
}
