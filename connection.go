package herald

import (
	"context"
	"encoding/json"
	"strings"
	"time"
)

// ConnectorSandbox is the type of the built-in sandbox connector.
const ConnectorSandbox = "sandbox"

// Connection is one configured link to a provider on one channel: a
// connector type with its settings and secrets, and a throughput limit.
// The system owner configures connections and assigns them to accounts.
type Connection struct {
	ID       int64             `json:"id"`
	Type     string            `json:"type"` // connector type, such as "sandbox" or "smpp"
	Channel  Channel           `json:"channel"`
	Name     string            `json:"name"`
	Settings json.RawMessage   `json:"settings"` // connector-specific, never secret
	Secrets  map[string]string `json:"-"`        // passwords and tokens, opened
	// SealedSecrets is Secrets sealed under the server's key: what the
	// store keeps. Services seal and open; the store never sees Secrets.
	SealedSecrets []byte    `json:"-"`
	TPS           int       `json:"tps"`      // messages per second; 0 means no limit
	Accounts      []int64   `json:"accounts"` // the accounts that may use it
	CreatedAt     time.Time `json:"createdAt"`
	UpdatedAt     time.Time `json:"updatedAt"`
}

// Validate checks the connection's fields and fills defaults.
func (c *Connection) Validate() error {
	var vs Violations
	c.Name = strings.TrimSpace(c.Name)
	c.Type = strings.TrimSpace(c.Type)
	vs.CheckLen("name", c.Name, true, 100)
	vs.CheckLen("type", c.Type, true, 32)
	if !c.Channel.Valid() {
		vs.Add("channel", VUnknown, "Unknown channel %d.", c.Channel)
	}
	if c.TPS < 0 {
		vs.Add("tps", VRange, "Throughput must be zero (no limit) or more messages per second.")
	}
	if len(c.Settings) == 0 {
		c.Settings = json.RawMessage("{}")
	} else if !json.Valid(c.Settings) {
		vs.Add("settings", VFormat, "Settings must be a JSON object.")
	}
	if c.Secrets == nil {
		c.Secrets = map[string]string{}
	}
	return vs.Err()
}

// ConnectionStore keeps connections. Only the system owner manages them.
type ConnectionStore interface {
	// CreateConnection inserts c (validated, SealedSecrets set) and sets
	// its ID and times. EINVALID (name, VTaken) for a name in use.
	CreateConnection(ctx context.Context, c *Connection) error
	// Connection returns one connection with SealedSecrets, or ENOTFOUND.
	Connection(ctx context.Context, id int64) (*Connection, error)
	// UpdateConnection saves every field of c. ENOTFOUND.
	UpdateConnection(ctx context.Context, c *Connection) error
	// Connections returns every connection, by ID.
	Connections(ctx context.Context) ([]Connection, error)
	// AssignConnection lets accountID use the connection (idempotent).
	AssignConnection(ctx context.Context, connectionID, accountID int64) error
}
