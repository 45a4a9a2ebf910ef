package sms

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestPackKnownVectors(t *testing.T) {
	tests := []struct {
		text   string
		udhLen int
		want   []byte
	}{
		// The classic example of 3GPP TS 23.038 packing.
		{"hellohello", 0, []byte{0xE8, 0x32, 0x9B, 0xFD, 0x46, 0x97, 0xD9, 0xEC, 0x37}},
		{"a", 0, []byte{0x61}},
		// After a 6-octet concatenation header one fill bit comes first.
		{"a", 6, []byte{0xC2}},
		// After a 7-octet header (16-bit reference) no fill bit is needed.
		{"a", 7, []byte{0x61}},
		{"", 6, []byte{}},
	}
	for _, tt := range tests {
		septets, err := EncodeGSM7(tt.text)
		if err != nil {
			t.Fatal(err)
		}
		if got := PackGSM7(septets, tt.udhLen); !bytes.Equal(got, tt.want) {
			t.Errorf("PackGSM7(%q, %d) = % X, want % X", tt.text, tt.udhLen, got, tt.want)
		}
	}
}

func TestFillBits(t *testing.T) {
	want := map[int]int{0: 0, 1: 6, 2: 5, 3: 4, 4: 3, 5: 2, 6: 1, 7: 0, 8: 6, 12: 2}
	for udh, w := range want {
		if got := FillBits(udh); got != w {
			t.Errorf("FillBits(%d) = %d, want %d", udh, got, w)
		}
	}
}

// roundTripTexts cover every table, escapes at both ends and lengths around
// octet boundaries.
func roundTripTexts() []string {
	basic, ext := gsm0338()
	var all strings.Builder
	for c := byte(0); c < 0x80; c++ {
		if r, ok := basic[c]; ok {
			all.WriteRune(r)
		}
	}
	for _, r := range ext {
		all.WriteRune(r)
	}
	return []string{
		"", "a", "ab", "abcdefg", "abcdefgh", "abcdefghi", "@", "@@@@@@@@", "€", "€abc", "abc€",
		"ΔΦΓΛΩΠΨΣΘΞ", "{[|]}\\~^\f€", all.String(), strings.Repeat("x", 160), strings.Repeat("€", 80),
	}
}

func TestGSM7RoundTrip(t *testing.T) {
	for _, text := range roundTripTexts() {
		septets, err := EncodeGSM7(text)
		if err != nil {
			t.Fatalf("EncodeGSM7(%q): %v", text, err)
		}
		if n, _ := Units(text, GSM7); n != len(septets) {
			t.Errorf("Units(%q) = %d, EncodeGSM7 gives %d septets", text, n, len(septets))
		}
		if got, err := DecodeGSM7(septets); err != nil || got != text {
			t.Errorf("unpacked round trip of %q = %q, %v", text, got, err)
		}
		for udh := 0; udh <= 8; udh++ {
			packed := PackGSM7(septets, udh)
			if want := packedLen(FillBits(udh), len(septets)); len(packed) != want {
				t.Errorf("PackGSM7(%q, %d) has %d octets, want %d", text, udh, len(packed), want)
			}
			if got, err := DecodePackedGSM7(packed, udh, len(septets)); err != nil || got != text {
				t.Errorf("packed round trip of %q after %d-octet UDH = %q, %v", text, udh, got, err)
			}
		}
	}
}

func TestUCS2RoundTrip(t *testing.T) {
	texts := append(roundTripTexts(), "Привет 😀 世界 👨‍👩‍👧 ç", "\U0010FFFF", "\uFFFF\uE000")
	for _, text := range texts {
		b := EncodeUCS2(text)
		if n, _ := Units(text, UCS2); 2*n != len(b) {
			t.Errorf("Units(%q, UCS2) = %d, encoding has %d bytes", text, n, len(b))
		}
		if got, err := DecodeUCS2(b); err != nil || got != text {
			t.Errorf("UCS-2 round trip of %q = %q, %v", text, got, err)
		}
	}
	if got := EncodeUCS2("€😀"); !bytes.Equal(got, []byte{0x20, 0xAC, 0xD8, 0x3D, 0xDE, 0x00}) {
		t.Errorf("EncodeUCS2(€😀) = % X", got)
	}
}

