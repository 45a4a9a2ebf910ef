package smpp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/linxGnu/gosmpp/pdu"
	"golang.org/x/time/rate"
)

// serverSession is one ESME connection to the Server.
type serverSession struct {
	srv    *Server
	id     uint64
	cn     *conn
	log    *slog.Logger
	remote netip.AddrPort

	// Set once by the bind, before bound is stored: read them only after
	// isBound reports true.
	bound    atomic.Bool
	kind     bindKind
	systemID string
	settings BindSettings
	since    time.Time
	limiter  *rate.Limiter

	win      chan struct{} // deliver_sm window
	sem      chan struct{} // submit_sm handlers
	handlers sync.WaitGroup
	closing  atomic.Bool // the server is shutting the session down

	submitted, delivered atomic.Uint64
}

// isBound reports whether the session has bound.
func (ss *serverSession) isBound() bool { return ss.bound.Load() }

// info returns the session's BindInfo.
func (ss *serverSession) info() BindInfo {
	in := BindInfo{ID: ss.id, Remote: ss.remote.String(), Submitted: ss.submitted.Load(), Delivered: ss.delivered.Load()}
	if ss.isBound() {
		in.SystemID, in.Account, in.Bind, in.Since = ss.systemID, ss.settings.Account, ss.kind.String(), ss.since
		if ss.kind.receives() {
			in.Window, in.InFlight = cap(ss.win), len(ss.win)
		}
	}
	return in
}

// serve runs the session until the connection ends or ctx ends; then it
// unbinds politely and waits for its handlers.
func (ss *serverSession) serve(ctx context.Context) {
	srv := ss.srv
	ss.cn.start(func(f *frame) { ss.onRequest(ctx, f) })
	bindTimer := time.AfterFunc(srv.cfg.ResponseTimeout, func() {
		if !ss.isBound() {
			ss.cn.close(errors.New("smpp: no bind within the response timeout"))
		}
	})
	select {
	case <-ss.cn.done():
	case <-ctx.Done():
		ss.closing.Store(true)
		ss.waitHandlers(srv.cfg.ResponseTimeout)
		ss.cn.unbind(srv.cfg.ResponseTimeout)
	}
	bindTimer.Stop()
	ss.cn.wait()
	ss.handlers.Wait()
	srv.remove(ss)
	err := ss.cn.err()
	if ss.isBound() {
		ss.log.Info("smpp: unbound", "system_id", ss.systemID, "reason", err)
		if srv.cfg.OnUnbound != nil {
			srv.cfg.OnUnbound(ss.info(), err)
		}
	}
}

// waitHandlers waits up to d for the submit_sm handlers to finish.
func (ss *serverSession) waitHandlers(d time.Duration) {
	done := make(chan struct{})
	go func() { ss.handlers.Wait(); close(done) }()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	}
}

// onRequest handles a request PDU on the read loop.
func (ss *serverSession) onRequest(ctx context.Context, f *frame) {
	switch f.id {
	case cmdBindTransmitter, cmdBindReceiver, cmdBindTransceiver:
		ss.bind(ctx, f)
	case cmdEnquireLink:
		ss.cn.respond(cmdEnquireLink|respBit, StatusOK, f.seq)
	case cmdUnbind:
		ss.cn.closeAfterWrite(appendPDU(nil, cmdUnbind|respBit, 0, f.seq), fmt.Errorf("%w: ESME unbound", ErrClosed))
	case cmdSubmitSM:
		ss.submit(ctx, f)
	case cmdAlert, cmdOutbind:
		// No response is defined; an ESME should not send these.
	default:
		ss.log.Debug("smpp: unsupported request", "cmd", cmdName(f.id))
		ss.cn.nack(StatusInvCmdID, f.seq)
	}
}

