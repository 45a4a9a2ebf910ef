package herald

import (
	"context"
	"strings"
	"time"
)

// SandboxSender is the name of the sender ID every account gets on every
// channel in the embedded setup.
const SandboxSender = "sandbox"

// SenderID is a name an account sends from on one channel, bound to the
// connection that carries its messages. Messages are routed by it.
type SenderID struct {
	ID           int64     `json:"id"`
	AccountID    int64     `json:"-"`
	Name         string    `json:"name"` // alphanumeric name, number, e-mail address, bot or app ID
	Channel      Channel   `json:"channel"`
	ConnectionID int64     `json:"connectionId"`
	CreatedAt    time.Time `json:"createdAt"`
	// ConnectionName is the connection's name, filled by ListSenders only.
	ConnectionName string `json:"connectionName,omitempty"`
}

// Validate checks the sender ID's fields.
func (s *SenderID) Validate() error {
	var vs Violations
	s.Name = strings.TrimSpace(s.Name)
	vs.CheckLen("name", s.Name, true, 64)
	if !s.Channel.Valid() {
		vs.Add("channel", VUnknown, "Unknown channel %d.", s.Channel)
	}
	if s.ConnectionID <= 0 {
		vs.Add("connectionId", VRequired, "Choose the connection that carries this sender ID.")
	}
	return vs.Err()
}

// SenderStore keeps sender IDs. Methods are scoped to accountID.
type SenderStore interface {
	// CreateSender validates s and inserts it. EINVALID (name, VTaken) when
	// the account has the name on the channel already; ENOTFOUND when the
	// connection is not assigned to the account.
	CreateSender(ctx context.Context, s *SenderID) error
	// SenderByName returns the account's sender ID name on channel
	// (case-insensitive), or ENOTFOUND.
	SenderByName(ctx context.Context, accountID int64, channel Channel, name string) (*SenderID, error)
	// Senders returns the account's sender IDs by channel and name.
	Senders(ctx context.Context, accountID int64) ([]SenderID, error)
	// Sender returns one of the account's sender IDs, or ENOTFOUND.
	Sender(ctx context.Context, accountID, id int64) (*SenderID, error)
	// UpdateSender validates s and saves its name, channel and connection,
	// with the same errors as CreateSender; ENOTFOUND for an unknown ID.
	UpdateSender(ctx context.Context, s *SenderID) error
	// DeleteSender removes a sender ID; messages sent from it keep its
	// name. ENOTFOUND.
	DeleteSender(ctx context.Context, accountID, id int64) error
	// ListSenders returns one page of the account's sender IDs
	// (SenderColumns); each has its ConnectionName.
	ListSenders(ctx context.Context, accountID int64, q ListQuery) (Page[SenderID], error)
}

// SenderColumns are the columns of the Sender IDs table.
func SenderColumns() []Column {
	var channels []string
	for _, ch := range AllChannels() {
		channels = append(channels, ch.String())
	}
	return []Column{
		{Key: "name", Label: "Sender ID Name", Type: ColText, Sortable: true, Filterable: true},
		{Key: "channel", Label: "Channel", Type: ColEnum, Options: channels, Sortable: true, Filterable: true},
		{Key: "connection", Label: "Connection", Type: ColText, Sortable: true, Filterable: true},
		{Key: "createdAt", Label: "Created", Type: ColTime, Sortable: true, Filterable: true},
	}
}

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
