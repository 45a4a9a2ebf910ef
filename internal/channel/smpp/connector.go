// Package smpp is the SMPP 3.4 client connector: a connection of type
// "smpp" binds to an operator's or aggregator's SMSC through the protocol
// layer in internal/smpp, submits SMS with windowed submit_sm, turns
// delivery receipts into status reports and MO messages into inbound
// messages.
//
// Receipts are matched by the connection and the SMSC's message ID in its
// canonical form (receipt.Canonical), which Send returns as the provider
// ID. A message sent in several segments gets one receipt per segment; the
// connector folds them (receipt.Fold) into one status; the segments' IDs
// and states are kept in the database, so a fold survives a restart. A
// receipt that
// matches no message is recorded in the store and counted, never dropped
// silently.
package smpp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/channel"
	"github.com/heraldhq/herald/internal/smpp"
	"github.com/heraldhq/herald/internal/smpp/receipt"
)

// Type is the connector type of SMPP connections.
const Type = "smpp"

// Store is what SMPP connections need from the database.
type Store interface {
	// MessageIDByProvider finds the message a connection submitted under
	// the SMSC's ID; ENOTFOUND.
	MessageIDByProvider(ctx context.Context, connectionID int64, providerID string) (string, error)
	// RecordUnmatchedReceipt keeps a receipt that matched no message.
	RecordUnmatchedReceipt(ctx context.Context, r *herald.UnmatchedReceipt) error
	// RememberSegments, FoldSegment and ForgetSegments keep the segments
	// of multi-part messages and their receipts' states (see the store).
	RememberSegments(ctx context.Context, connectionID int64, messageID string, providerIDs []string) error
	FoldSegment(ctx context.Context, connectionID int64, providerID, state string, final func(states []string) bool) (*herald.SMSSegments, error)
	ForgetSegments(ctx context.Context, cutoff time.Time) (int64, error)
}

// Hub builds and tracks the SMPP connections of a process: register its
// Factory under Type, and read Binds for the portal. Its methods are safe
// for concurrent use.
type Hub struct {
	store     Store
	log       *slog.Logger
	unmatched *prometheus.CounterVec
	// MatchWait is how long a receipt that matches nothing yet is looked up
	// again before it is recorded as unmatched: a receipt may overtake the
	// commit of its message's submission. Default 3 s.
	MatchWait time.Duration
	// OtherFormsAfter is how long a receipt waits for its message under
	// the connection's usual form of ID before the other forms are looked
	// up too (see match). Default 1 s.
	OtherFormsAfter time.Duration

	mu    sync.Mutex
	conns map[int64]*Connector
}

// NewHub returns a Hub over store; reg (nil for none) gets the
// herald_smpp_unmatched_receipts_total counter.
func NewHub(store Store, log *slog.Logger, reg prometheus.Registerer) *Hub {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &Hub{store: store, log: log, MatchWait: 3 * time.Second, OtherFormsAfter: time.Second, conns: map[int64]*Connector{},
		unmatched: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herald_smpp_unmatched_receipts_total",
			Help: "Delivery receipts from SMSCs that matched no message, by connection.",
		}, []string{"connection"})}
	if reg != nil {
		if err := reg.Register(h.unmatched); err != nil {
			var are prometheus.AlreadyRegisteredError
			if errors.As(err, &are) {
				h.unmatched = are.ExistingCollector.(*prometheus.CounterVec)
			}
		}
	}
	return h
}

// Factory returns the channel.Factory of SMPP connections.
func (h *Hub) Factory() channel.Factory {
	return func(conn *herald.Connection, sink channel.Sink) (channel.Connector, error) {
		s, err := ParseSettings(conn.Settings)
		if err != nil {
			return nil, err
		}
		c := &Connector{hub: h, conn: conn.ID, name: conn.Name, channel: conn.Channel, settings: s, sink: sink}
		c.cfg = s.config(conn)
		c.cfg.Logger = h.log.With("connection", conn.Name)
		c.cfg.Inbound = smpp.InboundFuncs{OnReceipt: c.onReceipt, OnMO: c.onMO}
		return c, nil
	}
}

// Connector is one SMPP connection: a client with its binds.
type Connector struct {
	hub      *Hub
	conn     int64
	name     string
	channel  herald.Channel
	settings Settings
	cfg      smpp.Config
	sink     channel.Sink

	mu     sync.Mutex
	client *smpp.Client
	ctx    context.Context // the connector's lifetime, for inbound work
	// recent matches the receipts of the latest submissions in memory.
	recent recentSubmits
	// otherForm counts the receipts in a row whose ID matched in another
	// form than their own (see match).
	otherForm atomic.Int32
}

var (
	_ channel.Connector      = (*Connector)(nil)
	_ channel.AsyncConnector = (*Connector)(nil)
	_ channel.InFlighter     = (*Connector)(nil)
	_ channel.Starter        = (*Connector)(nil)
	_ channel.Closer         = (*Connector)(nil)
)

