package sandbox

import (
	"strings"

	"github.com/heraldhq/herald"
)

// Test destinations work on every sandbox connection with no
// configuration: the last four digits of a phone number (or of the local
// part of an e-mail address, or of any other address) pick the outcome.
const (
	TestRejected    = "0001" // refused at submit (permanent error)
	TestUndelivered = "0002" // sent, then an undelivered report
	TestSilent      = "0003" // sent, never reported
	TestNotCapable  = "0004" // not RCS capable (RCS only; delivered elsewhere)
	TestOutage      = "0005" // refused at submit with a retryable error, every time
)

// localPart returns the part of an e-mail address before "@", or addr.
func localPart(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[:i]
	}
	return addr
}

// testOutcome returns the outcome a test destination asks for, if any.
func testOutcome(ch herald.Channel, dest string) (Outcome, bool) {
	lp := localPart(dest)
	switch {
	case strings.HasSuffix(lp, TestRejected):
		return Rejected, true
	case strings.HasSuffix(lp, TestUndelivered):
		return Undelivered, true
	case strings.HasSuffix(lp, TestSilent):
		return Silent, true
	case strings.HasSuffix(lp, TestNotCapable):
		if ch == herald.ChannelRCS {
			return NotCapable, true
		}
		return Delivered, true
	case strings.HasSuffix(lp, TestOutage):
		return Outage, true
	}
	return "", false
}

// hasSeen reports whether ch reports that the contact opened a message.
func hasSeen(ch herald.Channel) bool {
	switch ch {
	case herald.ChannelSMS, herald.ChannelTTS:
		return false
	}
	return true
}

// decide returns the outcome for a message to dest on ch: the first
// matching rule, else a test destination, else chance (never in
// deterministic mode).
func (s *Settings) decide(ch herald.Channel, dest string, roll func() float64) Outcome {
	for _, r := range s.Rules {
		if r.matches(ch, dest) {
			if r.Outcome == NotCapable && ch != herald.ChannelRCS {
				return Delivered
			}
			return r.Outcome
		}
	}
	if o, ok := testOutcome(ch, dest); ok {
		return o
	}
	if s.Deterministic {
		return Delivered
	}
	if s.FailRate > 0 && roll() < s.FailRate {
		return Outage
	}
	if roll() >= s.DeliveryRate {
		return Undelivered
	}
	return Delivered
}
