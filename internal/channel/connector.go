package channel

import (
	"context"
	"encoding/json"
	"time"

	"github.com/heraldhq/herald"
)

// Connector submits messages to one provider connection. Send may be called
// from many goroutines at once.
type Connector interface {
	// Send submits m and returns what the provider answered. Errors should
	// be *Error values (see Retryable, Permanent, Misconfigured); any other
	// error counts as retryable. Send must be idempotent per m.ID where the
	// provider allows it: the engine sends a message again after a crash.
	Send(ctx context.Context, m *herald.Message) (Result, error)
}

// ContentTaker is a connector that reads a message's decoded content
// (herald.Message.Content) when it has one: the engine then need not
// encode the message's payload for it. Other connectors get the payload.
type ContentTaker interface {
	Connector
	// TakesContent reports whether the connector reads Content.
	TakesContent() bool
}

// AsyncConnector is a connector that takes submissions without a
// goroutine waiting for each: the engine hands it messages as fast as it
// takes them and learns each outcome from a callback.
type AsyncConnector interface {
	Connector
	// SendAsync hands m over and returns once it is on its way, blocking
	// only while the connector holds as many as it can (its windows are
	// full). done is then called exactly once with what Send would have
	// returned, usually from another goroutine (possibly before SendAsync
	// returns); it must not block for long. When nothing was handed over
	// SendAsync returns the error and never calls done.
	SendAsync(ctx context.Context, m *herald.Message, done func(Result, error)) error
}

// InFlighter is a connector that tells how many submissions it keeps in
// flight at once (its windows); the engine runs that many of its
// connection's submissions concurrently.
type InFlighter interface {
	InFlight() int
}

// Result is a provider's answer to a submission.
type Result struct {
	ProviderID   string               // the provider's message ID, for its reports
	ProviderCode string               // the raw answer code
	Status       herald.MessageStatus // usually sent; delivered for channels that answer synchronously
}

// Report is a status change of a sent message that a provider reported
// later (a delivery report, a read receipt).
type Report struct {
	MessageID    string // when the provider echoes Herald's ID
	ConnectionID int64  // with ProviderID, when it does not
	ProviderID   string
	Status       herald.MessageStatus
	Detail       herald.StatusDetail // zero for the status's default
	ProviderCode string
	Error        string // why a message was not delivered, in the provider's words; kept as the message's error
	At           time.Time
}

// Inbound is a message a contact sent (MO).
type Inbound struct {
	ConnectionID int64
	AccountID    int64 // when the connector knows it; else found from To
	Channel      herald.Channel
	From         string          // the contact's address on the channel
	To           string          // the sender ID it was sent to
	Payload      json.RawMessage // the channel's content, such as {"text": "..."}
	Text         string          // the plain text, for opt-out words
	ProviderID   string
	At           time.Time
}

// Sink takes what connectors report. The engine implements it. Report and
// Receive return once the report is durable (or failed), so that a
// connector may acknowledge it to the provider only then.
type Sink interface {
	Report(ctx context.Context, reports ...Report) error
	Receive(ctx context.Context, in Inbound) (*herald.Message, error)
}

// Starter is a connector with background work (sessions, timers). Start is
// called once before the first Send; the work stops when ctx ends.
type Starter interface {
	Start(ctx context.Context) error
}

// CapabilityChecker is a connector that can tell whether an address can
// receive messages on its channel before anything is sent (RCS
// capability discovery).
type CapabilityChecker interface {
	Capable(ctx context.Context, addr string) (bool, error)
}

// Closer is a connector that holds resources; Close waits for its
// background work within ctx.
type Closer interface {
	Close(ctx context.Context) error
}
