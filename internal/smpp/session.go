package smpp

import (
	"context"
	"crypto/tls"
	"fmt"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/linxGnu/gosmpp/pdu"
)

// bindKind is the kind of one session's bind.
type bindKind uint8

const (
	bindTX bindKind = iota
	bindRX
	bindTRX
)

// String returns the bind's name.
func (k bindKind) String() string {
	return [...]string{"transmitter", "receiver", "transceiver"}[k]
}

// transmits reports whether the bind may submit.
func (k bindKind) transmits() bool { return k != bindRX }

// receives reports whether the bind gets deliver_sm.
func (k bindKind) receives() bool { return k != bindTX }

// SessionState is the state of a client session.
type SessionState string

// Session states.
const (
	StateConnecting SessionState = "connecting" // dialing or binding
	StateBound      SessionState = "bound"
	StateBackoff    SessionState = "backoff" // waiting to reconnect
	StateClosed     SessionState = "closed"
)

// SessionInfo describes one session for monitoring (the portal's
// connections page).
type SessionInfo struct {
	ID    int
	Bind  string // transmitter, receiver or transceiver
	State SessionState
	Since time.Time // when State was entered
	// LastError is why the session last ended or failed to bind.
	LastError string
	// Window is the configured window; InFlight the requests awaiting a
	// response now.
	Window, InFlight int
	// Submitted counts submit_sm accepted; Received counts deliver_sm
	// received. Both only grow: sample them for throughput.
	Submitted, Received uint64
}

// session is one bind of a Client, reconnecting until the client closes.
type session struct {
	c    *Client
	id   int
	kind bindKind

	mu      sync.Mutex
	state   SessionState
	since   time.Time
	lastErr string
	conn    *conn

	submitted, received atomic.Uint64
}

// info returns the session's SessionInfo.
func (s *session) info() SessionInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := SessionInfo{
		ID: s.id, Bind: s.kind.String(), State: s.state, Since: s.since, LastError: s.lastErr,
		Submitted: s.submitted.Load(), Received: s.received.Load(),
	}
	if s.kind.transmits() {
		in.Window = s.c.cfg.Window
	}
	if s.conn != nil && s.state == StateBound {
		in.InFlight = s.conn.inFlight()
	}
	return in
}

// setState records a state change and, with err, why.
func (s *session) setState(st SessionState, cn *conn, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state, s.since, s.conn = st, time.Now(), cn
	if err != nil {
		s.lastErr = err.Error()
	}
}

// run connects, binds and serves until ctx ends, reconnecting with
// exponential backoff and jitter.
func (s *session) run(ctx context.Context) {
	log := s.c.log.With("session", s.id, "bind", s.kind.String())
	backoff := s.c.cfg.ReconnectMin
	for {
		bound, err := s.connect(ctx)
		if ctx.Err() != nil {
			s.setState(StateClosed, nil, nil)
			return
		}
		if bound {
			backoff = s.c.cfg.ReconnectMin
		}
		wait := time.Duration(float64(backoff) * (0.8 + 0.4*rand.Float64()))
		log.Warn("smpp: session ended", "err", err, "reconnect_in", wait.Round(time.Millisecond))
		s.setState(StateBackoff, nil, err)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			s.setState(StateClosed, nil, nil)
			return
		case <-t.C:
		}
		backoff = min(backoff*2, s.c.cfg.ReconnectMax)
	}
}

// connect runs one connection: dial, bind, serve until it ends or ctx
// ends. bound reports whether the bind succeeded.
func (s *session) connect(ctx context.Context) (bound bool, err error) {
	cfg := &s.c.cfg
	s.setState(StateConnecting, nil, nil)
	nc, err := s.dial(ctx)
	if err != nil {
		return false, fmt.Errorf("connecting to %s: %w", cfg.Addr, err)
	}
	cn := newConn(nc, connConfig{responseTimeout: cfg.ResponseTimeout, enquireLink: cfg.EnquireLink},
		s.c.log.With("session", s.id))
	var isBound atomic.Bool
	var handlers sync.WaitGroup
	sem := make(chan struct{}, cfg.InboundConcurrency)
	cn.start(func(f *frame) { s.onRequest(ctx, cn, f, &isBound, sem, &handlers) })
	defer func() {
		cn.wait()
		handlers.Wait()
	}()

	if err := s.bind(ctx, cn, &isBound); err != nil {
		cn.close(err)
		return false, fmt.Errorf("binding as %s: %w", s.kind, err)
	}
	s.setState(StateBound, cn, nil)
	s.c.log.Info("smpp: bound", "session", s.id, "bind", s.kind.String())

	var sender sync.WaitGroup
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	unlink := context.AfterFunc(cn.ctx, stop)
	defer unlink()
	if s.kind.transmits() {
		sender.Add(1)
		go func() { defer sender.Done(); s.sendLoop(sctx, cn) }()
	}
	select {
	case <-cn.done():
	case <-ctx.Done():
		sender.Wait()
		s.settle(cn)
		cn.unbind(cfg.ResponseTimeout)
	}
	sender.Wait()
	return true, cn.err()
}

