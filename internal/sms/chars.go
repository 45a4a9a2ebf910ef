package sms

import "unicode"

// Grapheme classes: the subset of UAX #29 Grapheme_Cluster_Break values that
// charCounter distinguishes.
const (
	clOther = iota
	clCR
	clLF
	clControl
	clExtend // Extend and SpacingMark: never break before them (GB9, GB9a)
	clZWJ
	clRI // regional indicator, half of a flag
	clPict
	clL // Hangul jamo and syllables (GB6-GB8)
	clV
	clT
	clLV
	clLVT
)

// charCounter counts user-perceived characters: extended grapheme clusters
// (UAX #29). It applies the rules that matter in messages (CR LF, controls,
// combining marks, variation selectors, emoji modifiers and ZWJ sequences,
// flags, tag sequences, Hangul jamo), with Extended_Pictographic and
// SpacingMark approximated from general categories and emoji blocks instead of
// the full property tables. It does not implement the Indic conjunct rule
// (GB9c) nor Prepend.
type charCounter struct {
	n     int
	prev  uint8
	emoji bool // the current cluster is ExtPict Extend* so far (GB11)
	riOdd bool // the previous regional indicator has no partner yet
}

// add counts r.
func (c *charCounter) add(r rune) {
	k := graphemeClass(r)
	if c.n == 0 || c.breaks(k) {
		c.n++
		c.emoji = k == clPict
		c.riOdd = k == clRI
	} else {
		switch k {
		case clZWJ:
			c.emoji = c.emoji && c.prev != clZWJ
		case clExtend, clPict:
		default:
			c.emoji = false
		}
		c.riOdd = false
	}
	c.prev = k
}

// breaks reports whether a cluster boundary falls between the previous rune
// and one of class k.
func (c *charCounter) breaks(k uint8) bool {
	p := c.prev
	switch {
	case p == clCR && k == clLF: // GB3
		return false
	case p == clCR || p == clLF || p == clControl: // GB4
		return true
	case k == clCR || k == clLF || k == clControl: // GB5
		return true
	case p == clL && (k == clL || k == clV || k == clLV || k == clLVT): // GB6
		return false
	case (p == clLV || p == clV) && (k == clV || k == clT): // GB7
		return false
	case (p == clLVT || p == clT) && k == clT: // GB8
		return false
	case k == clExtend || k == clZWJ: // GB9, GB9a
		return false
	case k == clPict && p == clZWJ && c.emoji: // GB11
		return false
	case k == clRI && p == clRI && c.riOdd: // GB12, GB13
		return false
	}
	return true
}

// graphemeClass classifies r for charCounter.
func graphemeClass(r rune) uint8 {
	switch {
	case r >= 0x20 && r < 0x7F:
		return clOther
	case r == '\r':
		return clCR
	case r == '\n':
		return clLF
	case r < 0xA0 || r == 0x2028 || r == 0x2029:
		return clControl
	case r < 0x300:
		return classPict(r)
	case r >= 0x370 && r <= 0x482, r >= 0x3041 && r <= 0x3096, r >= 0x30A1 && r <= 0x30FA,
		r >= 0x3400 && r <= 0x4DBF, r >= 0x4E00 && r <= 0x9FFF:
		return clOther // Greek, Cyrillic, kana and CJK letters: no marks, no emoji
	case r == 0x200D:
		return clZWJ
	case r == 0x200C, r >= 0x1F3FB && r <= 0x1F3FF, r >= 0xE0020 && r <= 0xE007F:
		return clExtend // ZWNJ, emoji modifiers, tags
	case r >= 0x1F1E6 && r <= 0x1F1FF:
		return clRI
	case r >= 0x1100 && r <= 0x11FF, r >= 0xA960 && r <= 0xA97F, r >= 0xAC00 && r <= 0xD7FF:
		return classHangul(r)
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Mc):
		return clExtend
	}
	return classPict(r)
}

// classPict returns clPict for characters in the emoji and pictograph blocks
// that carry Extended_Pictographic, clOther otherwise.
func classPict(r rune) uint8 {
	switch {
	case r == 0xA9, r == 0xAE, r == 0x203C, r == 0x2049, r == 0x2122, r == 0x2139,
		r == 0x3030, r == 0x303D, r == 0x3297, r == 0x3299,
		r >= 0x2190 && r <= 0x21FF, r >= 0x2300 && r <= 0x23FF,
		r >= 0x25A0 && r <= 0x27BF, r >= 0x2B00 && r <= 0x2BFF,
		r >= 0x1F000 && r <= 0x1FAFF, r >= 0x1FC00 && r <= 0x1FFFD:
		return clPict
	}
	return clOther
}

// classHangul classifies a character of the Hangul jamo and syllable blocks.
func classHangul(r rune) uint8 {
	switch {
	case r <= 0x115F, r >= 0xA960 && r <= 0xA97F:
		return clL
	case r <= 0x11A7, r >= 0xD7B0 && r <= 0xD7C6:
		return clV
	case r <= 0x11FF, r >= 0xD7CB && r <= 0xD7FB:
		return clT
	case r <= 0xD7A3:
		if (r-0xAC00)%28 == 0 {
			return clLV
		}
		return clLVT
	}
	return clOther
}
