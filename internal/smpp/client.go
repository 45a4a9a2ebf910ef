package smpp

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Client is an ESME connected to one SMSC through a pool of binds. It binds,
// keeps its sessions alive, reconnects with backoff, and submits messages
// over whichever transmitting session has room in its window. Its methods
// are safe for concurrent use. Create it with NewClient; Close it.
type Client struct {
	cfg     Config
	enc     encoding
	log     *slog.Logger
	limiter *rate.Limiter

	queue  chan *segment // hand-off from Submit to a session with a free slot
	retryq chan *segment // segments to send again, preferred by sessions

	pauseUntil atomic.Int64 // unix nanoseconds: no submit before (throttling)
	ref        atomic.Uint32
	reasm      *reassembler

	ctx      context.Context
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	sessions []*session
	closing  sync.Once
}

// NewClient validates cfg and starts the client's sessions in the
// background: it does not wait for them to bind (see Ready).
func NewClient(cfg Config) (*Client, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := &Client{
		cfg: cfg,
		enc: encoding{
			alphabet: cfg.Alphabet, dataCoding: cfg.DataCoding, concat: cfg.Concat,
			source: cfg.Source, dest: cfg.Dest, serviceType: cfg.ServiceType,
			esmClass: cfg.ESMClass, registered: cfg.RegisteredDelivery, protocolID: cfg.ProtocolID,
		},
		log:     cfg.Logger.With("smsc", cfg.Addr, "system_id", cfg.SystemID),
		limiter: rate.NewLimiter(rate.Inf, 1),
		queue:   make(chan *segment),
		retryq:  make(chan *segment, 1024),
		ctx:     ctx,
		cancel:  cancel,
	}
	if cfg.Throughput > 0 {
		// A burst of 20 ms worth keeps the limiter's sleeps above timer
		// granularity at high rates.
		c.limiter = rate.NewLimiter(rate.Limit(cfg.Throughput), max(1, int(math.Ceil(cfg.Throughput/50))))
	}
	c.reasm = newReassembler(cfg.ReassemblyTimeout)
	c.ref.Store(uint32(time.Now().UnixNano()))
	c.startSessions()
	c.wg.Add(1)
	go func() { defer c.wg.Done(); c.expireParts() }()
	return c, nil
}

// startSessions creates and runs the sessions the bind mode asks for.
func (c *Client) startSessions() {
	var kinds []bindKind
	switch c.cfg.Mode {
	case BindTransceiver:
		kinds = []bindKind{bindTRX}
	case BindTransmitterReceiver:
		kinds = []bindKind{bindTX, bindRX}
	case BindTransmitter:
		kinds = []bindKind{bindTX}
	case BindReceiver:
		kinds = []bindKind{bindRX}
	}
	for i := 0; i < c.cfg.Binds; i++ {
		for _, k := range kinds {
			s := &session{c: c, id: len(c.sessions) + 1, kind: k, state: StateConnecting, since: time.Now()}
			c.sessions = append(c.sessions, s)
			c.wg.Add(1)
			go func() { defer c.wg.Done(); s.run(c.ctx) }()
		}
	}
}

// Close unbinds every session, waits for them to end and fails what was not
// acknowledged with an unknown outcome (safe to send again). It returns nil.
func (c *Client) Close() error {
	c.closing.Do(func() {
		c.cancel()
		c.wg.Wait()
		c.drain()
	})
	return nil
}

// drain fails the segments still queued after the sessions stopped.
func (c *Client) drain() {
	for {
		select {
		case s := <-c.queue:
			if s.take() {
				s.finish(c, SegmentResult{Outcome: OutcomeUnknown, Err: ErrClosed})
			}
		case s := <-c.retryq:
			if s.take() {
				s.finish(c, SegmentResult{Outcome: OutcomeUnknown, Err: ErrClosed})
			}
		default:
			return
		}
	}
}

