package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/channel"
)

// senderTTL is how long a sender ID lookup is cached.
const senderTTL = 10 * time.Second

// routes resolves sender IDs to connections and keeps one open connector
// per connection.
type routes struct {
	e *Engine

	mu      sync.Mutex
	senders map[senderKey]senderEntry
	conns   map[int64]*openConn
}

// senderKey names a sender ID of an account on a channel.
type senderKey struct {
	account int64
	channel herald.Channel
	name    string // lower case
}

// senderEntry is a cached lookup: the sender or the error.
type senderEntry struct {
	s       *herald.SenderID
	err     error
	expires time.Time
}

// openConn is a connection with its connector, opened once.
type openConn struct {
	once sync.Once
	conn *herald.Connection
	c    channel.Connector
	err  error
}

func newRoutes(e *Engine) *routes {
	return &routes{e: e, senders: map[senderKey]senderEntry{}, conns: map[int64]*openConn{}}
}

// sender returns the account's sender ID name on channel; ENOTFOUND. With
// SandboxSenders, "sandbox" is created on first use.
func (r *routes) sender(ctx context.Context, accountID int64, ch herald.Channel, name string) (*herald.SenderID, error) {
	k := senderKey{accountID, ch, strings.ToLower(name)}
	now := r.e.now()
	r.mu.Lock()
	ent, ok := r.senders[k]
	r.mu.Unlock()
	if ok && now.Before(ent.expires) {
		return ent.s, ent.err
	}
	s, err := r.e.deps.Store.SenderByName(ctx, accountID, ch, name)
	if herald.IsNotFound(err) && r.e.cfg.SandboxSenders && k.name == herald.SandboxSender {
		if perr := r.e.ProvisionSandbox(ctx, accountID); perr != nil {
			return nil, perr
		}
		s, err = r.e.deps.Store.SenderByName(ctx, accountID, ch, name)
	}
	if err != nil && !herald.IsNotFound(err) {
		return nil, err // not cached: a passing failure
	}
	r.mu.Lock()
	r.senders[k] = senderEntry{s: s, err: err, expires: now.Add(senderTTL)}
	r.mu.Unlock()
	return s, err
}

// ForgetSender drops the cached lookup of the account's sender ID name on
// channel, so that a sender ID the system owner has just activated,
// bound, blocked or canceled is routed accordingly by the next message
// this process accepts. Other processes see the change within senderTTL.
func (e *Engine) ForgetSender(accountID int64, ch herald.Channel, name string) {
	r := e.routes
	r.mu.Lock()
	delete(r.senders, senderKey{accountID, ch, strings.ToLower(name)})
	r.mu.Unlock()
}

// connector returns the open connector of connection id; a connection that
// cannot be opened is a *channel.Error of class misconfigured.
func (r *routes) connector(ctx context.Context, id int64) (channel.Connector, *herald.Connection, error) {
	r.mu.Lock()
	oc := r.conns[id]
	if oc == nil {
		oc = &openConn{}
		r.conns[id] = oc
	}
	r.mu.Unlock()
	oc.once.Do(func() { oc.conn, oc.c, oc.err = r.open(ctx, id) })
	if oc.err != nil {
		// Not kept: the next send tries again, so that a connection whose
		// opening failed for a passing reason is not refused for good.
		r.mu.Lock()
		if r.conns[id] == oc {
			delete(r.conns, id)
		}
		r.mu.Unlock()
	}
	return oc.c, oc.conn, oc.err
}

// openFailure classifies a failure to open a connection: misconfigured,
// unless it failed because the engine or the send is stopping, which is
// retryable.
func (r *routes) openFailure(ctx context.Context, err error) error {
	if ctx.Err() != nil || r.e.ctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return channel.Retryable(err, "")
	}
	return channel.Misconfigured(err)
}

// open loads connection id, opens its secrets and builds its connector.
func (r *routes) open(ctx context.Context, id int64) (*herald.Connection, channel.Connector, error) {
	conn, err := r.e.deps.Store.Connection(ctx, id)
	if err != nil {
		return nil, nil, r.openFailure(ctx, fmt.Errorf("loading connection %d: %w", id, err))
	}
	conn.Secrets = map[string]string{}
	if len(conn.SealedSecrets) > 0 {
		plain, err := r.e.deps.Box.Open(conn.SealedSecrets)
		if err == nil {
			err = json.Unmarshal(plain, &conn.Secrets)
		}
		if err != nil {
			return conn, nil, channel.Misconfigured(fmt.Errorf("opening the secrets of connection %q: %w", conn.Name, err))
		}
	}
	c, err := r.e.deps.Connectors.Open(conn, r.e)
	if err != nil {
		return conn, nil, err
	}
	c = channel.Limit(c, conn.TPS)
	if s, ok := c.(channel.Starter); ok {
		if err := s.Start(r.e.ctx); err != nil {
			return conn, nil, r.openFailure(ctx, fmt.Errorf("starting connection %q: %w", conn.Name, err))
		}
	}
	return conn, c, nil
}

