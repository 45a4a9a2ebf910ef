package herald

import (
	"encoding/json"
	"time"
)

// ChainOutcome is how a fallback chain ended.
type ChainOutcome string

// Chain outcomes.
const (
	ChainRunning   ChainOutcome = ""          // a step is still in progress
	ChainSucceeded ChainOutcome = "succeeded" // a step met its criterion
	ChainFailed    ChainOutcome = "failed"    // the last step failed or timed out
	ChainCanceled  ChainOutcome = "canceled"  // canceled before its first step left
)

// Chain is a fallback chain: steps sent one after the other until one meets
// its success criterion in time. Its ID is its first message's ID.
type Chain struct {
	ID               string        `json:"id"`
	AccountID        int64         `json:"-"`
	BroadcastID      int64         `json:"broadcastId,omitempty"` // the broadcast it belongs to, 0 for API chains
	Steps            []ChainStep   `json:"steps"`
	Current          int           `json:"currentStep"`
	CurrentMessageID string        `json:"currentMessageId"`
	FallbackAt       *time.Time    `json:"fallbackAt"` // when the current step times out; nil once decided
	Outcome          ChainOutcome  `json:"outcome"`
	FinalStatus      MessageStatus `json:"finalStatus"` // the status that decided the outcome
	CreatedAt        time.Time     `json:"createdAt"`
	UpdatedAt        time.Time     `json:"updatedAt"`
}

// ChainStep is one prepared step of a chain: routed, personalised and
// checked when the chain was accepted.
type ChainStep struct {
	Channel      Channel         `json:"channel"`
	SenderID     string          `json:"senderId"`
	ConnectionID int64           `json:"connectionId"`
	Destination  string          `json:"destination"`
	Payload      json.RawMessage `json:"payload"`
	Template     *TemplateRef    `json:"template,omitempty"`
	Encoding     string          `json:"encoding,omitempty"`
	Segments     int             `json:"segments,omitempty"`
	Criterion    Criterion       `json:"successCriterion"`
	WaitingTime  int             `json:"waitingTime"`         // seconds
	MessageID    string          `json:"messageId,omitempty"` // set once the step is sent
}

// Last reports whether the current step is the chain's last.
func (c *Chain) Last() bool { return c.Current >= len(c.Steps)-1 }
