package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// run does one benchmark run.
func run(ctx context.Context, o options) (*result, error) {
	if o.fallback && o.n > 200000 {
		return nil, errors.New("-contacts is at most 200000 with -fallback (the sandbox's not-capable numbers run out)")
	}
	s, err := newServer(ctx, o)
	if s != nil {
		defer s.Cleanup(o.keep)
	}
	if err != nil {
		return nil, err
	}
	if _, err := s.Command(ctx, "migrate"); err != nil {
		return nil, err
	}
	out, err := s.Command(ctx, "apikey", "create", "--name", "bench", "--scopes", "broadcast,recipients")
	if err != nil {
		return nil, err
	}
	key := strings.TrimSpace(out)
	if err := s.Start(ctx, o.verbose); err != nil {
		return nil, err
	}
	res := &result{}
	if err := s.loadContacts(key, o.n, "sms", smsPhone); err != nil {
		return res, err
	}
	if o.fallback {
		if err := s.loadContacts(key, o.n, "fallback", fallbackPhone); err != nil {
			return res, err
		}
	}
	logf("loaded the contacts; launching the SMS broadcast to %d contacts", o.n)
	id, start, err := s.launch(key, "sms", []map[string]any{
		{"channel": "sms", "senderId": "sandbox", "payload": map[string]string{"text": "Hello {{attribute.Name}}, your parcel is on its way."}},
	})
	if err != nil {
		return res, err
	}
	if o.crash {
		if err := s.crashAt(ctx, key, id, o.n/2, o.verbose); err != nil {
			return res, err
		}
	}
	b, err := s.waitComplete(key, id, o.timeout)
	if err != nil {
		return res, err
	}
	res.sms = b.FinishedAt.Sub(start)
	if res.first, err = s.firstSent(ctx, id, start); err != nil {
		return res, err
	}
	logf("SMS broadcast: %d contacts, %d successful, in %v; first message after %v", b.Contacts, b.Stats.Successful,
		res.sms.Round(time.Millisecond), res.first.Round(time.Millisecond))
	if b.Stats.Successful != o.n {
		return res, fmt.Errorf("%d of %d contacts were reached", b.Stats.Successful, o.n)
	}
	if err := s.verify(ctx, id, o.n); err != nil {
		return res, err
	}
	if o.fallback {
		if res.fallback, err = s.runFallback(key, o); err != nil {
			return res, err
		}
	}
	res.peakRSS = s.RSS()
	if cpu := s.CPU(); cpu > 0 {
		logf("server CPU %v", cpu.Round(time.Millisecond))
	}
	s.LogMetrics()
	if err := s.Stop(); err != nil {
		logf("server stopped with %v", err)
	}
	return res, nil
}

// smsPhone is contact i of the SMS broadcast: Spanish mobile numbers
// ending in 9, which are no sandbox test destination.
func smsPhone(i int) string { return fmt.Sprintf("+346%07d9", i) }

// fallbackPhone is contact i of the fallback broadcast: British mobile
// numbers, the even ones ending 0004 (not RCS capable on the sandbox).
func fallbackPhone(i int) string {
	if i%2 == 0 {
		return fmt.Sprintf("+447%05d0004", i/2)
	}
	return fmt.Sprintf("+447%05d1119", i/2)
}

// runFallback runs the RCS-then-SMS broadcast and returns the time from
// its launch to its last final status.
func (s *server) runFallback(key string, o options) (time.Duration, error) {
	logf("launching the RCS then SMS broadcast to %d contacts, half of them not RCS capable", o.n)
	id, start, err := s.launch(key, "fallback", []map[string]any{
		{"channel": "rcs", "senderId": "sandbox", "payload": map[string]string{"text": "Hello {{attribute.Name}} on RCS"}, "waitingTime": 600},
		{"channel": "sms", "senderId": "sandbox", "payload": map[string]string{"text": "Hello {{attribute.Name}} by SMS"}, "waitingTime": 600},
	})
	if err != nil {
		return 0, err
	}
	b, err := s.waitComplete(key, id, o.timeout)
	if err != nil {
		return 0, err
	}
	d := b.FinishedAt.Sub(start)
	var st statistics
	if err := s.API("GET", fmt.Sprintf("/api/v1/broadcasts/%d/statistics", id), key, nil, &st); err != nil {
		return 0, err
	}
	logf("fallback broadcast: %d contacts, %d successful, in %v; channels %+v", b.Contacts, b.Stats.Successful, d.Round(time.Millisecond), st.Channels)
	if b.Stats.Successful != o.n {
		return d, fmt.Errorf("%d of %d fallback contacts were reached", b.Stats.Successful, o.n)
	}
	return d, nil
}