func TestEncodeGSM7Rejects(t *testing.T) {
	_, err := EncodeGSM7("abç")
	var ng *NotGSMError
	if !errors.As(err, &ng) || ng.Rune != 'ç' || ng.Offset != 2 {
		t.Fatalf("EncodeGSM7(abç) error = %v, want NotGSMError for ç at byte 2", err)
	}
	dst := []byte("keep")
	if got, err := AppendGSM7(dst, "x\x1b"); err == nil || string(got) != "keep" {
		t.Errorf("AppendGSM7 with ESC = %q, %v, want dst unchanged and an error", got, err)
	}
}

func TestDecodeGSM7(t *testing.T) {
	tests := []struct {
		in      []byte
		want    string
		wantErr bool
	}{
		{[]byte{0x1B, 0x65}, "€", false},
		{[]byte{0x1B, 0x41}, "A", false},        // undefined extension code reads as basic
		{[]byte{0x1B, 0x1B, 0x41}, " A", false}, // escape to a further table reads as space
		{[]byte{0x41, 0x1B}, "A ", false},       // dangling escape reads as space
		{[]byte{0x00, 0x02, 0x11, 0x7F}, "@$_à", false},
		{[]byte{0x80}, "", true},
		{[]byte{0x1B, 0x80}, "", true},
	}
	for _, tt := range tests {
		got, err := DecodeGSM7(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("DecodeGSM7(% X) = %q, %v, want %q (error %v)", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
	if _, err := UnpackGSM7([]byte{0xE8}, 0, 2); err == nil {
		t.Error("UnpackGSM7 of too few octets succeeded")
	}
}

func TestDecodeUCS2(t *testing.T) {
	tests := []struct {
		in      []byte
		want    string
		wantErr bool
	}{
		{[]byte{0x00, 0x41, 0x04, 0x36}, "Aж", false},
		{[]byte{0xD8, 0x3D}, "\uFFFD", false},              // lone high surrogate
		{[]byte{0xDE, 0x00, 0x00, 0x41}, "\uFFFDA", false}, // lone low surrogate
		{[]byte{0xD8, 0x3D, 0x00, 0x41}, "\uFFFDA", false}, // high surrogate without its low half
		{[]byte{0x00}, "", true},
	}
	for _, tt := range tests {
		got, err := DecodeUCS2(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("DecodeUCS2(% X) = %q, %v, want %q (error %v)", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestSplit(t *testing.T) {
	text := strings.Repeat("a", 152) + "€" + strings.Repeat("b", 10)
	got, err := Split(text, GSM7)
	if err != nil || len(got) != 2 {
		t.Fatalf("Split = %d payloads, %v, want 2", len(got), err)
	}
	if len(got[0]) != 152 || !bytes.Equal(got[1], append([]byte{0x1B, 0x65}, strings.Repeat("b", 10)...)) {
		t.Errorf("Split payloads = %d bytes and % X, want 152 bytes and 1B 65 then ten b", len(got[0]), got[1])
	}
	got, err = Split(strings.Repeat("я", 66)+"😀", UCS2)
	if err != nil || len(got) != 1 || len(got[0]) != 136 {
		t.Fatalf("Split of 68 units = %v, %v, want one payload of 136 bytes", got, err)
	}
	got, err = Split(strings.Repeat("я", 66)+"😀яяяяя", UCS2)
	if err != nil || len(got) != 2 || len(got[0]) != 132 || !bytes.Equal(got[1][:6], []byte{0xD8, 0x3D, 0xDE, 0x00, 0x04, 0x4F}) || len(got[1]) != 14 {
		t.Fatalf("Split moving a surrogate pair = %d payloads, %v", len(got), err)
	}
	// Appending to one payload must not clobber the next.
	got, _ = Split(strings.Repeat("a", 200), GSM7)
	_ = append(got[0], 'X')
	if got[1][0] != 'a' {
		t.Error("payloads share capacity")
	}
	if _, err := Split("ç", GSM7); err == nil {
		t.Error("Split(ç, GSM7) succeeded")
	}
	if got, err := Split("", UCS2); got != nil || err != nil {
		t.Errorf("Split(empty) = %v, %v", got, err)
	}
}
