// Command smpp measures Herald's SMPP path against Kannel's on loopback:
//
//	go run ./bench/smpp -n 20000
//
// Herald: app.Main in-process on a fresh SQLite data directory, with one
// connection of type smpp (transmitter+receiver) to Kannel's drive_smpp, a
// sender ID of the default account on it and an API key. A child process
// (this command again, with -load-url) posts N messages to
// /api/v1/messages from -clients keep-alive connections, one message per
// request; herald_per_s runs from the first post until the engine has
// counted N messages sent (submit_sm_resp), and herald_cpu_us_per_msg is
// this process's CPU (user plus system) over that time, so it excludes the
// load client. Kannel: smppbench.RunKannel (HTTP sendsms, smsbox,
// bearerbox, the same drive_smpp, the same concurrency); its CPU is smsbox's
// and bearerbox's. server_per_s: a second Main with Herald's SMPP server,
// an account with SMPP credentials, and one transmitter bind pushing N
// submit_sm (each committed as a message to the sandbox) as fast as its
// window allows.
//
// -parts chooses the measurements (herald, kannel, server, and batch:
// the herald measurement again with -batch messages per request to
// /api/v1/messages/batch, reported on a line of its own,
//
//	smpp-batch: n=N batch=N herald_batch_per_s=N kannel_per_s=N ratio=N herald_batch_cpu_us_per_msg=N kannel_cpu_us_per_msg=N
//
// receipts: one message per request until delivered, through one
// connection to an SMSC of the benchmark's own (a child process on Herald's
// SMPP library, see smsc.go) that sends a receipt for every message, since
// drive_smpp sends none; its line is
//
//	smpp-receipts: n=N herald_delivered_per_s=N herald_cpu_us_per_msg=N
//
// and http: the same load against a net/http server that stores and sends
// nothing (see floor.go), the share of Herald's CPU per request that is
// HTTP's alone, and again against the least HTTP server (raw); its line is
//
//	smpp-http: n=N http_per_s=N http_cpu_us_per_req=N raw_http_cpu_us_per_req=N load_client_cpu_us_per_req=N
//
// ). The last line of its output is
//
//	smpp: n=N herald_per_s=N kannel_per_s=N ratio=N herald_cpu_us_per_msg=N kannel_cpu_us_per_msg=N server_per_s=N
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"runtime/trace"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/bench/internal/inproc"
	"github.com/heraldhq/herald/internal/app"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/smpp/kannel"
	"github.com/heraldhq/herald/internal/smpp/smppbench"
)

// options are the command's flags.
type options struct {
	n       int
	clients int
	window  int
	verbose bool
	timeout time.Duration
	parts   map[string]bool // which measurements run
	cpuProf string          // profile the herald (or batch) measurement's CPU into this file
	memProf string          // write the allocations of the process into this file after that measurement
	trace   string          // write an execution trace of that measurement into this file
	batch   int             // messages per request of the batch part
	// loadBatch makes the load client post batches of this many messages.
	loadBatch int
	// loadURL and loadKey make the process the load client of a run.
	loadURL, loadKey string
	// smsc makes the process the receipts measurement's SMSC.
	smsc bool
}