// ReloadConnection makes the next send through connection id open its
// connector again from the store, so that changed settings, secrets and
// throughput take effect without a restart. It closes the cached connector
// (when it is a channel.Closer); sends already holding it finish on it.
func (e *Engine) ReloadConnection(ctx context.Context, id int64) error {
	r := e.routes
	r.mu.Lock()
	oc := r.conns[id]
	delete(r.conns, id)
	r.mu.Unlock()
	if oc == nil {
		return nil
	}
	// A send that took oc before the delete and has not opened it yet
	// gets a retryable error and retries on a fresh entry; an open under
	// way finishes first, so what it opened is closed here.
	oc.once.Do(func() { oc.err = channel.Retryable(errReloaded, "") })
	if c, ok := oc.c.(channel.Closer); ok {
		if err := c.Close(ctx); err != nil {
			return fmt.Errorf("closing connection %d: %w", id, err)
		}
	}
	return nil
}

// errReloaded fails a send that raced with ReloadConnection; it is retried.
var errReloaded = errors.New("connection reloaded: try again")

// openAll opens the connector of every connection, so that connectors
// resume their background work (the sandbox's lost reports) at start.
func (r *routes) openAll(ctx context.Context) {
	conns, err := r.e.deps.Store.Connections(ctx)
	if err != nil {
		r.e.log.Error("listing connections", "err", err)
		return
	}
	for _, c := range conns {
		if _, _, err := r.connector(ctx, c.ID); err != nil {
			r.e.log.Warn("connection unusable", "connection", c.Name, "err", err)
		}
	}
}

// close closes every open connector.
func (r *routes) close(ctx context.Context) error {
	r.mu.Lock()
	conns := r.conns
	r.conns = map[int64]*openConn{}
	r.mu.Unlock()
	var errs []error
	for _, oc := range conns {
		if c, ok := oc.c.(channel.Closer); ok {
			errs = append(errs, c.Close(ctx))
		}
	}
	return errors.Join(errs...)
}

// ProvisionSandbox gives an account the sandbox connection of every channel
// that has one and, on each, the sender ID "sandbox". It is idempotent.
func (e *Engine) ProvisionSandbox(ctx context.Context, accountID int64) error {
	conns, err := e.deps.Store.Connections(ctx)
	if err != nil {
		return err
	}
	ctx = herald.WithActor(ctx, herald.Actor{AccountID: accountID, Login: "system"})
	done := map[herald.Channel]bool{}
	for _, c := range conns {
		if c.Type != herald.ConnectorSandbox || done[c.Channel] {
			continue
		}
		done[c.Channel] = true
		if err := e.deps.Store.AssignConnection(ctx, c.ID, accountID); err != nil {
			return fmt.Errorf("assigning the sandbox connection: %w", err)
		}
		s := &herald.SenderID{AccountID: accountID, Name: herald.SandboxSender, Channel: c.Channel, ConnectionID: c.ID}
		if err := e.deps.Store.CreateSender(ctx, s); err != nil && herald.ErrorCode(err) != herald.EINVALID {
			return fmt.Errorf("creating the sandbox sender ID: %w", err)
		}
	}
	return nil
}

// EnsureSandboxConnections creates, when the database has no connection at
// all (a new installation), one sandbox connection per channel. It returns
// whether it created them.
func (e *Engine) EnsureSandboxConnections(ctx context.Context) (bool, error) {
	conns, err := e.deps.Store.Connections(ctx)
	if err != nil || len(conns) > 0 {
		return false, err
	}
	ctx = herald.WithActor(ctx, herald.Actor{Login: "system"})
	for _, ch := range herald.AllChannels() {
		c := &herald.Connection{Type: herald.ConnectorSandbox, Channel: ch, Name: "Sandbox " + ch.Label()}
		if err := c.Validate(); err != nil {
			return false, err
		}
		if err := e.deps.Store.CreateConnection(ctx, c); err != nil {
			return false, fmt.Errorf("creating the sandbox connection of %s: %w", ch.Label(), err)
		}
	}
	return true, nil
}
