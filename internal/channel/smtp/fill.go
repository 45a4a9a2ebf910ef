package smtp

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/heraldhq/herald/internal/content"
)

// A personalised campaign differs from one recipient to the next only in
// a few attribute values. The engine hands each e-mail over with its
// step's e-mail rendered once with a slot for each value
// (content.EmailFill); the step is prepared once, like a campaign's
// shared payload, and each e-mail fills its values into the text and the
// HTML part. Filling gives the bytes composing the rendered e-mail gives
// only for plain values in plain places, so anything else is composed
// from the rendered e-mail as before:
//
//   - values are letters, digits, single inner spaces and ".,-_@+"
//     (nothing HTML escapes, the text part's white space folding
//     changes, or an entity could absorb);
//   - slots are in the HTML's text, not inside a tag (where a value could
//     be a link's target), and not right after "&" and the letters of a
//     character reference;
//   - the HTML has no "*|" where a value could complete UnsubscribeTag
//     (HTML with the tag is composed from the rendered e-mail anyway;
//     the text part is looked through for the tag and </body> when
//     filled, unless it has neither "*|" nor "</").

// slotted returns the prepared e-mail of f's step under base, preparing
// it with prepare the first time; nil when f's values cannot be filled in.
func (pc *preparedCache) slotted(f *content.EmailFill, base string, prepare func(*content.Email, string) *prepared) *prepared {
	if f.Slots == nil || !plainValues(f.Values) {
		return nil
	}
	pc.mu.Lock()
	p, ok := pc.slots[f.Slots]
	pc.mu.Unlock()
	if ok && p != nil && p.base == base {
		return p
	}
	if ok && p == nil {
		return nil // the step cannot be filled
	}
	p = prepare(f.Slots, base)
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.slots == nil || len(pc.slots) >= preparedMax {
		pc.slots = map[*content.Email]*prepared{}
	}
	pc.slots[f.Slots] = p
	return p
}

// filled returns the prepared step of f with the fields of the e-mail
// that composing it reads besides (its subject and attachments) when f's
// values can be filled in, else no step and f rendered.
func (c *Connector) filled(f *content.EmailFill) (*prepared, *content.Email, error) {
	p := c.prep.slotted(f, c.hub.BaseURL(), c.prepareSlots)
	if p != nil && (p.html != nil || strings.TrimSpace(p.e.HTML) == "") {
		return p, &content.Email{Subject: fillSlots(f.Slots.Subject, f.Values), Attachments: f.Slots.Attachments}, nil
	}
	e, err := f.Render()
	return nil, e, err
}

// TakesContent implements channel.ContentTaker: the connector reads a
// broadcast's e-mail decoded.
func (c *Connector) TakesContent() bool { return true }

// prepareSlots prepares a step's e-mail with slots; nil when its slots
// are not all in places where a value can be filled in.
func (c *Connector) prepareSlots(e *content.Email, base string) *prepared {
	if !slotsFillable(e.HTML) || strings.Contains(e.HTML, "*|") && !strings.Contains(e.HTML, UnsubscribeTag) {
		return nil
	}
	p := &prepared{base: base, e: *e}
	c.compile(p)
	for i := range p.html {
		s := &p.html[i]
		switch {
		case s.kind == segClick && content.HasSlots(s.text):
			return nil
		case s.kind == segStatic:
			s.slots = content.HasSlots(s.text)
		}
	}
	return p
}

// slotsFillable reports whether every slot of the HTML document doc is in
// its text and not part of a character reference.
func slotsFillable(doc string) bool {
	inTag := false
	for i, r := range doc {
		switch {
		case r == '<':
			inTag = true
		case r == '>':
			inTag = false
		case content.SlotIndex(r) >= 0:
			if inTag {
				return false
			}
			j := i
			for j > 0 && isRefByte(doc[j-1]) {
				j--
			}
			if j > 0 && doc[j-1] == '&' {
				return false
			}
		}
	}
	return true
}

// isRefByte reports whether b may follow "&" in a character reference.
func isRefByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '#'
}

// plainValues reports whether every value can be filled into a slot.
func plainValues(vals []string) bool {
	for _, v := range vals {
		if !plainValue(v) {
			return false
		}
	}
	return true
}

// plainValue reports whether v is not empty, has no leading, trailing or
// repeated space, and only letters, digits, spaces and ".,-_@+".
func plainValue(v string) bool {
	if v == "" || v[0] == ' ' || v[len(v)-1] == ' ' || strings.Contains(v, "  ") {
		return false
	}
	for _, r := range v {
		switch {
		case r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(" .,-_@+", r)):
		case r >= utf8.RuneSelf && r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r)):
		default:
			return false
		}
	}
	return true
}

// fillSlots returns s with each slot replaced by its value.
func fillSlots(s string, vals []string) string { return content.Fill(s, vals, false) }

// appendFilled appends s to buf with each slot replaced by its value.
func appendFilled(buf []byte, s string, vals []string) []byte {
	for {
		i := strings.IndexByte(s, 0xEE) // the first byte of every slot in UTF-8
		if i < 0 {
			return append(buf, s...)
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if n := content.SlotIndex(r); n >= 0 && n < len(vals) {
			buf = append(append(buf, s[:i]...), vals[n]...)
		} else {
			buf = append(buf, s[:i+size]...)
		}
		s = s[i+size:]
	}
}
