package herald

import (
	"strconv"
	"time"
)

// FallbackStats are a broadcast's fallback statistics (reference 001
// section 7): of its contacts, how many were not initiated (not sent to
// yet, or skipped), initiated (their chain started), and of those how
// many chains succeeded (a step met its criterion) or failed (every step
// failed or timed out, or the broadcast was aborted under them). The
// counters are kept as statuses arrive, so reading them is cheap.
type FallbackStats struct {
	Total        int `json:"totalContacts"`
	NotInitiated int `json:"notInitiated"`
	Initiated    int `json:"initiated"`
	Successful   int `json:"successful"`
	Unsuccessful int `json:"unsuccessful"`
	// Skipped of NotInitiated will never be sent to: no address on any
	// step's channel, not RCS capable on an RCS-only chain, or content
	// that cannot be personalised for them.
	Skipped int `json:"skipped"`
}

// Fill computes NotInitiated from the stored counters.
func (s *FallbackStats) Fill() { s.NotInitiated = max(0, s.Total-s.Initiated) }

// InProgress returns the initiated contacts whose chain is not decided.
func (s FallbackStats) InProgress() int { return max(0, s.Initiated-s.Successful-s.Unsuccessful) }

// Done reports whether every contact's chain is decided or skipped.
func (s FallbackStats) Done() bool {
	return s.Initiated+s.Skipped >= s.Total && s.Successful+s.Unsuccessful >= s.Initiated
}

// Percent returns n as a whole percentage of the total contacts.
func (s FallbackStats) Percent(n int) int {
	if s.Total == 0 {
		return 0
	}
	return n * 100 / s.Total
}

// Progress is the progress bar of a broadcast: the shares of its contacts
// reached (a step met its criterion) and not reached (chain failed or
// skipped), in whole percent; the rest is still in progress.
type Progress struct {
	Delivered   int `json:"delivered"`
	Undelivered int `json:"undelivered"`
}

// Progress returns the progress bar's shares.
func (s FallbackStats) Progress() Progress {
	return Progress{Delivered: s.Percent(s.Successful), Undelivered: s.Percent(s.Unsuccessful + s.Skipped)}
}

// ChannelStats are a broadcast's message statistics on one channel: how
// many of its messages were sent (left for the provider), delivered, seen,
// failed (refused, undelivered, rejected) and expired. A message counts in
// every stage it reached: a seen message is sent, delivered and seen.
type ChannelStats struct {
	Channel   Channel `json:"channel"`
	Sent      int     `json:"sent"`
	Delivered int     `json:"delivered"`
	Seen      int     `json:"seen"`
	Failed    int     `json:"failed"`
	Expired   int     `json:"expired"`
}

// StatusCounts returns what a message moving from status from to status to
// adds to its channel's statistics: the stages to reached that from had not.
func StatusCounts(from, to MessageStatus) ChannelStats {
	a, b := stages(from), stages(to)
	return ChannelStats{Sent: b.Sent &^ a.Sent, Delivered: b.Delivered &^ a.Delivered, Seen: b.Seen &^ a.Seen,
		Failed: b.Failed &^ a.Failed, Expired: b.Expired &^ a.Expired}
}

// stages returns the stages status s implies, as 0 or 1 each.
func stages(s MessageStatus) ChannelStats {
	var c ChannelStats
	switch s {
	case StatusSeen:
		c.Sent, c.Delivered, c.Seen = 1, 1, 1
	case StatusDelivered:
		c.Sent, c.Delivered = 1, 1
	case StatusSent:
		c.Sent = 1
	case StatusUndelivered:
		c.Sent, c.Failed = 1, 1
	case StatusFailed, StatusRejected:
		c.Failed = 1
	case StatusExpired:
		c.Expired = 1
	}
	return c
}

// Add adds o's counts to c.
func (c *ChannelStats) Add(o ChannelStats) {
	c.Sent += o.Sent
	c.Delivered += o.Delivered
	c.Seen += o.Seen
	c.Failed += o.Failed
	c.Expired += o.Expired
}

// Zero reports whether c counts nothing.
func (c ChannelStats) Zero() bool {
	return c.Sent == 0 && c.Delivered == 0 && c.Seen == 0 && c.Failed == 0 && c.Expired == 0
}

// RecipientState is where one recipient of a broadcast is.
type RecipientState string

// Recipient states.
const (
	RecipientPending   RecipientState = "pending"   // not sent to yet
	RecipientInitiated RecipientState = "initiated" // its chain started (or, for an RCS check, it was checked)
	RecipientSkipped   RecipientState = "skipped"   // will not be sent to; Reason says why
)

// Why a recipient was skipped.
const (
	SkipNoAddress  = "no_address"      // no address on any step's channel
	SkipNotCapable = "not_rcs_capable" // RCS-only chain, contact known not RCS capable
	SkipBadContent = "bad_content"     // the content cannot be personalised for the contact
)

