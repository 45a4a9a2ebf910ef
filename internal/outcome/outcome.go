package outcome

import (
	"strconv"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/sheet"
)

// TimeLayout is the records' time format (the reference's DD.MM.YYYY
// HH:MM:SS).
const TimeLayout = "02.01.2006 15:04:05"

// Column is one field of a record: its key (a column of
// herald.BroadcastRecipientColumns where the list has it), its label and
// how a recipient gives its value.
type Column = sheet.Field[herald.BroadcastRecipient]

// Source walks the records of an export: it calls fn once per recipient,
// in order, and stops at fn's first error, which it returns. A store's
// EachBroadcastRecipient bound to an account, a broadcast and a query is a
// Source.
type Source = sheet.Each[herald.BroadcastRecipient]

// Columns returns the fields of a record in export order.
func Columns() []Column {
	col := func(key, label string, value func(*herald.BroadcastRecipient, *time.Location) string) Column {
		return Column{Key: key, Label: label, Value: value}
	}
	return []Column{
		col("seq", "#", func(x *herald.BroadcastRecipient, _ *time.Location) string { return strconv.FormatInt(x.Seq, 10) }),
		col("phone", "Phone number", func(x *herald.BroadcastRecipient, _ *time.Location) string { return x.Phone }),
		col("email", "Email", func(x *herald.BroadcastRecipient, _ *time.Location) string { return x.Email }),
		col("contactId", "Contact ID", func(x *herald.BroadcastRecipient, _ *time.Location) string { return contactID(x) }),
		col("result", "Chain outcome", func(x *herald.BroadcastRecipient, _ *time.Location) string { return x.Result.Label() }),
		col("step", "Step", func(x *herald.BroadcastRecipient, _ *time.Location) string { return Step(x) }),
		col("channel", "Channel", func(x *herald.BroadcastRecipient, _ *time.Location) string { return Channel(x) }),
		col("status", "Last status", func(x *herald.BroadcastRecipient, _ *time.Location) string { return string(x.Status) }),
		col("updatedAt", "Time", func(x *herald.BroadcastRecipient, l *time.Location) string { return FormatTime(x.UpdatedAt, l) }),
		col("reason", "Reason", func(x *herald.BroadcastRecipient, _ *time.Location) string { return x.Reason }),
		col("messageId", "Message ID", func(x *herald.BroadcastRecipient, _ *time.Location) string { return x.MessageID }),
	}
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
