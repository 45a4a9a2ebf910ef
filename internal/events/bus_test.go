package events

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// defaultNATSURL is the external server used when HERALD_TEST_NATS_URL is
// unset.
const defaultNATSURL = "nats://127.0.0.1:4222"

// wait bounds each wait for an event.
const wait = 10 * time.Second

// event is one delivery to a subscriber.
type event struct {
	subject string
	data    string
}

// open opens a Bus and closes it on cleanup.
func open(t *testing.T, cfg Config) *Bus {
	t.Helper()
	b, err := Open(t.Context(), cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return b
}

// subscribe subscribes to subject and returns the channel of its events.
func subscribe(t *testing.T, b *Bus, subject string) (<-chan event, func() error) {
	t.Helper()
	events := make(chan event, 10)
	unsubscribe, err := b.Subscribe(subject, func(s string, data []byte) { events <- event{s, string(data)} })
	if err != nil {
		t.Fatalf("Subscribe(%s): %v", subject, err)
	}
	return events, unsubscribe
}

// publish publishes data to subject and fails the test on error.
func publish(t *testing.T, b *Bus, subject, data string) {
	t.Helper()
	if err := b.Publish(t.Context(), subject, []byte(data)); err != nil {
		t.Fatalf("Publish(%s): %v", subject, err)
	}
}

// receive waits for the next event and checks it.
func receive(t *testing.T, events <-chan event, want event) {
	t.Helper()
	select {
	case got := <-events:
		if got != want {
			t.Errorf("received %+v, want %+v", got, want)
		}
	case <-time.After(wait):
		t.Fatalf("no event within %s, want %+v", wait, want)
	}
}

// none checks that no event arrives for a short while.
func none(t *testing.T, events <-chan event) {
	t.Helper()
	select {
	case got := <-events:
		t.Errorf("received %+v, want nothing", got)
	case <-time.After(200 * time.Millisecond):
	}
}

func TestEmbeddedRoundTrip(t *testing.T) {
	b := open(t, Config{})
	events, unsubscribe := subscribe(t, b, "herald.test.*")
	publish(t, b, "herald.test.one", "hello")
	receive(t, events, event{"herald.test.one", "hello"})
	publish(t, b, "herald.other", "not for us")
	none(t, events)

	if err := unsubscribe(); err != nil {
		t.Fatalf("unsubscribe: %v", err)
	}
	if err := unsubscribe(); err != nil {
		t.Errorf("second unsubscribe: %v", err)
	}
	publish(t, b, "herald.test.two", "after unsubscribe")
	none(t, events)
}

func TestEmbeddedClose(t *testing.T) {
	b, err := Open(t.Context(), Config{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := b.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if b.srv.Running() {
		t.Error("embedded server still running after Close")
	}
	if err := b.Publish(t.Context(), "herald.test", nil); err == nil {
		t.Error("Publish after Close: got nil error")
	}
}

func TestPublishCancelledContext(t *testing.T) {
	b := open(t, Config{})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := b.Publish(ctx, "herald.test", nil); err == nil {
		t.Error("Publish with a cancelled context: got nil error")
	}
}

// TestEmbeddedOpensNoPort checks that the embedded server has no listener and
// that opening it adds no listening socket to this process.
func TestEmbeddedOpensNoPort(t *testing.T) {
	before := listeningSockets(t)
	b := open(t, Config{})
	if addr := b.srv.Addr(); addr != nil {
		t.Errorf("embedded server listens on %s, want no listener", addr)
	}
	if addr := b.srv.MonitorAddr(); addr != nil {
		t.Errorf("embedded server monitors on %s, want no listener", addr)
	}
	if after := listeningSockets(t); after != before {
		t.Errorf("process listens on %d sockets after Open, %d before; want no new one", after, before)
	}
}

// listeningSockets counts the TCP sockets in LISTEN state that this process
// owns, from /proc. Off Linux it returns 0, so the check passes trivially.
func listeningSockets(t *testing.T) int {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Log("not on Linux: listening sockets not counted")
		return 0
	}
	listening := make(map[string]bool)
	for _, name := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatalf("reading %s: %v", name, err)
		}
		for _, line := range strings.Split(string(data), "\n")[1:] {
			f := strings.Fields(line)
			if len(f) > 9 && f[3] == "0A" { // 0A is TCP_LISTEN
				listening[f[9]] = true
			}
		}
	}
	fds, err := filepath.Glob("/proc/self/fd/*")
	if err != nil {
		t.Fatalf("listing file descriptors: %v", err)
	}
	n := 0
	for _, fd := range fds {
		target, err := os.Readlink(fd)
		if err == nil && strings.HasPrefix(target, "socket:[") && listening[strings.Trim(target[7:], "[]")] {
			n++
		}
	}
	return n
}

// TestListeningSocketsCountsListeners checks the counter itself against a
// listener the test opens, so that TestEmbeddedOpensNoPort can fail.
func TestListeningSocketsCountsListeners(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("counts sockets through /proc")
	}
	before := listeningSockets(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listening: %v", err)
	}
	defer l.Close()
	if after := listeningSockets(t); after != before+1 {
		t.Errorf("listening sockets = %d after opening one, %d before", after, before)
	}
}

// TestExternal connects two Buses, as two Herald processes, to the NATS
// server of HERALD_TEST_NATS_URL. It fails when that server is unreachable,
// unless HERALD_TEST_NATS=off, which skips it.
func TestExternal(t *testing.T) {
	if os.Getenv("HERALD_TEST_NATS") == "off" {
		t.Skip("HERALD_TEST_NATS=off")
	}
	url := cmp.Or(os.Getenv("HERALD_TEST_NATS_URL"), defaultNATSURL)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	a, err := Open(ctx, Config{URL: url, Name: "herald-test-a"})
	if err != nil {
		t.Fatalf("NATS is not reachable at %s: %v\n"+
			"Start nats-server, point HERALD_TEST_NATS_URL at it, "+
			"or set HERALD_TEST_NATS=off to skip the external NATS tests.", url, err)
	}
	t.Cleanup(func() { a.Close() })
	if a.srv != nil {
		t.Error("external mode started an embedded server")
	}
	b := open(t, Config{URL: url, Name: "herald-test-b"})

	subject := fmt.Sprintf("herald.test.%d", rand.Uint64())
	events, _ := subscribe(t, b, subject+".>")
	publish(t, a, subject+".inbox.42", "changed")
	receive(t, events, event{subject + ".inbox.42", "changed"})
}
