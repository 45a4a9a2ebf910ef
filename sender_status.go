package herald

import (
	"slices"
	"strings"
)

// SenderStatus is where a sender ID stands (reference 001 section 12.2).
// The account makes a request (draft, submitted); the system owner works
// it (in progress, testing, done) and decides (active, rejected); an
// active sender ID can be blocked; the account or the system owner can
// cancel. Only an active sender ID bound to a connection sends.
type SenderStatus string

// Sender ID statuses.
const (
	SenderActive     SenderStatus = "active"      // registered and fully operative
	SenderInProgress SenderStatus = "in_progress" // the request is being processed
	SenderSubmitted  SenderStatus = "submitted"   // the request has been submitted
	SenderDraft      SenderStatus = "draft"       // saved as a draft
	SenderCanceled   SenderStatus = "canceled"    // canceled by the account or the system owner
	SenderTesting    SenderStatus = "testing"     // being tested by the system owner
	SenderBlocked    SenderStatus = "blocked"     // blocked by the system owner
	SenderDone       SenderStatus = "done"        // the request has been processed
	SenderRejected   SenderStatus = "rejected"    // the request has been rejected
)

// SenderStatuses returns every status in the order of the reference.
func SenderStatuses() []SenderStatus {
	return []SenderStatus{SenderActive, SenderInProgress, SenderSubmitted, SenderDraft, SenderCanceled,
		SenderTesting, SenderBlocked, SenderDone, SenderRejected}
}

// Valid reports whether s is a known status.
func (s SenderStatus) Valid() bool { return slices.Contains(SenderStatuses(), s) }

// Label returns the status for people, such as "In progress".
func (s SenderStatus) Label() string {
	switch s {
	case SenderInProgress:
		return "In progress"
	case "":
		return ""
	}
	return string(s[0]-'a'+'A') + string(s[1:])
}

// Description says what the status means, as the Sender IDs page explains.
func (s SenderStatus) Description() string {
	switch s {
	case SenderActive:
		return "The sender ID is successfully registered and is fully operative."
	case SenderInProgress:
		return "The registration request is being processed by the system owner."
	case SenderSubmitted:
		return "The registration request has been submitted."
	case SenderDraft:
		return "The sender ID is saved as a draft."
	case SenderCanceled:
		return "The sender ID has been canceled."
	case SenderTesting:
		return "The sender ID is being tested by the system owner."
	case SenderBlocked:
		return "The sender ID has been blocked by the system owner."
	case SenderDone:
		return "The registration request has been processed by the system owner."
	case SenderRejected:
		return "The registration request has been rejected by the system owner."
	}
	return ""
}

// Editable reports whether the account may change a request in status s:
// a draft, and (as the reference allows) a submitted, done or active one.
// What can be edited can be canceled.
func (s SenderStatus) Editable() bool {
	switch s {
	case SenderDraft, SenderSubmitted, SenderDone, SenderActive:
		return true
	}
	return false
}

// Deletable reports whether the account may remove a sender ID in status
// s from the system: only once it is canceled.
func (s SenderStatus) Deletable() bool { return s == SenderCanceled }

// Live reports whether a sender ID in status s holds its name: canceled
// and rejected ones free it for a new request.
func (s SenderStatus) Live() bool { return s != SenderCanceled && s != SenderRejected }

// ReviewTargets returns the statuses the system owner may move a sender
// ID in status s to. A draft is the account's own until it is submitted;
// canceled and rejected are final.
func (s SenderStatus) ReviewTargets() []SenderStatus {
	switch s {
	case SenderSubmitted:
		return []SenderStatus{SenderInProgress, SenderTesting, SenderDone, SenderActive, SenderRejected, SenderCanceled}
	case SenderInProgress:
		return []SenderStatus{SenderTesting, SenderDone, SenderActive, SenderRejected, SenderCanceled}
	case SenderTesting:
		return []SenderStatus{SenderInProgress, SenderDone, SenderActive, SenderRejected, SenderCanceled}
	case SenderDone:
		return []SenderStatus{SenderInProgress, SenderTesting, SenderActive, SenderRejected, SenderCanceled}
	case SenderActive:
		return []SenderStatus{SenderBlocked, SenderCanceled}
	case SenderBlocked:
		return []SenderStatus{SenderActive, SenderCanceled}
	}
	return nil
}

// SenderReview is the system owner's decision on a sender ID: its status
// (with the reason for a rejection or a block), the Sender ID the
// operator assigned, the agreement, and the connection it is bound to.
type SenderReview struct {
	Status       SenderStatus `json:"status"`
	Reason       string       `json:"reason"`
	Name         string       `json:"name"`
	Agreement    string       `json:"agreement"`
	ConnectionID int64        `json:"connectionId"`
}

// Apply checks r against s's current status and copies it onto s. The
// status may stay or move to one of ReviewTargets; a rejection needs a
// reason; an active sender ID needs its Name; only an active sender ID
// can be bound to a connection (a binding made before stays, unused, while
// the sender ID is blocked, say). The reason is kept for rejected and
// blocked sender IDs only.
func (r SenderReview) Apply(s *SenderID) error {
	var vs Violations
	r.Name, r.Reason, r.Agreement = strings.TrimSpace(r.Name), strings.TrimSpace(r.Reason), strings.TrimSpace(r.Agreement)
	if r.Status == "" {
		r.Status = s.Status
	}
	switch {
	case !r.Status.Valid():
		vs.Add("status", VUnknown, "Unknown status %q.", r.Status)
	case r.Status != s.Status && !slices.Contains(s.Status.ReviewTargets(), r.Status):
		vs.Add("status", VPolicy, "A sender ID that is %s cannot be moved to %s.", s.Status.Label(), r.Status.Label())
	}
	if r.Status == SenderRejected && r.Reason == "" {
		vs.Add("reason", VRequired, "Say why the request is rejected: the account sees the reason.")
	}
	if r.Status == SenderActive && r.Name == "" {
		vs.Add("name", VRequired, "Enter the Sender ID the operator assigned before activating it.")
	}
	if r.ConnectionID != 0 && r.ConnectionID != s.ConnectionID && r.Status != SenderActive {
		vs.Add("connectionId", VPolicy, "Only an active sender ID can be bound to a connection.")
	}
	if err := vs.Err(); err != nil {
		return err
	}
	if r.Status != SenderRejected && r.Status != SenderBlocked {
		r.Reason = ""
	}
	s.Status, s.Reason, s.Name, s.Agreement, s.ConnectionID = r.Status, r.Reason, r.Name, r.Agreement, r.ConnectionID
	return s.Validate()
}