// bind sends the bind request and waits for its response. isBound is set
// on the read loop as the response is read, so that a deliver_sm the SMSC
// sends right after it finds the session bound.
func (s *session) bind(ctx context.Context, cn *conn, isBound *atomic.Bool) error {
	result := make(chan error, 1)
	err := cn.request(s.bindPDU(), func(f *frame, err error) {
		if err == nil && f.status != 0 {
			err = fmt.Errorf("bind refused: %w", Status(f.status))
		}
		if err == nil {
			isBound.Store(true)
		}
		result <- err
	})
	if err != nil {
		return err
	}
	t := time.NewTimer(s.c.cfg.ResponseTimeout)
	defer t.Stop()
	select {
	case err := <-result:
		return err
	case <-t.C:
		return fmt.Errorf("%w to the bind", ErrTimeout)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// settle waits, up to the response timeout, for the answers to what is in
// flight, so that closing reports outcomes rather than unknowns.
func (s *session) settle(cn *conn) {
	deadline := time.Now().Add(s.c.cfg.ResponseTimeout)
	for cn.inFlight() > 0 && time.Now().Before(deadline) {
		select {
		case <-cn.done():
			return
		case <-time.After(2 * time.Millisecond):
		}
	}
}

// dial opens the TCP (and TLS) connection.
func (s *session) dial(ctx context.Context) (net.Conn, error) {
	cfg := &s.c.cfg
	ctx, cancel := context.WithTimeout(ctx, cfg.ResponseTimeout)
	defer cancel()
	dial := cfg.Dial
	if dial == nil {
		dial = (&net.Dialer{KeepAlive: 30 * time.Second}).DialContext
	}
	nc, err := dial(ctx, "tcp", cfg.Addr)
	if err != nil {
		return nil, err
	}
	if cfg.TLS == nil {
		return nc, nil
	}
	tc := cfg.TLS.Clone()
	if tc.ServerName == "" {
		tc.ServerName, _, _ = net.SplitHostPort(cfg.Addr)
	}
	conn := tls.Client(nc, tc)
	if err := conn.HandshakeContext(ctx); err != nil {
		_ = nc.Close()
		return nil, fmt.Errorf("TLS handshake: %w", err)
	}
	return conn, nil
}

// bindPDU returns the bind request of the session's kind.
func (s *session) bindPDU() []byte {
	cfg := &s.c.cfg
	t := [...]pdu.BindingType{bindTX: pdu.Transmitter, bindRX: pdu.Receiver, bindTRX: pdu.Transceiver}[s.kind]
	b := pdu.NewBindRequest(t)
	b.SystemID, b.Password, b.SystemType = cfg.SystemID, cfg.Password, cfg.SystemType
	b.InterfaceVersion = cfg.InterfaceVersion
	b.AddressRange = pdu.AddressRange{AddressRange: cfg.AddressRange}
	return marshal(b, 0)
}

// sendLoop takes segments from the client's queues whenever the window has
// room and sends them, until ctx ends.
func (s *session) sendLoop(ctx context.Context, cn *conn) {
	win := make(chan struct{}, s.c.cfg.Window)
	for {
		select {
		case win <- struct{}{}:
		case <-ctx.Done():
			return
		}
		seg := s.c.next(ctx.Done())
		if seg == nil {
			return
		}
		if !s.waitToSend(ctx) {
			s.c.requeue(seg, 0)
			return
		}
		seg.attempts++
		err := cn.request(seg.raw, func(f *frame, err error) {
			<-win
			if err == nil && f.status == 0 {
				s.submitted.Add(1)
			}
			s.c.onResponse(seg, f, err)
		})
		if err != nil { // closed before sending: not an attempt
			<-win
			seg.attempts--
			s.c.requeue(seg, 0)
			return
		}
	}
}

// waitToSend waits out a throttling pause and the throughput limit. It
// returns false when ctx ends first.
func (s *session) waitToSend(ctx context.Context) bool {
	if d := time.Until(time.Unix(0, s.c.pauseUntil.Load())); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return false
		}
	}
	return s.c.limiter.Wait(ctx) == nil
}

// onRequest answers the SMSC's requests on the read loop; deliver_sm are
// handled on up to InboundConcurrency goroutines, and the read loop waits
// when they are all busy.
func (s *session) onRequest(ctx context.Context, cn *conn, f *frame, bound *atomic.Bool, sem chan struct{}, handlers *sync.WaitGroup) {
	switch f.id {
	case cmdEnquireLink:
		cn.respond(cmdEnquireLink|respBit, StatusOK, f.seq)
	case cmdUnbind:
		cn.closeAfterWrite(appendPDU(nil, cmdUnbind|respBit, 0, f.seq), fmt.Errorf("%w: SMSC unbound", ErrClosed))
	case cmdDeliverSM:
		if !bound.Load() {
			cn.respond(cmdDeliverSM|respBit, StatusInvBindStatus, f.seq, []byte{0})
			return
		}
		s.received.Add(1)
		select {
		case sem <- struct{}{}:
		case <-cn.done():
			return
		}
		handlers.Add(1)
		go func() {
			defer handlers.Done()
			defer func() { <-sem }()
			st := s.c.deliver(ctx, f)
			cn.respond(cmdDeliverSM|respBit, st, f.seq, []byte{0})
		}()
	case cmdAlert, cmdOutbind:
		// No response is defined.
	default:
		s.c.log.Debug("smpp: unsupported request from SMSC", "cmd", cmdName(f.id))
		cn.nack(StatusInvCmdID, f.seq)
	}
}
