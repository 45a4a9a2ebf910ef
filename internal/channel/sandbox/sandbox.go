// Package sandbox is Herald's built-in connector: a simulated provider and
// the simulated devices behind it, for every channel. It submits, delivers,
// shows and fails messages with configurable chance and latency per channel
// and per destination pattern, sends delivery reports and read receipts, and
// can answer as the contact. A deterministic mode makes it exact for tests.
//
// Devices keep their inboxes in the database (sandbox_inbox), keyed by the
// message ID: a message submitted again after a crash is received once, so
// the sandbox gets each message exactly once. Reports wait in memory; after
// a restart the connector schedules again the reports of messages that were
// received but are still only sent.
package sandbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/batch"
	"github.com/heraldhq/herald/internal/channel"
)

// Store keeps the devices' inboxes.
type Store interface {
	InsertSandboxInbox(ctx context.Context, msgs []herald.SandboxMessage) (map[string]bool, error)
	SandboxUnreported(ctx context.Context, connections []int64, since time.Time) ([]herald.SandboxMessage, error)
}

// Network is the simulated provider side shared by every sandbox connection
// of a process: the inbox writer and the report scheduler. Build it once,
// register its Factory, Start it, and Stop it after the engine.
type Network struct {
	store Store
	clock herald.Clock
	log   *slog.Logger
	inbox *batch.Batcher[herald.SandboxMessage]
	sched *scheduler

	mu  sync.Mutex
	rng *rand.Rand
}

// NewNetwork returns a Network that keeps inboxes in store.
func NewNetwork(store Store, clock herald.Clock, log *slog.Logger) *Network {
	n := &Network{store: store, clock: clock, log: log, rng: rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))}
	n.inbox = batch.New(batch.Config{MaxSize: 500, Workers: 2}, n.flushInbox)
	n.sched = newScheduler(clock)
	return n
}

// Start runs the inbox writer and the report scheduler until Stop.
func (n *Network) Start(ctx context.Context) {
	n.inbox.Start(ctx)
	n.sched.start(ctx)
}

// Stop ends the inbox writer and the scheduler. Reports not yet due are
// dropped; the next start schedules them again from the inboxes.
func (n *Network) Stop() {
	n.inbox.Stop()
	n.sched.stop()
}

// Pending returns how many reports wait in the scheduler.
func (n *Network) Pending() int { return n.sched.len() }

// flushInbox records a batch of received messages.
func (n *Network) flushInbox(ctx context.Context, msgs []herald.SandboxMessage) ([]error, error) {
	_, err := n.store.InsertSandboxInbox(context.WithoutCancel(ctx), msgs)
	return nil, err
}

// roll returns a random number in [0, 1).
func (n *Network) roll() float64 {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.rng.Float64()
}

// jitter returns d varied by up to ±50 %, or d in deterministic mode.
func (n *Network) jitter(d time.Duration, deterministic bool) time.Duration {
	if deterministic || d <= 0 {
		return d
	}
	return time.Duration(float64(d) * (0.5 + n.roll()))
}

// Factory returns the channel.Factory of sandbox connections on n.
func (n *Network) Factory() channel.Factory {
	return func(conn *herald.Connection, sink channel.Sink) (channel.Connector, error) {
		s, err := ParseSettings(conn.Settings)
		if err != nil {
			return nil, err
		}
		return &Connector{net: n, conn: conn.ID, channel: conn.Channel, settings: s, sink: sink}, nil
	}
}

// Connector is one sandbox connection.
type Connector struct {
	net      *Network
	conn     int64
	channel  herald.Channel
	settings Settings
	sink     channel.Sink
}

var (
	_ channel.Connector         = (*Connector)(nil)
	_ channel.AsyncConnector    = (*Connector)(nil)
	_ channel.Starter           = (*Connector)(nil)
	_ channel.CapabilityChecker = (*Connector)(nil)
)

// Capable answers a capability check as the simulated devices would: an
// address is capable unless its outcome on the connection's channel is
// not_capable (test destinations ending 0004 on RCS, or a rule).
func (c *Connector) Capable(_ context.Context, addr string) (bool, error) {
	for _, r := range c.settings.Rules {
		if r.matches(c.channel, addr) {
			return r.Outcome != NotCapable || c.channel != herald.ChannelRCS, nil
		}
	}
	o, ok := testOutcome(c.channel, addr)
	return !ok || o != NotCapable, nil
}

// errNotCapable and friends are the simulated provider's refusals.
var (
	errRejected   = errors.New("sandbox: the destination refuses messages (test destination ...0001 or a rule)")
	errNotCapable = errors.New("sandbox: the device is not RCS capable")
	errOutage     = errors.New("sandbox: simulated provider outage")
)

// Send simulates a submission: it refuses the message or records it in the
// device's inbox (once per message ID) and schedules its reports. The
// sandbox reports by Herald's message ID, so it gives no provider ID.
func (c *Connector) Send(ctx context.Context, m *herald.Message) (channel.Result, error) {
	if d := time.Duration(c.settings.SubmitLatency); d > 0 {
		select {
		case <-time.After(c.net.jitter(d, c.settings.Deterministic)):
		case <-ctx.Done():
			return channel.Result{}, channel.Retryable(ctx.Err(), "")
		}
	}
	item, outcome, err := c.receive(m)
	if err != nil {
		return channel.Result{}, err
	}
	if err := c.net.inbox.Do(ctx, item); err != nil {
		return channel.Result{}, channel.Retryable(fmt.Errorf("sandbox: recording the device inbox: %w", err), "")
	}
	c.schedule(item, outcome)
	return accepted(), nil
}

