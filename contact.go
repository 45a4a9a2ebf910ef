package herald

import (
	"context"
	"net/mail"
	"strings"
	"time"
)

// Contact is a customer of an account: one phone number (the required key,
// unique in the account, E.164), identities on other channels, typed
// attributes and tags.
type Contact struct {
	ID         int64             `json:"id"`
	AccountID  int64             `json:"-"`
	Phone      string            `json:"phone"`      // E.164, such as +34600111222
	Country    string            `json:"country"`    // ISO 3166-1 alpha-2 from the number
	Email      string            `json:"email"`      // may be empty
	Identities map[string]string `json:"identities"` // channel identities: "push", "mobilepush", "whatsapp", "viber", "wechat", "telegram", "webchat"
	Attributes map[string]string `json:"attributes"` // by attribute name; values formatted by type (dates YYYY-MM-DD, yes/no "true"/"false")
	Tags       []string          `json:"tags"`
	OptOuts    []OptOut          `json:"optOuts"`    // by channel and sender ID
	RCSCapable *bool             `json:"rcsCapable"` // nil until checked
	RCSChecked *time.Time        `json:"rcsCheckedAt"`
	CreatedAt  time.Time         `json:"createdAt"`
	UpdatedAt  time.Time         `json:"updatedAt"`
}

// OptOut says a contact does not want messages on a channel, from one
// sender ID or (SenderID "") from the whole channel.
type OptOut struct {
	AccountID int64     `json:"-"`
	ContactID int64     `json:"contactId"`
	Channel   Channel   `json:"channel"`
	SenderID  string    `json:"senderId"` // "" for the whole channel
	At        time.Time `json:"at"`
	By        string    `json:"by"` // "user:<login>", "word:<WORD>", "chatbot", "api", "unsubscribe"
}

// ContactDirectory is what messaging needs from contacts: resolving a
// destination to a contact, personalization data, and opt-outs. Every
// method is scoped to accountID.
type ContactDirectory interface {
	// Contact returns one contact with its attributes and identities, or ENOTFOUND.
	Contact(ctx context.Context, accountID, id int64) (*Contact, error)
	// ContactByAddress finds the contact whose address on channel is addr
	// (the phone number for phone channels, the e-mail for email, the
	// identity for the others), or ENOTFOUND.
	ContactByAddress(ctx context.Context, accountID int64, channel Channel, addr string) (*Contact, error)
	// EnsureContact returns the contact for addr on channel, creating it
	// when there is none (for phone channels addr must be a valid number;
	// for other channels a contact needs a phone, so EINVALID is returned
	// when none can be found). created tells whether it is new.
	EnsureContact(ctx context.Context, accountID int64, channel Channel, addr string) (c *Contact, created bool, err error)
	// OptedOut reports whether the contact opted out of channel as a whole
	// or of senderID on it.
	OptedOut(ctx context.Context, accountID, contactID int64, channel Channel, senderID string) (bool, error)
	// AddOptOut records an opt-out (idempotent).
	AddOptOut(ctx context.Context, o OptOut) error
	// LiftOptOut removes the contact's opt-outs of channel for senderID and
	// for the whole channel: any inbound message from a contact does this.
	LiftOptOut(ctx context.Context, accountID, contactID int64, channel Channel, senderID string) error
	// MatchOptOutWord returns the opt-out word that text matches
	// (case-insensitive, trimmed) for channel and senderID at time at, in
	// the account's time zone, or nil when none. A word of the whole
	// channel (SenderID "") wins over one of the sender, so the opt-out it
	// records has the word's own scope.
	MatchOptOutWord(ctx context.Context, accountID int64, channel Channel, senderID, text string, at time.Time) (*OptOutWord, error)
}

// Identity kinds: the channels whose address is not the phone number (or
// not only: WhatsApp and Viber may know a contact by another ID).
const (
	IdentityWhatsApp   = "whatsapp"
	IdentityViber      = "viber"
	IdentityTelegram   = "telegram"
	IdentityWeChat     = "wechat"
	IdentityPush       = "push"
	IdentityMobilePush = "mobilepush"
	IdentityWebChat    = "webchat"
)

// IdentityKinds returns every identity kind in display order.
func IdentityKinds() []string {
	return []string{IdentityWhatsApp, IdentityViber, IdentityTelegram, IdentityWeChat, IdentityPush,
		IdentityMobilePush, IdentityWebChat}
}

