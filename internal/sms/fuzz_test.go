package sms

import (
	"bytes"
	"testing"
	"unicode/utf8"
)

// FuzzAnalyze checks that Analyze never panics, that its parts tile the text
// and add up to Units within the segment capacity, and that the text survives
// encoding and decoding. The seed corpus is in testdata/fuzz/FuzzAnalyze.
func FuzzAnalyze(f *testing.F) {
	for _, s := range roundTripTexts() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		info := Analyze(text)
		checkParts(t, text, info)
		if (info.Units == 0) != (info.Segments == 0) || len(info.Parts) != info.Segments {
			t.Fatalf("units %d, segments %d, %d parts", info.Units, info.Segments, len(info.Parts))
		}
		if info.Characters > utf8.RuneCountInString(text) || info.Remaining < 0 || info.Remaining > info.PerSegment {
			t.Fatalf("characters %d, remaining %d of %d", info.Characters, info.Remaining, info.PerSegment)
		}
		payloads, err := Split(text, info.Encoding)
		if err != nil || len(payloads) != info.Segments {
			t.Fatalf("Split: %d payloads, %v; want %d", len(payloads), err, info.Segments)
		}
		if info.Encoding == GSM7 {
			septets, err := EncodeGSM7(text)
			if err != nil || len(septets) != info.Units {
				t.Fatalf("EncodeGSM7: %d septets, %v; want %d", len(septets), err, info.Units)
			}
			if got, err := DecodeGSM7(septets); err != nil || got != text {
				t.Fatalf("GSM round trip = %q, %v", got, err)
			}
			for _, p := range payloads {
				if p[len(p)-1] == esc {
					t.Fatal("a segment ends with an escape")
				}
			}
			return
		}
		if len(info.NonGSM) == 0 {
			t.Fatal("UCS-2 without a character that forced it")
		}
		b := EncodeUCS2(text)
		if len(b) != 2*info.Units {
			t.Fatalf("EncodeUCS2: %d bytes, want %d", len(b), 2*info.Units)
		}
		if got, err := DecodeUCS2(b); err != nil || (utf8.ValidString(text) && got != text) {
			t.Fatalf("UCS-2 round trip = %q, %v", got, err)
		}
		for _, p := range payloads {
			if hi := rune(p[len(p)-2])<<8 | rune(p[len(p)-1]); hi >= 0xD800 && hi < 0xDC00 {
				t.Fatal("a segment ends with a high surrogate")
			}
		}
	})
}

// FuzzPack checks that unpacking inverts packing for any septets after any
// header length.
func FuzzPack(f *testing.F) {
	f.Add([]byte("hellohello"), uint8(6))
	f.Add([]byte{0x7F, 0, 0x1B, 0x65}, uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, udh uint8) {
		septets := make([]byte, len(data))
		for i, b := range data {
			septets[i] = b & 0x7F
		}
		udhLen := int(udh % 140)
		got, err := UnpackGSM7(PackGSM7(septets, udhLen), udhLen, len(septets))
		if err != nil || !bytes.Equal(got, septets) {
			t.Fatalf("round trip after %d-octet UDH = % X, %v; want % X", udhLen, got, err, septets)
		}
	})
}
