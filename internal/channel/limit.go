package channel

import (
	"context"
	"fmt"

	"golang.org/x/time/rate"

	"github.com/heraldhq/herald"
)

// limited is a connector behind a throughput limit.
type limited struct {
	Connector
	lim *rate.Limiter
}

// Limit returns c limited to tps submissions per second (bursts of up to
// one second's worth); tps <= 0 returns c unchanged. The limit is the
// connection's, shared by every goroutine sending through it.
func Limit(c Connector, tps int) Connector {
	if tps <= 0 {
		return c
	}
	return &limited{Connector: c, lim: rate.NewLimiter(rate.Limit(tps), tps)}
}

// Send waits for the limiter, then submits.
func (l *limited) Send(ctx context.Context, m *herald.Message) (Result, error) {
	if err := l.lim.Wait(ctx); err != nil {
		return Result{}, Retryable(fmt.Errorf("waiting for the connection's throughput limit: %w", err), "")
	}
	return l.Connector.Send(ctx, m)
}

// Start passes Start on to the connector when it has one.
func (l *limited) Start(ctx context.Context) error {
	if s, ok := l.Connector.(Starter); ok {
		return s.Start(ctx)
	}
	return nil
}

// Close passes Close on to the connector when it has one.
func (l *limited) Close(ctx context.Context) error {
	if c, ok := l.Connector.(Closer); ok {
		return c.Close(ctx)
	}
	return nil
}