func main() {
	var o options
	flag.IntVar(&o.n, "n", 20000, "messages per measurement")
	flag.IntVar(&o.clients, "clients", 32, "concurrent HTTP clients (Herald and Kannel alike)")
	flag.IntVar(&o.window, "window", 1000, "Herald's SMPP window towards drive_smpp (Kannel's max-pending-submits is 1000)")
	flag.BoolVar(&o.verbose, "v", false, "log Herald's warnings and errors to stderr")
	flag.DurationVar(&o.timeout, "timeout", 10*time.Minute, "give up after this long")
	flag.StringVar(&o.loadURL, "load-url", "", "internal: post N messages to this URL and exit")
	flag.StringVar(&o.loadKey, "load-key", "", "internal: the API key of -load-url")
	flag.BoolVar(&o.smsc, "smsc", false, "internal: serve as the SMSC of the receipts measurement")
	flag.IntVar(&o.loadBatch, "load-batch", 0, "internal: post batches of this many messages to -load-url")
	flag.StringVar(&o.cpuProf, "cpuprofile", "", "profile this process's CPU during the herald measurement (the batch one with -parts batch) into this file")
	flag.StringVar(&o.memProf, "memprofile", "", "write this process's allocation profile (go tool pprof -sample_index=alloc_space) into this file after the herald measurement (the batch one with -parts batch)")
	flag.StringVar(&o.trace, "trace", "", "write an execution trace (go tool trace) of the herald measurement (the batch one with -parts batch) into this file")
	parts := flag.String("parts", "herald,kannel,server", "measurements to run, comma-separated: herald, kannel, server, batch, receipts, http")
	flag.IntVar(&o.batch, "batch", 100, "messages per request of the batch part (POST /api/v1/messages/batch, at most 1000)")
	flag.Parse()
	o.parts = map[string]bool{}
	for _, p := range strings.Split(*parts, ",") {
		o.parts[strings.TrimSpace(p)] = true
	}
	log.SetFlags(0)
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	if o.loadURL != "" {
		if err := load(ctx, o); err != nil {
			log.Fatal(err)
		}
		return
	}
	if o.smsc {
		if err := serveSMSC(ctx); err != nil {
			log.Fatal(err)
		}
		return
	}
	if err := kannel.Require(kannel.DriveSMPPPath); err != nil {
		log.Fatal(err)
	}
	if err := run(ctx, o); err != nil {
		log.Fatal(err)
	}
}

// run makes the measurements of o.parts and prints the result lines: one
// for the batch part, and the comparison line last.
func run(ctx context.Context, o options) error {
	var h, k, s, b, r, f, raw smppbench.Result
	var err error
	if o.parts["http"] {
		if f, err = runFloor(ctx, o, false); err != nil {
			return fmt.Errorf("http: %w", err)
		}
		log.Printf("http: %s", f)
		if raw, err = runFloor(ctx, o, true); err != nil {
			return fmt.Errorf("raw http: %w", err)
		}
		log.Printf("raw http: %s", raw)
	}
	if o.parts["herald"] {
		if h, err = runHerald(ctx, o, 0, false); err != nil {
			return fmt.Errorf("herald: %w", err)
		}
		log.Printf("herald: %s", h)
	}
	if o.parts["batch"] {
		if b, err = runHerald(ctx, o, o.batch, false); err != nil {
			return fmt.Errorf("herald batch: %w", err)
		}
		log.Printf("herald batch: %s", b)
	}
	if o.parts["receipts"] {
		if r, err = runHerald(ctx, o, 0, true); err != nil {
			return fmt.Errorf("herald receipts: %w", err)
		}
		log.Printf("herald receipts: %s", r)
	}
	if o.parts["kannel"] {
		if k, err = smppbench.RunKannel(ctx, smppbench.KannelOptions{N: o.n, Clients: o.clients}); err != nil {
			return fmt.Errorf("kannel: %w", err)
		}
		log.Printf("kannel: %s", k)
	}
	if o.parts["server"] {
		if s, err = runServer(ctx, o); err != nil {
			return fmt.Errorf("server: %w", err)
		}
		log.Printf("server: %s", s)
	}
	if o.parts["http"] {
		fmt.Printf("smpp-http: n=%d http_per_s=%.0f http_cpu_us_per_req=%.1f raw_http_cpu_us_per_req=%.1f load_client_cpu_us_per_req=%.1f\n",
			o.n, f.PerSecond, us(f.CPUPerMessage), us(raw.CPUPerMessage), us(f.PeerCPUPerMessage))
	}
	if o.parts["receipts"] {
		fmt.Printf("smpp-receipts: n=%d herald_delivered_per_s=%.0f herald_cpu_us_per_msg=%.1f\n",
			o.n, r.PerSecond, us(r.CPUPerMessage))
	}
	if o.parts["batch"] {
		fmt.Printf("smpp-batch: n=%d batch=%d herald_batch_per_s=%.0f kannel_per_s=%.0f ratio=%.2f herald_batch_cpu_us_per_msg=%.1f kannel_cpu_us_per_msg=%.1f\n",
			o.n, o.batch, b.PerSecond, k.PerSecond, ratio(b.PerSecond, k.PerSecond), us(b.CPUPerMessage), us(k.CPUPerMessage))
	}
	fmt.Printf("smpp: n=%d herald_per_s=%.0f kannel_per_s=%.0f ratio=%.2f herald_cpu_us_per_msg=%.1f kannel_cpu_us_per_msg=%.1f server_per_s=%.0f\n",
		o.n, h.PerSecond, k.PerSecond, ratio(h.PerSecond, k.PerSecond), us(h.CPUPerMessage), us(k.CPUPerMessage), s.PerSecond)
	return nil
}

