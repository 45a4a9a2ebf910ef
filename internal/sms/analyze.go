package sms

import (
	"strconv"
	"unicode/utf8"
)

// Encoding is the data coding of an SMS.
type Encoding string

// Encodings.
const (
	GSM7 Encoding = "GSM-7" // GSM 03.38 7-bit default alphabet with its extension table
	UCS2 Encoding = "UCS-2" // UTF-16 code units, big-endian on the wire
)

// Segment sizes, in septets (GSM-7) or UTF-16 code units (UCS-2).
const (
	SingleGSM7 = 160 // one message
	MultiGSM7  = 153 // each segment of a concatenated message (after a 6-octet UDH)
	SingleUCS2 = 70
	MultiUCS2  = 67
)

// Part is one segment of a text: the bytes text[Start:End] and their size in
// the encoding's units.
type Part struct {
	Start int // byte offset of the segment's first character
	End   int // byte offset just past its last character
	Units int // septets or UTF-16 code units
}

// Info describes how a text travels as SMS.
type Info struct {
	Encoding Encoding
	// Extended reports whether a GSM-7 text uses the extension table.
	Extended bool
	// Characters counts user-perceived characters (grapheme clusters): "€"
	// and "👍🏽" are one each.
	Characters int
	// Units counts septets for GSM-7 (an extension character is two) or
	// UTF-16 code units for UCS-2 (a character outside the BMP is two). This
	// is what segments and billing depend on, and the count the portal shows.
	Units int
	// Segments is the number of SMS the text takes; 0 for an empty text.
	Segments int
	// PerSegment is the capacity of a segment: 160 or 153 (GSM-7), 70 or 67
	// (UCS-2), depending on whether the text is concatenated.
	PerSegment int
	// Remaining is the number of units still free in the last segment, as
	// the portal counts them (an extension character needs two).
	Remaining int
	// NonGSM lists, for UCS-2, the characters that are not in GSM 03.38 and
	// so forced UCS-2: distinct, in order of first appearance.
	NonGSM []rune
	// Parts are the segments' boundaries in the text, one per segment.
	Parts []Part
}

// EncodingLabel returns the encoding as the portal shows it with the segment
// capacity: "7-bit (160)", "7-bit extended (153)", "Unicode (70)" and so on.
func (i Info) EncodingLabel() string {
	name := "7-bit"
	switch {
	case i.Encoding == UCS2:
		name = "Unicode"
	case i.Extended:
		name = "7-bit extended"
	}
	return name + " (" + strconv.Itoa(i.PerSegment) + ")"
}

// Label returns the portal's counter line, such as
// "7-bit extended (160) 103 characters / 1 SMS". The figure is Units: the
// reference portal counts an extension character twice (its sample shows 103
// for a 99-character text with four braces).
func (i Info) Label() string {
	b := make([]byte, 0, 48)
	b = append(b, i.EncodingLabel()...)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(i.Units), 10)
	if i.Units == 1 {
		b = append(b, " character / "...)
	} else {
		b = append(b, " characters / "...)
	}
	b = strconv.AppendInt(b, int64(i.Segments), 10)
	b = append(b, " SMS"...)
	return string(b)
}

// segmenter follows a text character by character and counts the segments it
// would take at a given capacity, moving a character whole to the next
// segment when it does not fit.
type segmenter struct {
	capacity int
	segments int
	used     int // units in the current segment
}

// add places a character of w units.
func (s *segmenter) add(w int) {
	if s.segments == 0 || s.used+w > s.capacity {
		s.segments++
		s.used = 0
	}
	s.used += w
}

