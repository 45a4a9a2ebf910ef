package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/bench/internal/inproc"
	"github.com/heraldhq/herald/internal/app"
)

// result holds the figures of a run.
type result struct {
	n        int
	elapsed  time.Duration // launch to the last message sent
	cpu      time.Duration
	peakRSS  int64 // kB
	firstMsg time.Duration
}

// line formats the result line.
func (r *result) line() string {
	perS, cpuPer := 0, int64(0)
	if r.elapsed > 0 {
		perS = int(float64(r.n) / r.elapsed.Seconds())
	}
	if r.n > 0 {
		cpuPer = r.cpu.Microseconds() / int64(r.n)
	}
	return fmt.Sprintf("email: n=%d per_s=%d cpu_us_per_msg=%d peak_rss_mb=%d first_message_ms=%d",
		r.n, perS, cpuPer, r.peakRSS/1024, r.firstMsg.Milliseconds())
}

// run does one benchmark run.
func run(ctx context.Context, o options) (*result, error) {
	sk, err := startSink()
	if err != nil {
		return nil, err
	}
	defer sk.stop()
	m, stop, err := startHerald(ctx, o)
	if err != nil {
		return nil, err
	}
	defer stop()
	contacts, err := setup(ctx, m, sk.addr, o)
	if err != nil {
		return nil, err
	}
	logf("sending %d e-mails through a pool of %d SMTP sessions to %s (peak RSS so far %d MB)", o.n, o.pool, sk.addr, peakRSS()/1024)
	if o.profile != "" {
		f, err := os.Create(o.profile)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, err
		}
		defer pprof.StopCPUProfile()
	}
	if o.heap != "" {
		go heapProfile(ctx, m, o.heap, o.n/2)
	}
	cpu0 := inproc.CPU()
	start := time.Now()
	id, err := launchBroadcast(ctx, m, len(contacts))
	if err != nil {
		return nil, err
	}
	logf("launched broadcast %d after %v", id, time.Since(start).Round(time.Millisecond))
	end, err := waitComplete(ctx, m, id, o.n, o.timeout)
	if err != nil {
		return nil, err
	}
	res := &result{n: o.n, elapsed: end.Sub(start), cpu: inproc.CPU() - cpu0, peakRSS: peakRSS()}
	logf("sent %d in %v; CPU %v; %v e-mails counted sent", o.n, res.elapsed.Round(time.Millisecond), res.cpu.Round(time.Millisecond),
		inproc.Messages(m, "email", "sent"))
	select {
	case t := <-sk.first:
		res.firstMsg = t.Sub(start)
	case <-time.After(5 * time.Second):
		return nil, errors.New("the SMTP sink did not report its first message")
	}
	return res, nil
}

// startHerald boots Herald in this process on a fresh database.
func startHerald(ctx context.Context, o options) (*app.Main, func(), error) {
	dir, err := os.MkdirTemp("", "herald-bench-email-")
	if err != nil {
		return nil, nil, err
	}
	env := []string{"HERALD_DATA_DIR=" + dir, "HERALD_BASE_URL=https://herald.example.com"}
	if o.dbURL != "" {
		env = append(env, "HERALD_DATABASE_URL="+o.dbURL)
	}
	m, _, stop, err := inproc.Start(ctx, env, slog.New(slog.DiscardHandler))
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, nil, err
	}
	return m, func() { stop(); _ = os.RemoveAll(dir) }, nil
}

// setup creates the SMTP connection, the sender ID, the name attribute and
// the contacts, and returns the contacts' IDs.
func setup(ctx context.Context, m *app.Main, sinkAddr string, o options) ([]int64, error) {
	ctx = herald.WithActor(ctx, herald.Actor{AccountID: 1, Login: "bench"})
	host, port, _ := net.SplitHostPort(sinkAddr)
	settings := fmt.Sprintf(`{"host": %q, "port": %s, "tls": "none", "poolSize": %d, "bounceAddress": "bounces@mail.shop.test", "fromName": "Shop"}`,
		host, port, o.pool)
	c := &herald.Connection{Type: herald.ConnectorSMTP, Channel: herald.ChannelEmail, Name: "sink",
		Settings: json.RawMessage(settings), Accounts: []int64{1}}
	if err := m.CreateConnection(ctx, c); err != nil {
		return nil, err
	}
	if err := m.Store.CreateSender(ctx, &herald.SenderID{AccountID: 1, Name: "news@shop.test", Channel: herald.ChannelEmail, ConnectionID: c.ID}); err != nil {
		return nil, err
	}
	attr := &herald.Attribute{AccountID: 1, Name: "first name", Type: herald.AttrText, FreeText: true}
	if err := m.Store.CreateAttribute(ctx, attr); err != nil {
		return nil, fmt.Errorf("creating the name attribute: %w", err)
	}
	t0 := time.Now()
	for from := 0; from < o.n; from += 1000 {
		var batch []herald.Contact
		for i := from; i < min(from+1000, o.n); i++ {
			batch = append(batch, herald.Contact{AccountID: 1, Phone: fmt.Sprintf("+3460%07d", i),
				Email: fmt.Sprintf("user%d@example.com", i), Tags: []string{benchTag},
				Attributes: map[string]string{"first name": "User " + strconv.Itoa(i)}})
		}
		res, err := m.Store.UpsertContacts(ctx, 1, batch, herald.DupSkip)
		if err != nil {
			return nil, fmt.Errorf("creating contacts: %w", err)
		}
		if len(res.Errors) > 0 {
			return nil, fmt.Errorf("creating contacts: %+v", res.Errors[0])
		}
	}
	ids, err := contactIDs(ctx, m, o.n)
	logf("created %d contacts in %v", len(ids), time.Since(t0).Round(time.Millisecond))
	return ids, err
}

