package content

import (
	"html"
	"strings"
	"unicode/utf8"
)

// A broadcast sends one e-mail to many recipients who differ only in a few
// attribute values. EmailFill is a recipient's e-mail as the step's
// e-mail rendered once with a slot (a private-use character, see Slot) in
// place of each attribute value, and the recipient's values of the slots:
// a connector can prepare the slotted e-mail once for all recipients and
// fill in each one's values, where that gives the bytes it would make from
// the rendered e-mail, and Render gives that e-mail otherwise.

// MaxSlots bounds the slots of an EmailFill.
const MaxSlots = 256

// slotBase is the first slot character: U+E000, the start of Unicode's
// private use area.
const slotBase = 0xE000

// Slot returns the text that stands for value i (0 <= i < MaxSlots) in an
// EmailFill's Slots.
func Slot(i int) string { return string(rune(slotBase + i)) }

// SlotIndex returns the value r stands for, or -1 when r is no slot.
func SlotIndex(r rune) int {
	if r >= slotBase && r < slotBase+MaxSlots {
		return int(r - slotBase)
	}
	return -1
}

// HasSlots reports whether s holds a slot character.
func HasSlots(s string) bool {
	for _, r := range s {
		if SlotIndex(r) >= 0 {
			return true
		}
	}
	return false
}

// EmailFill is an e-mail of a broadcast step for one recipient: the step's
// e-mail with slots and the recipient's values. Its fields are shared and
// must not be changed.
type EmailFill struct {
	Slots  *Email   // the step's e-mail with Slot(i) for the i-th attribute value; the same for every recipient of the step
	Values []string // the recipient's values, by slot
}

// Render returns the recipient's e-mail: Slots with each slot replaced by
// its value, HTML-escaped in HTML fields, as rendering the step's e-mail
// with the recipient's attributes makes it when neither the e-mail nor
// its template parameters have slot characters of their own.
func (f *EmailFill) Render() (*Email, error) {
	text := func(s string) (string, error) { return Fill(s, f.Values, false), nil }
	rich := func(s string) (string, error) { return Fill(s, f.Values, true), nil }
	out, err := Personalize(f.Slots, text, rich)
	if err != nil {
		return nil, err
	}
	return out.(*Email), nil
}

// Fill returns s with each slot replaced by its value in vals,
// HTML-escaped when escape is set.
func Fill(s string, vals []string, escape bool) string {
	if !HasSlots(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 64)
	for {
		i := strings.IndexByte(s, 0xEE) // the first byte of every slot in UTF-8
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		b.WriteString(s[:i])
		if n := SlotIndex(r); n >= 0 && n < len(vals) {
			if escape {
				b.WriteString(html.EscapeString(vals[n]))
			} else {
				b.WriteString(vals[n])
			}
		} else {
			b.WriteString(s[i : i+size])
		}
		s = s[i+size:]
	}
}
