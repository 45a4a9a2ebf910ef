package edr

import (
	"strconv"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/sheet"
)

// TimeLayout is the EDR time format (the reference's DD.MM.YYYY HH:MM:SS).
const TimeLayout = "02.01.2006 15:04:05"

// Column is one EDR field: its list column (key, label, filter and sort
// abilities, understood by the message store) and how a message gives its
// value.
type Column struct {
	herald.Column
	// Value returns the field of m as text, times in loc.
	Value func(m *herald.Message, loc *time.Location) string
}

// Source walks the records of an export: it calls fn once per message, in
// order, and stops at fn's first error, which it returns. A store's
// EachMessage bound to an account and a query is a Source.
type Source = sheet.Each[herald.Message]

// Columns returns the EDR fields in the order of reference 001 section
// 11.2, followed by the sender ID, the destination and the SMS segments.
func Columns() []Column {
	mc := herald.MessageColumns()
	col := func(key, label string) herald.Column {
		c, _ := herald.FindColumn(mc, key)
		c.Label, c.Hidden = label, false
		return c
	}
	return []Column{
		{col("acceptedAt", "Time"), func(m *herald.Message, l *time.Location) string { return formatTime(&m.AcceptedAt, l) }},
		{col("sentAt", "Time sent"), func(m *herald.Message, l *time.Location) string { return formatTime(m.SentAt, l) }},
		{col("seenAt", "Time seen"), func(m *herald.Message, l *time.Location) string { return formatTime(m.SeenAt, l) }},
		{col("deliveredAt", "Time delivered"), func(m *herald.Message, l *time.Location) string { return formatTime(m.DeliveredAt, l) }},
		{col("id", "Message ID"), func(m *herald.Message, _ *time.Location) string { return m.ID }},
		{col("chainId", "Session ID"), func(m *herald.Message, _ *time.Location) string { return m.ChainID }},
		{col("channel", "Channel"), func(m *herald.Message, _ *time.Location) string { return m.Channel.String() }},
		{col("direction", "Type"), func(m *herald.Message, _ *time.Location) string { return Type(m) }},
		{col("status", "MDN Status"), func(m *herald.Message, _ *time.Location) string { return MDNStatus(m) }},
		{col("error", "Error"), func(m *herald.Message, _ *time.Location) string { return m.Error }},
		{herald.Column{Key: "sent", Label: "Sent", Type: herald.ColBool}, func(m *herald.Message, _ *time.Location) string { return strconv.FormatBool(Sent(m)) }},
		{herald.Column{Key: "delivered", Label: "Delivered", Type: herald.ColBool}, func(m *herald.Message, _ *time.Location) string { return strconv.FormatBool(Delivered(m)) }},
		{col("senderId", "Sender ID"), func(m *herald.Message, _ *time.Location) string { return m.SenderID }},
		{col("destination", "Destination"), func(m *herald.Message, _ *time.Location) string { return m.Destination }},
		{col("segments", "Segments"), func(m *herald.Message, _ *time.Location) string { return segments(m) }},
	}
}

// ListColumns returns the list columns of Columns, for parsing list
// queries and for the portal's table.
func ListColumns() []herald.Column {
	cs := Columns()
	out := make([]herald.Column, len(cs))
	for i, c := range cs {
		out[i] = c.Column
	}
	return out
}

// Fields returns Columns as the fields of an export.
func Fields() []sheet.Field[herald.Message] {
	cs := Columns()
	out := make([]sheet.Field[herald.Message], len(cs))
	for i, c := range cs {
		out[i] = sheet.Field[herald.Message]{Key: c.Key, Label: c.Label, Value: c.Value}
	}
	return out
}

// Type is the EDR type of m: "MT" or "MO".
func Type(m *herald.Message) string {
	if m.Direction == herald.MO {
		return "MO"
	}
	return "MT"
}

// MDNStatus is the delivery report status of m in the SMPP vocabulary the
// reference's EDRs show (DELIVRD, UNDELIV ...); inbound messages have none.
func MDNStatus(m *herald.Message) string {
	switch m.Status {
	case herald.StatusDelivered, herald.StatusSeen:
		return "DELIVRD"
	case herald.StatusUndelivered:
		return "UNDELIV"
	case herald.StatusExpired:
		return "EXPIRED"
	case herald.StatusFailed, herald.StatusRejected:
		return "REJECTD"
	case herald.StatusCanceled:
		return "DELETED"
	case herald.StatusSent, herald.StatusSending, herald.StatusQueued:
		return "ENROUTE"
	case herald.StatusAccepted, herald.StatusScheduled:
		return "ACCEPTD"
	}
	return ""
}

// Sent reports whether m left Herald (an inbound message arrived, so it
// counts as sent).
func Sent(m *herald.Message) bool { return m.SentAt != nil || m.Direction == herald.MO }

// Delivered reports whether m reached its device (an inbound message
// reached the account).
func Delivered(m *herald.Message) bool {
	return m.DeliveredAt != nil || m.Status == herald.StatusDelivered || m.Status == herald.StatusSeen ||
		m.Direction == herald.MO
}

// formatTime formats *t in loc, or "" for nil or zero.
func formatTime(t *time.Time, loc *time.Location) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.In(loc).Format(TimeLayout)
}

// segments is the SMS part count, or "" for other channels.
func segments(m *herald.Message) string {
	if m.Segments == 0 {
		return ""
	}
	return strconv.Itoa(m.Segments)
}
