package herald

import (
	"context"
	"math"
	"net/mail"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// AttributeType is the kind of value a contact attribute holds. Values are
// validated by type and compared by type in filters and targets.
type AttributeType string

// Attribute types, as the Attribute manager offers them.
const (
	AttrEmail  AttributeType = "email"  // an e-mail address
	AttrText   AttributeType = "text"   // free text
	AttrList   AttributeType = "list"   // one of Options ("text list of values")
	AttrNumber AttributeType = "number" // a decimal number
	AttrDate   AttributeType = "date"   // a calendar day, YYYY-MM-DD
	AttrBool   AttributeType = "bool"   // yes or no, "true" or "false"
)

// AttributeTypes returns every attribute type in the order the form offers them.
func AttributeTypes() []AttributeType {
	return []AttributeType{AttrEmail, AttrText, AttrList, AttrNumber, AttrDate, AttrBool}
}

// Label returns the type's name for people.
func (t AttributeType) Label() string {
	switch t {
	case AttrEmail:
		return "E-mail"
	case AttrList:
		return "Text list of values"
	case AttrNumber:
		return "Number"
	case AttrDate:
		return "Date"
	case AttrBool:
		return "Yes / no"
	}
	return "Text"
}

// Textual reports whether values of the type are text (compared as folded
// text) rather than numbers (numbers, dates as days, yes/no as 0/1).
func (t AttributeType) Textual() bool { return t == AttrEmail || t == AttrText || t == AttrList }

// Default attribute names: every account has them from the start. They can
// be renamed and removed like any other.
const (
	AttrNameName    = "Name"
	AttrNameSurname = "Surname"
)

// Limits of attributes and their values.
const (
	MaxAttrNameLen  = 64
	MaxAttrValueLen = 1000
	MaxAttrOptions  = 200
)

// Attribute is a typed field of an account's contacts, managed in the
// Attribute manager.
type Attribute struct {
	ID            int64         `json:"id"`
	AccountID     int64         `json:"-"`
	Name          string        `json:"name"`
	Type          AttributeType `json:"type"`
	Options       []string      `json:"options"`       // the allowed values of a list attribute
	ShowInProfile bool          `json:"showInProfile"` // shown beside conversations
	// FreeText keeps a text attribute out of the indexes that make
	// exact-value filters fast: right for nearly unique values (names),
	// which import faster unindexed and are searched with "contains"
	// anyway. Only text attributes can be free text; it cannot change
	// once the attribute exists.
	FreeText  bool      `json:"freeText"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// ColumnKey is the attribute's key in contact lists, filters and targets:
// "attr.<id>", which survives renaming.
func (a Attribute) ColumnKey() string { return AttrKeyPrefix + strconv.FormatInt(a.ID, 10) }

// AttrKeyPrefix starts the column key of an attribute.
const AttrKeyPrefix = "attr."

// ColumnType is how contact lists filter and sort the attribute.
func (a Attribute) ColumnType() ColumnType {
	switch a.Type {
	case AttrNumber:
		return ColNumber
	case AttrDate:
		return ColTime
	case AttrBool:
		return ColBool
	case AttrList:
		return ColEnum
	}
	return ColText
}

// Validate checks the attribute's fields and normalises its options.
func (a *Attribute) Validate() error {
	var vs Violations
	a.Name = strings.TrimSpace(a.Name)
	vs.CheckLen("name", a.Name, true, MaxAttrNameLen)
	if strings.EqualFold(a.Name, "phone") || strings.EqualFold(a.Name, "phone number") {
		vs.Add("name", VTaken, "Phone number is a built-in field; choose another name.")
	}
	known := false
	for _, t := range AttributeTypes() {
		known = known || a.Type == t
	}
	if !known {
		vs.Add("type", VUnknown, "Type must be one of email, text, list, number, date or bool.")
	}
	if a.Type != AttrText {
		a.FreeText = false
	}
	a.Options = trimAll(a.Options)
	if a.Type != AttrList {
		a.Options = []string{}
	} else if len(a.Options) == 0 {
		vs.Add("options", VRequired, "A list attribute needs at least one value to choose from.")
	} else if len(a.Options) > MaxAttrOptions {
		vs.Add("options", VTooLong, "A list attribute can have at most %d values.", MaxAttrOptions)
	}
	for _, o := range a.Options {
		vs.CheckLen("options", o, false, 200)
	}
	return vs.Err()
}

// Value is a validated attribute value: Display is what the contact
// shows; Text (for textual types) or Num (for the others) is what
// filters compare.
type Value struct {
	Display string
	Text    string
	Num     float64
}

// ParseValue validates s as a value of the attribute and returns it in
// canonical form: trimmed text, an e-mail in lower case, a number without
// needless digits, a date as YYYY-MM-DD, yes/no as "true" or "false". An
// empty s is ok with an empty Display: no value. The error is a plain
// message for a violation of the caller's field.
func (a *Attribute) ParseValue(s string) (Value, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Value{}, nil
	}
	if utf8.RuneCountInString(s) > MaxAttrValueLen {
		return Value{}, Errorf(EINVALID, "%s must be at most %d characters.", a.Name, MaxAttrValueLen)
	}
	switch a.Type {
	case AttrEmail:
		return parseEmailValue(a.Name, s)
	case AttrList:
		for _, o := range a.Options {
			if strings.EqualFold(o, s) {
				return Value{Display: o, Text: Fold(o)}, nil
			}
		}
		return Value{}, Errorf(EINVALID, "%s must be one of: %s.", a.Name, strings.Join(a.Options, ", "))
	case AttrNumber:
		return parseNumberValue(a.Name, s)
	case AttrDate:
		return parseDateValue(a.Name, s)
	case AttrBool:
		return parseBoolValue(a.Name, s)
	}
	return Value{Display: s, Text: Fold(s)}, nil
}

// parseEmailValue accepts one plain address.
func parseEmailValue(name, s string) (Value, error) {
	if ad, err := mail.ParseAddress(s); err != nil || ad.Address != s || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
		return Value{}, Errorf(EINVALID, "%s: %q is not an e-mail address.", name, s)
	}
	s = strings.ToLower(s)
	return Value{Display: s, Text: s}, nil
}

// parseNumberValue accepts a decimal number with a dot or a comma.
func parseNumberValue(name, s string) (Value, error) {
	f, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return Value{}, Errorf(EINVALID, "%s: %q is not a number.", name, s)
	}
	return Value{Display: strconv.FormatFloat(f, 'f', -1, 64), Num: f}, nil
}

// dateLayouts are the date forms people write, tried in order. Day first
// wins over month first, as in most of the world.
func dateLayouts() []string {
	return []string{time.DateOnly, "02.01.2006", "2.1.2006", "02/01/2006", "2/1/2006", "2006/01/02", "02-01-2006",
		time.RFC3339, "2006-01-02 15:04:05", "2006-01-02T15:04:05"}
}

// parseDateValue accepts the forms of dateLayouts and spreadsheet serial
// day numbers (1900 date system).
func parseDateValue(name, s string) (Value, error) {
	for _, l := range dateLayouts() {
		if t, err := time.Parse(l, s); err == nil {
			return DateValue(t), nil
		}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 1 && f < 2958466 {
		return DateValue(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(f))), nil
	}
	return Value{}, Errorf(EINVALID, "%s: %q is not a date; write YYYY-MM-DD or DD.MM.YYYY.", name, s)
}

// DateValue is the value of the calendar day of t: its number is the days
// since 1970-01-01.
func DateValue(t time.Time) Value {
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return Value{Display: d.Format(time.DateOnly), Num: float64(d.Unix() / 86400)}
}

// parseBoolValue accepts yes/no in the words people use.
func parseBoolValue(name, s string) (Value, error) {
	switch Fold(s) {
	case "true", "yes", "y", "1", "si", "sí", "evet", "on", "x", "✓":
		return Value{Display: "true", Num: 1}, nil
	case "false", "no", "n", "0", "hayir", "hayır", "off":
		return Value{Display: "false", Num: 0}, nil
	}
	return Value{}, Errorf(EINVALID, "%s: %q is not yes or no.", name, s)
}

// Fold returns s trimmed and lower-cased for comparison, with Turkish
// dotted and dotless i folded to i, so that "İSTANBUL", "Istanbul" and
// "ıstanbul" compare equal. Text filters compare folded values.
func Fold(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if !strings.ContainsAny(s, "\u0307ı") {
		return s
	}
	return strings.NewReplacer("\u0307", "", "ı", "i").Replace(s)
}

// AttributeStore keeps the account's contact attributes. Methods are
// scoped to accountID; another account's attribute is ENOTFOUND.
type AttributeStore interface {
	// Attributes returns every attribute of the account, oldest first
	// (Name and Surname lead).
	Attributes(ctx context.Context, accountID int64) ([]Attribute, error)
	// Attribute returns one attribute, or ENOTFOUND.
	Attribute(ctx context.Context, accountID, id int64) (*Attribute, error)
	// CreateAttribute validates and inserts a. EINVALID with VTaken on
	// "name" when the name is in use (ignoring case), with VRange on
	// "type" when the account has no room for another of its kind.
	CreateAttribute(ctx context.Context, a *Attribute) error
	// UpdateAttribute renames a and saves ShowInProfile and Options; the
	// type cannot change (EINVALID on "type"). Values not among new
	// Options of a list are kept as they are.
	UpdateAttribute(ctx context.Context, a *Attribute) error
	// DeleteAttribute removes an attribute and every contact's value of
	// it; targets that filter by it lose those filters.
	DeleteAttribute(ctx context.Context, accountID, id int64) error
}
