package herald

import (
	"context"
	"encoding/json"
	"time"
)

// Direction is which way a message travels.
type Direction string

// Directions.
const (
	MT Direction = "mt" // mobile terminated: from the business to the contact
	MO Direction = "mo" // mobile originated: from the contact to the business
)

// Origin is the part of Herald that created an outbound message.
type Origin string

// Origins.
const (
	OriginAPI          Origin = "api"
	OriginBroadcast    Origin = "broadcast"
	OriginChatbot      Origin = "chatbot"
	OriginConversation Origin = "conversation"
	OriginPortal       Origin = "portal" // a test message sent from the portal's Sandbox page
)

// TrafficType classifies traffic for billing and reports.
type TrafficType string

// Traffic types.
const (
	TrafficA2P TrafficType = "A2P" // application to person: broadcasts, chatbots
	TrafficAPI TrafficType = "API" // sent through the Omni API
	TrafficP2A TrafficType = "P2A" // person to application: inbound
)

// Message is one outbound (MT) or inbound (MO) message on one channel.
// IDs are UUIDv7 strings, so they sort by creation time.
type Message struct {
	ID            string          `json:"id"`
	Seq           int64           `json:"-"` // the row's number, for keyset lists
	AccountID     int64           `json:"-"`
	Direction     Direction       `json:"direction"`
	Channel       Channel         `json:"channel"`
	SenderID      string          `json:"senderId"`     // the sender ID's name
	ConnectionID  int64           `json:"connectionId"` // the connection it is routed through
	ContactID     int64           `json:"contactId"`    // 0 when no contact is known
	Destination   string          `json:"destination"`  // phone, e-mail, push token or chat ID; the sender for MO
	Payload       json.RawMessage `json:"payload"`      // the channel's content, personalised
	Template      *TemplateRef    `json:"template,omitempty"`
	Status        MessageStatus   `json:"status"`
	Detail        StatusDetail    `json:"detail"`
	ProviderCode  string          `json:"providerCode"` // raw code of the last provider report
	ProviderID    string          `json:"providerId"`   // the provider's message ID
	Error         string          `json:"error"`
	Encoding      string          `json:"encoding,omitempty"` // SMS: gsm7 or ucs2
	Segments      int             `json:"segments,omitempty"` // SMS parts
	Origin        Origin          `json:"origin"`
	Traffic       TrafficType     `json:"trafficType"`
	CorrelationID string          `json:"correlationId"`
	CallbackData  string          `json:"callbackData"`
	WebhookURL    string          `json:"webhook"`
	APIKeyID      int64           `json:"-"`                 // the key that sent it; its webhook settings apply
	ChainID       string          `json:"chainId,omitempty"` // the fallback chain, = its first message's ID
	Step          int             `json:"step"`              // index in the chain
	Attempts      int             `json:"attempts"`          // submissions tried
	SendAt        *time.Time      `json:"sendAt"`
	ValidUntil    *time.Time      `json:"validUntil"`
	AcceptedAt    time.Time       `json:"acceptedAt"`
	SentAt        *time.Time      `json:"sentAt"`
	DeliveredAt   *time.Time      `json:"deliveredAt"`
	SeenAt        *time.Time      `json:"seenAt"`
	UpdatedAt     time.Time       `json:"updatedAt"`
	// Content, in memory only, is Payload already decoded by whoever
	// made the message (a broadcast renders each recipient's content
	// before encoding it), so that a connector that understands it need
	// not decode Payload again; nil for a message read back. Not to be
	// changed: messages of one broadcast may share it.
	Content any `json:"-"`
}

// TemplateRef names a content template and its parameters.
type TemplateRef struct {
	ID     int64             `json:"id"`
	Params map[string]string `json:"params"`
}

// EventType tells status events from channel switches.
type EventType string

// Event types of a message's history.
const (
	EventStatus EventType = "status" // the message changed status (or a report came late)
	EventSwitch EventType = "switch" // the chain moved on to the next step
)

// MessageEvent is one entry of a message's history.
type MessageEvent struct {
	ID           int64         `json:"id"`
	AccountID    int64         `json:"-"`
	MessageID    string        `json:"messageId"`
	Type         EventType     `json:"type"`
	Status       MessageStatus `json:"status"`
	Detail       StatusDetail  `json:"detail"`
	ProviderCode string        `json:"providerCode"`
	At           time.Time     `json:"at"`
	Applied      bool          `json:"applied"` // false for a report that came after a final status
	Switch       *SwitchInfo   `json:"switch,omitempty"`
}

// SwitchInfo describes a channel switch of a fallback chain.
type SwitchInfo struct {
	FromStep      int     `json:"fromStep"`
	ToStep        int     `json:"toStep"`
	FromChannel   Channel `json:"fromChannel"`
	ToChannel     Channel `json:"toChannel"`
	NextMessageID string  `json:"nextMessageId"`
	Reason        string  `json:"reason"` // "timeout" or "failed"
}

// MessageColumns are the columns of the Messages log and the EDR table.
func MessageColumns() []Column {
	statuses := make([]string, 0, len(AllStatuses()))
	for _, s := range AllStatuses() {
		statuses = append(statuses, string(s))
	}
	return []Column{
		{Key: "acceptedAt", Label: "Time", Type: ColTime, Sortable: true, Filterable: true},
		{Key: "id", Label: "Message ID", Type: ColText, Filterable: true},
		{Key: "channel", Label: "Channel", Type: ColEnum, Options: channelNames()[1:], Sortable: true, Filterable: true, Hidden: true},
		{Key: "direction", Label: "Type", Type: ColEnum, Options: []string{"mt", "mo"}, Sortable: true, Filterable: true},
		{Key: "senderId", Label: "Sender ID", Type: ColText, Sortable: true, Filterable: true, Hidden: true},
		{Key: "destination", Label: "Destination", Type: ColText, Sortable: true, Filterable: true},
		{Key: "preview", Label: "Message", Type: ColText},
		{Key: "contactId", Label: "Contact", Type: ColNumber, Filterable: true, Hidden: true},
		{Key: "status", Label: "Status", Type: ColEnum, Options: statuses, Sortable: true, Filterable: true},
		{Key: "error", Label: "Error", Type: ColText, Filterable: true},
		{Key: "sentAt", Label: "Time sent", Type: ColTime, Sortable: true, Filterable: true},
		{Key: "deliveredAt", Label: "Time delivered", Type: ColTime, Sortable: true, Filterable: true},
		{Key: "seenAt", Label: "Time seen", Type: ColTime, Sortable: true, Filterable: true, Hidden: true},
		{Key: "chainId", Label: "Session ID", Type: ColText, Filterable: true, Hidden: true},
		{Key: "correlationId", Label: "Correlation ID", Type: ColText, Filterable: true, Hidden: true},
		{Key: "origin", Label: "Origin", Type: ColEnum, Options: []string{"api", "broadcast", "chatbot", "conversation", "portal"}, Filterable: true, Hidden: true},
		{Key: "segments", Label: "Segments", Type: ColNumber, Filterable: true, Hidden: true},
	}
}

// MessageStore reads messages and their history. Every method is scoped to
// accountID.
type MessageStore interface {
	// Message returns one message, or ENOTFOUND.
	Message(ctx context.Context, accountID int64, id string) (*Message, error)
	// ListMessages returns one page of messages (MessageColumns), newest
	// first unless sorted otherwise.
	ListMessages(ctx context.Context, accountID int64, q ListQuery) (Page[Message], error)
	// MessageEvents returns the stored history of a message, oldest first.
	MessageEvents(ctx context.Context, accountID int64, messageID string) ([]MessageEvent, error)
}
