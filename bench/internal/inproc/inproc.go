// Package inproc runs Herald inside a benchmark's own process and reads
// the figures the benchmarks report: the engine's message counters and
// the process's CPU time.
package inproc

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"syscall"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/app"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/config"
)

// Start boots Herald in this process on 127.0.0.1:0 with the environment
// env (which names its data directory), logging to log, and returns its
// address once it serves; stop ends it.
func Start(ctx context.Context, env []string, log *slog.Logger) (m *app.Main, addr string, stop func(), err error) {
	cfg, err := config.Load([]string{"--addr", "127.0.0.1:0"}, env)
	if err != nil {
		return nil, "", nil, fmt.Errorf("configuring herald: %w", err)
	}
	started := make(chan string, 1)
	fast := auth.FastHashParams()
	m = &app.Main{Config: cfg, Stdout: io.Discard, Log: log, Hash: &fast, Started: func(a string) { started <- a }}
	mctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- m.Run(mctx) }()
	stop = func() { cancel(); <-done }
	select {
	case addr = <-started:
		return m, addr, stop, nil
	case err := <-done:
		cancel()
		return nil, "", nil, fmt.Errorf("herald did not start: %w", err)
	case <-ctx.Done():
		stop()
		return nil, "", nil, fmt.Errorf("herald did not start: %w", ctx.Err())
	}
}

// Messages is the engine's count of messages that reached status on
// channel (a channel name such as "email"; "" counts every channel). It
// reads the engine's counter, not the whole registry, so that polling it
// costs the measured process next to nothing.
func Messages(m *app.Main, channel, status string) float64 {
	return m.Messaging.Engine.Counted(channel, herald.MessageStatus(status))
}

// CPU returns this process's CPU time, user plus system.
func CPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
