package smpp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/smpp/receipt"
)

// inbox collects what a client receives.
type inbox struct {
	mu       sync.Mutex
	receipts []*Receipt
	mos      []*MO
}

func (b *inbox) Receipt(_ context.Context, r *Receipt) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.receipts = append(b.receipts, r)
	return nil
}

func (b *inbox) MO(_ context.Context, m *MO) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.mos = append(b.mos, m)
	return nil
}

func (b *inbox) counts() (int, int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.receipts), len(b.mos)
}

// TestTransceiverRoundTrip submits through Herald's client to Herald's
// server, then sends receipts and a concatenated MO back on the same bind.
func TestTransceiverRoundTrip(t *testing.T) {
	checkGoroutines(t)
	rec := &recorder{}
	srv, addr := testServer(t, ServerConfig{Auth: allowAll, Submit: rec.submit})
	in := &inbox{}
	c := testClient(t, Config{Addr: addr, SystemID: "acme", Password: "pw", SystemType: "VMA",
		Window: 20, Inbound: in, RegisteredDelivery: 1})
	ready(t, c)

	const n = 200
	// One goroutine per message: all n are in flight at once.
	results := submitMany(t, c, n, n, func(i int) *Message {
		return &Message{Source: "Herald", Dest: "46700000001", Text: fmt.Sprintf("hello %d", i)}
	})
	if got := rec.len(); got != n {
		t.Fatalf("server got %d submit_sm, want %d", got, n)
	}
	seen := map[string]bool{}
	for i, r := range results {
		if len(r.Segments) != 1 || r.Segments[0].MessageID == "" || r.Segments[0].Attempts != 1 {
			t.Fatalf("result %d = %+v", i, r)
		}
		seen[r.Segments[0].MessageID] = true
	}
	if len(seen) != n {
		t.Errorf("%d distinct message IDs, want %d", len(seen), n)
	}
	req := rec.reqs[0]
	if req.SystemID != "acme" || req.Account != "acc" || req.RegisteredDelivery != 1 || req.Dest.Addr != "46700000001" {
		t.Errorf("request = %+v", req)
	}

	// A receipt for the first message, and a long MO.
	id := results[0].Segments[0].MessageID
	rc := receipt.Receipt{ID: id, State: receipt.Delivered, Text: "hello 0"}
	acked := make(chan error, 4)
	if err := srv.Deliver(context.Background(), "acme", NewReceiptDelivery(req.Source, req.Dest, rc, false), func(err error) { acked <- err }); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("A long reply with an extension character €. ", 8)
	mos, err := NewMODeliveries(Address{1, 1, "46700000001"}, Address{5, 0, "Herald"}, long, 7)
	if err != nil || len(mos) < 2 {
		t.Fatalf("NewMODeliveries: %d, %v", len(mos), err)
	}
	for i := len(mos) - 1; i >= 0; i-- { // out of order
		if err := srv.Deliver(context.Background(), "acme", mos[i], func(err error) { acked <- err }); err != nil {
			t.Fatal(err)
		}
	}
	for range 1 + len(mos) {
		if err := <-acked; err != nil {
			t.Errorf("delivery acknowledged with %v", err)
		}
	}
	eventually(t, "receipt and MO", func() bool { r, m := in.counts(); return r == 1 && m == 1 })
	got := in.receipts[0]
	if got.ID != id || got.State != receipt.Delivered || !got.FromTLV || got.Stat != "DELIVRD" || got.Intermediate {
		t.Errorf("receipt = %+v", got)
	}
	if got.IDs[0] != receipt.Canonical(id) {
		t.Errorf("receipt IDs = %q", got.IDs)
	}
	mo := in.mos[0]
	if mo.Text != long || mo.Parts != len(mos) || mo.Incomplete || mo.Source.Addr != "46700000001" {
		t.Errorf("MO = %+v", mo)
	}
	if b := srv.Binds(); len(b) != 1 || b[0].Bind != "transceiver" || b[0].Submitted != n || b[0].Delivered != uint64(1+len(mos)) {
		t.Errorf("Binds = %+v", b)
	}
	if s := c.Sessions(); s[0].Submitted != n || s[0].Received != uint64(1+len(mos)) || s[0].State != StateBound {
		t.Errorf("Sessions = %+v", s)
	}
}

