package phone

import (
	"errors"
	"testing"
)

func TestParse(t *testing.T) {
	cases := []struct {
		in, e164, country string
		err               error
	}{
		{"+34 600 111 222", "+34600111222", "ES", nil},
		{"34600111222", "+34600111222", "ES", nil},
		{"0034-600-111-222", "+34600111222", "ES", nil},
		{"+90 (532) 123 45 67", "+905321234567", "TR", nil},
		{"905321234567", "+905321234567", "TR", nil},
		{"+1 650 253 0000", "+16502530000", "US", nil},
		{"+39 02 1234 5678", "+390212345678", "IT", nil}, // Italian leading zero: the slow path
		{"+44 20 7946 0958", "+442079460958", "GB", nil},
		{"", "", "", ErrEmpty},
		{"  ", "", "", ErrEmpty},
		{"1234", "", "", ErrInvalid},
		{"+34 600 abc", "", "", ErrInvalid},
		{"+999 123456789", "", "", ErrInvalid},
		{"+3460011122233344455", "", "", ErrInvalid},
	}
	for _, c := range cases {
		n, err := Parse(c.in)
		if !errors.Is(err, c.err) || n.E164 != c.e164 || n.Country != c.country {
			t.Errorf("Parse(%q) = %+v, %v; want %s %s %v", c.in, n, err, c.e164, c.country, c.err)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	for b.Loop() {
		if _, err := Parse("+34600111222"); err != nil {
			b.Fatal(err)
		}
	}
}