// Ready waits until every session is bound, or ctx ends.
func (c *Client) Ready(ctx context.Context) error {
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	for {
		all := true
		for _, s := range c.sessions {
			if s.info().State != StateBound {
				all = false
				break
			}
		}
		if all {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("smpp: waiting for binds: %w", ctx.Err())
		case <-t.C:
		}
	}
}

// Outcome is what became of one submit_sm.
type Outcome uint8

// Outcomes.
const (
	// OutcomeAccepted: the SMSC answered with status 0. Never sent again.
	OutcomeAccepted Outcome = iota
	// OutcomeRefused: the SMSC answered with an error status.
	OutcomeRefused
	// OutcomeUnknown: no answer came (the session died or timed out, or the
	// client closed before sending it). The SMSC may or may not have it;
	// sending it again is safe but may duplicate it.
	OutcomeUnknown
)

// String returns the outcome's name.
func (o Outcome) String() string {
	switch o {
	case OutcomeAccepted:
		return "accepted"
	case OutcomeRefused:
		return "refused"
	}
	return "unknown"
}

// SegmentResult is the fate of one segment of a message.
type SegmentResult struct {
	Outcome Outcome
	// MessageID is the SMSC's ID from submit_sm_resp; it may be empty
	// even when accepted (Kannel's drive_smpp sends none).
	MessageID string
	// Status is the submit_sm_resp command_status.
	Status Status
	// Attempts counts the times the segment was sent.
	Attempts int
	// Err is why an unknown outcome is unknown.
	Err error
}

// Result is the fate of a submitted message, one entry per segment.
type Result struct {
	Segments []SegmentResult
	// Err is nil when every segment was accepted, and a *SubmitError
	// otherwise.
	Err error
}

// MessageIDs returns the SMSC's IDs of the segments, in order.
func (r Result) MessageIDs() []string {
	ids := make([]string, len(r.Segments))
	for i, s := range r.Segments {
		ids[i] = s.MessageID
	}
	return ids
}

// SubmitError reports a message whose segments were not all accepted.
type SubmitError struct {
	// Status is the status of the first refused segment; 0 if none was refused.
	Status Status
	// Unknown is set when some segment's outcome is unknown.
	Unknown bool
	// Temporary is set when sending the message again later may succeed:
	// outcomes are unknown, or the status is retryable. A permanent error
	// must not be retried.
	Temporary bool
	// Accepted and Total count the segments.
	Accepted, Total int
}

// Error implements error.
func (e *SubmitError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "smpp: submit: %d of %d segments accepted", e.Accepted, e.Total)
	if e.Status != 0 {
		fmt.Fprintf(&b, ", refused with %s", e.Status.Name())
	}
	if e.Unknown {
		b.WriteString(", outcome unknown")
	}
	if e.Temporary {
		b.WriteString(" (temporary)")
	} else {
		b.WriteString(" (permanent)")
	}
	return b.String()
}

// Unwrap returns the refusal status, if any.
func (e *SubmitError) Unwrap() error {
	if e.Status == 0 {
		return nil
	}
	return e.Status
}

// Submit sends m and waits for the SMSC's answers to all its segments. The
// error is ErrEncoding (wrapped) for a message that cannot be sent as it is,
// ErrClosed or ctx's error when nothing was sent, or the Result's Err.
//
// When ctx ends first, the segments no session has taken yet are withdrawn
// (they are never sent) and count as unknown with ctx's error; Submit
// then waits only for the segments already written, which end with their
// response, its timeout or the session.
func (c *Client) Submit(ctx context.Context, m *Message) (Result, error) {
	ch := make(chan Result, 1)
	pm, err := c.submitAsync(ctx, m, func(r Result) { ch <- r })
	if err != nil {
		return Result{}, err
	}
	select {
	case r := <-ch:
		return r, r.Err
	case <-ctx.Done():
	}
	c.withdraw(pm, ctx.Err())
	r := <-ch
	return r, r.Err
}

