package smpp

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// ErrClosed is returned, wrapped, for requests on a connection or client
// that has closed. A request that fails with it was not sent.
var ErrClosed = errors.New("smpp: connection closed")

// ErrTimeout is the reason a connection closes when the peer did not answer
// a request in time: the peer is presumed dead.
var ErrTimeout = errors.New("smpp: response timeout")

// maxBuffered bounds the bytes waiting to be written. A peer that stops
// reading fills it, and the connection then closes instead of growing
// without limit.
const maxBuffered = 8 << 20

// connConfig holds the timers of a connection.
type connConfig struct {
	// responseTimeout is how long a request may wait for its response;
	// when one waits longer the peer is presumed dead and the connection
	// closes. It also bounds each write.
	responseTimeout time.Duration
	// enquireLink is the idle time after which an enquire_link is sent;
	// zero disables keep-alive.
	enquireLink time.Duration
}

// call is a request waiting for its response.
type call struct {
	id   uint32 // the request's command_id
	sent int64  // unix nanoseconds
	done func(f *frame, err error)
}

// conn is one SMPP connection, shared by client and server sessions. It
// frames PDUs, numbers requests, matches responses to them, batches writes,
// keeps the link alive with enquire_link and closes it when the peer stops
// answering. Its methods are safe for concurrent use.
type conn struct {
	nc  net.Conn
	cfg connConfig
	log *slog.Logger

	ctx    context.Context // canceled when the connection closes
	cancel context.CancelFunc

	seq    atomic.Uint32
	lastRx atomic.Int64 // unix nanoseconds of the last PDU read

	mu       sync.Mutex
	pending  map[uint32]*call
	closed   bool
	closeErr error

	wmu      sync.Mutex
	wbuf     []byte
	wspare   []byte
	wclosing error // set by closeAfterWrite: close with it once flushed
	wake     chan struct{}

	wg sync.WaitGroup // the read, write and keep-alive loops
}

// newConn wraps nc. Call start to run its loops.
func newConn(nc net.Conn, cfg connConfig, log *slog.Logger) *conn {
	ctx, cancel := context.WithCancel(context.Background())
	c := &conn{
		nc: nc, cfg: cfg, log: log,
		ctx: ctx, cancel: cancel,
		pending: make(map[uint32]*call),
		wake:    make(chan struct{}, 1),
	}
	c.lastRx.Store(time.Now().UnixNano())
	return c
}

// start runs the read, write and keep-alive loops. onRequest is called on
// the read loop for every request PDU the peer sends; it must not block for
// long, since no response is read meanwhile.
func (c *conn) start(onRequest func(*frame)) {
	c.wg.Add(3)
	go func() { defer c.wg.Done(); c.readLoop(onRequest) }()
	go func() { defer c.wg.Done(); c.writeLoop() }()
	go func() { defer c.wg.Done(); c.keepAlive() }()
}

// done returns a channel closed when the connection has closed.
func (c *conn) done() <-chan struct{} { return c.ctx.Done() }

// err returns why the connection closed, or nil while it is open.
func (c *conn) err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closeErr
}

// wait blocks until the connection's loops have returned.
func (c *conn) wait() { c.wg.Wait() }

// nextSeq returns the next sequence number, 1 to 0x7FFFFFFF.
func (c *conn) nextSeq() uint32 {
	for {
		if s := c.seq.Add(1) & 0x7FFFFFFF; s != 0 {
			return s
		}
	}
}

// request sends raw, a request PDU, after setting its sequence number, and
// calls done exactly once with the response (which may carry an error
// status, or be a generic_nack) or with an error when the connection closed
// or timed out first. done runs on the read loop or the closing goroutine
// and must not block. request returns an error wrapping ErrClosed, without
// calling done, when the connection had already closed: raw was not sent.
func (c *conn) request(raw []byte, done func(*frame, error)) error {
	seq := c.nextSeq()
	binary.BigEndian.PutUint32(raw[12:], seq)
	cl := &call{id: binary.BigEndian.Uint32(raw[4:]), sent: time.Now().UnixNano(), done: done}
	c.mu.Lock()
	if c.closed {
		err := c.closeErr
		c.mu.Unlock()
		return fmt.Errorf("%w: %w", ErrClosed, err)
	}
	c.pending[seq] = cl
	c.mu.Unlock()
	c.write(raw)
	return nil
}