// TestTransmitterReceiverPair binds a transmitter and a receiver per bind.
func TestTransmitterReceiverPair(t *testing.T) {
	checkGoroutines(t)
	rec := &recorder{}
	srv, addr := testServer(t, ServerConfig{Auth: allowAll, Submit: rec.submit})
	in := &inbox{}
	c := testClient(t, Config{Addr: addr, SystemID: "acme", Mode: BindTransmitterReceiver, Binds: 2, Inbound: in})
	ready(t, c)
	kinds := map[string]int{}
	for _, b := range srv.Binds() {
		kinds[b.Bind]++
	}
	if kinds["transmitter"] != 2 || kinds["receiver"] != 2 {
		t.Fatalf("binds = %v", kinds)
	}
	for i := range 20 {
		if _, err := c.Submit(context.Background(), &Message{Source: "1", Dest: "2", Text: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 10 {
		mos, _ := NewMODeliveries(Address{Addr: "2"}, Address{Addr: "1"}, fmt.Sprint("mo ", i), 0)
		if err := srv.Deliver(context.Background(), "acme", mos[0], func(error) {}); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "10 MO", func() bool { _, m := in.counts(); return m == 10 })
	var tx, rx uint64
	for _, s := range c.Sessions() {
		switch s.Bind {
		case "transmitter":
			tx += s.Submitted
			if s.Received != 0 {
				t.Errorf("transmitter received %d", s.Received)
			}
		case "receiver":
			rx += s.Received
		}
	}
	if tx != 20 || rx != 10 {
		t.Errorf("submitted %d on transmitters, received %d on receivers", tx, rx)
	}
}

// TestDeliverWithoutReceiver: a transmitter-only ESME cannot be delivered to.
func TestDeliverWithoutReceiver(t *testing.T) {
	checkGoroutines(t)
	srv, addr := testServer(t, ServerConfig{Auth: allowAll, Submit: (&recorder{}).submit})
	c := testClient(t, Config{Addr: addr, SystemID: "acme", Mode: BindTransmitter})
	ready(t, c)
	err := srv.Deliver(context.Background(), "acme", &Delivery{Source: Address{Addr: "1"}, Dest: Address{Addr: "2"}}, func(error) {})
	if !errors.Is(err, ErrNoReceiver) {
		t.Fatalf("Deliver = %v, want ErrNoReceiver", err)
	}
}

// TestBindRefusals checks the statuses of refused binds.
func TestBindRefusals(t *testing.T) {
	checkGoroutines(t)
	auth := func(_ context.Context, r *BindRequest) (BindSettings, error) {
		switch {
		case r.SystemID != "acme":
			return BindSettings{}, StatusInvSystemID
		case r.Password != "secret":
			return BindSettings{}, StatusInvPassword
		case !r.Remote.Addr().IsLoopback():
			return BindSettings{}, StatusBindFailed
		case r.SystemType == "broken":
			return BindSettings{}, errors.New("database down")
		}
		return BindSettings{MaxBinds: 1}, nil
	}
	_, addr := testServer(t, ServerConfig{Auth: auth, Submit: (&recorder{}).submit})
	cases := []struct {
		sysID, pw, sysType string
		want               Status
	}{
		{"nobody", "secret", "", StatusInvSystemID},
		{"acme", "wrong", "", StatusInvPassword},
		{"acme", "secret", "broken", StatusBindFailed},
	}
	for _, tc := range cases {
		r := dialRaw(t, addr)
		r.send(bindPDU(cmdBindTransmitter, tc.sysID, tc.pw, tc.sysType, 1))
		f := r.read()
		if f.id != cmdBindTransmitter|respBit || Status(f.status) != tc.want || f.seq != 1 {
			t.Errorf("bind %s/%s: %s status %s, want %s", tc.sysID, tc.pw, cmdName(f.id), Status(f.status).Name(), tc.want.Name())
		}
		r.expectClosed()
	}

	// MaxBinds 1: a second bind of acme is refused, and the client reports why.
	first := dialRaw(t, addr)
	first.send(bindPDU(cmdBindTransceiver, "acme", "secret", "", 1))
	if f := first.read(); f.status != 0 {
		t.Fatalf("first bind: %s", Status(f.status).Name())
	}
	second := dialRaw(t, addr)
	second.send(bindPDU(cmdBindReceiver, "acme", "secret", "", 1))
	if f := second.read(); Status(f.status) != StatusAlreadyBound {
		t.Errorf("second bind: %s, want ESME_RALYBND", Status(f.status).Name())
	}
	// A second bind on the same connection is refused too.
	first.send(bindPDU(cmdBindTransceiver, "acme", "secret", "", 2))
	if f := first.read(); Status(f.status) != StatusAlreadyBound || f.seq != 2 {
		t.Errorf("rebind: %s, want ESME_RALYBND", Status(f.status).Name())
	}
	c := testClient(t, Config{Addr: addr, SystemID: "acme", Password: "wrong", ReconnectMin: time.Hour})
	eventually(t, "bind failure", func() bool { return c.Sessions()[0].State == StateBackoff })
	if s := c.Sessions()[0]; !strings.Contains(s.LastError, "ESME_RINVPASWD") {
		t.Errorf("LastError = %q", s.LastError)
	}
}

// TestWindow checks that a session keeps at most Window submit_sm outstanding.
func TestWindow(t *testing.T) {
	checkGoroutines(t)
	var cur, peak atomic.Int32
	release := make(chan struct{})
	submit := func(ctx context.Context, r *SubmitRequest) (string, error) {
		n := cur.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		<-release
		cur.Add(-1)
		return "id", nil
	}
	_, addr := testServer(t, ServerConfig{Auth: allowAll, Submit: submit, MaxInflight: 100})
	c := testClient(t, Config{Addr: addr, Window: 7, Mode: BindTransmitter})
	ready(t, c)
	var wg sync.WaitGroup
	for range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Submit(context.Background(), &Message{Source: "1", Dest: "2", Text: "x"}); err != nil {
				t.Error(err)
			}
		}()
	}
	eventually(t, "a full window", func() bool { return cur.Load() == 7 })
	time.Sleep(50 * time.Millisecond)
	if in := c.Sessions()[0].InFlight; in != 7 {
		t.Errorf("InFlight = %d, want 7", in)
	}
	close(release)
	wg.Wait()
	if p := peak.Load(); p != 7 {
		t.Errorf("peak outstanding = %d, want 7", p)
	}
}

// TestThrottling: the server throttles a bind above its throughput; the
// client backs off and every message still gets through, once.
func TestThrottling(t *testing.T) {
	checkGoroutines(t)
	rec := &recorder{}
	auth := func(context.Context, *BindRequest) (BindSettings, error) {
		return BindSettings{Throughput: 100}, nil
	}
	_, addr := testServer(t, ServerConfig{Auth: auth, Submit: rec.submit})
	c := testClient(t, Config{Addr: addr, Window: 50, ThrottleBackoff: 20 * time.Millisecond, Mode: BindTransmitter})
	ready(t, c)
	const n = 100
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := c.Submit(context.Background(), &Message{Source: "1", Dest: "2", Text: fmt.Sprint(i)})
			if err != nil {
				t.Error(err)
			}
			if len(r.Segments) == 1 && r.Segments[0].Attempts != 1 {
				t.Errorf("attempts = %d: throttling must not count", r.Segments[0].Attempts)
			}
		}()
	}
	wg.Wait()
	if rec.len() != n {
		t.Errorf("server accepted %d, want %d", rec.len(), n)
	}
	for text, k := range rec.count {
		if k != 1 {
			t.Errorf("%q accepted %d times", text, k)
		}
	}
}

