package events

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// readyTimeout bounds the embedded server's start.
const readyTimeout = 10 * time.Second

// startEmbedded starts a NATS server in this process that accepts only
// in-process connections: no client, cluster, HTTP or other listener, no
// JetStream, no signal handlers.
func startEmbedded(logger *slog.Logger) (*server.Server, error) {
	srv, err := server.NewServer(&server.Options{
		ServerName: "herald-embedded",
		DontListen: true,
		NoSigs:     true,
	})
	if err != nil {
		return nil, fmt.Errorf("creating embedded NATS server: %w", err)
	}
	srv.SetLoggerV2(natsLogger{logger.With("component", "nats")}, false, false, false)
	srv.Start()
	if !srv.ReadyForConnections(readyTimeout) {
		srv.Shutdown()
		return nil, errors.New("starting embedded NATS server: not ready in time")
	}
	return srv, nil
}

// stopServer shuts the embedded server down, if there is one, and waits.
func (b *Bus) stopServer() {
	if b.srv == nil {
		return
	}
	b.srv.Shutdown()
	b.srv.WaitForShutdown()
}

// natsLogger sends the embedded server's logs to slog. Its notices (start,
// stop) are routine and go to Debug.
type natsLogger struct {
	logger *slog.Logger
}

func (l natsLogger) Noticef(format string, v ...any) { l.logger.Debug(fmt.Sprintf(format, v...)) }
func (l natsLogger) Warnf(format string, v ...any)   { l.logger.Warn(fmt.Sprintf(format, v...)) }
func (l natsLogger) Fatalf(format string, v ...any)  { l.logger.Error(fmt.Sprintf(format, v...)) }
func (l natsLogger) Errorf(format string, v ...any)  { l.logger.Error(fmt.Sprintf(format, v...)) }
func (l natsLogger) Debugf(format string, v ...any)  { l.logger.Debug(fmt.Sprintf(format, v...)) }
func (l natsLogger) Tracef(format string, v ...any)  { l.logger.Debug(fmt.Sprintf(format, v...)) }
