package herald

// MessageStatus is where a message is in its life. One vocabulary serves
// every channel.
type MessageStatus string

// Message statuses. Outbound messages move forward through accepted,
// scheduled, queued, sending, sent, delivered and seen, or end in one of
// the failure statuses; inbound messages are received.
const (
	StatusAccepted    MessageStatus = "accepted"    // committed; the API answered 202
	StatusScheduled   MessageStatus = "scheduled"   // waiting for its sendAt
	StatusQueued      MessageStatus = "queued"      // waiting for its connection
	StatusSending     MessageStatus = "sending"     // being submitted
	StatusSent        MessageStatus = "sent"        // the provider took it
	StatusDelivered   MessageStatus = "delivered"   // the device has it
	StatusSeen        MessageStatus = "seen"        // the contact opened it
	StatusUndelivered MessageStatus = "undelivered" // the provider reported it lost
	StatusFailed      MessageStatus = "failed"      // it could not be submitted
	StatusExpired     MessageStatus = "expired"     // its validity passed first
	StatusRejected    MessageStatus = "rejected"    // a policy refused it (opt-out, ...)
	StatusCanceled    MessageStatus = "canceled"    // canceled before it was sent
	StatusReceived    MessageStatus = "received"    // inbound
)

// AllStatuses returns every status in life order.
func AllStatuses() []MessageStatus {
	return []MessageStatus{StatusAccepted, StatusScheduled, StatusQueued, StatusSending, StatusSent,
		StatusDelivered, StatusSeen, StatusUndelivered, StatusFailed, StatusExpired, StatusRejected,
		StatusCanceled, StatusReceived}
}

// Valid reports whether s is a known status.
func (s MessageStatus) Valid() bool { return s.rank() >= 0 }

// rank orders the statuses a message moves through; every failure status
// and received share the top rank.
func (s MessageStatus) rank() int {
	switch s {
	case StatusAccepted:
		return 0
	case StatusScheduled:
		return 1
	case StatusQueued:
		return 2
	case StatusSending:
		return 3
	case StatusSent:
		return 4
	case StatusDelivered:
		return 5
	case StatusSeen:
		return 6
	case StatusUndelivered, StatusFailed, StatusExpired, StatusRejected, StatusCanceled, StatusReceived:
		return 10
	}
	return -1
}

// Final reports whether nothing more will happen to a message in status s
// apart from being seen: delivered counts as final, although a seen report
// may still follow it.
func (s MessageStatus) Final() bool { return s.rank() >= 5 }

// Failure reports whether s is a final status in which the message did not
// reach the contact.
func (s MessageStatus) Failure() bool { return s.rank() == 10 && s != StatusReceived }

// CanBecome reports whether a message in status s may move to next. Statuses
// only move forward; a failure status is never left; delivered may still
// become seen but not fail.
func (s MessageStatus) CanBecome(next MessageStatus) bool {
	switch {
	case !next.Valid() || s.rank() == 10:
		return false
	case s.Final() && next.Failure():
		return false
	}
	return next.rank() > s.rank()
}

// Criterion is what a fallback step waits for before it counts as a success.
type Criterion string

// Success criteria of a fallback step.
const (
	CriterionSubmit   Criterion = "submit"   // sent
	CriterionDelivery Criterion = "delivery" // delivered
	CriterionDisplay  Criterion = "display"  // seen
)

// Valid reports whether c is a known criterion.
func (c Criterion) Valid() bool {
	return c == CriterionSubmit || c == CriterionDelivery || c == CriterionDisplay
}

// MetBy reports whether status s satisfies the criterion.
func (c Criterion) MetBy(s MessageStatus) bool {
	switch c {
	case CriterionSubmit:
		return s == StatusSent || s == StatusDelivered || s == StatusSeen
	case CriterionDelivery:
		return s == StatusDelivered || s == StatusSeen
	case CriterionDisplay:
		return s == StatusSeen
	}
	return false
}

// StatusDetail explains a status: a stable numeric code, a short name, a
// sentence for people, and whether retrying can help.
type StatusDetail struct {
	Code        int    `json:"code"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Permanent   bool   `json:"permanent"`
}

// Status detail codes. The thousands follow the status: 1xxx in progress,
// 2xxx sent, 3xxx delivered or seen, 4xxx undelivered, 5xxx failed, 6xxx
// expired, 7xxx rejected, 8xxx canceled, 9xxx received.
var (
	DetailAccepted      = StatusDetail{1000, "accepted", "The message was accepted.", false}
	DetailScheduled     = StatusDetail{1001, "scheduled", "The message waits for its send time.", false}
	DetailQueued        = StatusDetail{1002, "queued", "The message waits for its connection.", false}
	DetailRetrying      = StatusDetail{1003, "retrying", "Submitting failed for a passing reason; the message will be submitted again.", false}
	DetailSent          = StatusDetail{2000, "sent", "The provider accepted the message.", false}
	DetailDelivered     = StatusDetail{3000, "delivered", "The message reached the device.", false}
	DetailSeen          = StatusDetail{3100, "seen", "The contact opened the message.", false}
	DetailUndelivered   = StatusDetail{4000, "undelivered", "The provider could not deliver the message.", true}
	DetailFailed        = StatusDetail{5000, "failed", "The message could not be submitted.", true}
	DetailProviderError = StatusDetail{5001, "provider_rejected", "The provider refused the message.", true}
	DetailRetriesOver   = StatusDetail{5002, "retries_exhausted", "Submitting kept failing; no attempts are left.", true}
	DetailMisconfigured = StatusDetail{5003, "connection_misconfigured", "The connection is not set up correctly; the system owner must fix it.", true}
	DetailNoRoute       = StatusDetail{5004, "no_route", "No connection serves this sender ID.", true}
	DetailNotCapable    = StatusDetail{5005, "not_capable", "The contact cannot receive messages on this channel.", true}
	DetailExpired       = StatusDetail{6000, "expired", "The message's validity passed before it could be sent.", true}
	DetailOptedOutChan  = StatusDetail{7001, "opted_out_channel", "The contact opted out of this channel.", true}
	DetailOptedOutSend  = StatusDetail{7002, "opted_out_sender", "The contact opted out of this sender ID.", true}
	DetailCanceledAPI   = StatusDetail{8001, "canceled", "The message was canceled before it was sent.", true}
	DetailCanceledChain = StatusDetail{8002, "canceled_by_fallback", "The next fallback step was sent before this message left.", true}
	DetailReceived      = StatusDetail{9000, "received", "The message came from the contact.", false}
	DetailSwitched      = StatusDetail{1100, "channel_switch", "The fallback chain moved on to its next step.", false}
)

// DefaultDetail returns the detail a status carries when nothing more
// specific is known.
func DefaultDetail(s MessageStatus) StatusDetail {
	switch s {
	case StatusAccepted:
		return DetailAccepted
	case StatusScheduled:
		return DetailScheduled
	case StatusQueued, StatusSending:
		return DetailQueued
	case StatusSent:
		return DetailSent
	case StatusDelivered:
		return DetailDelivered
	case StatusSeen:
		return DetailSeen
	case StatusUndelivered:
		return DetailUndelivered
	case StatusExpired:
		return DetailExpired
	case StatusRejected:
		return DetailOptedOutChan
	case StatusCanceled:
		return DetailCanceledAPI
	case StatusReceived:
		return DetailReceived
	}
	return DetailFailed
}
