package jsonw_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/jsonw"
)

func TestMatchesMarshal(t *testing.T) {
	for _, s := range []string{"", "plain", `quote " and \ slash`, "<b>&amp;</b>", "tab\tnew\nline", "héllo €", "\u2028\u2029", "\x00\x7f", string([]byte{0xff, 'a'})} {
		want, _ := json.Marshal(s)
		if got := jsonw.String(nil, s); string(got) != string(want) {
			t.Errorf("String(%q) = %s; want %s", s, got, want)
		}
	}
	for _, tm := range []time.Time{time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC), time.Date(2026, 5, 1, 9, 0, 0, 123456000, time.UTC),
		time.Date(2026, 5, 1, 9, 0, 0, 5, time.FixedZone("x", 3600))} {
		want, _ := json.Marshal(tm)
		if got := jsonw.Time(nil, tm); string(got) != string(want) {
			t.Errorf("Time(%v) = %s; want %s", tm, got, want)
		}
	}
	for _, n := range []int64{0, -1, 1 << 60} {
		want, _ := json.Marshal(n)
		if got := jsonw.Int(nil, n); string(got) != string(want) {
			t.Errorf("Int(%d) = %s; want %s", n, got, want)
		}
	}
}
