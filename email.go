package herald

import (
	"context"
	"time"
)

// ConnectorSMTP is the type of e-mail connections that send over SMTP.
const ConnectorSMTP = "smtp"

// OptOutByUnsubscribe is OptOut.By for a contact who followed an e-mail's
// unsubscribe link or whose mail program used one-click unsubscribe.
const OptOutByUnsubscribe = "unsubscribe"

// EmailEventKind is what a recipient (or a mail server) did with an e-mail.
type EmailEventKind string

// E-mail event kinds.
const (
	EmailOpened       EmailEventKind = "open"        // the tracking pixel was loaded
	EmailClicked      EmailEventKind = "click"       // a tracked link was followed
	EmailUnsubscribed EmailEventKind = "unsubscribe" // the unsubscribe link or one-click unsubscribe was used
)

// EmailEvent is one open, click or unsubscribe of an e-mail
// message. Opens and clicks are kept each time they happen; the message's
// status records only the first (seen).
type EmailEvent struct {
	ID        int64          `json:"id"`
	AccountID int64          `json:"-"`
	MessageID string         `json:"messageId"`
	Kind      EmailEventKind `json:"kind"`
	URL       string         `json:"url,omitempty"`    // the link followed, for clicks
	Detail    string         `json:"detail,omitempty"` // the unsubscribe scope
	UserAgent string         `json:"userAgent,omitempty"`
	At        time.Time      `json:"at"`
}

// EmailEventStore keeps e-mail events. Methods are scoped to accountID.
type EmailEventStore interface {
	// RecordEmailEvent inserts e and sets its ID (and At when zero).
	RecordEmailEvent(ctx context.Context, e *EmailEvent) error
	// EmailEvents returns a message's events, oldest first, at most limit.
	EmailEvents(ctx context.Context, accountID int64, messageID string, limit int) ([]EmailEvent, error)
}