// contactIDs lists the account's contacts.
func contactIDs(ctx context.Context, m *app.Main, n int) ([]int64, error) {
	ids := make([]int64, 0, n)
	q := herald.ListQuery{Limit: herald.MaxPageSize}
	for {
		page, err := m.Store.ListContacts(ctx, 1, q)
		if err != nil {
			return nil, err
		}
		for _, c := range page.Items {
			ids = append(ids, c.ID)
		}
		if page.Next == "" {
			return ids, nil
		}
		q.Cursor = page.Next
	}
}

// html is the e-mail's body: about 4 KB of HTML with links and the
// contact's name.
var html = func() string {
	var b strings.Builder
	b.WriteString(`<!doctype html><html><head><meta charset="utf-8"><style>body{font-family:Arial,sans-serif;color:#222}` +
		`.btn{background:#0a7;color:#fff;padding:12px 20px;border-radius:4px;text-decoration:none}</style></head><body>` +
		`<table width="100%" cellpadding="0" cellspacing="0"><tr><td align="center"><table width="600"><tr><td>` +
		`<h1>Hola {{attribute.first name}},</h1>`)
	for i := 0; b.Len() < 3800; i++ {
		fmt.Fprintf(&b, `<p>Autumn offers, part %d: our new collection has arrived with jackets, boots and scarves for the `+
			`cold days ahead. Free delivery on orders over 50 euros until Sunday.</p><p><a class="btn" href="https://shop.example.com/c/%d?utm_source=email">See the offers</a></p>`, i, i)
	}
	b.WriteString(`<p>Thanks for being with us, {{attribute.first name}}.</p></td></tr></table></td></tr></table></body></html>`)
	return b.String()
}()

// benchTag tags the run's contacts; the broadcast goes to the tag.
const benchTag = "email-bench"

// launchBroadcast creates and launches an e-mail broadcast to the
// contacts tagged benchTag, the way the API's POST /broadcasts with
// "launch": true does, and returns its ID. Its one step succeeds on
// submission (the SMTP server's 250), so the broadcast completes with the
// last 250.
func launchBroadcast(ctx context.Context, m *app.Main, n int) (int64, error) {
	ctx = herald.WithActor(ctx, herald.Actor{AccountID: 1, Login: "bench"})
	payload, _ := json.Marshal(map[string]string{"subject": "Autumn offers for you", "html": html})
	b := &herald.Broadcast{AccountID: 1, Name: "e-mail bench", Type: herald.BroadcastFallback,
		Recipients: herald.Recipients{Tags: []string{benchTag}},
		Steps: []herald.BroadcastStep{{Channel: herald.ChannelEmail, SenderID: senderName(), Payload: payload,
			Criterion: herald.CriterionSubmit}}}
	b, err := m.Messaging.Broadcasts.Create(ctx, b, true)
	if err != nil {
		return 0, fmt.Errorf("launching the broadcast: %w", err)
	}
	if b.Contacts != n {
		return 0, fmt.Errorf("the broadcast has %d contacts, want %d", b.Contacts, n)
	}
	return b.ID, nil
}

// waitComplete waits until broadcast id is complete with n contacts
// reached and returns when its last status was committed (its
// finishedAt). It watches the engine's count of e-mails sent, then reads
// the broadcast's row until it is complete.
func waitComplete(ctx context.Context, m *app.Main, id int64, n int, timeout time.Duration) (time.Time, error) {
	deadline := time.Now().Add(timeout)
	for {
		b, err := m.Store.Broadcast(ctx, 1, id)
		switch {
		case err != nil:
			return time.Time{}, err
		case b.Stats.Unsuccessful > 0:
			return time.Time{}, fmt.Errorf("%d e-mails failed", b.Stats.Unsuccessful)
		case b.Status == herald.BroadcastComplete && b.Stats.Successful == n:
			return *b.FinishedAt, nil
		case b.Status != herald.BroadcastInProgress:
			return time.Time{}, fmt.Errorf("the broadcast is %s (%d of %d reached): %s", b.Status, b.Stats.Successful, n, b.Reason)
		case time.Now().After(deadline):
			return time.Time{}, fmt.Errorf("%d of %d e-mails sent in %v", b.Stats.Successful, n, timeout)
		}
		// Until every e-mail is counted sent, the engine's counter (read in
		// memory) is watched and the row read only every 100 ms: the
		// completion time is the row's finishedAt, so how soon it is read
		// changes no figure.
		for i := 0; i < 20 && inproc.Messages(m, "email", "sent") < float64(n); i++ {
			select {
			case <-ctx.Done():
				return time.Time{}, ctx.Err()
			case <-time.After(5 * time.Millisecond):
			}
		}
		select {
		case <-ctx.Done():
			return time.Time{}, ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// peakRSS returns this process's VmHWM in kB.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// senderName is the sender ID the driver sends from.
func senderName() string {
	if os.Getenv("BENCH_SANDBOX") != "" {
		return "sandbox"
	}
	return "news@shop.test"
}

// heapProfile writes a heap profile to path once at least n e-mails are
// counted sent.
func heapProfile(ctx context.Context, m *app.Main, path string, n int) {
	for inproc.Messages(m, "email", "sent") < float64(n) {
		select {
		case <-ctx.Done():
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
	f, err := os.Create(path)
	if err != nil {
		logf("heap profile: %v", err)
		return
	}
	defer f.Close()
	if err := pprof.WriteHeapProfile(f); err != nil {
		logf("heap profile: %v", err)
	}
}
