package content

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
)

// q returns s as a JSON string literal.
func q(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// a returns a text of n characters.
func a(n int) string { return strings.Repeat("a", n) }

// f formats a payload.
func f(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// repeatJSON joins n copies of item with commas, for JSON lists.
func repeatJSON(item string, n int) string {
	return strings.TrimSuffix(strings.Repeat(item+",", n), ",")
}

// decodeCase is one payload and the violations it must produce, as
// "field code" strings; none means the payload is valid.
type decodeCase struct {
	name string
	raw  string
	want []string
}

// runDecode runs cases on channel ch with decoder d.
func runDecode(t *testing.T, d Decoder, ch herald.Channel, cases []decodeCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			c, err := d.Decode(ch, json.RawMessage(tt.raw))
			got := violations(err)
			if !slices.Equal(got, sorted(tt.want)) {
				t.Fatalf("violations:\n got %q\nwant %q\n(%v)", got, sorted(tt.want), err)
			}
			if err != nil {
				if herald.ErrorCode(err) != herald.EINVALID || c != nil {
					t.Fatalf("error %v with content %v, want EINVALID and nil", err, c)
				}
				return
			}
			if c.Channel() != ch {
				t.Fatalf("Channel() = %v, want %v", c.Channel(), ch)
			}
			roundTrip(t, d, c)
		})
	}
}

// violations returns err's violations as sorted "field code" strings.
func violations(err error) []string {
	var out []string
	for _, v := range herald.ErrorViolations(err) {
		out = append(out, v.Field+" "+v.Code)
	}
	return sorted(out)
}

// sorted returns a sorted copy.
func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	if out == nil {
		out = []string{}
	}
	return out
}

// roundTrip checks that c marshals to a payload that decodes to the same
// content.
func roundTrip(t *testing.T, d Decoder, c Content) {
	t.Helper()
	raw, err := json.Marshal(c)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	again, err := d.Decode(c.Channel(), raw)
	if err != nil {
		t.Fatalf("decoding the marshalled content %s: %v", raw, err)
	}
	back, _ := json.Marshal(again)
	if string(back) != string(raw) {
		t.Fatalf("round trip changed the content:\n%s\n%s", raw, back)
	}
}

// message returns the message of the violation of field in err.
func message(err error, field string) string {
	for _, v := range herald.ErrorViolations(err) {
		if v.Field == field {
			return v.Message
		}
	}
	return ""
}
