package phone

import (
	"errors"
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// numbers returns digit strings to parse: every example number of the
// library's metadata (each region and type, and the non-geographic
// entities), variants of each with a digit changed, added or removed or
// its tail made random, and random digits after every calling code.
func numbers(variants, random int) []string {
	rnd := rand.New(rand.NewPCG(7, 9))
	var out []string
	randomDigits := func(b []byte, n int) []byte {
		for range n {
			b = append(b, byte('0'+rnd.IntN(10)))
		}
		return b
	}
	add := func(pn *phonenumbers.PhoneNumber) {
		if pn == nil {
			return
		}
		d := strconv.Itoa(int(pn.GetCountryCode())) + phonenumbers.GetNationalSignificantNumber(pn)
		out = append(out, d)
		for range variants {
			b := []byte(d)
			switch rnd.IntN(4) {
			case 0:
				b[rnd.IntN(len(b))] = byte('0' + rnd.IntN(10))
			case 1:
				b = randomDigits(b, 1)
			case 2:
				b = b[:len(b)-1]
			case 3:
				b = randomDigits(b[:len(b)/2+1], len(b)-len(b)/2-1)
			}
			out = append(out, string(b))
		}
	}
	for region := range phonenumbers.GetSupportedRegions() {
		for typ := phonenumbers.FIXED_LINE; typ <= phonenumbers.VOICEMAIL; typ++ {
			add(phonenumbers.GetExampleNumberForType(region, typ))
		}
	}
	for cc := range phonenumbers.GetSupportedGlobalNetworkCallingCodes() {
		add(phonenumbers.GetExampleNumberForNonGeoEntity(cc))
	}
	for cc := range phonenumbers.GetSupportedCallingCodes() {
		for range random {
			out = append(out, string(randomDigits([]byte(strconv.Itoa(cc)), 4+rnd.IntN(12))))
		}
	}
	return out
}

// TestParseMatchesLibrary checks that Parse, fast path and all, answers
// as the library's parser does, and that the fast path answers most valid
// numbers.
func TestParseMatchesLibrary(t *testing.T) {
	var total, valid, fastValid int
	for _, d := range numbers(6, 20) {
		for _, in := range []string{d, "+" + d} {
			total++
			want, wantErr := slow(d)
			got, err := Parse(in)
			if got != want || !errors.Is(err, wantErr) {
				t.Errorf("Parse(%q) = %+v, %v; the library says %+v, %v", in, got, err, want, wantErr)
			}
			if wantErr == nil {
				valid++
				if _, ok := fast(d); ok {
					fastValid++
				}
			}
		}
	}
	t.Logf("%d numbers, %d valid, %d of them by the fast path", total, valid, fastValid)
	if fastValid < valid*8/10 {
		t.Errorf("the fast path answered %d of %d valid numbers, want most", fastValid, valid)
	}
}

// TestParseConcurrent parses from several goroutines while the matchers
// are being built (run with -race).
func TestParseConcurrent(t *testing.T) {
	ns := numbers(2, 3)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := g; i < len(ns); i += 2 {
				want, wantErr := slow(ns[i])
				if got, err := Parse(ns[i]); got != want || !errors.Is(err, wantErr) {
					t.Errorf("Parse(%q) = %+v, %v; want %+v, %v", ns[i], got, err, want, wantErr)
				}
			}
		})
	}
	wg.Wait()
}

// TestMatcherFull checks that a full matcher says it cannot tell.
func TestMatcherFull(t *testing.T) {
	m, err := newMatcher([]string{`^(?:\d{3,5})$`, `^(?:12)`})
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]uint32{"12": 2, "123": 3, "1234": 3, "99999": 1, "123456": 2, "9": 0} {
		if got, ok := m.run(in); !ok || got != want {
			t.Errorf("run(%q) = %b, %v; want %b", in, got, ok, want)
		}
	}
	full, _ := newMatcher([]string{`^(?:\d{3,5})$`})
	for len(full.states) < maxStates {
		full.states = append(full.states, dstate{})
	}
	if _, ok := full.run("123"); ok {
		t.Errorf("run on a full matcher answered")
	}
}
