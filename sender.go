package herald

import (
	"context"
	"strings"
	"time"
)

// SandboxSender is the name of the sender ID every account gets on every
// channel in the embedded setup.
const SandboxSender = "sandbox"

// Limits of the fields the system owner sets on a sender ID.
const (
	MaxSenderName      = 64  // the Sender ID: name, number, address, bot or app ID
	MaxSenderAgreement = 100 // the agreement the sender ID is billed under
	MaxSenderReason    = 500 // why a request was rejected or a sender ID blocked
)

// SenderID is a name an account sends from on one channel (reference 001
// section 12.2). Messages are routed by Name, and only while the sender ID
// is active and bound to the connection that carries its messages.
//
// An account asks for SMS and RCS sender IDs with a registration request
// (DisplayName and the SenderProfile); the system owner reviews it, sets
// the Name the operator assigned, activates it and binds it. Sender IDs of
// the other channels are set up by the system owner directly.
type SenderID struct {
	ID        int64 `json:"id"`
	AccountID int64 `json:"-"`
	// Name is the Sender ID: an alphanumeric name, number, e-mail
	// address, bot or app ID, what the API's senderId names. Empty until
	// the system owner assigns it to a request.
	Name string `json:"name"`
	// DisplayName is the Sender ID Name: what recipients see.
	DisplayName string       `json:"displayName"`
	Channel     Channel      `json:"channel"`
	Status      SenderStatus `json:"status"`
	// Reason is the system owner's reason for rejecting or blocking.
	Reason    string `json:"reason,omitempty"`
	Agreement string `json:"agreement"`
	// ConnectionID is the connection that carries the sender ID's
	// messages; 0 until the system owner binds it.
	ConnectionID int64 `json:"connectionId"`
	SenderProfile
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	// ConnectionName is the connection's name, filled by the lists only.
	ConnectionName string `json:"connectionName,omitempty"`
	// AccountName is the account's name, filled by ListAllSenders only.
	AccountName string `json:"accountName,omitempty"`
}

// Validate checks what every sender ID must satisfy and fills defaults: a
// sender ID without a status is active. An active or bound sender ID needs
// its Name; the registration rules are ValidateRequest's.
func (s *SenderID) Validate() error {
	var vs Violations
	s.Name = strings.TrimSpace(s.Name)
	s.DisplayName = strings.TrimSpace(s.DisplayName)
	s.Agreement = strings.TrimSpace(s.Agreement)
	s.Reason = strings.TrimSpace(s.Reason)
	if s.Status == "" {
		s.Status = SenderActive
	}
	vs.CheckLen("name", s.Name, s.Status == SenderActive || s.ConnectionID != 0, MaxSenderName)
	vs.CheckLen("displayName", s.DisplayName, false, MaxSenderDisplayName)
	vs.CheckLen("agreement", s.Agreement, false, MaxSenderAgreement)
	vs.CheckLen("reason", s.Reason, false, MaxSenderReason)
	if !s.Channel.Valid() {
		vs.Add("channel", VUnknown, "Unknown channel %d.", s.Channel)
	}
	if !s.Status.Valid() {
		vs.Add("status", VUnknown, "Unknown status %q.", s.Status)
	}
	if s.ConnectionID < 0 {
		vs.Add("connectionId", VUnknown, "Unknown connection %d.", s.ConnectionID)
	}
	return vs.Err()
}

// Routable reports whether messages can be sent from the sender ID: it is
// active and bound to a connection.
func (s *SenderID) Routable() bool {
	return s.Status == SenderActive && s.ConnectionID != 0 && s.Name != ""
}

// NotRoutable explains for the field senderId why a sender ID that is not
// Routable cannot send.
func (s *SenderID) NotRoutable() string {
	if s.Status != SenderActive {
		return "The sender ID " + s.Name + " is " + strings.ToLower(s.Status.Label()) +
			": it can send once the system owner has activated it and bound it to a connection."
	}
	return "The sender ID " + s.Name + " is not bound to a connection yet: ask the system owner to bind it."
}

