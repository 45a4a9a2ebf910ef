package sms

import (
	"slices"
	"strings"
	"testing"
)

// units lists the units of each part, to compare segmentations compactly.
func units(parts []Part) []int {
	out := make([]int, len(parts))
	for i, p := range parts {
		out[i] = p.Units
	}
	return out
}

func TestAnalyze(t *testing.T) {
	a := strings.Repeat
	tests := []struct {
		name       string
		text       string
		enc        Encoding
		extended   bool
		chars      int
		units      int
		perSegment int
		remaining  int
		parts      []int
		nonGSM     []rune
		label      string
	}{
		{"empty", "", GSM7, false, 0, 0, 160, 160, []int{}, nil, "7-bit (160) 0 characters / 0 SMS"},
		{"only euro", "€", GSM7, true, 1, 2, 160, 158, []int{2}, nil, "7-bit extended (160) 2 characters / 1 SMS"},
		{"one char", "a", GSM7, false, 1, 1, 160, 159, []int{1}, nil, "7-bit (160) 1 character / 1 SMS"},
		{"gsm 160", a("a", 160), GSM7, false, 160, 160, 160, 0, []int{160}, nil, "7-bit (160) 160 characters / 1 SMS"},
		{"gsm 161", a("a", 161), GSM7, false, 161, 161, 153, 145, []int{153, 8}, nil, "7-bit (153) 161 characters / 2 SMS"},
		{"gsm 306", a("a", 306), GSM7, false, 306, 306, 153, 0, []int{153, 153}, nil, "7-bit (153) 306 characters / 2 SMS"},
		{"gsm 307", a("a", 307), GSM7, false, 307, 307, 153, 152, []int{153, 153, 1}, nil, "7-bit (153) 307 characters / 3 SMS"},
		{"extended 160 septets", a("a", 158) + "€", GSM7, true, 159, 160, 160, 0, []int{160}, nil, "7-bit extended (160) 160 characters / 1 SMS"},
		{"extended 161 septets", a("a", 159) + "€", GSM7, true, 160, 161, 153, 145, []int{153, 8}, nil, "7-bit extended (153) 161 characters / 2 SMS"},
		// The escape would be septet 153 and its code septet 154: the pair moves whole.
		{"extended at 153", a("a", 152) + "€" + a("b", 10), GSM7, true, 163, 164, 153, 141, []int{152, 12}, nil, "7-bit extended (153) 164 characters / 2 SMS"},
		{"extended ends at 153", a("a", 151) + "€" + a("b", 10), GSM7, true, 162, 163, 153, 143, []int{153, 10}, nil, "7-bit extended (153) 163 characters / 2 SMS"},
		{"extended at 306", a("a", 305) + "]", GSM7, true, 306, 307, 153, 151, []int{153, 152, 2}, nil, "7-bit extended (153) 307 characters / 3 SMS"},
		{"greek capitals", "ΔΦΓΛΩΠΨΣΘΞ", GSM7, false, 10, 10, 160, 150, []int{10}, nil, "7-bit (160) 10 characters / 1 SMS"},
		{"ucs2 70", a("я", 70), UCS2, false, 70, 70, 70, 0, []int{70}, []rune{'я'}, "Unicode (70) 70 characters / 1 SMS"},
		{"ucs2 71", a("я", 71), UCS2, false, 71, 71, 67, 63, []int{67, 4}, []rune{'я'}, "Unicode (67) 71 characters / 2 SMS"},
		{"ucs2 134", a("я", 134), UCS2, false, 134, 134, 67, 0, []int{67, 67}, []rune{'я'}, "Unicode (67) 134 characters / 2 SMS"},
		{"ucs2 135", a("я", 135), UCS2, false, 135, 135, 67, 66, []int{67, 67, 1}, []rune{'я'}, "Unicode (67) 135 characters / 3 SMS"},
		// The surrogate pair would be units 67 and 68: it moves whole.
		{"emoji at 67", a("я", 66) + "😀" + a("я", 5), UCS2, false, 72, 73, 67, 60, []int{66, 7}, []rune{'я', '😀'}, "Unicode (67) 73 characters / 2 SMS"},
		{"emoji ends at 67", a("я", 65) + "😀" + a("я", 5), UCS2, false, 71, 72, 67, 62, []int{67, 5}, []rune{'я', '😀'}, "Unicode (67) 72 characters / 2 SMS"},
		{"emoji fits 70", a("a", 68) + "😀", UCS2, false, 69, 70, 70, 0, []int{70}, []rune{'😀'}, "Unicode (70) 70 characters / 1 SMS"},
		{"gsm text made ucs2 by one char", "Hello ç wörld ç 😀 ñ €", UCS2, false, 21, 22, 70, 48, []int{22}, []rune{'ç', '😀'}, "Unicode (70) 22 characters / 1 SMS"},
		{"cyrillic distinct in order", "Привет, мир", UCS2, false, 11, 11, 70, 59, []int{11}, []rune("Приветм"), "Unicode (70) 11 characters / 1 SMS"},
		{"small c cedilla is not gsm", "ç", UCS2, false, 1, 1, 70, 69, []int{1}, []rune{'ç'}, "Unicode (70) 1 character / 1 SMS"},
		{"invalid utf8 forces ucs2", "a\xffb", UCS2, false, 3, 3, 70, 67, []int{3}, []rune{'\uFFFD'}, "Unicode (70) 3 characters / 1 SMS"},
		// The reference portal's sample, with the trailing space its text extraction dropped.
		{"portal sample", "Hi {{attribute.name}}. Buy a cake and get one free today. Hurry up before we run out of free food! ", GSM7, true, 99, 103, 160, 57, []int{103}, nil, "7-bit extended (160) 103 characters / 1 SMS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Analyze(tt.text)
			if got.Encoding != tt.enc || got.Extended != tt.extended || got.Characters != tt.chars || got.Units != tt.units {
				t.Errorf("got %s extended=%v characters=%d units=%d, want %s %v %d %d",
					got.Encoding, got.Extended, got.Characters, got.Units, tt.enc, tt.extended, tt.chars, tt.units)
			}
			if got.Segments != len(tt.parts) || got.PerSegment != tt.perSegment || got.Remaining != tt.remaining {
				t.Errorf("got segments=%d per=%d remaining=%d, want %d %d %d",
					got.Segments, got.PerSegment, got.Remaining, len(tt.parts), tt.perSegment, tt.remaining)
			}
			if u := units(got.Parts); !slices.Equal(u, tt.parts) {
				t.Errorf("parts units = %v, want %v", u, tt.parts)
			}
			if !slices.Equal(got.NonGSM, tt.nonGSM) {
				t.Errorf("NonGSM = %q, want %q", got.NonGSM, tt.nonGSM)
			}
			if l := got.Label(); l != tt.label {
				t.Errorf("Label() = %q, want %q", l, tt.label)
			}
			checkParts(t, tt.text, got)
		})
	}
}

