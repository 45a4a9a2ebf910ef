package smppbench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/heraldhq/herald/internal/smpp/kannel"
)

// KannelOptions shapes RunKannel. Zero values take the defaults given.
type KannelOptions struct {
	// N is the number of messages; default 10000.
	N int
	// Clients is the number of keep-alive HTTP connections, one message
	// per request; default 32 (Kannel's listen backlog is 10: stay at 64
	// or fewer).
	Clients int
	// MaxPendingSubmits is bearerbox's window; default 1000.
	MaxPendingSubmits int
}

// RunKannel measures Kannel's own figure on the same path Herald is
// compared on: HTTP sendsms to smsbox, bearerbox, one transmitter bind to
// drive_smpp, with quiet logs (smsbox 2, bearerbox 4) and messages held in
// memory. Elapsed runs from the first request until bearerbox counts N
// sent; CPUPerMessage is bearerbox's and smsbox's, PeerCPUPerMessage
// drive_smpp's.
func RunKannel(ctx context.Context, o KannelOptions) (Result, error) {
	if o.N <= 0 {
		o.N = 10000
	}
	if o.Clients <= 0 {
		o.Clients = 32
	}
	if o.MaxPendingSubmits <= 0 {
		o.MaxPendingSubmits = 1000
	}
	// bearerbox is the box drive_smpp's fake smsbox connects to: it must
	// listen on kannel.BoxPort.
	d, err := kannel.StartDriveSMPP(ctx, kannel.DriveOptions{NoBox: true})
	if err != nil {
		return Result{}, err
	}
	defer d.Close()
	dir, err := os.MkdirTemp("", "herald-kannel-bench-")
	if err != nil {
		return Result{}, fmt.Errorf("smppbench: %w", err)
	}
	defer os.RemoveAll(dir)
	gw, err := kannel.StartGateway(ctx, kannel.GatewayConfig{
		BoxPort: kannel.BoxPort, LogLevel: 4, SmsboxLogLevel: 2,
		SMSCs: []kannel.SMSC{{ID: "drive", Port: d.Port, Username: "foo", Password: "bar", SystemType: "VMA",
			MaxPendingSubmits: o.MaxPendingSubmits, EnquireLinkInterval: 60}},
	}, dir)
	if err != nil {
		return Result{}, err
	}
	defer gw.Close()
	if err := gw.WaitOnline(ctx); err != nil {
		return Result{}, err
	}
	waitFakeBox(ctx, gw)
	peerBefore := rusage(syscall.RUSAGE_CHILDREN)
	cpu := gw.CPU()
	start := time.Now()
	if err := sendAll(ctx, gw, o); err != nil {
		return Result{}, err
	}
	for {
		sent, err := gw.Sent(ctx)
		if err != nil {
			return Result{}, err
		}
		if sent >= o.N {
			break
		}
		select {
		case <-ctx.Done():
			return Result{}, fmt.Errorf("smppbench: Kannel sent %d of %d: %w", sent, o.N, ctx.Err())
		case <-time.After(2 * time.Millisecond):
		}
	}
	elapsed := time.Since(start)
	res := Result{N: o.N, Elapsed: elapsed, PerSecond: float64(o.N) / elapsed.Seconds(),
		CPUPerMessage: (gw.CPU() - cpu) / time.Duration(o.N)}
	gwTotal := gw.CPU()
	gw.Close()
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if st, err := d.Wait(wctx); err != nil || st.Submits != o.N {
		return res, fmt.Errorf("smppbench: drive_smpp counted %d submit_sm, want %d (%v)", st.Submits, o.N, err)
	}
	// drive_smpp has been waited for; bearerbox and smsbox too, but their
	// CPU is in CPUPerMessage already: subtract it.
	res.PeerCPUPerMessage = (rusage(syscall.RUSAGE_CHILDREN) - peerBefore - gwTotal) / time.Duration(o.N)
	return res, nil
}

// sendAll sends N sendsms requests over Clients keep-alive connections.
func sendAll(ctx context.Context, gw *kannel.Gateway, o KannelOptions) error {
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.Clients, MaxConnsPerHost: o.Clients}}
	defer hc.CloseIdleConnections()
	base := fmt.Sprintf("http://127.0.0.1:%d/cgi-bin/sendsms?", gw.Config.SendsmsPort)
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	for range o.Clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(o.N) || ctx.Err() != nil {
					return
				}
				q := url.Values{"username": {gw.Config.Username}, "password": {gw.Config.Password},
					"from": {"12345"}, "to": {"46700000000"}, "text": {"bench message " + strconv.FormatInt(i, 10)}}
				if err := sendOne(ctx, hc, base+q.Encode()); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
			}
		}()
	}
	wg.Wait()
	return firstErr
}

// sendOne makes one sendsms request and checks for 202.
func sendOne(ctx context.Context, hc *http.Client, u string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("smppbench: sendsms: %w", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		return fmt.Errorf("smppbench: sendsms answered %d %q", resp.StatusCode, body)
	}
	return nil
}

// waitFakeBox waits, for at most ten seconds, until drive_smpp's built-in
// fake smsbox has connected to bearerbox (two boxes in the status: the real
// smsbox and the fake one). drive_smpp connects it on its first SMPP accept,
// in a thread of its own; on a loaded machine a short run can end, and the
// gateway close, before it connects, and drive_smpp then panics without
// printing its counters. The wait is best effort: the run goes on without it.
func waitFakeBox(ctx context.Context, gw *kannel.Gateway) {
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for {
		if xml, err := gw.Status(wctx); err == nil && strings.Count(xml, "<box>") >= 2 {
			return
		}
		select {
		case <-wctx.Done():
			return
		case <-time.After(20 * time.Millisecond):
		}
	}
}