// TestRefusedStatuses: permanent and temporary refusals are classified.
func TestRefusedStatuses(t *testing.T) {
	checkGoroutines(t)
	var calls atomic.Int32
	submit := func(_ context.Context, r *SubmitRequest) (string, error) {
		calls.Add(1)
		switch r.Dest.Addr {
		case "bad":
			return "", StatusInvDstAddr
		case "busy":
			return "", StatusSysErr
		}
		return "ok", nil
	}
	_, addr := testServer(t, ServerConfig{Auth: allowAll, Submit: submit})
	c := testClient(t, Config{Addr: addr, ThrottleBackoff: time.Millisecond, MaxRetries: 2, Mode: BindTransmitter})
	ready(t, c)

	_, err := c.Submit(context.Background(), &Message{Source: "1", Dest: "bad", Text: "x"})
	var se *SubmitError
	if !errors.As(err, &se) || se.Temporary || se.Status != StatusInvDstAddr || !errors.Is(err, StatusInvDstAddr) {
		t.Errorf("bad destination: %v", err)
	}
	if calls.Load() != 1 {
		t.Errorf("permanent refusal sent %d times", calls.Load())
	}
	calls.Store(0)
	r, err := c.Submit(context.Background(), &Message{Source: "1", Dest: "busy", Text: "x"})
	if !errors.As(err, &se) || !se.Temporary || se.Status != StatusSysErr {
		t.Errorf("system error: %v", err)
	}
	if calls.Load() != 3 || r.Segments[0].Attempts != 3 {
		t.Errorf("temporary refusal sent %d times (attempts %d), want 3", calls.Load(), r.Segments[0].Attempts)
	}
	if _, err := c.Submit(context.Background(), &Message{Source: "1", Dest: "2"}); !errors.Is(err, ErrEncoding) {
		t.Errorf("empty message: %v", err)
	}
}