// SubmitAsync encodes m into segments and hands each to a session with
// room in its window, blocking while every window is full, the throughput
// limit applies or no session is bound. It returns an error, and never
// calls done, when nothing was handed over: m cannot be encoded (ErrEncoding),
// the client is closed (ErrClosed) or ctx ended. Otherwise done is called
// exactly once with the result of every segment; segments not handed over
// when ctx ended count as unknown. done runs on a session's read loop: it
// must not block.
//
// Segments still waiting for a window when ctx ends are withdrawn and
// count as unknown, as with Submit, so that done is called then at the
// latest.
func (c *Client) SubmitAsync(ctx context.Context, m *Message, done func(Result)) error {
	var finished atomic.Bool
	var stop atomic.Pointer[func() bool]
	pm, err := c.submitAsync(ctx, m, func(r Result) {
		finished.Store(true)
		if s := stop.Load(); s != nil {
			(*s)()
		}
		done(r)
	})
	if err != nil || ctx.Done() == nil {
		return err
	}
	s := context.AfterFunc(ctx, func() { c.withdraw(pm, ctx.Err()) })
	stop.Store(&s)
	if finished.Load() {
		s() // done ran before the watch was stored: forget it
	}
	return nil
}

// withdraw finishes the segments of pm that no session has taken yet.
func (c *Client) withdraw(pm *pendingMsg, err error) {
	for _, seg := range pm.segs {
		if seg.state.CompareAndSwap(segQueued, segWithdrawn) {
			seg.finish(c, SegmentResult{Outcome: OutcomeUnknown, Err: err})
		}
	}
}

// submitAsync is SubmitAsync, returning the message's segments.
func (c *Client) submitAsync(ctx context.Context, m *Message, done func(Result)) (*pendingMsg, error) {
	pdus, err := c.enc.segmentPDUs(m, uint16(c.ref.Add(1)))
	if err != nil {
		return nil, err
	}
	pm := &pendingMsg{results: make([]SegmentResult, len(pdus)), left: int32(len(pdus)), done: done,
		segs: make([]*segment, len(pdus))}
	for i, raw := range pdus {
		pm.segs[i] = &segment{msg: pm, idx: i, raw: raw}
	}
	for i, seg := range pm.segs {
		select {
		case c.queue <- seg:
			continue
		case <-ctx.Done():
			err = ctx.Err()
		case <-c.ctx.Done():
			err = ErrClosed
		}
		if i == 0 {
			return nil, fmt.Errorf("smpp: submit: %w", err)
		}
		for _, rest := range pm.segs[i:] {
			rest.state.Store(segWithdrawn)
			rest.finish(c, SegmentResult{Outcome: OutcomeUnknown, Err: err})
		}
		return pm, nil
	}
	return pm, nil
}

// pendingMsg collects the results of a message's segments.
type pendingMsg struct {
	mu      sync.Mutex
	results []SegmentResult
	left    int32
	done    func(Result)
	segs    []*segment
}

// segment is one submit_sm of a message, owned by one goroutine at a time:
// Submit, a session's sender, the session's read loop, a retry timer.
type segment struct {
	msg       *pendingMsg
	idx       int
	raw       []byte // the submit_sm; its sequence number is set per attempt
	attempts  int
	throttled int
	// state tells a waiting segment from one a session took (and may
	// have written) or one Submit withdrew. Whoever moves it out of
	// segQueued owns it and is the one to finish it.
	state atomic.Int32
}

// Segment states.
const (
	segQueued    int32 = iota // waiting in a queue or for a retry: not in flight
	segTaken                  // owned by a session or the client: it is, or will be, written or finished
	segWithdrawn              // Submit's context ended while it waited: never written again
)

// take claims a waiting segment; false when Submit withdrew it.
func (s *segment) take() bool { return s.state.CompareAndSwap(segQueued, segTaken) }

// finish records the segment's result and completes the message when it
// was the last.
func (s *segment) finish(c *Client, r SegmentResult) {
	if r.Attempts == 0 {
		r.Attempts = s.attempts
	}
	pm := s.msg
	pm.mu.Lock()
	pm.results[s.idx] = r
	pm.left--
	last := pm.left == 0
	pm.mu.Unlock()
	if last {
		pm.done(c.result(pm.results))
	}
}

