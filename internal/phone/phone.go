// Package phone normalises phone numbers to E.164 with the numbering plan
// of github.com/nyaruka/phonenumbers (libphonenumber's metadata).
//
// Herald's numbers are international: a number without "+" or "00" is read
// as if it had "+" in front, as the reference's contact lists write them
// (34600111222). Parse is on the import path, once per row, so it takes a
// fast path for digits-only input that skips the library's general parser
// (about 8 µs) and validates the number directly (about 2 µs); anything
// else, or anything the fast path rejects, goes through the full parser.
package phone

import (
	"errors"
	"strconv"
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
	d := strings.TrimPrefix(b.String(), "00")
	if len(d) > 17 {
		return "", false
	}
	return d, true
}

// fast builds the number from its country calling code (1 to 3 digits;
// codes are prefix-free) and validates it, without the general parser.
func fast(digits string) (Number, bool) {
	for l := 1; l <= 3 && l < len(digits); l++ {
		cc, _ := strconv.Atoi(digits[:l])
		if phonenumbers.GetRegionCodeForCountryCode(cc) == phonenumbers.UNKNOWN_REGION {
			continue
		}
		national := digits[l:]
		if national[0] == '0' {
			return Number{}, false // Italian leading zeros and the like: the parser knows
		}
		nn, err := strconv.ParseUint(national, 10, 64)
		if err != nil {
			return Number{}, false
		}
		c32 := int32(cc)
		pn := &phonenumbers.PhoneNumber{CountryCode: &c32, NationalNumber: &nn}
		if !phonenumbers.IsValidNumber(pn) {
			return Number{}, false
		}
		return Number{E164: "+" + digits, Country: phonenumbers.GetRegionCodeForNumber(pn)}, true
	}
	return Number{}, false
}