// loadContacts creates n contacts tagged tag through the bulk API, from
// a few clients at once.
func (s *server) loadContacts(key string, n int, tag string, phone func(int) string) error {
	const per = 1000
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	next := make(chan int)
	for range 4 {
		wg.Go(func() {
			for lo := range next {
				if err := s.loadBatch(key, lo, min(n, lo+per), tag, phone); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	// The first batch alone creates the tag; concurrent batches would
	// race to create it.
	first := true
	for lo := 0; lo < n; lo += per {
		if first {
			first = false
			if err := s.loadBatch(key, lo, min(n, lo+per), tag, phone); err != nil {
				close(next)
				wg.Wait()
				return err
			}
			continue
		}
		select {
		case next <- lo:
		case err := <-errs:
			close(next)
			wg.Wait()
			return err
		}
	}
	close(next)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}

// loadBatch creates contacts lo to hi-1.
func (s *server) loadBatch(key string, lo, hi int, tag string, phone func(int) string) error {
	var cs []map[string]any
	for i := lo; i < hi; i++ {
		cs = append(cs, map[string]any{"phone": phone(i), "tags": []string{tag}, "attributes": map[string]string{"Name": fmt.Sprintf("N%d", i)}})
	}
	var res struct {
		Created int `json:"created"`
	}
	if err := s.API("POST", "/api/v1/contacts/bulk", key, map[string]any{"policy": "skip", "contacts": cs}, &res); err != nil {
		return err
	} else if res.Created != len(cs) {
		return fmt.Errorf("created %d of %d contacts", res.Created, len(cs))
	}
	return nil
}

// broadcastAnswer is the part of a broadcast the bench reads.
type broadcastAnswer struct {
	ID         int64      `json:"id"`
	Status     string     `json:"status"`
	Contacts   int        `json:"contacts"`
	FinishedAt *time.Time `json:"finishedAt"`
	Reason     string     `json:"reason"`
	Stats      struct {
		Initiated  int `json:"initiated"`
		Successful int `json:"successful"`
	} `json:"stats"`
}

// statistics is the part of a broadcast's statistics the bench logs.
type statistics struct {
	Channels []map[string]int `json:"channels"`
}

// launch creates and launches a broadcast to the contacts tagged tag; it
// returns its ID and when the launch request was sent.
func (s *server) launch(key, tag string, steps []map[string]any) (int64, time.Time, error) {
	var b broadcastAnswer
	start := time.Now()
	err := s.API("POST", "/api/v1/broadcasts", key, map[string]any{"name": "bench " + tag, "launch": true,
		"recipients": map[string]any{"tags": []string{tag}}, "steps": steps}, &b)
	if err != nil {
		return 0, start, err
	}
	logf("launched broadcast %d (%d contacts) in %v", b.ID, b.Contacts, time.Since(start).Round(time.Millisecond))
	return b.ID, start, nil
}

// waitComplete polls the broadcast until it is complete.
func (s *server) waitComplete(key string, id int64, timeout time.Duration) (*broadcastAnswer, error) {
	deadline := time.Now().Add(timeout)
	last := time.Now()
	for {
		var b broadcastAnswer
		if err := s.API("GET", fmt.Sprintf("/api/v1/broadcasts/%d", id), key, nil, &b); err != nil {
			return nil, err
		}
		switch {
		case b.Status == "complete":
			return &b, nil
		case b.Status != "in_progress":
			return nil, fmt.Errorf("broadcast %d is %s: %s", id, b.Status, b.Reason)
		case time.Now().After(deadline):
			return nil, fmt.Errorf("broadcast %d did not complete in %v: %d initiated, %d successful", id, timeout, b.Stats.Initiated, b.Stats.Successful)
		case time.Since(last) > 5*time.Second:
			logf("broadcast %d: %d initiated, %d successful", id, b.Stats.Initiated, b.Stats.Successful)
			last = time.Now()
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// crashAt kills the server once at least n contacts of broadcast id are
// initiated, and starts it again.
func (s *server) crashAt(ctx context.Context, key string, id int64, n int, verbose bool) error {
	for {
		var b broadcastAnswer
		if err := s.API("GET", fmt.Sprintf("/api/v1/broadcasts/%d", id), key, nil, &b); err != nil {
			return err
		}
		if b.Stats.Initiated >= n {
			s.Kill()
			logf("killed the server with %d contacts initiated, %d successful; restarting", b.Stats.Initiated, b.Stats.Successful)
			return s.Start(ctx, verbose)
		}
		if b.Status == "complete" {
			return errors.New("the broadcast completed before the crash")
		}
		time.Sleep(time.Millisecond)
	}
}