// result builds a message's Result from its segments' results.
func (c *Client) result(segs []SegmentResult) Result {
	e := SubmitError{Total: len(segs), Temporary: true}
	for _, s := range segs {
		switch s.Outcome {
		case OutcomeAccepted:
			e.Accepted++
		case OutcomeUnknown:
			e.Unknown = true
		case OutcomeRefused:
			if e.Status == 0 {
				e.Status = s.Status
			}
			if !c.cfg.Retryable(s.Status) {
				e.Temporary = false
			}
		}
	}
	if e.Accepted == e.Total {
		return Result{Segments: segs}
	}
	return Result{Segments: segs, Err: &e}
}

// onResponse handles the outcome of one attempt to send seg: the
// submit_sm_resp f, or err when the session ended without one. It runs on
// the read loop or the closing goroutine.
func (c *Client) onResponse(seg *segment, f *frame, err error) {
	if err != nil {
		if seg.attempts <= c.cfg.MaxRetries && c.ctx.Err() == nil {
			c.log.Debug("smpp: resending segment whose session ended", "attempt", seg.attempts, "err", err)
			c.requeue(seg, 0)
			return
		}
		seg.finish(c, SegmentResult{Outcome: OutcomeUnknown, Err: err})
		return
	}
	st := Status(f.status)
	if f.id == cmdGenericNack && st == StatusOK {
		st = StatusSysErr
	}
	switch {
	case st == StatusOK:
		seg.finish(c, SegmentResult{Outcome: OutcomeAccepted, MessageID: readCString(f.body())})
		return
	case st.throttling():
		c.pause(c.cfg.ThrottleBackoff)
		if seg.throttled < 20*(c.cfg.MaxRetries+1) && c.ctx.Err() == nil {
			seg.throttled++
			seg.attempts-- // throttling does not count as an attempt
			c.requeue(seg, c.cfg.ThrottleBackoff)
			return
		}
	case c.cfg.Retryable(st) && seg.attempts <= c.cfg.MaxRetries && c.ctx.Err() == nil:
		c.requeue(seg, c.cfg.ThrottleBackoff)
		return
	}
	seg.finish(c, SegmentResult{Outcome: OutcomeRefused, Status: st})
}

// pause stops every session from submitting for d.
func (c *Client) pause(d time.Duration) {
	until := time.Now().Add(d).UnixNano()
	for {
		cur := c.pauseUntil.Load()
		if cur >= until || c.pauseUntil.CompareAndSwap(cur, until) {
			return
		}
	}
}

// requeue puts seg back for a session to send after delay. While it
// waits, Submit may withdraw it.
func (c *Client) requeue(seg *segment, delay time.Duration) {
	seg.state.Store(segQueued)
	closed := func() {
		if seg.take() {
			seg.finish(c, SegmentResult{Outcome: OutcomeUnknown, Err: ErrClosed})
		}
	}
	push := func() {
		select {
		case c.retryq <- seg:
		default:
			// The retry queue is full: wait for room in a goroutine so
			// that the read loop never blocks.
			c.wg.Add(1)
			go func() {
				defer c.wg.Done()
				select {
				case c.retryq <- seg:
				case <-c.ctx.Done():
					closed()
				}
			}()
		}
	}
	if delay <= 0 {
		push()
		return
	}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-t.C:
			push()
		case <-c.ctx.Done():
			closed()
		}
	}()
}

// next returns the next segment to send, preferring retries, or nil when
// stop closes first.
func (c *Client) next(stop <-chan struct{}) *segment {
	for {
		var s *segment
		select {
		case s = <-c.retryq:
		default:
			select {
			case s = <-c.retryq:
			case s = <-c.queue:
			case <-stop:
				return nil
			}
		}
		if s.take() {
			return s
		}
		// Withdrawn by Submit while it waited: never sent.
	}
}

// Sessions returns the state of every session, for monitoring.
func (c *Client) Sessions() []SessionInfo {
	out := make([]SessionInfo, len(c.sessions))
	for i, s := range c.sessions {
		out[i] = s.info()
	}
	return out
}
