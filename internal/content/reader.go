package content

import (
	"bytes"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/heraldhq/herald"
)

// maxDepth bounds the nesting of a payload; the deepest content (a carousel
// card's suggestion) needs five levels.
const maxDepth = 32

// reader decodes a JSON payload by hand. The caller says, object by object,
// which fields it knows; reader records a violation with the field's JSON
// path for every unknown or repeated field and every value of the wrong
// type, skips that value and goes on, so that one pass names every problem.
// A syntax error stops it: see bad.
//
// It accepts exactly what encoding/json accepts, and decodes strings the same
// way (invalid UTF-8 and lone surrogates become U+FFFD), but matches field
// names exactly rather than regardless of case.
type reader struct {
	walker
	data   []byte
	pos    int
	depth  int
	bad    bool   // a syntax error was found: reading has stopped
	errMsg string // the syntax error
	errPos int    // its byte offset
}

// ws skips white space and returns the next byte, or 0 at the end (test
// r.pos to tell the end from a NUL byte, which is never valid there).
func (r *reader) ws() byte {
	for r.pos < len(r.data) {
		switch c := r.data[r.pos]; c {
		case ' ', '\t', '\n', '\r':
			r.pos++
		default:
			return c
		}
	}
	return 0
}

// syntax records a syntax error at the current offset and stops reading.
func (r *reader) syntax(msg string) {
	if !r.bad {
		r.bad, r.errMsg, r.errPos = true, msg, r.pos
	}
	r.pos = len(r.data)
}

// end checks that nothing but white space follows the payload.
func (r *reader) end() {
	if r.ws(); r.pos < len(r.data) && !r.bad {
		r.syntax("unexpected data after the payload")
	}
}

// typeError records that the value at the current path is not what, then
// skips the value.
func (r *reader) typeError(what string) {
	r.add(herald.VFormat, "%s must be %s.", r.label(), what)
	r.skip()
}

// object reads an object, calling field with the path at each member; field
// reads the member's value and returns true, or returns false without
// reading for a field it does not know. object returns whether there was an
// object: false for null (no value) and for a value of another type.
func (r *reader) object(field func(key []byte) bool) bool {
	switch r.ws() {
	case '{':
	case 'n':
		r.literal("null")
		return false
	default:
		r.typeError("an object")
		return false
	}
	if r.depth++; r.depth > maxDepth {
		r.syntax("the payload nests too deeply")
		return false
	}
	r.pos++
	var seenBuf [16][]byte
	seen := seenBuf[:0]
	if r.ws() == '}' {
		r.pos++
		r.depth--
		return true
	}
	for !r.bad {
		if r.ws() != '"' {
			r.syntax("expected a field name")
			break
		}
		key := r.rawString()
		if r.ws() != ':' {
			r.syntax("expected ':' after a field name")
			break
		}
		r.pos++
		mark := r.enter(string(key))
		switch {
		case contains(seen, key):
			r.add(herald.VFormat, "%s appears more than once.", r.label())
			r.skip()
		case !field(key):
			r.add(herald.VUnknown, "%s is not a known field here.", r.label())
			r.skip()
		}
		seen = append(seen, key)
		r.leave(mark)
		switch r.ws() {
		case ',':
			r.pos++
		case '}':
			r.pos++
			r.depth--
			return true
		default:
			r.syntax("expected ',' or '}' after an object member")
		}
	}
	return false
}

// contains reports whether list holds key.
func contains(list [][]byte, key []byte) bool {
	for _, k := range list {
		if bytes.Equal(k, key) {
			return true
		}
	}
	return false
}