// checkParts verifies that the parts tile the text and agree with Units.
func checkParts(t *testing.T, text string, info Info) {
	t.Helper()
	end, sum := 0, 0
	for i, p := range info.Parts {
		if p.Start != end || p.End <= p.Start || p.Units > info.PerSegment {
			t.Fatalf("part %d = %+v after byte %d, capacity %d", i, p, end, info.PerSegment)
		}
		n, err := Units(text[p.Start:p.End], info.Encoding)
		if err != nil || n != p.Units {
			t.Fatalf("part %d: Units = %d, %v, want %d", i, n, err, p.Units)
		}
		end, sum = p.End, sum+p.Units
	}
	if end != len(text) || sum != info.Units {
		t.Fatalf("parts end at byte %d with %d units, want %d bytes and %d units", end, sum, len(text), info.Units)
	}
}

func TestEncodingLabel(t *testing.T) {
	tests := map[string]string{
		"hello":                  "7-bit (160)",
		"[hello]":                "7-bit extended (160)",
		"héllo ☺":                "Unicode (70)",
		strings.Repeat("a", 200): "7-bit (153)",
		strings.Repeat("~", 81):  "7-bit extended (153)",
		strings.Repeat("ж", 71):  "Unicode (67)",
	}
	for text, want := range tests {
		if got := Analyze(text).EncodingLabel(); got != want {
			t.Errorf("EncodingLabel(%.10q) = %q, want %q", text, got, want)
		}
	}
}

func TestCharacters(t *testing.T) {
	tests := []struct {
		text string
		want int
	}{
		{"", 0},
		{"abc", 3},
		{"\r\n", 1},
		{"\n\r", 2},
		{"e\u0301", 1},            // combining acute accent
		{"\u0301", 1},             // a lone mark is a character
		{"\n\u0301", 2},           // no mark joins a control
		{"👍🏽", 1},                 // skin tone modifier
		{"👨‍👩‍👧", 1},              // ZWJ family
		{"❤️", 1},                 // variation selector
		{"🇪🇸", 1},                 // flag: two regional indicators
		{"🇪🇸🇫🇷", 2},               // two flags
		{"🇪🇸🇫", 2},                // a flag and a lone indicator
		{"🏴󠁧󠁢󠁳󠁣󠁴󠁿", 1},            // tag sequence (Scotland)
		{"a\u200db", 2},           // ZWJ joins only pictographs
		{"각", 1},                  // precomposed Hangul syllable
		{"\u1100\u1161\u11A8", 1}, // the same, decomposed jamo
		{"नमस्ते", 4},             // Devanagari with virama and vowel signs (legacy clusters)
		{"€€", 2},
	}
	for _, tt := range tests {
		if got := Analyze(tt.text).Characters; got != tt.want {
			t.Errorf("Characters(%q) = %d, want %d", tt.text, got, tt.want)
		}
	}
}

func TestPartsAndUnits(t *testing.T) {
	if _, err := Parts("ç", GSM7); err == nil {
		t.Error("Parts(ç, GSM7) succeeded, want NotGSMError")
	}
	if _, err := Units("a", "UTF-8"); err == nil {
		t.Error("Units with an unknown encoding succeeded")
	}
	// A GSM text forced to UCS-2 is cut by UCS-2 rules.
	p, err := Parts(strings.Repeat("a", 71), UCS2)
	if err != nil || !slices.Equal(units(p), []int{67, 4}) {
		t.Errorf("Parts(71 a, UCS2) = %v, %v, want [67 4]", units(p), err)
	}
	if p, err := Parts("", GSM7); err != nil || p != nil {
		t.Errorf("Parts(empty) = %v, %v, want nil, nil", p, err)
	}
}

func TestManyDistinctNonGSM(t *testing.T) {
	var b strings.Builder
	for r := rune(0x4E00); r < 0x4E00+200; r++ {
		b.WriteRune(r)
		b.WriteRune(0x4E00)
	}
	info := Analyze(b.String())
	if len(info.NonGSM) != 200 || info.NonGSM[0] != 0x4E00 || info.NonGSM[199] != 0x4E00+199 {
		t.Errorf("NonGSM has %d entries from %q to %q, want 200 in order", len(info.NonGSM), info.NonGSM[0], info.NonGSM[len(info.NonGSM)-1])
	}
}
