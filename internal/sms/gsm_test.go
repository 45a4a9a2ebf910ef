package sms

import "testing"

// gsm0338 is the GSM 03.38 default alphabet as the Unicode mapping
// (GSM0338.TXT) lists it, septet to code point; 0x20-0x7F codes not listed
// map to the same ASCII code point. Written independently of gsm.go's tables.
func gsm0338() (basic map[byte]rune, ext map[byte]rune) {
	basic = map[byte]rune{
		0x00: 0x0040, 0x01: 0x00A3, 0x02: 0x0024, 0x03: 0x00A5, 0x04: 0x00E8, 0x05: 0x00E9, 0x06: 0x00F9, 0x07: 0x00EC,
		0x08: 0x00F2, 0x09: 0x00C7, 0x0A: 0x000A, 0x0B: 0x00D8, 0x0C: 0x00F8, 0x0D: 0x000D, 0x0E: 0x00C5, 0x0F: 0x00E5,
		0x10: 0x0394, 0x11: 0x005F, 0x12: 0x03A6, 0x13: 0x0393, 0x14: 0x039B, 0x15: 0x03A9, 0x16: 0x03A0, 0x17: 0x03A8,
		0x18: 0x03A3, 0x19: 0x0398, 0x1A: 0x039E, 0x1C: 0x00C6, 0x1D: 0x00E6, 0x1E: 0x00DF, 0x1F: 0x00C9,
		0x24: 0x00A4, 0x40: 0x00A1, 0x5B: 0x00C4, 0x5C: 0x00D6, 0x5D: 0x00D1, 0x5E: 0x00DC, 0x5F: 0x00A7,
		0x60: 0x00BF, 0x7B: 0x00E4, 0x7C: 0x00F6, 0x7D: 0x00F1, 0x7E: 0x00FC, 0x7F: 0x00E0,
	}
	for c := byte(0x20); c < 0x80; c++ {
		if _, ok := basic[c]; !ok {
			basic[c] = rune(c)
		}
	}
	ext = map[byte]rune{
		0x0A: 0x000C, 0x14: 0x005E, 0x28: 0x007B, 0x29: 0x007D, 0x2F: 0x005C,
		0x3C: 0x005B, 0x3D: 0x007E, 0x3E: 0x005D, 0x40: 0x007C, 0x65: 0x20AC,
	}
	return basic, ext
}

func TestBasicTable(t *testing.T) {
	basic, _ := gsm0338()
	if len(basic) != 127 {
		t.Fatalf("reference table has %d basic characters, want 127", len(basic))
	}
	for code, r := range basic {
		if got := gsmCode(r); got != code {
			t.Errorf("gsmCode(%q) = 0x%02X, want 0x%02X", r, got, code)
		}
		if got := basicRune(code); got != r {
			t.Errorf("basicRune(0x%02X) = %q, want %q", code, got, r)
		}
		info := Analyze(string(r))
		if info.Encoding != GSM7 || info.Units != 1 || info.Extended || info.Characters != 1 {
			t.Errorf("Analyze(%q) = %+v, want GSM-7, 1 unit, not extended", r, info)
		}
	}
}

func TestExtensionTable(t *testing.T) {
	_, ext := gsm0338()
	for code, r := range ext {
		if got := gsmCode(r); got != 0x80|code {
			t.Errorf("gsmCode(%q) = 0x%02X, want 0x%02X", r, got, 0x80|code)
		}
		if got, ok := extRune(code); !ok || got != r {
			t.Errorf("extRune(0x%02X) = %q, %v, want %q", code, got, ok, r)
		}
		info := Analyze(string(r))
		if info.Encoding != GSM7 || info.Units != 2 || !info.Extended || info.Characters != 1 {
			t.Errorf("Analyze(%q) = %+v, want GSM-7, 2 units, extended, 1 character", r, info)
		}
		b, err := EncodeGSM7(string(r))
		if err != nil || len(b) != 2 || b[0] != 0x1B || b[1] != code {
			t.Errorf("EncodeGSM7(%q) = % X, %v, want 1B %02X", r, b, err, code)
		}
	}
}

// TestNothingElseIsGSM checks every code point of the BMP and beyond: only the
// 137 characters of the two tables encode.
func TestNothingElseIsGSM(t *testing.T) {
	basic, ext := gsm0338()
	want := map[rune]bool{}
	for _, r := range basic {
		want[r] = true
	}
	for _, r := range ext {
		want[r] = true
	}
	n := 0
	for r := rune(0); r <= 0x10FFFF; r++ {
		if ok := gsmCode(r) != noGSM; ok != want[r] {
			t.Errorf("gsmCode(U+%04X) encodable = %v, want %v", r, ok, want[r])
		} else if ok {
			n++
		}
	}
	if n != 137 {
		t.Errorf("%d encodable characters, want 137", n)
	}
}