// IdentityKind returns the identity kind that addresses a contact on c,
// or "" for channels that use only the phone number or the e-mail.
func IdentityKind(c Channel) string {
	switch c {
	case ChannelWhatsApp, ChannelViber, ChannelTelegram, ChannelWeChat, ChannelPush, ChannelMobilePush, ChannelWebChat:
		return c.String()
	}
	return ""
}

// MaxTagLen bounds a tag's name.
const MaxTagLen = 64

// Validate checks the contact's fields other than the phone number, which
// the store normalises to E.164 (it needs the numbering plan), and trims
// identities and tags. Attribute values are checked by the store against
// the account's attributes.
func (c *Contact) Validate() error {
	var vs Violations
	c.Email = strings.ToLower(strings.TrimSpace(c.Email))
	if c.Email != "" {
		if a, err := mail.ParseAddress(c.Email); err != nil || a.Address != c.Email {
			vs.Add("email", VFormat, "%q is not an e-mail address.", c.Email)
		}
	}
	for k, v := range c.Identities {
		v = strings.TrimSpace(v)
		if !knownIdentity(k) {
			vs.Add("identities."+k, VUnknown, "Unknown channel identity %q; use one of %s.", k, strings.Join(IdentityKinds(), ", "))
		}
		vs.CheckLen("identities."+k, v, false, 256)
		if v == "" {
			delete(c.Identities, k)
		} else {
			c.Identities[k] = v
		}
	}
	c.Tags = trimAll(c.Tags)
	for _, t := range c.Tags {
		vs.CheckLen("tags", t, false, MaxTagLen)
	}
	return vs.Err()
}

// knownIdentity reports whether k is an identity kind.
func knownIdentity(k string) bool {
	for _, x := range IdentityKinds() {
		if k == x {
			return true
		}
	}
	return false
}

// Contact list column keys besides the attributes' ("attr.<id>").
const (
	ColPhone        = "phone"
	ColEmail        = "email"
	ColCountry      = "country"
	ColTags         = "tags"
	ColOptOut       = "optOut"
	ColRCSCapable   = "rcsCapable"
	ColRCSCheckedAt = "rcsCheckedAt"
	ColIdentity     = "identity." // followed by an identity kind
)

// ContactColumns are the columns of the Contacts table and the fields that
// filters and targets may use: the phone number, the account's attributes,
// e-mail, tags, opt-outs (by channel name), channel identities and RCS
// capability.
func ContactColumns(attrs []Attribute) []Column {
	cols := []Column{
		{Key: "id", Label: "ID", Type: ColNumber, Sortable: true, Filterable: true, Hidden: true},
		{Key: ColPhone, Label: "Phone number", Type: ColText, Sortable: true, Filterable: true},
	}
	for i := range attrs {
		a := &attrs[i]
		cols = append(cols, Column{Key: a.ColumnKey(), Label: a.Name, Type: a.ColumnType(), Options: a.Options,
			Sortable: true, Filterable: true})
	}
	var channels []string
	for _, ch := range AllChannels() {
		channels = append(channels, ch.String())
	}
	cols = append(cols,
		Column{Key: ColEmail, Label: "Email", Type: ColText, Sortable: true, Filterable: true},
		Column{Key: ColTags, Label: "Tags", Type: ColText, Filterable: true},
		Column{Key: ColOptOut, Label: "Opt-out", Type: ColEnum, Options: channels, Filterable: true},
		Column{Key: ColCountry, Label: "Country", Type: ColText, Sortable: true, Filterable: true, Hidden: true})
	for _, k := range IdentityKinds() {
		cols = append(cols, Column{Key: ColIdentity + k, Label: identityLabel(k) + " ID", Type: ColText, Filterable: true, Hidden: true})
	}
	return append(cols,
		Column{Key: ColRCSCapable, Label: "RCS capable", Type: ColBool, Sortable: true, Filterable: true},
		Column{Key: ColRCSCheckedAt, Label: "RCS capability last checked", Type: ColTime, Sortable: true, Filterable: true},
		Column{Key: "createdAt", Label: "Created", Type: ColTime, Sortable: true, Filterable: true, Hidden: true},
		Column{Key: "updatedAt", Label: "Updated", Type: ColTime, Sortable: true, Filterable: true, Hidden: true})
}

// identityLabel names an identity kind for people.
func identityLabel(kind string) string {
	if ch, err := ParseChannel(kind); err == nil {
		return ch.Label()
	}
	return kind
}