// bind authenticates a bind request and answers it. A refused bind closes
// the connection.
func (ss *serverSession) bind(ctx context.Context, f *frame) {
	respID := f.id | respBit
	if ss.isBound() {
		ss.cn.respond(respID, StatusAlreadyBound, f.seq, cstring(ss.srv.cfg.SystemID))
		return
	}
	p, err := f.decode()
	req, ok := p.(*pdu.BindRequest)
	if err != nil || !ok {
		ss.log.Warn("smpp: malformed bind", "err", err)
		ss.refuse(respID, StatusBindFailed, f.seq, fmt.Errorf("malformed bind: %w", err))
		return
	}
	kind := map[uint32]bindKind{cmdBindTransmitter: bindTX, cmdBindReceiver: bindRX, cmdBindTransceiver: bindTRX}[f.id]
	br := &BindRequest{
		SystemID: req.SystemID, Password: req.Password, SystemType: req.SystemType,
		InterfaceVersion: req.InterfaceVersion, Mode: [...]BindMode{BindTransmitter, BindReceiver, BindTransceiver}[kind],
		AddressRange: req.AddressRange.AddressRange, Remote: ss.remote,
	}
	settings, err := ss.srv.cfg.Auth(ctx, br)
	if err != nil {
		st, ok := err.(Status)
		if !ok || st == StatusOK {
			st = StatusBindFailed
		}
		ss.log.Warn("smpp: bind refused", "system_id", req.SystemID, "status", st.Name(), "err", err)
		ss.refuse(respID, st, f.seq, fmt.Errorf("bind refused: %w", err))
		return
	}
	ss.kind, ss.systemID, ss.settings, ss.since = kind, req.SystemID, settings, time.Now()
	ss.limiter = rate.NewLimiter(rate.Inf, 1)
	if settings.Throughput > 0 {
		ss.limiter = rate.NewLimiter(rate.Limit(settings.Throughput), max(1, int(settings.Throughput/10)))
	}
	if !ss.srv.register(ss, req.SystemID, settings.MaxBinds) {
		ss.log.Warn("smpp: bind over the limit", "system_id", req.SystemID, "max_binds", settings.MaxBinds)
		ss.refuse(respID, StatusAlreadyBound, f.seq, errors.New("bind refused: too many binds"))
		return
	}
	ss.cn.respond(respID, StatusOK, f.seq, cstring(ss.srv.cfg.SystemID))
	ss.log.Info("smpp: bound", "system_id", req.SystemID, "bind", kind.String())
	if ss.srv.cfg.OnBound != nil {
		ss.srv.cfg.OnBound(ss.info())
	}
}

// refuse answers a bind with an error status and closes the connection.
func (ss *serverSession) refuse(respID uint32, st Status, seq uint32, reason error) {
	ss.cn.closeAfterWrite(appendPDU(nil, respID, uint32(st), seq, cstring(ss.srv.cfg.SystemID)), reason)
}

// submit checks a submit_sm and hands it to the SubmitFunc on a handler
// goroutine, waiting on the read loop while MaxInflight are busy.
func (ss *serverSession) submit(ctx context.Context, f *frame) {
	const respID = cmdSubmitSM | respBit
	switch {
	case !ss.isBound() || !ss.kind.transmits():
		ss.cn.respond(respID, StatusInvBindStatus, f.seq, []byte{0})
		return
	case ss.closing.Load():
		ss.cn.respond(respID, StatusMsgQueueFull, f.seq, []byte{0})
		return
	case !ss.limiter.Allow():
		ss.cn.respond(respID, StatusThrottled, f.seq, []byte{0})
		return
	}
	select {
	case ss.sem <- struct{}{}:
	case <-ss.cn.done():
		return
	}
	ss.handlers.Add(1)
	go func() {
		defer ss.handlers.Done()
		defer func() { <-ss.sem }()
		id, st := ss.handleSubmit(ctx, f)
		if st == StatusOK {
			ss.submitted.Add(1)
		}
		ss.cn.respond(respID, st, f.seq, cstring(id))
	}()
}

// handleSubmit decodes a submit_sm and calls the SubmitFunc, turning its
// panics and errors into statuses.
func (ss *serverSession) handleSubmit(ctx context.Context, f *frame) (id string, st Status) {
	sm, err := decodeShortMessage(f)
	if err != nil {
		ss.log.Warn("smpp: malformed submit_sm", "err", err)
		return "", StatusInvCmdLen
	}
	req := ss.submitRequest(sm)
	defer func() {
		if r := recover(); r != nil {
			ss.log.Error("smpp: submit handler panicked", "panic", r)
			id, st = "", StatusSysErr
		}
	}()
	id, err = ss.srv.cfg.Submit(ctx, req)
	switch {
	case err != nil:
		st, ok := err.(Status)
		if !ok || st == StatusOK {
			ss.log.Warn("smpp: submit failed", "err", err)
			st = StatusSysErr
		}
		return "", st
	case id == "":
		ss.log.Error("smpp: submit handler returned an empty message ID")
		return "", StatusSysErr
	}
	return id, StatusOK
}
