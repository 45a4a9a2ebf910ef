package herald

import (
	"encoding/json"
	"time"
)

// SandboxMessage is a message as a simulated device of the sandbox
// connector received it.
type SandboxMessage struct {
	MessageID    string          `json:"messageId"`
	AccountID    int64           `json:"-"`
	ConnectionID int64           `json:"connectionId"`
	Channel      Channel         `json:"channel"`
	Destination  string          `json:"destination"` // the device: a phone number, e-mail, token or chat ID
	SenderID     string          `json:"senderId"`
	Payload      json.RawMessage `json:"payload"`
	Outcome      string          `json:"outcome"` // what the simulation decided, such as "delivered" or "undelivered"
	Status       MessageStatus   `json:"status"`  // the message's status now
	ReceivedAt   time.Time       `json:"receivedAt"`
}

// SandboxDevice is one simulated device that received messages.
type SandboxDevice struct {
	Destination string    `json:"destination"`
	Messages    int       `json:"messages"`
	LastAt      time.Time `json:"lastAt"`
}
