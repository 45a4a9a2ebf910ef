// Package phone normalises phone numbers to E.164 with the numbering plan
// of github.com/nyaruka/phonenumbers (libphonenumber's metadata).
//
// Herald's numbers are international: a number without "+" or "00" is read
// as if it had "+" in front, as the reference's contact lists write them
// (34600111222). Parse is on the import path, once per row, so it takes a
// fast path that gives the library's answer for a valid number without
// its general parser and its regular expressions (about 0.2 µs instead of
// 10): plan.go matches the region's patterns in one pass of a DFA.
// Anything the fast path does not vouch for goes through the full parser,
// so Parse answers exactly as the library does (equiv_test.go checks it on
// many thousands of numbers).
package phone

import (
	"errors"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// Reasons Parse gives; they complete the sentence "The phone number ...".
var (
	ErrEmpty   = errors.New("is empty")
	ErrInvalid = errors.New("is not a valid number: write it with the country code, such as +34600111222")
)

// Number is a valid phone number.
type Number struct {
	E164    string // +34600111222
	Country string // ISO 3166-1 alpha-2 region, such as ES; "001" for non-geographic numbers
}

// Parse normalises s (spaces, dots, dashes and brackets allowed, "+" or
// "00" or nothing before the country code) to E.164. It returns ErrEmpty
// or ErrInvalid.
func Parse(s string) (Number, error) {
	digits, ok := clean(s)
	if !ok {
		return Number{}, ErrInvalid
	}
	if digits == "" {
		return Number{}, ErrEmpty
	}
	if n, ok := fast(digits); ok {
		return n, nil
	}
	return slow(digits)
}

// slow asks the library.
func slow(digits string) (Number, error) {
	pn, err := phonenumbers.Parse("+"+digits, "")
	if err != nil || !phonenumbers.IsValidNumber(pn) {
		return Number{}, ErrInvalid
	}
	return Number{E164: phonenumbers.Format(pn, phonenumbers.E164), Country: phonenumbers.GetRegionCodeForNumber(pn)}, nil
}

// clean returns the digits of s after a leading "+" or "00"; ok is false
// when s holds anything but digits and separators.
func clean(s string) (string, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "+")
	if digitsOnly(s) {
		return checkLen(strings.TrimPrefix(s, "00"))
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			b.WriteByte(c)
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/' || c == '\u00a0':
		default:
			return "", false
		}
	}
	return checkLen(strings.TrimPrefix(b.String(), "00"))
}

// checkLen returns d, and whether it is short enough for a number.
func checkLen(d string) (string, bool) {
	if len(d) > 17 {
		return "", false
	}
	return d, true
}

// digitsOnly reports whether s is ASCII digits only.
func digitsOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// fast gives the library's answer for a valid number without its
// general parser (see plan.go), or ok false to ask the library: for a
// number it finds invalid, and for one whose national number starts like
// a national prefix, which the library's parser may strip.
func fast(digits string) (Number, bool) {
	if len(digits) < 3 || digits[0] == '0' {
		return Number{}, false
	}
	ccs := plans()
	for l := 1; l <= 3 && l < len(digits); l++ {
		cc := atoi(digits[:l])
		if !ccs.known[cc] {
			continue
		}
		regions, national := ccs.regions[cc], digits[l:]
		if len(regions) == 0 || len(national) < 2 || len(national) > 17 || national[0] == '0' {
			return Number{}, false
		}
		r, ok := regionOf(regions, national)
		if !ok {
			return Number{}, false
		}
		return Number{E164: "+" + digits, Country: r.id}, true
	}
	return Number{}, false
}

// regionOf is the library's GetRegionCodeForNumber and IsValidNumber for
// a national number of a calling code with regions: the valid number's
// region, or ok false.
func regionOf(regions []*region, national string) (*region, bool) {
	var found *region
	var mask uint32
	for i, r := range regions {
		m := r.matcher()
		if m == nil {
			return nil, false
		}
		rm, ok := m.run(national)
		if !ok {
			return nil, false
		}
		if i == 0 && r.meta.GetNationalPrefixForParsing() != "" && rm&(1<<exNationalPrefix) != 0 {
			return nil, false // the parser would try stripping a national prefix
		}
		if len(regions) == 1 || (r.meta.GetLeadingDigits() != "" && rm&(1<<exLeadingDigits) != 0) ||
			(r.meta.GetLeadingDigits() == "" && r.valid(rm, len(national))) {
			found, mask = r, rm
			break
		}
	}
	if found == nil || !found.valid(mask, len(national)) {
		return nil, false
	}
	return found, true
}

// atoi parses up to three digits.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