// call sends raw as request does and waits for the outcome.
func (c *conn) call(ctx context.Context, raw []byte) (*frame, error) {
	type result struct {
		f   *frame
		err error
	}
	ch := make(chan result, 1)
	if err := c.request(raw, func(f *frame, err error) { ch <- result{f, err} }); err != nil {
		return nil, err
	}
	select {
	case r := <-ch:
		return r.f, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// write queues raw for the write loop; raw may be reused once write returns.
// Errors surface as the connection closing.
func (c *conn) write(raw []byte) {
	c.wmu.Lock()
	if len(c.wbuf)+len(raw) > maxBuffered {
		c.wmu.Unlock()
		c.close(errors.New("smpp: peer is not reading, write buffer full"))
		return
	}
	c.wbuf = append(c.wbuf, raw...)
	c.wmu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// closeAfterWrite writes raw, if any, and closes the connection with reason
// once everything queued before it has been written.
func (c *conn) closeAfterWrite(raw []byte, reason error) {
	c.wmu.Lock()
	c.wbuf = append(c.wbuf, raw...)
	c.wclosing = reason
	c.wmu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// writeLoop writes what write queued, one syscall per batch: requests that
// arrive while a write is in progress go out together in the next one.
func (c *conn) writeLoop() {
	for {
		select {
		case <-c.wake:
		case <-c.ctx.Done():
			return
		}
		for {
			c.wmu.Lock()
			b, closing := c.wbuf, c.wclosing
			if len(b) == 0 {
				c.wmu.Unlock()
				if closing != nil {
					c.close(closing)
					return
				}
				break
			}
			// Swap buffers: writers fill the spare while b is written.
			c.wbuf, c.wspare = c.wspare[:0], nil
			c.wmu.Unlock()
			_ = c.nc.SetWriteDeadline(time.Now().Add(c.cfg.responseTimeout))
			if _, err := c.nc.Write(b); err != nil {
				c.close(fmt.Errorf("writing: %w", err))
				return
			}
			c.wmu.Lock()
			c.wspare = b
			c.wmu.Unlock()
		}
	}
}

// readLoop reads PDUs until the connection fails, completing calls with
// their responses and handing requests to onRequest.
func (c *conn) readLoop(onRequest func(*frame)) {
	br := bufio.NewReaderSize(c.nc, 64<<10)
	for {
		f, err := readFrame(br)
		if err != nil {
			if errors.Is(err, errFrameLength) {
				// The stream cannot be resynchronised: nack and close.
				c.log.Warn("smpp: malformed PDU, closing", "err", err)
				c.closeAfterWrite(appendPDU(nil, cmdGenericNack, uint32(StatusInvCmdLen), f.seq), err)
				return
			}
			c.close(fmt.Errorf("reading: %w", err))
			return
		}
		c.lastRx.Store(time.Now().UnixNano())
		if f.isResponse() {
			c.complete(f)
			continue
		}
		onRequest(f)
	}
}

// complete hands a response to the call waiting for it.
func (c *conn) complete(f *frame) {
	c.mu.Lock()
	cl := c.pending[f.seq]
	if cl != nil {
		delete(c.pending, f.seq)
	}
	c.mu.Unlock()
	if cl == nil {
		c.log.Debug("smpp: response matches no request", "cmd", cmdName(f.id), "seq", f.seq)
		return
	}
	if f.id != cl.id|respBit && f.id != cmdGenericNack {
		cl.done(nil, fmt.Errorf("smpp: %s answered by %s", cmdName(cl.id), cmdName(f.id)))
		return
	}
	cl.done(f, nil)
}

// keepAlive sends enquire_link when the link has been idle and closes the
// connection when a request has waited longer than the response timeout.
func (c *conn) keepAlive() {
	tick := min(max(c.cfg.responseTimeout/4, 10*time.Millisecond), time.Second)
	if c.cfg.enquireLink > 0 {
		tick = min(tick, max(c.cfg.enquireLink/2, 10*time.Millisecond))
	}
	t := time.NewTicker(tick)
	defer t.Stop()
	var lastEnquire int64
	for {
		select {
		case <-c.ctx.Done():
			return
		case now := <-t.C:
			n := now.UnixNano()
			if oldest := c.oldestPending(); oldest != 0 && n-oldest > int64(c.cfg.responseTimeout) {
				c.close(ErrTimeout)
				return
			}
			idle := c.cfg.enquireLink
			if idle > 0 && n-c.lastRx.Load() >= int64(idle) && n-lastEnquire >= int64(idle) {
				lastEnquire = n
				_ = c.request(appendPDU(nil, cmdEnquireLink, 0, 0), func(*frame, error) {})
			}
		}
	}
}

// oldestPending returns when the oldest unanswered request was sent, or 0.
func (c *conn) oldestPending() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var oldest int64
	for _, cl := range c.pending {
		if oldest == 0 || cl.sent < oldest {
			oldest = cl.sent
		}
	}
	return oldest
}

// inFlight returns the number of requests waiting for a response.
func (c *conn) inFlight() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.pending)
}

// close closes the connection for reason, once, and fails every pending
// call with it.
func (c *conn) close(reason error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed, c.closeErr = true, reason
	pending := c.pending
	c.pending = nil
	c.mu.Unlock()
	c.cancel()
	_ = c.nc.Close()
	for _, cl := range pending {
		cl.done(nil, reason)
	}
}

// unbind ends the session politely: it sends unbind, waits up to timeout
// for unbind_resp and closes.
func (c *conn) unbind(timeout time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	_, _ = c.call(ctx, appendPDU(nil, cmdUnbind, 0, 0))
	c.close(fmt.Errorf("%w: unbound", ErrClosed))
}

// respond writes a response with a header and optional body parts.
func (c *conn) respond(id uint32, status Status, seq uint32, body ...[]byte) {
	c.write(appendPDU(make([]byte, 0, 32), id, uint32(status), seq, body...))
}

// nack answers a request that cannot be handled with generic_nack.
func (c *conn) nack(status Status, seq uint32) {
	c.respond(cmdGenericNack, status, seq)
}
