package smpp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ErrNoReceiver is returned by Server.Deliver when the system_id has no
// receiver or transceiver bind open: keep the delivery queued and offer it
// again when OnBound reports one.
var ErrNoReceiver = errors.New("smpp: no receiving bind for system_id")

// BindRequest is a bind received by the server, for its AuthFunc.
type BindRequest struct {
	SystemID, Password, SystemType string
	InterfaceVersion               byte
	// Mode is BindTransmitter, BindReceiver or BindTransceiver.
	Mode         BindMode
	AddressRange string
	// Remote is the peer's address, for IP allow-lists.
	Remote netip.AddrPort
}

// BindSettings are what AuthFunc grants a bind.
type BindSettings struct {
	// Account is an opaque key handed back in SubmitRequest and BindInfo,
	// such as the account's ID.
	Account string
	// Throughput limits submit_sm per second on this bind; above it the
	// server answers ESME_RTHROTTLED. 0 is unlimited.
	Throughput float64
	// MaxBinds limits the binds open at once for the system_id; a bind over
	// it is refused with ESME_RALYBND. 0 is unlimited.
	MaxBinds int
}

// AuthFunc decides a bind. It returns the bind's settings, or an error to
// refuse it: a Status is answered as it is (ESME_RINVPASWD,
// ESME_RINVSYSID, ESME_RBINDFAIL...), any other error as ESME_RBINDFAIL.
// It runs on the session's read loop.
type AuthFunc func(ctx context.Context, req *BindRequest) (BindSettings, error)

// SubmitFunc handles a submit_sm. It returns the message ID to answer with,
// which must not be empty (Kannel cannot match receipts without one), or an
// error: a Status is answered as it is, any other error as ESME_RSYSERR.
// It is called concurrently, up to ServerConfig.MaxInflight per bind.
type SubmitFunc func(ctx context.Context, req *SubmitRequest) (messageID string, err error)

// ServerConfig configures a Server. Zero values take the defaults given.
type ServerConfig struct {
	// SystemID is the server's system_id in bind responses; default "herald".
	SystemID string
	// TLS, when set, makes ListenAndServe accept TLS connections.
	TLS *tls.Config
	// Auth decides binds; Submit handles submit_sm. Both are required.
	Auth   AuthFunc
	Submit SubmitFunc
	// OnBound and OnUnbound, when set, are told about binds opening and
	// closing (to start delivering queued receipts and MO to a receiver).
	// They must not block.
	OnBound   func(BindInfo)
	OnUnbound func(info BindInfo, err error)
	// Window is the number of deliver_sm a bind keeps outstanding; default 10.
	Window int
	// MaxInflight is the number of submit_sm a bind handles at once;
	// default 64. Beyond it the server stops reading from the bind.
	MaxInflight int
	// EnquireLink is the idle time after which the server sends
	// enquire_link; default 30s. ResponseTimeout is how long it waits for
	// any response, and for the bind after connecting, before closing the
	// connection; default 10s.
	EnquireLink, ResponseTimeout time.Duration
	// Logger receives session events; default slog.Default().
	Logger *slog.Logger
}

// BindInfo describes one bind open on the server, for monitoring.
type BindInfo struct {
	ID                   uint64
	SystemID, Account    string
	Bind                 string // transmitter, receiver or transceiver
	Remote               string
	Since                time.Time
	Window, InFlight     int
	Submitted, Delivered uint64
}

// Server is an SMSC for Herald's customers: it accepts binds, hands
// submit_sm to a SubmitFunc and pushes deliver_sm to receiving binds. Its
// methods are safe for concurrent use.
type Server struct {
	cfg ServerConfig
	log *slog.Logger

	nextID atomic.Uint64

	mu       sync.Mutex
	sessions map[*serverSession]struct{}
	shutdown bool
}

// NewServer validates cfg and returns a Server; call Serve or
// ListenAndServe to run it.
func NewServer(cfg ServerConfig) (*Server, error) {
	if cfg.Auth == nil || cfg.Submit == nil {
		return nil, errors.New("smpp: server config: Auth and Submit are required")
	}
	setDefault(&cfg.SystemID, "herald")
	setDefault(&cfg.Window, 10)
	setDefault(&cfg.MaxInflight, 64)
	setDefault(&cfg.EnquireLink, 30*time.Second)
	setDefault(&cfg.ResponseTimeout, 10*time.Second)
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Server{cfg: cfg, log: cfg.Logger, sessions: make(map[*serverSession]struct{})}, nil
}

// ListenAndServe listens on addr (TCP, with TLS when configured) and serves
// until ctx ends.
func (s *Server) ListenAndServe(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("smpp: listening on %s: %w", addr, err)
	}
	if s.cfg.TLS != nil {
		ln = tls.NewListener(ln, s.cfg.TLS)
	}
	return s.Serve(ctx, ln)
}

