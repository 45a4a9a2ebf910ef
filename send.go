package herald

import (
	"context"
	"encoding/json"
	"time"
)

// SendRequest asks to send one message or a fallback chain to one contact.
type SendRequest struct {
	AccountID int64
	// APIKey is the key making the request, nil from the portal, the CLI
	// or a chatbot. Its SenderIDs restrict the sender IDs it may use, and
	// its webhook settings sign the status webhooks.
	APIKey *APIKey
	// Contact names the recipient: a contact ID, a phone number or an
	// e-mail address, or an address on the channel of the first step.
	Contact         ContactRef
	CreateRecipient bool // create the contact when none matches
	// Steps holds one step for a single message, several for a chain
	// (Chain true): each is sent when the one before does not meet its
	// criterion within its waiting time.
	Steps         []SendStep
	Chain         bool
	Webhook       string     // overrides the key's webhook URL
	SendAt        *time.Time // nil: now
	Validity      time.Duration
	CallbackData  string
	CorrelationID string
	Origin        Origin
	Traffic       TrafficType
	// Violations are problems the caller found while reading the request
	// (a malformed time, an unknown channel name); Send reports them
	// together with its own.
	Violations Violations
}

// ContactRef identifies a recipient; the first field set wins.
type ContactRef struct {
	ID      int64  `json:"id,omitempty"`
	Phone   string `json:"phone,omitempty"`
	Email   string `json:"email,omitempty"`
	Address string `json:"address,omitempty"` // an address on the first step's channel (push token, chat ID ...)
}

// Empty reports whether no field is set.
func (c ContactRef) Empty() bool {
	return c.ID == 0 && c.Phone == "" && c.Email == "" && c.Address == ""
}

// SendStep is one message of a request: a channel, a sender ID and either a
// payload or a template; in a chain also the success criterion and how long
// to wait for it.
type SendStep struct {
	Channel     Channel         `json:"channel"`
	SenderID    string          `json:"senderId"`
	Payload     json.RawMessage `json:"payload,omitempty"`
	Template    *TemplateRef    `json:"template,omitempty"`
	Criterion   Criterion       `json:"successCriterion,omitempty"`
	WaitingTime time.Duration   `json:"waitingTime,omitempty"`
}

// MessageService sends messages. Send returns once the message is committed:
// from then on it is never lost.
type MessageService interface {
	// Send validates req, resolves the contact and the route, personalises
	// and checks the content, and commits the message (and chain). It
	// returns the first message: queued, scheduled, or rejected when the
	// contact opted out. EINVALID names every bad field; EUNAVAILABLE
	// when the service is stopping.
	Send(ctx context.Context, req *SendRequest) (*Message, error)
	// Cancel cancels a scheduled message (and the rest of its chain).
	// ENOTFOUND; ECONFLICT when it is no longer scheduled.
	Cancel(ctx context.Context, accountID int64, id string) (*Message, error)
}

// BatchSender is a MessageService that takes many requests at once.
type BatchSender interface {
	// SendBatch checks each request on its own, as Send does, and commits
	// the good ones together. It returns, per request, its first message
	// or its error; a message is returned only once it is committed.
	SendBatch(ctx context.Context, reqs []*SendRequest) ([]*Message, []error)
}
