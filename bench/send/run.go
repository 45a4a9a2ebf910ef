package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// run does one benchmark run.
func run(ctx context.Context, o options) (*result, error) {
	s, err := newServer(ctx, o)
	if s != nil {
		defer s.Cleanup(o.keep)
	}
	if err != nil {
		return nil, err
	}
	rcv, err := newReceiver()
	if err != nil {
		return nil, err
	}
	defer rcv.srv.Close()
	key, err := s.prepare(ctx, rcv, o)
	if err != nil {
		return nil, err
	}
	logf("posting %d messages with %d clients to %s (%s)", o.n, o.clients, s.Addr, o.engine)
	p := newPoster(s.Addr, key, o.clients)
	start := time.Now()
	if o.crash {
		err = p.crashRun(ctx, s, o)
	} else {
		p.post(o.n)
	}
	res := p.result(start)
	if err != nil {
		return res, err
	}
	logf("accepted %d in %v (%d errors); waiting for the final statuses", res.accepted, res.acceptDuration.Round(time.Millisecond), p.errors.Load())
	if err := waitFinals(rcv, p.ids(), o.timeout); err != nil {
		return res, err
	}
	res.e2e = time.Unix(0, rcv.last.Load()).Sub(start)
	res.peakRSS = s.RSS()
	if cpu := s.CPU(); cpu > 0 && res.accepted > 0 {
		logf("server CPU %v: %d µs per message; run took %v", cpu.Round(time.Millisecond), cpu.Microseconds()/int64(res.accepted), res.e2e.Round(time.Millisecond))
	}
	s.LogMetrics()
	logf("webhooks: %d requests, %d events, %d bad signatures", rcv.requests.Load(), rcv.events.Load(), rcv.badSigs.Load())
	if err := s.Stop(); err != nil {
		logf("server stopped with %v", err)
	}
	if n := rcv.badSigs.Load(); n > 0 {
		return res, fmt.Errorf("%d webhook requests had bad signatures", n)
	}
	return res, verify(ctx, s, p.ids())
}

// prepare migrates, creates the API key, starts the server and sets the
// webhook up; it returns the key.
func (s *server) prepare(ctx context.Context, rcv *receiver, o options) (string, error) {
	if _, err := s.Command(ctx, "migrate"); err != nil {
		return "", err
	}
	out, err := s.Command(ctx, "apikey", "create", "--name", "bench", "--scopes", "omni-api", "--webhook", rcv.url)
	if err != nil {
		return "", err
	}
	key := strings.TrimSpace(out)
	if err := s.Start(ctx, o.verbose); err != nil {
		return "", err
	}
	var w struct {
		Secret string `json:"secret"`
	}
	if err := s.API("PATCH", "/api/v1/webhook", key, map[string]any{"batch": o.batch, "batchSize": 100, "batchWaitMs": 50}, &w); err != nil {
		return "", err
	}
	rcv.secret.Store(w.Secret)
	return key, nil
}

// poster posts messages from concurrent clients.
type poster struct {
	url, key string
	clients  int
	client   *http.Client
	next     atomic.Int64
	accepted atomic.Int64
	errors   atomic.Int64
	stop     atomic.Bool
	mu       sync.Mutex
	lat      []time.Duration
	idList   []string
	end      time.Time
}

func newPoster(addr, key string, clients int) *poster {
	tr := &http.Transport{MaxIdleConns: clients * 2, MaxIdleConnsPerHost: clients * 2, IdleConnTimeout: time.Minute}
	return &poster{url: "http://" + addr + "/api/v1/messages", key: key, clients: clients,
		client: &http.Client{Transport: tr, Timeout: time.Minute}}
}

// post sends messages until n are posted or stop is set.
func (p *poster) post(n int) {
	var wg sync.WaitGroup
	for range p.clients {
		wg.Go(func() {
			var lat []time.Duration
			var ids []string
			for !p.stop.Load() {
				i := p.next.Add(1)
				if i > int64(n) {
					break
				}
				id, d, err := p.one(i)
				if err != nil {
					p.errors.Add(1)
					continue
				}
				lat, ids = append(lat, d), append(ids, id)
				p.accepted.Add(1)
			}
			p.mu.Lock()
			p.lat, p.idList = append(p.lat, lat...), append(p.idList, ids...)
			p.end = time.Now()
			p.mu.Unlock()
		})
	}
	wg.Wait()
}

// one posts message i and returns its ID and latency.
func (p *poster) one(i int64) (string, time.Duration, error) {
	body := fmt.Sprintf(`{"contact":"+346%07d7","channel":1,"senderId":"sandbox","payload":{"text":"Bench message %d: your parcel is on its way."}}`, i, i)
	req, _ := http.NewRequest("POST", p.url, strings.NewReader(body))
	req.Header.Set("X-API-Key", p.key)
	req.Header.Set("Content-Type", "application/json")
	t := time.Now()
	res, err := p.client.Do(req)
	if err != nil {
		return "", 0, err
	}
	data, _ := io.ReadAll(res.Body)
	res.Body.Close()
	d := time.Since(t)
	if res.StatusCode != http.StatusAccepted {
		return "", 0, fmt.Errorf("status %d: %s", res.StatusCode, data)
	}
	var m struct {
		ID string `json:"id"`
	}
	if err := json.NewDecoder(bytes.NewReader(data)).Decode(&m); err != nil || m.ID == "" {
		return "", 0, errors.New("no message ID in the answer")
	}
	return m.ID, d, nil
}

// crashRun posts until crashAt messages are accepted, kills the server,
// restarts it and lets the pipeline finish.
func (p *poster) crashRun(ctx context.Context, s *server, o options) error {
	done := make(chan struct{})
	go func() { p.post(o.n); close(done) }()
	for p.accepted.Load() < int64(o.crashAt) {
		select {
		case <-done:
			return fmt.Errorf("only %d messages were accepted before the posting ended", p.accepted.Load())
		case <-time.After(time.Millisecond):
		}
	}
	s.Kill()
	p.stop.Store(true)
	<-done
	logf("killed the server with %d messages accepted; restarting", p.accepted.Load())
	return s.Start(ctx, o.verbose)
}

// result returns the accept figures.
func (p *poster) result(start time.Time) *result {
	p.mu.Lock()
	defer p.mu.Unlock()
	r := &result{accepted: len(p.idList), acceptDuration: p.end.Sub(start)}
	if len(p.lat) > 0 {
		slices.Sort(p.lat)
		r.p50, r.p99 = p.lat[len(p.lat)/2], p.lat[len(p.lat)*99/100]
	}
	return r
}

// ids returns the accepted message IDs.
func (p *poster) ids() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.idList)
}

// waitFinals waits until every accepted message has a final status.
func waitFinals(rcv *receiver, ids []string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	last, lastChange := -1, time.Now()
	for {
		n := rcv.finals(ids)
		if n == len(ids) {
			return nil
		}
		if n != last {
			last, lastChange = n, time.Now()
		}
		if time.Since(lastChange) > 5*time.Second {
			logf("%d of %d final", n, len(ids))
			lastChange = time.Now()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("only %d of %d accepted messages reached a final status in %v", n, len(ids), timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
