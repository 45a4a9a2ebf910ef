package herald

import (
	"context"
	"net/netip"
	"strings"
	"time"
)

// OriginSMPP marks messages a customer submitted over Herald's SMPP server.
const OriginSMPP Origin = "smpp"

// ConnectorSMPP is the type of SMPP client connections.
const ConnectorSMPP = "smpp"

// UnmatchedReceipt is a delivery receipt from an SMSC that matched no
// message: kept for the system owner to inspect, never dropped silently.
type UnmatchedReceipt struct {
	ID           int64     `json:"id"`
	ConnectionID int64     `json:"connectionId"`
	ProviderID   string    `json:"providerId"` // the receipt's message ID as received
	Stat         string    `json:"stat"`
	Err          string    `json:"err"`
	Raw          string    `json:"raw"`
	ReceivedAt   time.Time `json:"receivedAt"`
}

// MaxSMPPPassword is the longest SMPP password, in octets (SMPP 3.4's
// bind password field).
const MaxSMPPPassword = 8

// SMPPCredential lets an account bind to Herald's SMPP server.
type SMPPCredential struct {
	ID        int64  `json:"id"`
	AccountID int64  `json:"accountId"`
	SystemID  string `json:"systemId"`
	// Password is set only when creating or changing it; the store keeps
	// PasswordHash (argon2id).
	Password     string   `json:"password,omitempty"`
	PasswordHash string   `json:"-"`
	AllowedIPs   []string `json:"allowedIps"` // addresses or CIDR prefixes; empty allows any
	Throughput   int      `json:"throughput"` // submit_sm per second per bind; 0 is unlimited
	MaxBinds     int      `json:"maxBinds"`   // binds open at once; 0 is unlimited
	// SenderID is the sender ID (on the SMS channel) the account's SMPP
	// messages are routed by when the submit_sm's source is not one of its
	// sender IDs; empty routes by the source address only.
	SenderID  string    `json:"senderId"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Validate checks the credential's fields.
func (c *SMPPCredential) Validate(creating bool) error {
	var vs Violations
	c.SystemID = strings.TrimSpace(c.SystemID)
	vs.CheckLen("systemId", c.SystemID, true, 15) // SMPP 3.4 system_id is at most 15 octets
	if creating && c.Password == "" {
		vs.Add("password", VRequired, "A password is required.")
	}
	// SMPP 3.4's bind carries the password as a C-Octet String of at most
	// 9 octets with its NUL: a longer password could never bind.
	if len(c.Password) > MaxSMPPPassword {
		vs.Add("password", VTooLong, "The password must be at most %d characters: SMPP binds carry no more (it has %d).",
			MaxSMPPPassword, len(c.Password))
	}
	if c.Throughput < 0 || c.MaxBinds < 0 {
		vs.Add("throughput", VRange, "Throughput and max binds must be zero (no limit) or more.")
	}
	for i, ip := range c.AllowedIPs {
		ip = strings.TrimSpace(ip)
		c.AllowedIPs[i] = ip
		if _, err := netip.ParsePrefix(ip); err == nil {
			continue
		}
		if _, err := netip.ParseAddr(ip); err != nil {
			vs.Add("allowedIps", VFormat, "%q is not an IP address or CIDR prefix.", ip)
		}
	}
	if c.AllowedIPs == nil {
		c.AllowedIPs = []string{}
	}
	return vs.Err()
}

// Allows reports whether a bind from addr may use the credential.
func (c *SMPPCredential) Allows(addr netip.Addr) bool {
	if len(c.AllowedIPs) == 0 {
		return true
	}
	addr = addr.Unmap()
	for _, s := range c.AllowedIPs {
		if p, err := netip.ParsePrefix(s); err == nil && p.Contains(addr) {
			return true
		}
		if a, err := netip.ParseAddr(s); err == nil && a.Unmap() == addr {
			return true
		}
	}
	return false
}

// SMPPDeliveryKind tells receipts from MO messages in the SMPP outbox.
type SMPPDeliveryKind string

// Kinds of SMPP deliveries.
const (
	SMPPReceipt SMPPDeliveryKind = "receipt"
	SMPPMO      SMPPDeliveryKind = "mo"
)

// SMPPSubmitPart is one part of a long message a customer submitted to the
// SMPP server in segments, kept until the message is made of its parts.
type SMPPSubmitPart struct {
	ID        string // the message_id the part was answered with
	AccountID int64
	SetKey    string // the parts' set: system_id, addresses, reference and total
	Seq       int    // 1-based
	Total     int
	Text      string
	Request   string // what the message needs besides the text, as the server wrote it
	MessageID string // the message made of the set, once committed
	At        time.Time
}

// SMPPDelivery is a deliver_sm waiting for a customer's receiving bind: a
// receipt of a message it submitted, or an MO message for its account. It
// stays queued until the customer acknowledges it.
type SMPPDelivery struct {
	ID                 int64            `json:"id"`
	AccountID          int64            `json:"accountId"`
	SystemID           string           `json:"systemId"`
	Kind               SMPPDeliveryKind `json:"kind"`
	MessageID          string           `json:"messageId"`
	Status             MessageStatus    `json:"status"`       // receipts: the message's status
	ProviderCode       string           `json:"providerCode"` // receipts: the raw code
	Source             string           `json:"source"`       // the submit_sm's source (receipt) or the contact (MO)
	Dest               string           `json:"dest"`         // the submit_sm's destination (receipt) or the sender ID (MO)
	Text               string           `json:"text"`         // MO text, or the receipt's text excerpt
	RegisteredDelivery int              `json:"registeredDelivery"`
	CreatedAt          time.Time        `json:"createdAt"`
	SubmittedAt        time.Time        `json:"submittedAt"` // receipts: when the message was accepted
}

// SMPPCredentialStore keeps SMPP credentials and the SMPP outbox.
type SMPPCredentialStore interface {
	// CreateSMPPCredential inserts c (validated, PasswordHash set).
	// EINVALID (systemId, VTaken) for a system_id in use.
	CreateSMPPCredential(ctx context.Context, c *SMPPCredential) error
	// UpdateSMPPCredential saves c's fields (and PasswordHash when set).
	// ENOTFOUND.
	UpdateSMPPCredential(ctx context.Context, c *SMPPCredential) error
	// DeleteSMPPCredential removes one credential of accountID. ENOTFOUND.
	DeleteSMPPCredential(ctx context.Context, accountID, id int64) error
	// SMPPCredential returns one credential of accountID. ENOTFOUND.
	SMPPCredential(ctx context.Context, accountID, id int64) (*SMPPCredential, error)
	// SMPPCredentialBySystemID returns the credential of a system_id
	// (ignoring case), with PasswordHash. ENOTFOUND.
	SMPPCredentialBySystemID(ctx context.Context, systemID string) (*SMPPCredential, error)
	// SMPPCredentials returns the credentials of accountID, by system_id.
	SMPPCredentials(ctx context.Context, accountID int64) ([]SMPPCredential, error)
}

// SMSSegments are the segments of a multi-part SMS sent over an SMPP
// connection: the SMSC's ID for each and the latest receipt state of each
// ("" before its first receipt), in order.
type SMSSegments struct {
	MessageID   string
	ProviderIDs []string
	States      []string
}
