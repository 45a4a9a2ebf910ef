package herald

import (
	"context"
	"time"
)

// Contact is a customer of an account: one phone number (the required key,
// unique in the account, E.164), identities on other channels, typed
// attributes and tags.
type Contact struct {
	ID         int64             `json:"id"`
	AccountID  int64             `json:"-"`
	Phone      string            `json:"phone"`      // E.164, such as +34600111222
	Country    string            `json:"country"`    // ISO 3166-1 alpha-2 from the number
	Email      string            `json:"email"`      // may be empty
	Identities map[string]string `json:"identities"` // channel identities: "push", "mobilepush", "whatsapp", "viber", "wechat", "telegram", "webchat"
	Attributes map[string]string `json:"attributes"` // by attribute name; values formatted by type (dates YYYY-MM-DD, yes/no "true"/"false")
	Tags       []string          `json:"tags"`
	RCSCapable *bool             `json:"rcsCapable"` // nil until checked
	RCSChecked *time.Time        `json:"rcsCheckedAt"`
	CreatedAt  time.Time         `json:"createdAt"`
	UpdatedAt  time.Time         `json:"updatedAt"`
}

// OptOut says a contact does not want messages on a channel, from one
// sender ID or (SenderID "") from the whole channel.
type OptOut struct {
	AccountID int64     `json:"-"`
	ContactID int64     `json:"contactId"`
	Channel   Channel   `json:"channel"`
	SenderID  string    `json:"senderId"` // "" for the whole channel
	At        time.Time `json:"at"`
	By        string    `json:"by"` // "user:<login>", "word:<WORD>", "chatbot", "api", "unsubscribe"
}

// ContactDirectory is what messaging needs from contacts: resolving a
// destination to a contact, personalization data, and opt-outs. Every
// method is scoped to accountID.
type ContactDirectory interface {
	// Contact returns one contact with its attributes and identities, or ENOTFOUND.
	Contact(ctx context.Context, accountID, id int64) (*Contact, error)
	// ContactByAddress finds the contact whose address on channel is addr
	// (the phone number for phone channels, the e-mail for email, the
	// identity for the others), or ENOTFOUND.
	ContactByAddress(ctx context.Context, accountID int64, channel Channel, addr string) (*Contact, error)
	// EnsureContact returns the contact for addr on channel, creating it
	// when there is none (for phone channels addr must be a valid number;
	// for other channels a contact needs a phone, so EINVALID is returned
	// when none can be found). created tells whether it is new.
	EnsureContact(ctx context.Context, accountID int64, channel Channel, addr string) (c *Contact, created bool, err error)
	// OptedOut reports whether the contact opted out of channel as a whole
	// or of senderID on it.
	OptedOut(ctx context.Context, accountID, contactID int64, channel Channel, senderID string) (bool, error)
	// AddOptOut records an opt-out (idempotent).
	AddOptOut(ctx context.Context, o OptOut) error
	// LiftOptOut removes the contact's opt-outs of channel for senderID and
	// for the whole channel: any inbound message from a contact does this.
	LiftOptOut(ctx context.Context, accountID, contactID int64, channel Channel, senderID string) error
	// MatchOptOutWord reports the opt-out word that text matches
	// (case-insensitive, trimmed) for channel and senderID at time at, in
	// the account's time zone; "" when none.
	MatchOptOutWord(ctx context.Context, accountID int64, channel Channel, senderID, text string, at time.Time) (string, error)
}
