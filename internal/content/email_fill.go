package content

// A broadcast sends one e-mail to many recipients who differ only in a few
// attribute values. EmailFill carries, beside a recipient's rendered
// e-mail, the step's e-mail rendered once with a slot (a private-use
// character, see Slot) in place of each attribute value, and the
// recipient's values of the slots: a connector can then prepare the
// slotted e-mail once for all recipients and fill in each one's values,
// where that gives the bytes it would make from the rendered e-mail.

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

// EmailFill is an e-mail of a broadcast step rendered for one recipient,
// with what it was rendered from. Its fields are shared and must not be
// changed.
type EmailFill struct {
	Email  *Email   // rendered for the recipient
	Slots  *Email   // the step's e-mail with Slot(i) for the i-th attribute value; the same for every recipient of the step
	Values []string // the recipient's values, by slot: Email is Slots with Slot(i) replaced by Values[i] (HTML-escaped in HTML)
}
