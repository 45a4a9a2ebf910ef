// Package smppbench measures Herald's SMPP client and server on loopback:
// N submit_sm through one bind to Kannel's drive_smpp, and through one bind
// to Herald's own server. bench/smpp and the package's Go benchmarks call it.
package smppbench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/heraldhq/herald/internal/smpp"
	"github.com/heraldhq/herald/internal/smpp/kannel"
)

// Options shapes a run. Zero values take the defaults given.
type Options struct {
	// N is the number of messages; default 10000.
	N int
	// Window is the client's window; default 256.
	Window int
	// Binds is the number of transmitter binds; default 1.
	Binds int
	// Text is the message text; default "bench message".
	Text string
	// Source is the messages' source address; default "12345".
	Source string
	// Logger receives the client's and server's logs; default discards.
	Logger *slog.Logger
}

func (o *Options) defaults() {
	if o.N <= 0 {
		o.N = 10000
	}
	if o.Window <= 0 {
		o.Window = 256
	}
	if o.Binds <= 0 {
		o.Binds = 1
	}
	if o.Text == "" {
		o.Text = "bench message"
	}
	if o.Source == "" {
		o.Source = "12345"
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
}

// Result is the outcome of a run.
type Result struct {
	// N messages took Elapsed from the first submit to the last
	// submit_sm_resp: PerSecond messages per second.
	N         int
	Elapsed   time.Duration
	PerSecond float64
	// CPUPerMessage is this process's CPU time (user and system) per
	// message: Herald's client, and for RunServer its server too.
	CPUPerMessage time.Duration
	// PeerCPUPerMessage is drive_smpp's CPU time per message (RunDriveSMPP).
	PeerCPUPerMessage time.Duration
}

// String formats the result on one line.
func (r Result) String() string {
	s := fmt.Sprintf("n=%d elapsed=%v per_s=%.0f cpu_us_per_msg=%.2f", r.N, r.Elapsed.Round(time.Millisecond),
		r.PerSecond, float64(r.CPUPerMessage.Nanoseconds())/1e3)
	if r.PeerCPUPerMessage > 0 {
		s += fmt.Sprintf(" peer_cpu_us_per_msg=%.2f", float64(r.PeerCPUPerMessage.Nanoseconds())/1e3)
	}
	return s
}

// RunDriveSMPP starts drive_smpp and pushes N submit_sm to it through
// Herald's client, as fast as the window allows.
func RunDriveSMPP(ctx context.Context, o Options) (Result, error) {
	o.defaults()
	d, err := kannel.StartDriveSMPP(ctx, kannel.DriveOptions{})
	if err != nil {
		return Result{}, err
	}
	defer d.Close()
	childBefore := rusage(syscall.RUSAGE_CHILDREN)
	c, err := smpp.NewClient(smpp.Config{Addr: d.Addr(), SystemID: "bench", SystemType: "VMA",
		Mode: smpp.BindTransmitter, Binds: o.Binds, Window: o.Window, Logger: o.Logger})
	if err != nil {
		return Result{}, err
	}
	res, err := push(ctx, c, o)
	_ = c.Close()
	if err != nil {
		return res, err
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	st, err := d.Wait(wctx)
	if err != nil {
		return res, err
	}
	if st.Submits != o.N {
		return res, fmt.Errorf("smppbench: drive_smpp counted %d submit_sm, want %d", st.Submits, o.N)
	}
	res.PeerCPUPerMessage = (rusage(syscall.RUSAGE_CHILDREN) - childBefore) / time.Duration(o.N)
	return res, nil
}

// RunServer starts Herald's SMPP server on loopback with a SubmitFunc that
// only numbers messages, and pushes N submit_sm to it through Herald's
// client. CPU covers both sides.
func RunServer(ctx context.Context, o Options) (Result, error) {
	o.defaults()
	var next atomic.Uint64
	srv, err := smpp.NewServer(smpp.ServerConfig{
		Auth: func(context.Context, *smpp.BindRequest) (smpp.BindSettings, error) { return smpp.BindSettings{}, nil },
		Submit: func(context.Context, *smpp.SubmitRequest) (string, error) {
			return strconv.FormatUint(next.Add(1), 10), nil
		},
		MaxInflight: o.Window, Logger: o.Logger,
	})
	if err != nil {
		return Result{}, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return Result{}, fmt.Errorf("smppbench: %w", err)
	}
	sctx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(sctx, ln) }()
	defer func() { stop(); <-served }()
	c, err := smpp.NewClient(smpp.Config{Addr: ln.Addr().String(), SystemID: "bench",
		Mode: smpp.BindTransmitter, Binds: o.Binds, Window: o.Window, Logger: o.Logger})
	if err != nil {
		return Result{}, err
	}
	defer c.Close()
	res, err := push(ctx, c, o)
	if err == nil && next.Load() != uint64(o.N) {
		err = fmt.Errorf("smppbench: server got %d submit_sm, want %d", next.Load(), o.N)
	}
	return res, err
}

// RunAt pushes N submit_sm through one transmitter bind (o.Binds) to an
// SMPP server already listening on addr, bound as systemID with password:
// Herald's integrated server, whose every submit_sm becomes a committed
// message. CPU is this process's, so it covers an in-process server too.
func RunAt(ctx context.Context, addr, systemID, password string, o Options) (Result, error) {
	o.defaults()
	c, err := smpp.NewClient(smpp.Config{Addr: addr, SystemID: systemID, Password: password,
		Mode: smpp.BindTransmitter, Binds: o.Binds, Window: o.Window, Logger: o.Logger})
	if err != nil {
		return Result{}, err
	}
	defer c.Close()
	return push(ctx, c, o)
}

// push waits for c to bind, submits N messages from one goroutine with
// SubmitAsync and waits for every response.
func push(ctx context.Context, c *smpp.Client, o Options) (Result, error) {
	bctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := c.Ready(bctx); err != nil {
		return Result{}, err
	}
	var wg sync.WaitGroup
	var failed atomic.Int64
	var firstErr atomic.Value
	m := &smpp.Message{Source: o.Source, Dest: "46700000000", Text: o.Text}
	cpu := rusage(syscall.RUSAGE_SELF)
	start := time.Now()
	wg.Add(o.N)
	for i := 0; i < o.N; i++ {
		err := c.SubmitAsync(ctx, m, func(r smpp.Result) {
			if r.Err != nil {
				failed.Add(1)
				firstErr.CompareAndSwap(nil, r.Err)
			}
			wg.Done()
		})
		if err != nil {
			wg.Add(-(o.N - i))
			wg.Wait()
			return Result{}, fmt.Errorf("smppbench: submitting message %d: %w", i, err)
		}
	}
	wg.Wait()
	elapsed := time.Since(start)
	res := Result{N: o.N, Elapsed: elapsed, PerSecond: float64(o.N) / elapsed.Seconds(),
		CPUPerMessage: (rusage(syscall.RUSAGE_SELF) - cpu) / time.Duration(o.N)}
	if n := failed.Load(); n > 0 {
		err, _ := firstErr.Load().(error)
		return res, fmt.Errorf("smppbench: %d messages failed: %w", n, errors.Join(err))
	}
	return res, nil
}

// rusage returns the user plus system CPU time of who.
func rusage(who int) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