// TestClientThroughputLimit: Throughput spaces submit_sm out.
func TestClientThroughputLimit(t *testing.T) {
	checkGoroutines(t)
	rec := &recorder{}
	_, addr := testServer(t, ServerConfig{Auth: allowAll, Submit: rec.submit})
	c := testClient(t, Config{Addr: addr, Throughput: 200, Binds: 2, Mode: BindTransmitter})
	ready(t, c)
	start := time.Now()
	var wg sync.WaitGroup
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Submit(context.Background(), &Message{Source: "1", Dest: "2", Text: fmt.Sprint(i)}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	// 100 at 200/s with a burst of 4 cannot take less than 0.48 s.
	if d := time.Since(start); d < 400*time.Millisecond {
		t.Errorf("100 messages at 200/s took %v", d)
	}
}

// TestReconnectWithoutDuplicates: the server drops the connection while
// submit_sm are in flight; the client reconnects and sends again only what
// the server had not acknowledged.
func TestReconnectWithoutDuplicates(t *testing.T) {
	checkGoroutines(t)
	var srv *Server
	rec := &recorder{}
	var dropped atomic.Bool
	submit := func(ctx context.Context, r *SubmitRequest) (string, error) {
		id, _ := rec.submit(ctx, r)
		if r.Text == "msg 150" && dropped.CompareAndSwap(false, true) {
			for _, ss := range srv.sessionsOf(r.SystemID) {
				ss.cn.close(errors.New("test: dropping the connection"))
			}
			return "", errors.New("dropped")
		}
		return id, nil
	}
	srv, addr := testServer(t, ServerConfig{Auth: allowAll, Submit: submit})
	c := testClient(t, Config{Addr: addr, SystemID: "acme", Window: 30, ReconnectMin: 10 * time.Millisecond, Mode: BindTransmitter})
	ready(t, c)
	const n = 300
	results := submitMany(t, c, n, n, func(i int) *Message {
		return &Message{Source: "1", Dest: "2", Text: fmt.Sprint("msg ", i)}
	})
	if !dropped.Load() {
		t.Fatal("the connection was never dropped")
	}
	resent := 0
	for i, r := range results {
		s := r.Segments[0]
		got := rec.count[fmt.Sprint("msg ", i)]
		if s.Attempts == 1 && got != 1 {
			t.Errorf("msg %d acknowledged on its first attempt but received %d times", i, got)
		}
		if got > s.Attempts || got == 0 {
			t.Errorf("msg %d received %d times in %d attempts", i, got, s.Attempts)
		}
		if s.Attempts > 1 {
			resent++
		}
	}
	if resent == 0 {
		t.Error("nothing was resent")
	}
	t.Logf("%d of %d messages resent after the drop", resent, n)
}

// sessionsOf returns the bound sessions of systemID (tests only).
func (s *Server) sessionsOf(systemID string) []*serverSession {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*serverSession
	for ss := range s.sessions {
		if ss.isBound() && ss.systemID == systemID {
			out = append(out, ss)
		}
	}
	return out
}

// TestServerShutdown: cancelling Serve unbinds the clients, which reconnect
// in vain; nothing leaks.
func TestServerShutdown(t *testing.T) {
	checkGoroutines(t)
	srv, err := NewServer(ServerConfig{Auth: allowAll, Submit: (&recorder{}).submit, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	ln := listen(t)
	go func() { done <- srv.Serve(ctx, ln) }()
	c := testClient(t, Config{Addr: ln.Addr().String(), ReconnectMin: 20 * time.Millisecond, ReconnectMax: 50 * time.Millisecond})
	ready(t, c)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve = %v", err)
	}
	eventually(t, "the client to notice", func() bool { return c.Sessions()[0].State != StateBound })
	if s := c.Sessions()[0]; !strings.Contains(s.LastError, "unbound") && !strings.Contains(s.LastError, "refused") {
		t.Logf("LastError = %q", s.LastError)
	}
}

// TestSubmitWithdrawnWhenContextEnds submits while no session can bind: the
// submission ends with its context, and once the client binds the
// withdrawn message is never sent.
func TestSubmitWithdrawnWhenContextEnds(t *testing.T) {
	checkGoroutines(t)
	var open atomic.Bool
	auth := func(context.Context, *BindRequest) (BindSettings, error) {
		if !open.Load() {
			return BindSettings{}, StatusInvPassword
		}
		return BindSettings{Account: "acc"}, nil
	}
	rec := &recorder{}
	_, addr := testServer(t, ServerConfig{Auth: auth, Submit: rec.submit})
	c := testClient(t, Config{Addr: addr, SystemID: "acme", Password: "secret", ReconnectMin: 20 * time.Millisecond,
		ReconnectMax: 50 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := c.Submit(ctx, &Message{Source: "Acme", Dest: "46700000001", Text: "withdrawn"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Submit = %v, want the context's error", err)
	}
	open.Store(true)
	ready(t, c)
	if _, err := c.Submit(context.Background(), &Message{Source: "Acme", Dest: "46700000001", Text: "sent"}); err != nil {
		t.Fatal(err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.count["withdrawn"] != 0 || rec.count["sent"] != 1 {
		t.Errorf("the SMSC got %v", rec.count)
	}
}

// TestServerUnbind ends the binds of one system_id politely, leaving the
// others.
func TestServerUnbind(t *testing.T) {
	checkGoroutines(t)
	srv, addr := testServer(t, ServerConfig{Auth: allowAll, Submit: (&recorder{}).submit})
	a := testClient(t, Config{Addr: addr, SystemID: "a", ReconnectMin: time.Hour})
	b := testClient(t, Config{Addr: addr, SystemID: "b", ReconnectMin: time.Hour})
	ready(t, a)
	ready(t, b)
	if n := srv.Unbind("A", time.Second); n != 1 {
		t.Errorf("Unbind = %d, want 1", n)
	}
	eventually(t, "a unbound", func() bool { return a.Sessions()[0].State != StateBound && len(srv.sessionsOf("a")) == 0 })
	if b.Sessions()[0].State != StateBound {
		t.Errorf("after Unbind: a %+v, b %+v", a.Sessions(), b.Sessions())
	}
}