// BroadcastRecipient is one contact of a broadcast's snapshot with its
// outcome: the chain's outcome and its current (last) message.
type BroadcastRecipient struct {
	Seq       int64          `json:"seq"` // position in the snapshot, from 1
	ContactID int64          `json:"contactId"`
	Phone     string         `json:"phone"`
	Email     string         `json:"email"`
	State     RecipientState `json:"state"`
	Reason    string         `json:"reason,omitempty"`
	ChainID   string         `json:"chainId,omitempty"`
	Outcome   ChainOutcome   `json:"outcome"`
	// Result sums State and Outcome up as the fallback statistics count
	// the recipient: not initiated, in progress, successful or
	// unsuccessful.
	Result    RecipientResult `json:"result"`
	Step      int             `json:"step"`
	Channel   Channel         `json:"channel,omitempty"`
	MessageID string          `json:"messageId,omitempty"`
	Status    MessageStatus   `json:"status,omitempty"`
	UpdatedAt *time.Time      `json:"updatedAt"`
}

// BroadcastRecipientColumns are the columns of a broadcast's per-contact
// outcome list and export.
func BroadcastRecipientColumns() []Column {
	statuses := make([]string, 0, len(AllStatuses()))
	for _, s := range AllStatuses() {
		statuses = append(statuses, string(s))
	}
	return []Column{
		{Key: "seq", Label: "#", Type: ColNumber, Sortable: true, Filterable: true},
		{Key: "phone", Label: "Phone number", Type: ColText, Sortable: true, Filterable: true},
		{Key: "email", Label: "Email", Type: ColText, Filterable: true, Hidden: true},
		{Key: "contactId", Label: "Contact", Type: ColNumber, Filterable: true, Hidden: true},
		{Key: "state", Label: "State", Type: ColEnum, Options: []string{"pending", "initiated", "skipped"}, Sortable: true, Filterable: true, Hidden: true},
		{Key: "outcome", Label: "Outcome", Type: ColEnum, Options: []string{"succeeded", "failed", "canceled"}, Sortable: true, Filterable: true, Hidden: true},
		{Key: "result", Label: "Chain outcome", Type: ColEnum, Options: recipientResults(), Sortable: true, Filterable: true},
		{Key: "channel", Label: "Last channel", Type: ColEnum, Options: channelNames()[1:], Filterable: true},
		{Key: "step", Label: "Step", Type: ColNumber},
		{Key: "status", Label: "Last status", Type: ColEnum, Options: statuses, Filterable: true},
		{Key: "updatedAt", Label: "Time", Type: ColTime, Sortable: true, Filterable: true},
		{Key: "reason", Label: "Reason", Type: ColText, Filterable: true, Hidden: true},
		{Key: "messageId", Label: "Message ID", Type: ColText, Filterable: true, Hidden: true},
	}
}

// RecipientResult is a recipient's chain outcome as the fallback
// statistics count it.
type RecipientResult string

// Recipient results.
const (
	ResultNotInitiated RecipientResult = "not_initiated" // not sent to yet, or skipped
	ResultInProgress   RecipientResult = "in_progress"   // its chain started and is not decided
	ResultSuccessful   RecipientResult = "successful"    // a step met its criterion
	ResultUnsuccessful RecipientResult = "unsuccessful"  // every step failed or timed out, or aborted
)

// recipientResults returns the results in the order of the statistics.
func recipientResults() []string {
	return []string{string(ResultNotInitiated), string(ResultInProgress), string(ResultSuccessful), string(ResultUnsuccessful)}
}

// ResultOf returns the result of recipient x from its state, its chain's
// outcome and, for an RCS capability check (no chain), its answer.
func ResultOf(x *BroadcastRecipient) RecipientResult {
	switch {
	case x.State != RecipientInitiated:
		return ResultNotInitiated
	case x.ChainID == "" && x.Reason == "rcs_capable":
		return ResultSuccessful
	case x.ChainID == "":
		return ResultUnsuccessful // checked: not RCS capable
	case x.Outcome == ChainSucceeded:
		return ResultSuccessful
	case x.Outcome == ChainFailed || x.Outcome == ChainCanceled:
		return ResultUnsuccessful
	}
	return ResultInProgress
}

// Label names the result for people.
func (r RecipientResult) Label() string {
	switch r {
	case ResultNotInitiated:
		return "Not initiated"
	case ResultInProgress:
		return "In progress"
	case ResultSuccessful:
		return "Successful"
	case ResultUnsuccessful:
		return "Unsuccessful"
	}
	return string(r)
}

// BroadcastProgress is the event published on the events bus as a
// broadcast progresses (subject BroadcastSubject), for live views.
type BroadcastProgress struct {
	ID        int64           `json:"id"`
	AccountID int64           `json:"accountId"`
	Status    BroadcastStatus `json:"status"`
	Stats     FallbackStats   `json:"stats"`
	Progress  Progress        `json:"progress"`
	At        time.Time       `json:"at"`
}

// BroadcastSubject returns the events bus subject of a broadcast's
// progress events: "broadcast.<account>.<id>"; subscribe to
// "broadcast.<account>.*" for all of an account's.
func BroadcastSubject(accountID, id int64) string {
	return "broadcast." + strconv.FormatInt(accountID, 10) + "." + strconv.FormatInt(id, 10)
}
