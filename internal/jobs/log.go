package jobs

import (
	"context"
	"log/slog"
)

// quietHandler passes River's logs on with Info demoted to Debug: River
// reports routine events (job counts, maintenance runs) at Info, which would
// drown Herald's own Info logs. Warnings and errors pass unchanged.
type quietHandler struct {
	inner slog.Handler
}

// quiet returns logger with River's Info records demoted to Debug.
func quiet(logger *slog.Logger) *slog.Logger {
	return slog.New(quietHandler{logger.Handler()})
}

func (h quietHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.inner.Enabled(ctx, demote(level))
}

func (h quietHandler) Handle(ctx context.Context, r slog.Record) error {
	r.Level = demote(r.Level)
	return h.inner.Handle(ctx, r)
}

func (h quietHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return quietHandler{h.inner.WithAttrs(attrs)}
}

func (h quietHandler) WithGroup(name string) slog.Handler {
	return quietHandler{h.inner.WithGroup(name)}
}

// demote maps Info to Debug and leaves other levels alone.
func demote(level slog.Level) slog.Level {
	if level == slog.LevelInfo {
		return slog.LevelDebug
	}
	return level
}
