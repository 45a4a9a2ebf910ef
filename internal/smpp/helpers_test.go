package smpp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// testLogger returns a logger that writes through t.Log, at the level in
// SMPP_TEST_LOG (debug, info, warn; default warn).
func testLogger(t testing.TB) *slog.Logger {
	level := slog.LevelWarn
	switch os.Getenv("SMPP_TEST_LOG") {
	case "debug":
		level = slog.LevelDebug
	case "info":
		level = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: level}))
}

// tWriter writes to t.Log.
type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// checkGoroutines fails the test when, after every other cleanup, more
// goroutines run than when it was called. Call it first in a test.
func checkGoroutines(t *testing.T) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(5 * time.Second)
		for {
			n := runtime.NumGoroutine()
			if n <= before {
				return
			}
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<20)
				buf = buf[:runtime.Stack(buf, true)]
				t.Errorf("goroutines leaked: %d before, %d after\n%s", before, n, buf)
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

// testServer runs srv on a loopback port until the test ends.
func testServer(t *testing.T, cfg ServerConfig) (*Server, string) {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = testLogger(t)
	}
	srv, err := NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return srv, ln.Addr().String()
}

// testClient starts a client and closes it when the test ends.
func testClient(t *testing.T, cfg Config) *Client {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = testLogger(t)
	}
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// ready waits for every session of c to bind.
func ready(t *testing.T, c *Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Ready(ctx); err != nil {
		t.Fatalf("%v: %+v", err, c.Sessions())
	}
}

// allowAll is an AuthFunc that accepts every bind.
func allowAll(context.Context, *BindRequest) (BindSettings, error) {
	return BindSettings{Account: "acc"}, nil
}

// recorder is a SubmitFunc that records texts and answers with sequential IDs.
type recorder struct {
	mu    sync.Mutex
	reqs  []*SubmitRequest
	count map[string]int
	next  int
}

func (r *recorder) submit(_ context.Context, req *SubmitRequest) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.count == nil {
		r.count = make(map[string]int)
	}
	r.reqs = append(r.reqs, req)
	r.count[req.Text]++
	r.next++
	return "m" + itoa(r.next), nil
}

func (r *recorder) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.reqs)
}

func itoa(n int) string {
	b := []byte{}
	for {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
		if n == 0 {
			return string(b)
		}
	}
}

// eventually polls cond until it holds or 10 seconds pass.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// rawConn is a test ESME or SMSC speaking raw PDUs.
type rawConn struct {
	t  *testing.T
	nc net.Conn
}

func dialRaw(t *testing.T, addr string) *rawConn {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = nc.Close() })
	return &rawConn{t: t, nc: nc}
}

func (r *rawConn) send(b []byte) {
	r.t.Helper()
	if _, err := r.nc.Write(b); err != nil {
		r.t.Fatalf("writing: %v", err)
	}
}

// read reads one PDU header and body, or fails.
func (r *rawConn) read() *frame {
	r.t.Helper()
	f, err := r.tryRead(5 * time.Second)
	if err != nil {
		r.t.Fatalf("reading PDU: %v", err)
	}
	return f
}

func (r *rawConn) tryRead(d time.Duration) (*frame, error) {
	_ = r.nc.SetReadDeadline(time.Now().Add(d))
	var hb [16]byte
	if _, err := io.ReadFull(r.nc, hb[:]); err != nil {
		return nil, err
	}
	h := parseHeader(hb[:])
	if h.length < 16 || h.length > maxPDULen {
		return nil, errors.New("bad length")
	}
	raw := make([]byte, h.length)
	copy(raw, hb[:])
	if _, err := io.ReadFull(r.nc, raw[16:]); err != nil {
		return nil, err
	}
	return &frame{header: h, raw: raw}, nil
}

// expectClosed checks that the peer closed the connection.
func (r *rawConn) expectClosed() {
	r.t.Helper()
	_ = r.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	b, err := io.ReadAll(r.nc)
	if err != nil && !errors.Is(err, net.ErrClosed) && !strings.Contains(err.Error(), "reset") {
		r.t.Fatalf("expected close, got %v after %x", err, b)
	}
	if len(b) > 0 && !bytes.Equal(b, nil) {
		r.t.Logf("bytes before close: %x", b)
	}
}

// bindPDU builds a bind request.
func bindPDU(cmd uint32, systemID, password, systemType string, seq uint32) []byte {
	return appendPDU(nil, cmd, 0, seq, cstring(systemID), cstring(password), cstring(systemType),
		[]byte{0x34, 0, 0, 0})
}

// listen opens a loopback listener.
func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// discardLogger returns a logger that drops everything (fuzzing).
func discardLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}