// array reads a list, calling item with the path at each element; item
// must read exactly one value. It returns whether there was a list.
func (r *reader) array(item func(i int)) bool {
	switch r.ws() {
	case '[':
	case 'n':
		r.literal("null")
		return false
	default:
		r.typeError("a list")
		return false
	}
	if r.depth++; r.depth > maxDepth {
		r.syntax("the payload nests too deeply")
		return false
	}
	r.pos++
	if r.ws() == ']' {
		r.pos++
		r.depth--
		return true
	}
	for i := 0; !r.bad; i++ {
		mark := r.enterIndex(i)
		item(i)
		r.leave(mark)
		switch r.ws() {
		case ',':
			r.pos++
		case ']':
			r.pos++
			r.depth--
			return true
		default:
			r.syntax("expected ',' or ']' after a list item")
		}
	}
	return false
}

// str reads a string value; null reads as "".
func (r *reader) str() string {
	switch r.ws() {
	case '"':
		b := r.rawString()
		if !utf8.Valid(b) {
			return replaceInvalid(b)
		}
		return string(b)
	case 'n':
		r.literal("null")
		return ""
	}
	r.typeError("a string")
	return ""
}

// into reads a string value into *dst and returns true, for field readers.
func (r *reader) into(dst *string) bool {
	*dst = r.str()
	return true
}

// replaceInvalid returns b with each invalid UTF-8 byte replaced by U+FFFD,
// as encoding/json does.
func replaceInvalid(b []byte) string {
	out := make([]byte, 0, len(b)+8)
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		out = utf8.AppendRune(out, r)
		b = b[n:]
	}
	return string(out)
}

// number reads a number value and returns its text; ok is false for null
// and for another type (recorded as a violation).
func (r *reader) number() (tok []byte, ok bool) {
	switch c := r.ws(); {
	case c == '-' || c >= '0' && c <= '9':
		return r.numberToken(), !r.bad
	case c == 'n':
		r.literal("null")
		return nil, false
	}
	r.typeError("a number")
	return nil, false
}

// integer reads a whole number; ok is false for null and for anything else
// (recorded as a violation).
func (r *reader) integer() (int64, bool) {
	tok, ok := r.number()
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(string(tok), 10, 64)
	if err != nil {
		r.add(herald.VFormat, "%s must be a whole number.", r.label())
		return 0, false
	}
	return n, true
}

// decimal reads a number written in decimal notation (no exponent), as
// coordinates must be; ok is false for null and for anything else.
func (r *reader) decimal() (float64, bool) {
	tok, ok := r.number()
	if !ok {
		return 0, false
	}
	if bytes.ContainsAny(tok, "eE") {
		r.add(herald.VFormat, "%s must be a decimal number such as 40.4168, without an exponent.", r.label())
		return 0, false
	}
	f, err := strconv.ParseFloat(string(tok), 64)
	if err != nil {
		r.add(herald.VFormat, "%s is out of range.", r.label())
		return 0, false
	}
	return f, true
}

// literal reads the keyword want (null, true or false).
func (r *reader) literal(want string) {
	if !bytes.HasPrefix(r.data[r.pos:], []byte(want)) {
		r.syntax("invalid literal")
		return
	}
	r.pos += len(want)
}

// skip reads and discards one value of any type.
func (r *reader) skip() {
	switch c := r.ws(); {
	case c == '{' || c == '[':
		r.skipContainer()
	case c == '"':
		r.rawString()
	case c == 't':
		r.literal("true")
	case c == 'f':
		r.literal("false")
	case c == 'n':
		r.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		r.numberToken()
	case c == 0:
		r.syntax("unexpected end of the payload")
	default:
		r.syntax("unexpected character")
	}
}

// skipContainer skips an object or a list, checking its syntax but not its
// fields.
func (r *reader) skipContainer() {
	obj := r.data[r.pos] == '{'
	closer := byte(']')
	if obj {
		closer = '}'
	}
	if r.depth++; r.depth > maxDepth {
		r.syntax("the payload nests too deeply")
		return
	}
	r.pos++
	if r.ws() == closer {
		r.pos++
		r.depth--
		return
	}
	for !r.bad {
		if obj {
			if r.ws() != '"' {
				r.syntax("expected a field name")
				return
			}
			r.rawString()
			if r.ws() != ':' {
				r.syntax("expected ':' after a field name")
				return
			}
			r.pos++
		}
		r.skip()
		switch r.ws() {
		case ',':
			r.pos++
		case closer:
			r.pos++
			r.depth--
			return
		default:
			r.syntax("expected ',' or a closing bracket")
		}
	}
}