// Start opens the binds; they bind, and rebind after failures, in the
// background until Close.
func (c *Connector) Start(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.client != nil {
		return nil
	}
	cl, err := smpp.NewClient(c.cfg)
	if err != nil {
		return fmt.Errorf("smpp: starting connection %q: %w", c.name, err)
	}
	c.client, c.ctx = cl, context.WithoutCancel(ctx)
	c.hub.add(c)
	go c.expireParts(ctx)
	return nil
}

// Close unbinds and ends the sessions.
func (c *Connector) Close(ctx context.Context) error {
	c.mu.Lock()
	cl := c.client
	c.client = nil
	c.mu.Unlock()
	c.hub.remove(c)
	if cl == nil {
		return nil
	}
	done := make(chan error, 1)
	go func() { done <- cl.Close() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("smpp: closing connection %q: %w", c.name, ctx.Err())
	}
}

// smsPayload is the SMS content Send reads.
type smsPayload struct {
	Text string `json:"text"`
}

// Send submits m and waits for the SMSC's answers to every segment. The
// provider ID is the canonical message ID of the first segment; a
// multi-segment message is remembered so that its segments' receipts fold
// into one status.
func (c *Connector) Send(ctx context.Context, m *herald.Message) (channel.Result, error) {
	cl, sm, err := c.prepare(m)
	if err != nil {
		return channel.Result{}, err
	}
	res, err := cl.Submit(ctx, sm)
	if err != nil {
		return channel.Result{}, classify(err)
	}
	r, ids := result(res)
	if len(ids) > 1 {
		c.remember(ctx, m.ID, ids)
	}
	return r, nil
}

// prepare returns the client and the protocol message of m.
func (c *Connector) prepare(m *herald.Message) (*smpp.Client, *smpp.Message, error) {
	c.mu.Lock()
	cl := c.client
	c.mu.Unlock()
	if cl == nil {
		return nil, nil, channel.Retryable(errors.New("smpp: the connection is not started"), "")
	}
	var p smsPayload
	if err := json.Unmarshal(m.Payload, &p); err != nil {
		return nil, nil, channel.Permanent(fmt.Errorf("smpp: reading the SMS payload: %w", err), herald.StatusDetail{}, "")
	}
	return cl, &smpp.Message{Source: m.SenderID, Dest: m.Destination, Text: p.Text, Validity: validity(m)}, nil
}

// result returns the answer to an accepted submission and the canonical
// IDs of its segments.
func result(res smpp.Result) (channel.Result, []string) {
	ids := res.MessageIDs()
	for i := range ids {
		ids[i] = receipt.Canonical(ids[i])
	}
	return channel.Result{ProviderID: ids[0], ProviderCode: "ESME_ROK", Status: herald.StatusSent}, ids
}

// SendAsync implements channel.AsyncConnector: m goes into a window of a
// bind, and done gets the SMSC's answers to every segment.
func (c *Connector) SendAsync(ctx context.Context, m *herald.Message, done func(channel.Result, error)) error {
	cl, sm, err := c.prepare(m)
	if err != nil {
		return err
	}
	id := m.ID
	err = cl.SubmitAsync(ctx, sm, func(res smpp.Result) {
		if res.Err != nil {
			done(channel.Result{}, classify(res.Err))
			return
		}
		r, ids := result(res)
		if len(ids) > 1 {
			// Remembering writes to the database: not on the session's
			// read loop.
			go func() {
				c.remember(ctx, id, ids)
				done(r, nil)
			}()
			return
		}
		done(r, nil)
		c.recent.add(r.ProviderID, id) // after done: its receipt's report follows
	})
	if err != nil {
		return classify(err)
	}
	return nil
}

// InFlight implements channel.InFlighter: every bind's window.
func (c *Connector) InFlight() int {
	return max(1, c.cfg.Binds) * max(1, c.cfg.Window)
}

// validity returns how long m may still wait at the SMSC, or 0.
func validity(m *herald.Message) time.Duration {
	if m.ValidUntil == nil {
		return 0
	}
	return max(time.Until(*m.ValidUntil), time.Minute)
}

// classify maps the protocol layer's errors to the connector taxonomy: an
// encoding error or a permanent refusal is permanent, a temporary status
// or an unknown outcome retryable, a closed client or an ended context
// retryable (nothing was sent).
func classify(err error) *channel.Error {
	var se *smpp.SubmitError
	switch {
	case errors.Is(err, smpp.ErrEncoding):
		return channel.Permanent(err, herald.StatusDetail{}, "ENCODING")
	case errors.As(err, &se) && se.Temporary:
		return channel.Retryable(err, se.Status.Name())
	case errors.As(err, &se):
		return channel.Permanent(err, herald.DetailProviderError, se.Status.Name())
	case errors.Is(err, smpp.ErrClosed), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return channel.Retryable(err, "")
	}
	return channel.Permanent(err, herald.StatusDetail{}, "")
}

// Binds returns the state of the connection's sessions.
func (c *Connector) Binds() []smpp.SessionInfo {
	c.mu.Lock()
	cl := c.client
	c.mu.Unlock()
	if cl == nil {
		return nil
	}
	return cl.Sessions()
}
