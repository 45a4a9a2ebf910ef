package jobs

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

func TestQuietLoggerDemotesInfo(t *testing.T) {
	var buf bytes.Buffer
	logger := quiet(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo})))
	logger.Info("routine")
	logger.Warn("trouble")
	if got := buf.String(); strings.Contains(got, "routine") || !strings.Contains(got, "level=WARN msg=trouble") {
		t.Errorf("log = %q, want only the warning", got)
	}
	buf.Reset()
	logger = quiet(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	logger.With("k", "v").Info("routine")
	if got := buf.String(); !strings.Contains(got, "level=DEBUG msg=routine k=v") {
		t.Errorf("log = %q, want the info record at debug", got)
	}
}