// SenderStore keeps sender IDs. Methods are scoped to accountID, except
// the system owner's ListAllSenders and AnySender.
type SenderStore interface {
	// CreateSender validates s (Validate; a request is validated with
	// ValidateRequest before) and inserts it. EINVALID (name, VTaken)
	// when another live sender ID of the account has the name on the
	// channel; ENOTFOUND when the connection is not assigned to the
	// account; EINVALID (connectionId) when it serves another channel.
	CreateSender(ctx context.Context, s *SenderID) error
	// SenderByName returns the account's live (not canceled or rejected)
	// sender ID name on channel (case-insensitive), whatever its status,
	// or ENOTFOUND. Callers that send check Routable.
	SenderByName(ctx context.Context, accountID int64, channel Channel, name string) (*SenderID, error)
	// Senders returns the account's routable sender IDs (active and
	// bound), by channel and name: those messages can be sent from.
	Senders(ctx context.Context, accountID int64) ([]SenderID, error)
	// Sender returns one of the account's sender IDs, or ENOTFOUND.
	Sender(ctx context.Context, accountID, id int64) (*SenderID, error)
	// AnySender returns a sender ID of any account, for the system
	// owner's review, with its AccountName; ENOTFOUND.
	AnySender(ctx context.Context, id int64) (*SenderID, error)
	// UpdateSender validates s and saves every field of it, provided its
	// stored status is still from (ECONFLICT otherwise), with the errors
	// of CreateSender and ENOTFOUND for an unknown ID. The audit entry
	// names a status change, a binding or an edit.
	UpdateSender(ctx context.Context, s *SenderID, from SenderStatus) error
	// DeleteSender removes a sender ID; messages sent from it keep its
	// name. ENOTFOUND.
	DeleteSender(ctx context.Context, accountID, id int64) error
	// ListSenders returns one page of the account's sender IDs
	// (SenderColumns); each has its ConnectionName.
	ListSenders(ctx context.Context, accountID int64, q ListQuery) (Page[SenderID], error)
	// ListAllSenders returns one page of every account's sender IDs
	// (SenderReviewColumns) with their AccountName and ConnectionName:
	// the system owner's review list.
	ListAllSenders(ctx context.Context, q ListQuery) (Page[SenderID], error)
}

// senderColumns are the columns both sender ID tables share, after the
// Sender ID and before Created; account adds the Account column.
func senderColumns(account bool) []Column {
	var channels []string
	for _, ch := range AllChannels() {
		channels = append(channels, ch.String())
	}
	var statuses []string
	for _, s := range SenderStatuses() {
		statuses = append(statuses, string(s))
	}
	cols := []Column{
		{Key: "name", Label: "Sender ID", Type: ColText, Sortable: true, Filterable: true},
		{Key: "displayName", Label: "Sender ID Name", Type: ColText, Sortable: true, Filterable: true},
	}
	if account {
		cols = append(cols, Column{Key: "account", Label: "Account", Type: ColText, Sortable: true, Filterable: true})
	}
	return append(cols,
		Column{Key: "channel", Label: "Channel", Type: ColEnum, Options: channels, Sortable: true, Filterable: true},
		Column{Key: "status", Label: "Status", Type: ColEnum, Options: statuses, Sortable: true, Filterable: true},
		Column{Key: "agreement", Label: "Agreement", Type: ColText, Sortable: true, Filterable: true},
		Column{Key: "connection", Label: "Connection", Type: ColText, Sortable: true, Filterable: true, Hidden: !account},
		Column{Key: "createdAt", Label: "Created", Type: ColTime, Sortable: true, Filterable: true},
		Column{Key: "updatedAt", Label: "Updated", Type: ColTime, Sortable: true, Filterable: true, Hidden: true},
	)
}

// SenderColumns are the columns of an account's Sender IDs table.
func SenderColumns() []Column { return senderColumns(false) }

// SenderReviewColumns are the columns of the system owner's table of every
// account's sender IDs.
func SenderReviewColumns() []Column { return senderColumns(true) }

// AllowsSender reports whether the key may send from sender name: a key
// with no SenderIDs may use any of its account's.
func (k *APIKey) AllowsSender(name string) bool {
	if k == nil || len(k.SenderIDs) == 0 {
		return true
	}
	for _, s := range k.SenderIDs {
		if strings.EqualFold(s, name) {
			return true
		}
	}
	return false
}