// DuplicatePolicy is what an import or a bulk upsert does with a contact
// whose phone number is in the account already.
type DuplicatePolicy string

// Duplicate policies (reference 001, section 8.2, step 4).
const (
	DupSkip     DuplicatePolicy = "skip"     // not import: keep the existing contact as it is
	DupOverride DuplicatePolicy = "override" // replace the given fields, clearing those given empty
	DupEnrich   DuplicatePolicy = "enrich"   // add what the contact lacks, change nothing it has
)

// Valid reports whether p is a known policy.
func (p DuplicatePolicy) Valid() bool { return p == DupSkip || p == DupOverride || p == DupEnrich }

// ContactSelection picks contacts for a mass edit: the IDs chosen on a
// page, or every contact that matches Filters (a table's filters or a
// target's). With neither, nothing is selected.
type ContactSelection struct {
	IDs     []int64  `json:"ids"`
	Filters []Filter `json:"filters"`
	All     bool     `json:"all"` // every contact matching Filters (all of them when Filters is empty)
}

// ContactEdit is a mass edit: attribute values to set (by attribute name),
// attributes to clear, tags to add and remove.
type ContactEdit struct {
	Set        map[string]string `json:"set"`
	Clear      []string          `json:"clear"`
	AddTags    []string          `json:"addTags"`
	RemoveTags []string          `json:"removeTags"`
}

// BulkResult tells what a bulk upsert did. Errors name the index of each
// contact that was refused and why; the others were applied.
type BulkResult struct {
	Created int         `json:"created"`
	Updated int         `json:"updated"`
	Skipped int         `json:"skipped"`
	Errors  []BulkError `json:"errors"`
}

// BulkError is one refused contact of a bulk upsert.
type BulkError struct {
	Index      int         `json:"index"`
	Message    string      `json:"message"`
	Violations []Violation `json:"violations,omitempty"`
}

// Tag is a label linked to contacts, with how many contacts carry it.
type Tag struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Contacts int    `json:"contacts"`
}

// ContactStore keeps contacts. Methods are scoped to accountID; another
// account's contact is ENOTFOUND.
type ContactStore interface {
	ContactDirectory
	// CreateContact validates c, normalises its phone number to E.164 (the
	// country comes from the number) and inserts it with identities,
	// attribute values (by attribute name) and tags (created as needed).
	// EINVALID with VTaken on "phone" when the number is in the account.
	CreateContact(ctx context.Context, c *Contact) error
	// UpdateContact saves every field of c as CreateContact validates them.
	UpdateContact(ctx context.Context, c *Contact) error
	// DeleteContact removes a contact with its tags, identities and opt-outs.
	DeleteContact(ctx context.Context, accountID, id int64) error
	// ListContacts returns one page of contacts (ContactColumns of the
	// account's attributes).
	ListContacts(ctx context.Context, accountID int64, q ListQuery) (Page[Contact], error)
	// CountContacts counts the contacts matching every filter.
	CountContacts(ctx context.Context, accountID int64, filters []Filter) (int, error)
	// ContactColumns returns ContactColumns of the account's attributes.
	ContactColumns(ctx context.Context, accountID int64) ([]Column, error)
	// UpsertContacts creates the contacts whose phone numbers are new and
	// treats the others by policy; refused contacts are reported, not fatal.
	UpsertContacts(ctx context.Context, accountID int64, cs []Contact, policy DuplicatePolicy) (BulkResult, error)
	// EditContacts applies e to the selected contacts and returns how many
	// there were.
	EditContacts(ctx context.Context, accountID int64, sel ContactSelection, e ContactEdit) (int, error)
	// DeleteContacts deletes the selected contacts and returns how many. A
	// selection that holds every contact of the account is refused
	// (EFORBIDDEN): the whole database is never deleted by mistake.
	DeleteContacts(ctx context.Context, accountID int64, sel ContactSelection) (int, error)
	// ContactOptOuts returns the contact's opt-outs by channel and sender.
	ContactOptOuts(ctx context.Context, accountID, contactID int64) ([]OptOut, error)
	// RemoveOptOut removes exactly one opt-out (channel and sender ID).
	RemoveOptOut(ctx context.Context, accountID, contactID int64, channel Channel, senderID string) error
	// Tags returns the account's tags by name with their contact counts.
	Tags(ctx context.Context, accountID int64) ([]Tag, error)
	// DeleteTag removes a tag from every contact and deletes it.
	DeleteTag(ctx context.Context, accountID, id int64) error
}