// rawString reads the string token at r.pos and returns its unescaped bytes,
// which alias r.data when the token has no escape.
func (r *reader) rawString() []byte {
	r.pos++
	start := r.pos
	for r.pos < len(r.data) {
		switch c := r.data[r.pos]; {
		case c == '"':
			r.pos++
			return r.data[start : r.pos-1]
		case c == '\\':
			return r.unescape(append(make([]byte, 0, r.pos-start+16), r.data[start:r.pos]...))
		case c < 0x20:
			r.syntax("control character in a string")
			return nil
		}
		r.pos++
	}
	r.syntax("unterminated string")
	return nil
}

// unescape continues reading a string at r.pos, appending to buf.
func (r *reader) unescape(buf []byte) []byte {
	for r.pos < len(r.data) {
		c := r.data[r.pos]
		switch {
		case c == '"':
			r.pos++
			return buf
		case c < 0x20:
			r.syntax("control character in a string")
			return nil
		case c != '\\':
			buf = append(buf, c)
			r.pos++
			continue
		}
		if r.pos+1 >= len(r.data) {
			break
		}
		e := r.data[r.pos+1]
		r.pos += 2
		switch e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			u, ok := r.hex4(r.pos)
			if !ok {
				r.syntax("invalid \\u escape")
				return nil
			}
			r.pos += 4
			if utf16.IsSurrogate(u) {
				u = r.lowSurrogate(u)
			}
			buf = utf8.AppendRune(buf, u)
		default:
			r.syntax("invalid escape in a string")
			return nil
		}
	}
	r.syntax("unterminated string")
	return nil
}

// lowSurrogate completes high surrogate u with a following \uXXXX low
// surrogate, consuming it; otherwise it returns U+FFFD and consumes nothing.
func (r *reader) lowSurrogate(u rune) rune {
	if r.pos+6 <= len(r.data) && r.data[r.pos] == '\\' && r.data[r.pos+1] == 'u' {
		if lo, ok := r.hex4(r.pos + 2); ok {
			if dec := utf16.DecodeRune(u, lo); dec != utf8.RuneError {
				r.pos += 6
				return dec
			}
		}
	}
	return utf8.RuneError
}

// hex4 decodes four hex digits at data[at:].
func (r *reader) hex4(at int) (rune, bool) {
	if at+4 > len(r.data) {
		return 0, false
	}
	var u rune
	for _, c := range r.data[at : at+4] {
		switch {
		case c >= '0' && c <= '9':
			u = u<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			u = u<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			u = u<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return u, true
}

// numberToken reads a JSON number and returns its text.
func (r *reader) numberToken() []byte {
	start := r.pos
	if r.at('-') {
		r.pos++
	}
	switch {
	case r.at('0'):
		r.pos++
	case r.digits() == 0:
		r.syntax("invalid number")
		return nil
	}
	if r.at('.') {
		r.pos++
		if r.digits() == 0 {
			r.syntax("invalid number")
			return nil
		}
	}
	if r.at('e') || r.at('E') {
		r.pos++
		if r.at('+') || r.at('-') {
			r.pos++
		}
		if r.digits() == 0 {
			r.syntax("invalid number")
			return nil
		}
	}
	return r.data[start:r.pos]
}

// at reports whether the byte at r.pos is c.
func (r *reader) at(c byte) bool { return r.pos < len(r.data) && r.data[r.pos] == c }

// digits skips decimal digits and returns how many.
func (r *reader) digits() int {
	n := 0
	for r.pos < len(r.data) && r.data[r.pos] >= '0' && r.data[r.pos] <= '9' {
		r.pos++
		n++
	}
	return n
}