// Analyze returns how text travels as SMS. It reads text once more only when
// the text is concatenated, to record the segment boundaries. Invalid UTF-8
// counts as U+FFFD, which forces UCS-2.
func Analyze(text string) Info {
	t := tally{gsm: true, g: segmenter{capacity: MultiGSM7}, u: segmenter{capacity: MultiUCS2}}
	for i := 0; i < len(text); {
		if c := text[i]; c < utf8.RuneSelf && t.gsm {
			t.addASCII(c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(text[i:])
		t.add(r)
		i += n
	}
	return t.info(text)
}

// tally counts a text for both encodings at once, since which one the text
// needs is known only at its end.
type tally struct {
	chars    charCounter
	septets  int  // GSM-7 size so far
	units    int  // UCS-2 size so far
	gsm      bool // every character so far is in GSM 03.38
	extended bool
	nonGSM   runeSet
	g, u     segmenter // GSM-7 and UCS-2 concatenated segments
}

// addASCII counts ASCII character c of a text that is GSM so far. Its
// common case, a printable basic-table character after another character of
// class clOther (which always starts a new character), is kept small enough
// to inline.
func (t *tally) addASCII(c byte) {
	if code := asciiGSM[c]; code < 0x80 && c >= 0x20 && t.chars.prev == clOther && t.chars.n > 0 {
		t.chars.n++
		t.units++
		t.septets++
		t.u.add(1)
		t.g.add(1)
		return
	}
	t.add(rune(c))
}

// add counts any character.
func (t *tally) add(r rune) {
	t.chars.add(r)
	w := 1
	if r > 0xFFFF {
		w = 2
	}
	t.units += w
	t.u.add(w)
	t.addGSM(r, gsmCode(r))
}

// addGSM counts r, whose septet is code, for GSM-7.
func (t *tally) addGSM(r rune, code byte) {
	switch {
	case code == noGSM:
		t.gsm = false
		t.nonGSM.add(r)
	case !t.gsm:
	case code&0x80 != 0:
		t.extended = true
		t.septets += 2
		t.g.add(2)
	default:
		t.septets++
		t.g.add(1)
	}
}

// info returns the Info of text, which t has counted.
func (t *tally) info(text string) Info {
	info := Info{Encoding: GSM7, Extended: t.extended, Characters: t.chars.n, Units: t.septets}
	single, seg := SingleGSM7, t.g
	if !t.gsm {
		info = Info{Encoding: UCS2, Characters: t.chars.n, Units: t.units, NonGSM: t.nonGSM.list}
		single, seg = SingleUCS2, t.u
	}
	switch {
	case info.Units == 0:
		info.PerSegment, info.Remaining = single, single
	case info.Units <= single:
		info.Segments, info.PerSegment, info.Remaining = 1, single, single-info.Units
		info.Parts = []Part{{Start: 0, End: len(text), Units: info.Units}}
	default:
		info.Segments, info.PerSegment, info.Remaining = seg.segments, seg.capacity, seg.capacity-seg.used
		info.Parts = appendParts(make([]Part, 0, seg.segments), text, info.Encoding, seg.capacity)
	}
	return info
}

// runeSet collects distinct runes in order of first appearance. Short lists
// are searched linearly; past setIndexAt entries (a whole text in another
// script) a map indexes them so the scan stays linear in the text.
type runeSet struct {
	list []rune
	seen map[rune]struct{}
}

// setIndexAt is the list length at which runeSet starts a map.
const setIndexAt = 32

// add records r unless it is there already.
func (s *runeSet) add(r rune) {
	if s.seen != nil {
		if _, ok := s.seen[r]; !ok {
			s.seen[r] = struct{}{}
			s.list = append(s.list, r)
		}
		return
	}
	for _, x := range s.list {
		if x == r {
			return
		}
	}
	if s.list == nil {
		s.list = make([]rune, 0, 8)
	}
	s.list = append(s.list, r)
	if len(s.list) == setIndexAt {
		s.seen = make(map[rune]struct{}, 4*setIndexAt)
		for _, x := range s.list {
			s.seen[x] = struct{}{}
		}
	}
}

// Parts returns the segment boundaries of text in encoding enc: one part when
// the text fits in a single message, otherwise parts of at most 153 septets or
// 67 units, never splitting an escape pair or a surrogate pair. It returns
// nil for an empty text, and an error when enc is GSM7 and the text has a
// character outside GSM 03.38.
func Parts(text string, enc Encoding) ([]Part, error) {
	units, err := Units(text, enc)
	switch {
	case err != nil:
		return nil, err
	case units == 0:
		return nil, nil
	case units <= single(enc):
		return []Part{{Start: 0, End: len(text), Units: units}}, nil
	}
	return appendParts(nil, text, enc, multi(enc)), nil
}

// appendParts appends the boundaries of text cut into segments of capacity
// units. The text must be encodable in enc.
func appendParts(dst []Part, text string, enc Encoding, capacity int) []Part {
	cur, ucs2 := Part{}, enc == UCS2
	for i := 0; i < len(text); {
		w, n := 1, 1
		if c := text[i]; c < utf8.RuneSelf {
			if !ucs2 {
				w += int(asciiGSM[c] >> 7)
			}
		} else {
			var r rune
			r, n = utf8.DecodeRuneInString(text[i:])
			switch {
			case !ucs2:
				w += int(gsmCode(r) >> 7)
			case r > 0xFFFF:
				w = 2
			}
		}
		if cur.Units+w > capacity {
			dst = append(dst, cur)
			cur = Part{Start: i, End: i}
		}
		i += n
		cur.End, cur.Units = i, cur.Units+w
	}
	return append(dst, cur)
}

// Units returns the size of text in enc: septets or UTF-16 code units. For
// GSM7 it returns a *NotGSMError when a character is outside GSM 03.38.
func Units(text string, enc Encoding) (int, error) {
	if enc != GSM7 && enc != UCS2 {
		return 0, &EncodingError{Encoding: enc}
	}
	n := 0
	for i := 0; i < len(text); {
		r, w := rune(text[i]), 1
		if r >= utf8.RuneSelf {
			r, w = utf8.DecodeRuneInString(text[i:])
		}
		switch {
		case enc == UCS2 && r > 0xFFFF:
			n += 2
		case enc == UCS2:
			n++
		default:
			c := gsmCode(r)
			if c == noGSM {
				return 0, &NotGSMError{Rune: r, Offset: i}
			}
			n += 1 + int(c>>7)
		}
		i += w
	}
	return n, nil
}

// single returns the capacity of a single message in enc.
func single(enc Encoding) int {
	if enc == UCS2 {
		return SingleUCS2
	}
	return SingleGSM7
}

// multi returns the capacity of a concatenated segment in enc.
func multi(enc Encoding) int {
	if enc == UCS2 {
		return MultiUCS2
	}
	return MultiGSM7
}