// Serve accepts connections on ln until ctx ends, then closes ln, unbinds
// every session politely and returns once all have ended. It returns nil
// after ctx ended and the accept error otherwise. ln is closed on return.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	stop := context.AfterFunc(ctx, func() { _ = ln.Close() })
	defer stop()
	// Sessions end with ctx, or when accepting fails for good.
	sctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	var tempDelay time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				s.mu.Lock()
				s.shutdown = true
				s.mu.Unlock()
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				tempDelay = min(max(2*tempDelay, 5*time.Millisecond), time.Second)
				time.Sleep(tempDelay)
				continue
			}
			_ = ln.Close()
			s.mu.Lock()
			s.shutdown = true
			s.mu.Unlock()
			return fmt.Errorf("smpp: accepting: %w", err)
		}
		tempDelay = 0
		ss := s.newSession(nc)
		if ss == nil {
			continue
		}
		wg.Add(1)
		go func() { defer wg.Done(); ss.serve(sctx) }()
	}
}

// newSession registers a session for nc, or closes nc when the server is
// shutting down.
func (s *Server) newSession(nc net.Conn) *serverSession {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shutdown {
		_ = nc.Close()
		return nil
	}
	ss := &serverSession{srv: s, id: s.nextID.Add(1), win: make(chan struct{}, s.cfg.Window),
		sem: make(chan struct{}, s.cfg.MaxInflight)}
	if ap, err := netip.ParseAddrPort(nc.RemoteAddr().String()); err == nil {
		ss.remote = ap
	}
	ss.log = s.log.With("bind_id", ss.id, "remote", nc.RemoteAddr().String())
	ss.cn = newConn(nc, connConfig{responseTimeout: s.cfg.ResponseTimeout, enquireLink: s.cfg.EnquireLink}, ss.log)
	s.sessions[ss] = struct{}{}
	return ss
}

// register records ss as bound as systemID, unless MaxBinds binds of it are
// open already.
func (s *Server) register(ss *serverSession, systemID string, maxBinds int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if maxBinds > 0 {
		n := 0
		for o := range s.sessions {
			if o != ss && o.isBound() && o.systemID == systemID {
				n++
			}
		}
		if n >= maxBinds {
			return false
		}
	}
	ss.bound.Store(true)
	return true
}

// remove forgets a session that ended.
func (s *Server) remove(ss *serverSession) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.sessions, ss)
}

// Binds returns the binds open now.
func (s *Server) Binds() []BindInfo {
	s.mu.Lock()
	list := make([]*serverSession, 0, len(s.sessions))
	for ss := range s.sessions {
		if ss.isBound() {
			list = append(list, ss)
		}
	}
	s.mu.Unlock()
	out := make([]BindInfo, len(list))
	for i, ss := range list {
		out[i] = ss.info()
	}
	return out
}

// Deliver sends d as a deliver_sm to a receiver or transceiver bind of
// systemID: the one with the most room in its window, waiting while all
// windows are full. It returns ErrNoReceiver when systemID has no such bind,
// ctx's error when it ended first, or an encoding error; done is then not
// called. Otherwise done is called once: with nil when the ESME
// acknowledged with status 0 (dequeue the delivery), with a Status when it
// refused, or with an error when the bind ended first (deliver again). done
// runs on the session's read loop and must not block.
func (s *Server) Deliver(ctx context.Context, systemID string, d *Delivery, done func(error)) error {
	raw, err := d.marshal()
	if err != nil {
		return err
	}
	for {
		ss := s.receiver(systemID)
		if ss == nil {
			return ErrNoReceiver
		}
		select {
		case ss.win <- struct{}{}:
		case <-ss.cn.done():
			continue
		case <-ctx.Done():
			return fmt.Errorf("smpp: deliver: %w", ctx.Err())
		}
		err := ss.cn.request(raw, func(f *frame, err error) {
			<-ss.win
			switch {
			case err != nil:
				done(err)
			case f.status != 0:
				done(Status(f.status))
			default:
				ss.delivered.Add(1)
				done(nil)
			}
		})
		if err == nil {
			return nil
		}
		<-ss.win
	}
}

// receiver returns the receiving bind of systemID with the most free
// window slots, or nil.
func (s *Server) receiver(systemID string) *serverSession {
	s.mu.Lock()
	defer s.mu.Unlock()
	var best *serverSession
	for ss := range s.sessions {
		if !ss.isBound() || ss.systemID != systemID || !ss.kind.receives() || ss.cn.err() != nil {
			continue
		}
		if best == nil || len(ss.win) < len(best.win) {
			best = ss
		}
	}
	return best
}

// Unbind ends every open bind of systemID (case-insensitive) politely: it
// sends unbind, waits up to timeout for each unbind_resp and closes. The
// customer binds again and is authenticated afresh: how a changed or
// deleted credential takes effect on open binds. It returns how many binds
// it ended.
func (s *Server) Unbind(systemID string, timeout time.Duration) int {
	s.mu.Lock()
	var list []*serverSession
	for ss := range s.sessions {
		if ss.isBound() && strings.EqualFold(ss.systemID, systemID) {
			list = append(list, ss)
		}
	}
	s.mu.Unlock()
	var wg sync.WaitGroup
	for _, ss := range list {
		wg.Go(func() { ss.cn.unbind(timeout) })
	}
	wg.Wait()
	return len(list)
}
