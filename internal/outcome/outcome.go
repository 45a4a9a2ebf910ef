package outcome

import (
	"context"
	"strconv"
	"time"

	"github.com/heraldhq/herald"
)

// TimeLayout is the records' time format (the reference's DD.MM.YYYY
// HH:MM:SS).
const TimeLayout = "02.01.2006 15:04:05"

// Column is one field of a record: its key (a column of
// herald.BroadcastRecipientColumns where the list has it), its label and
// how a recipient gives its value.
type Column struct {
	Key, Label string
	// Value returns the field of x as text, times in loc.
	Value func(x *herald.BroadcastRecipient, loc *time.Location) string
}

// Source walks the records of an export: it calls fn once per recipient,
// in order, and stops at fn's first error, which it returns. A store's
// EachBroadcastRecipient bound to an account, a broadcast and a query is a
// Source.
type Source func(ctx context.Context, fn func(*herald.BroadcastRecipient) error) error

// Columns returns the fields of a record in export order.
func Columns() []Column {
	return []Column{
		{"seq", "#", func(x *herald.BroadcastRecipient, _ *time.Location) string { return strconv.FormatInt(x.Seq, 10) }},
		{"phone", "Phone number", func(x *herald.BroadcastRecipient, _ *time.Location) string { return x.Phone }},
		{"email", "Email", func(x *herald.BroadcastRecipient, _ *time.Location) string { return x.Email }},
		{"contactId", "Contact ID", func(x *herald.BroadcastRecipient, _ *time.Location) string { return contactID(x) }},
		{"result", "Chain outcome", func(x *herald.BroadcastRecipient, _ *time.Location) string { return x.Result.Label() }},
		{"step", "Step", func(x *herald.BroadcastRecipient, _ *time.Location) string { return Step(x) }},
		{"channel", "Channel", func(x *herald.BroadcastRecipient, _ *time.Location) string { return Channel(x) }},
		{"status", "Last status", func(x *herald.BroadcastRecipient, _ *time.Location) string { return string(x.Status) }},
		{"updatedAt", "Time", func(x *herald.BroadcastRecipient, l *time.Location) string { return FormatTime(x.UpdatedAt, l) }},
		{"reason", "Reason", func(x *herald.BroadcastRecipient, _ *time.Location) string { return x.Reason }},
		{"messageId", "Message ID", func(x *herald.BroadcastRecipient, _ *time.Location) string { return x.MessageID }},
	}
}

// Header returns the labels of Columns, the first row of an export.
func Header() []string {
	cs := Columns()
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Label
	}
	return out
}

// Record returns the fields of x in the order of cols, times in loc. row
// is reused when it has room, so that writers allocate little per row.
func Record(cols []Column, x *herald.BroadcastRecipient, loc *time.Location, row []string) []string {
	row = row[:0]
	for _, c := range cols {
		row = append(row, c.Value(x, loc))
	}
	return row
}

// Step is the chain step x reached, counted from 1, or "" before its
// chain started.
func Step(x *herald.BroadcastRecipient) string {
	if x.ChainID == "" {
		return ""
	}
	return strconv.Itoa(x.Step + 1)
}

// Channel is the channel of x's last message, or "".
func Channel(x *herald.BroadcastRecipient) string {
	if x.Channel == 0 {
		return ""
	}
	return x.Channel.Label()
}

// contactID is x's contact, or "" for a typed number that is no contact's.
func contactID(x *herald.BroadcastRecipient) string {
	if x.ContactID == 0 {
		return ""
	}
	return strconv.FormatInt(x.ContactID, 10)
}

// FormatTime formats *t in loc, or "" for nil.
func FormatTime(t *time.Time, loc *time.Location) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.In(loc).Format(TimeLayout)
}
