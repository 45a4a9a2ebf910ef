package channel

import (
	"strings"
	"sync"
	"time"
)

// LogEntry is one exchange with a provider: a request and its answer.
type LogEntry struct {
	ConnectionID int64         `json:"connectionId"`
	MessageID    string        `json:"messageId"`
	At           time.Time     `json:"at"`
	Request      string        `json:"request"`  // method and URL or PDU, with headers and body
	Response     string        `json:"response"` // status and body
	Elapsed      time.Duration `json:"elapsed"`
	Error        string        `json:"error"`
}

// Log keeps the latest exchanges of each connection in memory, with the
// connection's secrets redacted. It is safe for concurrent use.
type Log struct {
	mu   sync.Mutex
	size int
	byID map[int64]*ring
}

// ring is a fixed-size circular buffer of entries.
type ring struct {
	entries []LogEntry
	next    int
	full    bool
}

// NewLog returns a Log that keeps size entries per connection.
func NewLog(size int) *Log {
	return &Log{size: max(1, size), byID: map[int64]*ring{}}
}

// Add records e after replacing every secret in its texts with "****".
func (l *Log) Add(e LogEntry, secrets map[string]string) {
	e.Request, e.Response, e.Error = Redact(e.Request, secrets), Redact(e.Response, secrets), Redact(e.Error, secrets)
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.byID[e.ConnectionID]
	if r == nil {
		r = &ring{entries: make([]LogEntry, l.size)}
		l.byID[e.ConnectionID] = r
	}
	r.entries[r.next] = e
	r.next = (r.next + 1) % l.size
	r.full = r.full || r.next == 0
}

// Recent returns the connection's entries, newest first.
func (l *Log) Recent(connectionID int64) []LogEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.byID[connectionID]
	if r == nil {
		return nil
	}
	n := r.next
	if r.full {
		n = l.size
	}
	out := make([]LogEntry, 0, n)
	for i := 1; i <= n; i++ {
		out = append(out, r.entries[(r.next-i+l.size)%l.size])
	}
	return out
}

// Redact replaces every non-empty secret value in s with "****".
func Redact(s string, secrets map[string]string) string {
	for _, v := range secrets {
		if len(v) >= 3 {
			s = strings.ReplaceAll(s, v, "****")
		}
	}
	return s
}
