package content

import (
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/heraldhq/herald"
)

// checker validates decoded content against the channels' rules, at the
// walker's path.
type checker struct {
	walker
	maxSMSSegments int
}

// templated reports whether s holds a placeholder, whose value is known only
// when the message is personalized: format rules wait until then (Check).
func templated(s string) bool { return strings.Contains(s, "{{") }

// text checks a text field: required (not blank) and at most max characters.
// max 0 means no limit.
func (k *checker) text(key, value string, required bool, max int, label string) {
	if required && strings.TrimSpace(value) == "" {
		k.addAt(key, herald.VRequired, "%s is required.", label)
		return
	}
	if max > 0 {
		if n := utf8.RuneCountInString(value); n > max {
			k.addAt(key, herald.VTooLong, "%s must be at most %d characters (it has %d).", label, max, n)
		}
	}
}

// items checks the number of items of a list.
func (k *checker) items(key string, n, min, max int, label string) {
	switch {
	case n < min && min == 1:
		k.addAt(key, herald.VRequired, "%s needs at least one item.", label)
	case n < min:
		k.addAt(key, herald.VTooShort, "%s needs at least %d items (it has %d).", label, min, n)
	case max > 0 && n > max:
		k.addAt(key, herald.VTooLong, "%s can have at most %d items (it has %d).", label, max, n)
	}
}

// webURL checks an http or https URL of at most maxURL characters.
func (k *checker) webURL(key, value string, required bool, label string) {
	before := len(k.vs)
	k.text(key, value, required, maxURL, label)
	if value == "" || len(k.vs) > before {
		return
	}
	if templated(value) {
		// The host may come from a placeholder; the scheme must not.
		if !strings.HasPrefix(value, "{{") && !hasWebScheme(value) {
			k.addAt(key, herald.VFormat, "%s must start with http:// or https://.", label)
		}
		return
	}
	u, err := url.Parse(value)
	if err != nil || !hasWebScheme(value) || u.Host == "" {
		k.addAt(key, herald.VFormat, "%s must be a web address starting with http:// or https://.", label)
	}
}

// hasWebScheme reports whether s starts with http:// or https://, in any case.
func hasWebScheme(s string) bool {
	return len(s) >= 7 && strings.EqualFold(s[:7], "http://") || len(s) >= 8 && strings.EqualFold(s[:8], "https://")
}

// appURL checks a fallback address: any URL or app link without white
// space, such as https://..., skype:... or anotherapp.com.
func (k *checker) appURL(key, value string, label string) {
	k.text(key, value, false, maxURL, label)
	if value != "" && strings.ContainsFunc(value, isSpace) {
		k.addAt(key, herald.VFormat, "%s must be an address without spaces.", label)
	}
}

// isSpace reports white space, which no address contains.
func isSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == 0xA0 }

// phone checks a number to dial: an optional "+" then 3 to 20 digits, the
// portal's rule for phone numbers typed by users.
func (k *checker) phone(key, value string, label string) {
	k.text(key, value, true, 0, label)
	if value == "" || templated(value) {
		return
	}
	digits := strings.TrimPrefix(value, "+")
	ok := len(digits) >= 3 && len(digits) <= 20
	for i := 0; i < len(digits) && ok; i++ {
		ok = digits[i] >= '0' && digits[i] <= '9'
	}
	if !ok {
		k.addAt(key, herald.VFormat, "%s must be an optional + followed by 3 to 20 digits.", label)
	}
}

// timestamp checks an RFC 3339 time and returns it (zero when absent,
// templated or bad).
func (k *checker) timestamp(key, value string, required bool, label string) time.Time {
	k.text(key, value, required, 0, label)
	if value == "" || templated(value) {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, value)
	if err != nil {
		k.addAt(key, herald.VFormat, "%s must be a date and time such as 2026-12-08T10:00:00Z.", label)
	}
	return t
}

// oneOf checks that value is one of allowed (or empty when not required).
func (k *checker) oneOf(key, value string, required bool, label string, allowed ...string) {
	if value == "" {
		if required {
			k.addAt(key, herald.VRequired, "%s is required.", label)
		}
		return
	}
	for _, a := range allowed {
		if value == a {
			return
		}
	}
	k.addAt(key, herald.VFormat, "%s must be one of %s.", label, strings.Join(allowed, ", "))
}

// coordinates checks a latitude and longitude pair: both or neither, in range.
func (k *checker) coordinates(lat, lng *float64, required bool) {
	switch {
	case lat == nil && lng == nil:
		if required {
			k.addAt("latitude", herald.VRequired, "Latitude is required.")
			k.addAt("longitude", herald.VRequired, "Longitude is required.")
		}
		return
	case lat == nil:
		k.addAt("latitude", herald.VRequired, "Latitude is required with a longitude.")
	case lng == nil:
		k.addAt("longitude", herald.VRequired, "Longitude is required with a latitude.")
	}
	if lat != nil && (*lat < -90 || *lat > 90) {
		k.addAt("latitude", herald.VRange, "Latitude must be between -90 and 90 (it is %g).", *lat)
	}
	if lng != nil && (*lng < -180 || *lng > 180) {
		k.addAt("longitude", herald.VRange, "Longitude must be between -180 and 180 (it is %g).", *lng)
	}
}

// notAllowed reports a field set where the content's form does not use it.
func (k *checker) notAllowed(key string, set bool, why string) {
	if set {
		k.addAt(key, herald.VUnknown, "%s", why)
	}
}

// pathOf returns the path of field key below the current path.
func (k *checker) pathOf(key string) string {
	n := k.enter(key)
	p := string(k.path)
	k.leave(n)
	return p
}