// accepted returns the sandbox's answer to a message it took.
func accepted() channel.Result {
	return channel.Result{ProviderCode: "ACCEPTED", Status: herald.StatusSent}
}

// SendAsync is Send without a goroutine waiting for the device inbox's
// write: done is called once the inbox batch holding m is written (or, for
// a refused message, at once; after the submit latency when there is one).
func (c *Connector) SendAsync(ctx context.Context, m *herald.Message, done func(channel.Result, error)) error {
	if d := time.Duration(c.settings.SubmitLatency); d > 0 {
		time.AfterFunc(c.net.jitter(d, c.settings.Deterministic), func() { c.sendAsync(ctx, m, done) })
		return nil
	}
	c.sendAsync(ctx, m, done)
	return nil
}

// sendAsync decides m's outcome and hands it to the inbox writer.
func (c *Connector) sendAsync(ctx context.Context, m *herald.Message, done func(channel.Result, error)) {
	item, outcome, err := c.receive(m)
	if err != nil {
		done(channel.Result{}, err)
		return
	}
	err = c.net.inbox.Go(ctx, item, func(err error) {
		if err != nil {
			done(channel.Result{}, channel.Retryable(fmt.Errorf("sandbox: recording the device inbox: %w", err), ""))
			return
		}
		c.schedule(item, outcome)
		done(accepted(), nil)
	})
	if err != nil {
		done(channel.Result{}, channel.Retryable(fmt.Errorf("sandbox: recording the device inbox: %w", err), ""))
	}
}

// receive decides what the simulated provider does with m: the inbox
// item and its outcome, or the provider's refusal.
func (c *Connector) receive(m *herald.Message) (herald.SandboxMessage, Outcome, error) {
	outcome := c.settings.decide(m.Channel, m.Destination, c.net.roll)
	switch outcome {
	case Rejected:
		return herald.SandboxMessage{}, outcome, channel.Permanent(errRejected, herald.DetailProviderError, "REJECTED")
	case NotCapable:
		return herald.SandboxMessage{}, outcome, channel.Permanent(errNotCapable, herald.DetailNotCapable, "NOT_CAPABLE")
	case Outage:
		return herald.SandboxMessage{}, outcome, channel.Retryable(errOutage, "UNAVAILABLE")
	}
	item := herald.SandboxMessage{MessageID: m.ID, AccountID: m.AccountID, ConnectionID: c.conn, Channel: m.Channel,
		Destination: m.Destination, SenderID: m.SenderID, Outcome: string(outcome), ReceivedAt: c.net.clock.Now()}
	return item, outcome, nil
}

// schedule queues the reports of a received message.
func (c *Connector) schedule(item herald.SandboxMessage, outcome Outcome) {
	s := &c.settings
	at := item.ReceivedAt.Add(c.net.jitter(time.Duration(s.DeliveryLatency), s.Deterministic))
	switch outcome {
	case Undelivered:
		c.net.sched.add(at, c.report(item.MessageID, herald.StatusUndelivered, "UNDELIV"))
	case Delivered:
		c.net.sched.add(at, c.report(item.MessageID, herald.StatusDelivered, "DELIVRD"))
		if hasSeen(item.Channel) && (s.Deterministic || c.net.roll() < s.SeenRate) {
			seen := at.Add(c.net.jitter(time.Duration(s.SeenLatency), s.Deterministic))
			c.net.sched.add(seen, c.report(item.MessageID, herald.StatusSeen, "READ"))
		}
		if s.AutoReply != "" {
			c.net.sched.add(at, c.reply(item))
		}
	}
}

// report returns the job that reports status for message id.
func (c *Connector) report(id string, status herald.MessageStatus, code string) job {
	return job{sink: c.sink, report: &channel.Report{MessageID: id, ConnectionID: c.conn, Status: status, ProviderCode: code}}
}

// reply returns the job that answers item with the auto-reply.
func (c *Connector) reply(item herald.SandboxMessage) job {
	return job{sink: c.sink, inbound: &channel.Inbound{ConnectionID: c.conn, AccountID: item.AccountID, Channel: item.Channel,
		From: item.Destination, To: item.SenderID, Payload: TextPayload(c.settings.AutoReply), Text: c.settings.AutoReply}}
}

// Start schedules again the reports that a crash or stop lost: messages
// received in the last day that are still only sent.
func (c *Connector) Start(ctx context.Context) error {
	since := c.net.clock.Now().Add(-24 * time.Hour)
	lost, err := c.net.store.SandboxUnreported(ctx, []int64{c.conn}, since)
	if err != nil {
		return fmt.Errorf("sandbox: finding unreported messages: %w", err)
	}
	for _, m := range lost {
		c.schedule(m, Outcome(m.Outcome))
	}
	if len(lost) > 0 {
		c.net.log.Info("sandbox: rescheduled lost reports", "connection", c.conn, "messages", len(lost))
	}
	return nil
}