// ratio returns a/b, or 0 when b was not measured.
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// us returns d in microseconds.
func us(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }

// logger returns the logger of an in-process Herald.
func logger(o options) *slog.Logger {
	if o.verbose {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	return slog.New(slog.DiscardHandler)
}

// startMain runs Herald in-process on a fresh SQLite data directory under
// dir with the extra environment env; stop ends it.
func startMain(ctx context.Context, o options, dir string, env ...string) (m *app.Main, addr string, stop func(), err error) {
	return inproc.Start(ctx, append(env, "HERALD_DATA_DIR="+filepath.Join(dir, "data")), logger(o))
}

// runHerald measures API acceptance to submit_sm_resp through one SMPP
// connection to drive_smpp: one message per request, or batches of batch
// messages to POST /api/v1/messages/batch when batch > 0. With receipts it
// measures API acceptance to delivered through one SMPP connection to the
// benchmark's SMSC, which sends a receipt for each message.
func runHerald(ctx context.Context, o options, batch int, receipts bool) (smppbench.Result, error) {
	dir, err := os.MkdirTemp("", "herald-smpp-bench-")
	if err != nil {
		return smppbench.Result{}, fmt.Errorf("creating a data directory: %w", err)
	}
	defer os.RemoveAll(dir)
	var (
		d    *kannel.DriveSMPP
		sc   *smsc
		port int
	)
	counted := herald.StatusSent
	if receipts {
		if sc, err = startSMSC(ctx); err != nil {
			return smppbench.Result{}, err
		}
		defer sc.Close()
		port, counted = sc.Port, herald.StatusDelivered
	} else {
		if d, err = kannel.StartDriveSMPP(ctx, kannel.DriveOptions{}); err != nil {
			return smppbench.Result{}, err
		}
		defer d.Close()
		port = d.Port
	}
	m, addr, stop, err := startMain(ctx, o, dir)
	if err != nil {
		return smppbench.Result{}, err
	}
	stopped := false
	defer func() {
		if !stopped {
			stop()
		}
	}()
	settings := fmt.Sprintf(`{"host": "127.0.0.1", "port": %d, "systemId": "herald", "systemType": "VMA",
		"bindMode": "transmitter+receiver", "window": %d, "enquireLink": "60s"}`, port, o.window)
	c := &herald.Connection{Type: herald.ConnectorSMPP, Channel: herald.ChannelSMS, Name: "drive_smpp",
		Settings: json.RawMessage(settings), Secrets: map[string]string{"password": "bar"}, Accounts: []int64{1}}
	if err := m.CreateConnection(ctx, c); err != nil {
		return smppbench.Result{}, err
	}
	if err := m.Store.CreateSender(ctx, &herald.SenderID{AccountID: 1, Name: "Herald", Channel: herald.ChannelSMS,
		ConnectionID: c.ID}); err != nil {
		return smppbench.Result{}, fmt.Errorf("creating the sender ID: %w", err)
	}
	key, err := m.Auth.CreateAPIKey(ctx, &herald.APIKey{AccountID: 1, Name: "smpp bench", Scopes: []herald.Scope{herald.ScopeOmniAPI}})
	if err != nil {
		return smppbench.Result{}, err
	}
	// The engine starts a connection with its first message: send one and
	// wait for it, so that the binds are up before the clock starts.
	payload, _ := json.Marshal(map[string]string{"text": "warm-up"}) // a string map always encodes
	if _, err := m.Messaging.Engine.Send(ctx, &herald.SendRequest{AccountID: 1, Contact: herald.ContactRef{Phone: "+46700000001"},
		CreateRecipient: true, Origin: herald.OriginAPI, Traffic: herald.TrafficAPI,
		Steps: []herald.SendStep{{Channel: herald.ChannelSMS, SenderID: "Herald", Payload: payload}}}); err != nil {
		return smppbench.Result{}, fmt.Errorf("sending the warm-up message: %w", err)
	}
	if err := waitBound(ctx, m, c.ID); err != nil {
		return smppbench.Result{}, err
	}
	for inproc.Messages(m, "", string(counted)) < 1 {
		select {
		case <-ctx.Done():
			return smppbench.Result{}, fmt.Errorf("waiting for the warm-up message: %w", ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
	before := inproc.Messages(m, "", string(counted))
	if o.profiled(batch, receipts) {
		for _, r := range []struct {
			path  string
			start func(io.Writer) error
			stop  func()
		}{{o.cpuProf, pprof.StartCPUProfile, pprof.StopCPUProfile}, {o.trace, trace.Start, trace.Stop}} {
			if r.path == "" {
				continue
			}
			f, err := os.Create(r.path)
			if err != nil {
				return smppbench.Result{}, fmt.Errorf("creating %s: %w", r.path, err)
			}
			defer f.Close()
			if err := r.start(f); err != nil {
				return smppbench.Result{}, fmt.Errorf("recording %s: %w", r.path, err)
			}
			defer r.stop()
		}
	}
	cpu := inproc.CPU()
	start := time.Now()
	url := "http://" + addr + "/api/v1/messages"
	if batch > 0 {
		url += "/batch"
	}
	cmd := exec.CommandContext(ctx, os.Args[0], "-n", fmt.Sprint(o.n), "-clients", fmt.Sprint(o.clients),
		"-load-url", url, "-load-key", key, "-load-batch", fmt.Sprint(batch))
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return smppbench.Result{}, fmt.Errorf("starting the load client: %w", err)
	}
	loaded := make(chan error, 1)
	go func() { loaded <- cmd.Wait() }()
	for inproc.Messages(m, "", string(counted))-before < float64(o.n) {
		select {
		case <-ctx.Done():
			return smppbench.Result{}, fmt.Errorf("%.0f of %d %s: %w", inproc.Messages(m, "", string(counted))-before, o.n, counted, ctx.Err())
		case err := <-loaded:
			if err != nil {
				return smppbench.Result{}, fmt.Errorf("load client: %w", err)
			}
			loaded = nil // posted everything; wait for the last submit_sm_resp
		case <-time.After(5 * time.Millisecond):
		}
	}
	elapsed := time.Since(start)
	if o.memProf != "" && o.profiled(batch, receipts) {
		if err := writeAllocs(o.memProf); err != nil {
			return smppbench.Result{}, err
		}
	}
	res := smppbench.Result{N: o.n, Elapsed: elapsed, PerSecond: float64(o.n) / elapsed.Seconds(),
		CPUPerMessage: (inproc.CPU() - cpu) / time.Duration(o.n)}
	if loaded != nil {
		if err := <-loaded; err != nil {
			return res, fmt.Errorf("load client: %w", err)
		}
	}
	stopped = true
	stop() // unbinds: drive_smpp exits and prints its counters
	if receipts {
		submits, acked, err := sc.Stop()
		if err != nil {
			return res, err
		}
		if submits != o.n+1 || acked != o.n+1 {
			return res, fmt.Errorf("the SMSC counted %d submit_sm and %d receipts acknowledged, want %d of each (and the warm-up)", submits, acked, o.n)
		}
		return res, nil
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	st, err := d.Wait(wctx)
	if err != nil {
		return res, err
	}
	if st.Submits != o.n+1 {
		return res, fmt.Errorf("drive_smpp counted %d submit_sm, want %d (and the warm-up)", st.Submits, o.n)
	}
	return res, nil
}

// profiled reports whether the measurement of batch and receipts is the one
// -cpuprofile and -memprofile profile: the receipts one when it runs, else
// the batch one when it runs, else the herald one.
func (o options) profiled(batch int, receipts bool) bool {
	switch {
	case o.parts["receipts"]:
		return receipts
	case o.parts["batch"]:
		return batch > 0
	}
	return true
}

// writeAllocs writes the allocation profile of the process to path.
func writeAllocs(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("creating the allocation profile: %w", err)
	}
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return fmt.Errorf("writing the allocation profile: %w", err)
	}
	return f.Close()
}

// waitBound waits until every session of an SMPP connection is bound.
func waitBound(ctx context.Context, m *app.Main, connID int64) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		if b, ok := m.Messaging.SMPP.Binds(connID); ok && len(b.Sessions) > 0 {
			bound := 0
			for _, s := range b.Sessions {
				if s.State == "bound" {
					bound++
				}
			}
			if bound == len(b.Sessions) {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return errors.New("the SMPP connection did not bind within 30 s")
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for the SMPP binds: %w", ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// runServer measures Herald's integrated SMPP server: one transmitter bind
// with real credentials pushing N submit_sm, each committed as a message.
func runServer(ctx context.Context, o options) (smppbench.Result, error) {
	dir, err := os.MkdirTemp("", "herald-smpp-bench-")
	if err != nil {
		return smppbench.Result{}, fmt.Errorf("creating a data directory: %w", err)
	}
	defer os.RemoveAll(dir)
	m, _, stop, err := startMain(ctx, o, dir, "HERALD_SMPP_ADDR=127.0.0.1:0")
	if err != nil {
		return smppbench.Result{}, err
	}
	defer stop()
	const systemID, password = "bench", "bench-secret"
	hash, err := auth.HashPassword(password, auth.FastHashParams())
	if err != nil {
		return smppbench.Result{}, fmt.Errorf("hashing the SMPP password: %w", err)
	}
	cred := &herald.SMPPCredential{AccountID: 1, SystemID: systemID, PasswordHash: hash, SenderID: herald.SandboxSender}
	if err := m.Store.CreateSMPPCredential(ctx, cred); err != nil {
		return smppbench.Result{}, fmt.Errorf("creating the SMPP credential: %w", err)
	}
	return smppbench.RunAt(ctx, m.SMPP.Addr(), systemID, password,
		smppbench.Options{N: o.n, Source: herald.SandboxSender, Logger: logger(o)})
}

// load posts N messages to o.loadURL from o.clients keep-alive
// connections, one message per request (or o.loadBatch per batch), and
// fails on any refusal.
func load(ctx context.Context, o options) error {
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.clients, MaxConnsPerHost: o.clients,
		DialContext: (&net.Dialer{}).DialContext}, Timeout: time.Minute}
	var next atomic.Int64
	var failures atomic.Int64
	var first error
	var once sync.Once
	var wg sync.WaitGroup
	for range o.clients {
		wg.Go(func() {
			per := int64(max(1, o.loadBatch))
			for ctx.Err() == nil {
				hi := next.Add(per)
				lo := hi - per + 1
				if lo > int64(o.n) {
					return
				}
				hi = min(hi, int64(o.n))
				var err error
				if o.loadBatch > 0 {
					err = postBatch(ctx, hc, o, lo, hi)
				} else {
					err = post(ctx, hc, o, lo)
				}
				if err != nil {
					failures.Add(1)
					once.Do(func() { first = err })
					return
				}
			}
		})
	}
	wg.Wait()
	if n := failures.Load(); n > 0 {
		return fmt.Errorf("%d posts failed, the first: %w", n, first)
	}
	return ctx.Err()
}

// message returns the body of message i.
func message(i int64) string {
	return fmt.Sprintf(`{"contact":"+346%07d7","channel":1,"senderId":"Herald","payload":{"text":"bench message %d"}}`, i, i)
}

// postBatch sends messages lo to hi in one batch and checks that each
// was accepted.
func postBatch(ctx context.Context, hc *http.Client, o options, lo, hi int64) error {
	var b strings.Builder
	b.WriteString(`{"messages":[`)
	for i := lo; i <= hi; i++ {
		if i > lo {
			b.WriteByte(',')
		}
		b.WriteString(message(i))
	}
	b.WriteString("]}")
	data, err := postBody(ctx, hc, o, b.String())
	if err != nil {
		return err
	}
	var a struct {
		Accepted int64 `json:"accepted"`
	}
	if err := json.Unmarshal(data, &a); err != nil || a.Accepted != hi-lo+1 {
		return fmt.Errorf("posting a batch: %d of %d accepted: %s", a.Accepted, hi-lo+1, data)
	}
	return nil
}

// post sends message i and checks for 202.
func post(ctx context.Context, hc *http.Client, o options, i int64) error {
	_, err := postBody(ctx, hc, o, message(i))
	return err
}

// postBody posts body to o.loadURL, checks for 202 and returns the answer.
func postBody(ctx context.Context, hc *http.Client, o options, body string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.loadURL, strings.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("building a request: %w", err)
	}
	req.Header.Set("X-API-Key", o.loadKey)
	req.Header.Set("Content-Type", "application/json")
	res, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("posting: %w", err)
	}
	data, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusAccepted {
		return nil, fmt.Errorf("posting: status %d: %s", res.StatusCode, data)
	}
	return data, nil
}
