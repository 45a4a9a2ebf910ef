package sandbox

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/channel"
)

// Outcome is what the simulation does with a message.
type Outcome string

// Outcomes.
const (
	Delivered   Outcome = "delivered"   // sent, delivered and, where the channel has it, seen
	Undelivered Outcome = "undelivered" // sent, then an undelivered report
	Rejected    Outcome = "rejected"    // refused at submit: a permanent error
	Silent      Outcome = "silent"      // sent and never reported
	NotCapable  Outcome = "not_capable" // refused on RCS: the device is not RCS capable
	Outage      Outcome = "outage"      // refused at submit with a retryable error
)

// valid reports whether o is a known outcome.
func (o Outcome) valid() bool {
	switch o {
	case Delivered, Undelivered, Rejected, Silent, NotCapable, Outage:
		return true
	}
	return false
}

// Rule gives the destinations that match it an outcome.
type Rule struct {
	Prefix  string         `json:"prefix"`  // the destination starts with it, such as "+4915"
	Suffix  string         `json:"suffix"`  // the destination (an e-mail's local part) ends with it
	Channel herald.Channel `json:"channel"` // 0 matches every channel
	Outcome Outcome        `json:"outcome"`
}

// matches reports whether the rule covers dest on ch.
func (r Rule) matches(ch herald.Channel, dest string) bool {
	if r.Channel != 0 && r.Channel != ch {
		return false
	}
	return strings.HasPrefix(dest, r.Prefix) && strings.HasSuffix(localPart(dest), r.Suffix)
}

// Settings configure one sandbox connection (its Connection.Settings).
type Settings struct {
	// Deterministic turns randomness off: latencies are exact and the
	// rates below are ignored; only rules and test destinations decide.
	Deterministic   bool             `json:"deterministic"`
	SubmitLatency   channel.Duration `json:"submitLatency"`   // how long a submission takes
	DeliveryLatency channel.Duration `json:"deliveryLatency"` // from submit to the delivery report
	SeenLatency     channel.Duration `json:"seenLatency"`     // from delivery to the read receipt
	// DeliveryRate is the share of messages delivered (the rest are
	// undelivered); SeenRate the share of delivered ones seen; FailRate
	// the share of submissions refused with a retryable error.
	DeliveryRate float64 `json:"deliveryRate"`
	SeenRate     float64 `json:"seenRate"`
	FailRate     float64 `json:"failRate"`
	Rules        []Rule  `json:"rules"`
	// AutoReply, when set, is the text every device answers a delivered
	// message with (a simulated MO message).
	AutoReply string `json:"autoReply"`
}

// DefaultSettings are the settings of a sandbox connection with none: every
// message is delivered within about 200 ms and seen 300 ms later.
func DefaultSettings() Settings {
	return Settings{
		DeliveryLatency: channel.Duration(200 * time.Millisecond),
		SeenLatency:     channel.Duration(300 * time.Millisecond),
		DeliveryRate:    1, SeenRate: 1,
	}
}

// ParseSettings reads a connection's settings over the defaults.
func ParseSettings(raw json.RawMessage) (Settings, error) {
	s := DefaultSettings()
	if err := channel.DecodeSettings(raw, &s); err != nil {
		return s, fmt.Errorf("reading sandbox settings: %w", err)
	}
	for _, r := range s.Rules {
		if !r.Outcome.valid() {
			return s, fmt.Errorf("reading sandbox settings: unknown outcome %q", r.Outcome)
		}
	}
	for _, rate := range []float64{s.DeliveryRate, s.SeenRate, s.FailRate} {
		if rate < 0 || rate > 1 {
			return s, fmt.Errorf("reading sandbox settings: rates are from 0 to 1, not %v", rate)
		}
	}
	return s, nil
}
