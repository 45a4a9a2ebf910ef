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
// The last line of its output is
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
	// loadURL and loadKey make the process the load client of a run.
	loadURL, loadKey string
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
	flag.Parse()
	log.SetFlags(0)
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	if o.loadURL != "" {
		if err := load(ctx, o); err != nil {
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

// run makes the three measurements and prints the result line.
func run(ctx context.Context, o options) error {
	h, err := runHerald(ctx, o)
	if err != nil {
		return fmt.Errorf("herald: %w", err)
	}
	log.Printf("herald: %s", h)
	k, err := smppbench.RunKannel(ctx, smppbench.KannelOptions{N: o.n, Clients: o.clients})
	if err != nil {
		return fmt.Errorf("kannel: %w", err)
	}
	log.Printf("kannel: %s", k)
	s, err := runServer(ctx, o)
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	log.Printf("server: %s", s)
	fmt.Printf("smpp: n=%d herald_per_s=%.0f kannel_per_s=%.0f ratio=%.2f herald_cpu_us_per_msg=%.1f kannel_cpu_us_per_msg=%.1f server_per_s=%.0f\n",
		o.n, h.PerSecond, k.PerSecond, h.PerSecond/k.PerSecond, us(h.CPUPerMessage), us(k.CPUPerMessage), s.PerSecond)
	return nil
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
// connection to drive_smpp.
func runHerald(ctx context.Context, o options) (smppbench.Result, error) {
	dir, err := os.MkdirTemp("", "herald-smpp-bench-")
	if err != nil {
		return smppbench.Result{}, fmt.Errorf("creating a data directory: %w", err)
	}
	defer os.RemoveAll(dir)
	d, err := kannel.StartDriveSMPP(ctx, kannel.DriveOptions{})
	if err != nil {
		return smppbench.Result{}, err
	}
	defer d.Close()
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
		"bindMode": "transmitter+receiver", "window": %d, "enquireLink": "60s"}`, d.Port, o.window)
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
	for inproc.Messages(m, "", string(herald.StatusSent)) < 1 {
		select {
		case <-ctx.Done():
			return smppbench.Result{}, fmt.Errorf("waiting for the warm-up message: %w", ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
	before := inproc.Messages(m, "", string(herald.StatusSent))
	cpu := inproc.CPU()
	start := time.Now()
	cmd := exec.CommandContext(ctx, os.Args[0], "-n", fmt.Sprint(o.n), "-clients", fmt.Sprint(o.clients),
		"-load-url", "http://"+addr+"/api/v1/messages", "-load-key", key)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return smppbench.Result{}, fmt.Errorf("starting the load client: %w", err)
	}
	loaded := make(chan error, 1)
	go func() { loaded <- cmd.Wait() }()
	for inproc.Messages(m, "", string(herald.StatusSent))-before < float64(o.n) {
		select {
		case <-ctx.Done():
			return smppbench.Result{}, fmt.Errorf("%.0f of %d sent: %w", inproc.Messages(m, "", string(herald.StatusSent))-before, o.n, ctx.Err())
		case err := <-loaded:
			if err != nil {
				return smppbench.Result{}, fmt.Errorf("load client: %w", err)
			}
			loaded = nil // posted everything; wait for the last submit_sm_resp
		case <-time.After(5 * time.Millisecond):
		}
	}
	elapsed := time.Since(start)
	res := smppbench.Result{N: o.n, Elapsed: elapsed, PerSecond: float64(o.n) / elapsed.Seconds(),
		CPUPerMessage: (inproc.CPU() - cpu) / time.Duration(o.n)}
	if loaded != nil {
		if err := <-loaded; err != nil {
			return res, fmt.Errorf("load client: %w", err)
		}
	}
	stopped = true
	stop() // unbinds: drive_smpp exits and prints its counters
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
// connections, one message per request, and fails on any refusal.
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
			for ctx.Err() == nil {
				i := next.Add(1)
				if i > int64(o.n) {
					return
				}
				if err := post(ctx, hc, o, i); err != nil {
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

// post sends message i and checks for 202.
func post(ctx context.Context, hc *http.Client, o options, i int64) error {
	body := fmt.Sprintf(`{"contact":"+3460%07d7","channel":1,"senderId":"Herald","payload":{"text":"bench message %d"}}`, i, i)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.loadURL, strings.NewReader(body))
	if err != nil {
		return fmt.Errorf("building a request: %w", err)
	}
	req.Header.Set("X-API-Key", o.loadKey)
	req.Header.Set("Content-Type", "application/json")
	res, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("posting a message: %w", err)
	}
	data, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusAccepted {
		return fmt.Errorf("posting a message: status %d: %s", res.StatusCode, data)
	}
	return nil
}
