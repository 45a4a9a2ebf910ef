package events

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// Defaults and limits of a Bus.
const (
	DefaultName    = "herald"         // connection name when Config.Name is empty
	connectTimeout = 5 * time.Second  // dial and handshake, unless ctx says less
	flushTimeout   = 5 * time.Second  // server round trip confirming a subscription
	drainTimeout   = 10 * time.Second // Close's wait for pending messages
)

// Config configures a Bus.
type Config struct {
	URL    string       // external NATS server(s), comma-separated; empty embeds one
	Name   string       // connection name shown by the server; DefaultName if empty
	Logger *slog.Logger // nil discards logs
}

// Bus publishes and subscribes to events. Its methods are safe for
// concurrent use. The caller must Close it.
type Bus struct {
	nc     *nats.Conn
	srv    *server.Server // the embedded server; nil with an external one
	logger *slog.Logger
	closed chan struct{} // closed when nc is closed
	close  func() error  // Close, run once
}

// Open connects to the NATS server of cfg.URL or, when it is empty, starts
// an embedded server without network listener and connects to it in-process.
// It fails when the server cannot be reached within ctx or a few seconds.
func Open(ctx context.Context, cfg Config) (*Bus, error) {
	b := &Bus{logger: cmp.Or(cfg.Logger, slog.New(slog.DiscardHandler)), closed: make(chan struct{})}
	b.close = sync.OnceValue(b.shutdown)
	opts := b.options(ctx, cmp.Or(cfg.Name, DefaultName))
	if cfg.URL == "" {
		srv, err := startEmbedded(b.logger)
		if err != nil {
			return nil, fmt.Errorf("opening event bus: %w", err)
		}
		b.srv = srv
		opts = append(opts, nats.InProcessServer(srv))
	}
	nc, err := nats.Connect(cfg.URL, opts...)
	if err != nil {
		b.stopServer()
		return nil, fmt.Errorf("opening event bus: connecting to NATS %s: %w", cmp.Or(cfg.URL, "(embedded)"), err)
	}
	b.nc = nc
	return b, nil
}

// options returns the client options: connect within ctx, reconnect forever,
// log connection trouble.
func (b *Bus) options(ctx context.Context, name string) []nats.Option {
	timeout := connectTimeout
	if dl, ok := ctx.Deadline(); ok {
		timeout = min(timeout, time.Until(dl))
	}
	return []nats.Option{
		nats.Name(name),
		nats.Timeout(timeout),
		nats.MaxReconnects(-1),
		nats.DrainTimeout(drainTimeout),
		nats.ClosedHandler(func(*nats.Conn) { close(b.closed) }),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				b.logger.Warn("event bus disconnected", "err", err)
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			b.logger.Info("event bus reconnected", "server", nc.ConnectedUrlRedacted())
		}),
		nats.ErrorHandler(func(_ *nats.Conn, sub *nats.Subscription, err error) {
			b.logger.Error("event bus error", "subject", subject(sub), "err", err)
		}),
	}
}

// subject returns the subject of sub, or "" for a nil sub.
func subject(sub *nats.Subscription) string {
	if sub == nil {
		return ""
	}
	return sub.Subject
}

// Publish sends data to the subscribers of subject. It returns once the
// message is queued on the connection, without waiting for the server; while
// an external server is unreachable, messages are buffered until reconnection
// (or dropped with an error when the buffer is full).
func (b *Bus) Publish(ctx context.Context, subject string, data []byte) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("publishing to %s: %w", subject, err)
	}
	if err := b.nc.Publish(subject, data); err != nil {
		return fmt.Errorf("publishing to %s: %w", subject, err)
	}
	return nil
}

// Subscribe calls fn for every event on subject, which may contain
// wildcards, until the returned unsubscribe function is called or the Bus is
// closed. When Subscribe returns, the server knows of the subscription, so an
// event published afterwards by any process reaches fn. fn must not block
// for long: events queue up behind it.
func (b *Bus) Subscribe(subject string, fn func(subject string, data []byte)) (unsubscribe func() error, err error) {
	sub, err := b.nc.Subscribe(subject, func(m *nats.Msg) { fn(m.Subject, m.Data) })
	if err != nil {
		return nil, fmt.Errorf("subscribing to %s: %w", subject, err)
	}
	if err := b.nc.FlushTimeout(flushTimeout); err != nil {
		_ = sub.Unsubscribe()
		return nil, fmt.Errorf("subscribing to %s: confirming with server: %w", subject, err)
	}
	return sync.OnceValue(func() error {
		if err := sub.Unsubscribe(); err != nil && !errors.Is(err, nats.ErrConnectionClosed) {
			return fmt.Errorf("unsubscribing from %s: %w", subject, err)
		}
		return nil
	}), nil
}

// Close delivers the events already received to their handlers, closes the
// connection and stops the embedded server. Later calls return the first
// call's result.
func (b *Bus) Close() error { return b.close() }

// shutdown implements Close.
func (b *Bus) shutdown() error {
	defer b.stopServer()
	if err := b.nc.Drain(); err != nil {
		b.nc.Close()
		if errors.Is(err, nats.ErrConnectionClosed) {
			return nil
		}
		return fmt.Errorf("closing event bus: %w", err)
	}
	<-b.closed // Drain closes the connection, after drainTimeout at the latest
	return nil
}
