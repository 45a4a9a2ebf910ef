package sms

import (
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// NotGSMError reports a character that GSM 03.38 cannot carry.
type NotGSMError struct {
	Rune   rune // the character
	Offset int  // its byte offset in the text
}

// Error implements the error interface.
func (e *NotGSMError) Error() string {
	return fmt.Sprintf("sms: %q (U+%04X) at byte %d is not in the GSM 03.38 alphabet", e.Rune, e.Rune, e.Offset)
}

// EncodingError reports an Encoding value that is neither GSM7 nor UCS2.
type EncodingError struct {
	Encoding Encoding
}

// Error implements the error interface.
func (e *EncodingError) Error() string {
	return fmt.Sprintf("sms: unknown encoding %q", string(e.Encoding))
}

// DecodeError reports wire bytes that do not decode.
type DecodeError struct {
	Offset int    // byte offset of the problem in the input
	Reason string // what is wrong
}

// Error implements the error interface.
func (e *DecodeError) Error() string {
	return fmt.Sprintf("sms: decoding at byte %d: %s", e.Offset, e.Reason)
}

// AppendGSM7 appends the unpacked GSM 03.38 septets of text to dst, one septet
// per byte, an extension character as the escape 0x1B followed by its code.
// It returns a *NotGSMError, and dst unchanged, when a character is outside
// the alphabet.
func AppendGSM7(dst []byte, text string) ([]byte, error) {
	start := len(dst)
	for i := 0; i < len(text); {
		r, n := rune(text[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(text[i:])
		}
		switch c := gsmCode(r); {
		case c == noGSM:
			return dst[:start], &NotGSMError{Rune: r, Offset: i}
		case c&0x80 != 0:
			dst = append(dst, esc, c&0x7F)
		default:
			dst = append(dst, c)
		}
		i += n
	}
	return dst, nil
}

// EncodeGSM7 returns the unpacked GSM 03.38 septets of text (see AppendGSM7).
func EncodeGSM7(text string) ([]byte, error) {
	return AppendGSM7(make([]byte, 0, len(text)+len(text)/8), text)
}

// DecodeGSM7 returns the text of unpacked septets, one per byte. After the
// escape, a code the extension table does not define reads as the basic
// table's character (3GPP TS 23.038 §6.2.1.1), and a second escape, or an
// escape ending the input, reads as a space. A byte above 0x7F is an error.
func DecodeGSM7(septets []byte) (string, error) {
	var b strings.Builder
	b.Grow(len(septets) + len(septets)/4)
	for i := 0; i < len(septets); i++ {
		s := septets[i]
		if s > 0x7F {
			return "", &DecodeError{Offset: i, Reason: fmt.Sprintf("0x%02X is not a septet", s)}
		}
		if s != esc {
			b.WriteRune(basicRune(s))
			continue
		}
		if i+1 == len(septets) || septets[i+1] == esc {
			b.WriteByte(' ')
			i++
			continue
		}
		i++
		if septets[i] > 0x7F {
			return "", &DecodeError{Offset: i, Reason: fmt.Sprintf("0x%02X is not a septet", septets[i])}
		}
		if r, ok := extRune(septets[i]); ok {
			b.WriteRune(r)
		} else {
			b.WriteRune(basicRune(septets[i]))
		}
	}
	return b.String(), nil
}

// FillBits returns the number of zero bits that follow a user data header of
// udhLen octets (the UDHL octet included) so that the first septet starts on
// a septet boundary (3GPP TS 23.040 §9.2.3.24): 1 for the usual 6-octet
// concatenation header, 0 without a header.
func FillBits(udhLen int) int {
	return (7 - udhLen*8%7) % 7
}

// PackGSM7 packs septets (one per byte, below 0x80) into octets as they
// follow a user data header of udhLen octets (0 for none): first the fill
// bits, then each septet's seven bits, least significant first. The result
// excludes the header itself; the caller puts the header in front.
func PackGSM7(septets []byte, udhLen int) []byte {
	fill := FillBits(udhLen)
	out := make([]byte, packedLen(fill, len(septets)))
	for i, s := range septets {
		p := fill + 7*i
		at, shift := p/8, uint(p%8)
		out[at] |= (s & 0x7F) << shift
		if shift > 1 {
			out[at+1] |= (s & 0x7F) >> (8 - shift)
		}
	}
	return out
}

// packedLen returns the octets that n septets take after fill bits.
func packedLen(fill, n int) int {
	if n <= 0 {
		return 0
	}
	return (fill + 7*n + 7) / 8
}

// UnpackGSM7 unpacks n septets from packed user data that follows a header
// of udhLen octets (PackGSM7's inverse). packed excludes the header. It
// returns a *DecodeError when packed is too short for n septets.
func UnpackGSM7(packed []byte, udhLen, n int) ([]byte, error) {
	fill := FillBits(udhLen)
	if need := packedLen(fill, n); n < 0 || need > len(packed) {
		return nil, &DecodeError{Offset: len(packed), Reason: fmt.Sprintf("%d septets need %d octets, got %d", n, need, len(packed))}
	}
	out := make([]byte, n)
	for i := range out {
		p := fill + 7*i
		at, shift := p/8, uint(p%8)
		v := packed[at] >> shift
		if shift > 1 {
			v |= packed[at+1] << (8 - shift)
		}
		out[i] = v & 0x7F
	}
	return out, nil
}

// DecodePackedGSM7 returns the text of n packed septets that follow a header
// of udhLen octets: UnpackGSM7 then DecodeGSM7.
func DecodePackedGSM7(packed []byte, udhLen, n int) (string, error) {
	septets, err := UnpackGSM7(packed, udhLen, n)
	if err != nil {
		return "", err
	}
	return DecodeGSM7(septets)
}

// AppendUCS2 appends text as UTF-16 big-endian to dst: one code unit per BMP
// character, a surrogate pair beyond it (what handsets expect in UCS-2
// messages). Invalid UTF-8 becomes U+FFFD.
func AppendUCS2(dst []byte, text string) []byte {
	for _, r := range text {
		if r > 0xFFFF {
			hi, lo := utf16.EncodeRune(r)
			dst = append(dst, byte(hi>>8), byte(hi), byte(lo>>8), byte(lo))
			continue
		}
		dst = append(dst, byte(r>>8), byte(r))
	}
	return dst
}

// EncodeUCS2 returns text as UTF-16 big-endian (see AppendUCS2).
func EncodeUCS2(text string) []byte {
	return AppendUCS2(make([]byte, 0, 2*len(text)), text)
}

// DecodeUCS2 returns the text of UTF-16 big-endian bytes. An odd length is a
// *DecodeError; an unpaired surrogate reads as U+FFFD.
func DecodeUCS2(b []byte) (string, error) {
	if len(b)%2 != 0 {
		return "", &DecodeError{Offset: len(b) - 1, Reason: "odd number of bytes in UCS-2"}
	}
	var sb strings.Builder
	sb.Grow(len(b) / 2)
	for i := 0; i < len(b); i += 2 {
		u := rune(b[i])<<8 | rune(b[i+1])
		if utf16.IsSurrogate(u) && u < 0xDC00 && i+3 < len(b) {
			if r := utf16.DecodeRune(u, rune(b[i+2])<<8|rune(b[i+3])); r != utf8.RuneError {
				sb.WriteRune(r)
				i += 2
				continue
			}
		}
		if utf16.IsSurrogate(u) {
			u = utf8.RuneError
		}
		sb.WriteRune(u)
	}
	return sb.String(), nil
}

// Split cuts text into segment payloads in encoding enc, as Parts does:
// unpacked septets for GSM7 (pack them with PackGSM7 if the connector needs
// packed data), UTF-16 big-endian for UCS2. The payloads share one backing
// array. It returns nil for an empty text and an error when the text does not
// fit enc.
func Split(text string, enc Encoding) ([][]byte, error) {
	parts, err := Parts(text, enc)
	if err != nil || len(parts) == 0 {
		return nil, err
	}
	size := 0
	for _, p := range parts {
		size += p.Units
	}
	if enc == UCS2 {
		size *= 2
	}
	buf := make([]byte, 0, size)
	out := make([][]byte, len(parts))
	for i, p := range parts {
		start := len(buf)
		if enc == UCS2 {
			buf = AppendUCS2(buf, text[p.Start:p.End])
		} else if buf, err = AppendGSM7(buf, text[p.Start:p.End]); err != nil {
			return nil, fmt.Errorf("splitting text: %w", err)
		}
		out[i] = buf[start:len(buf):len(buf)]
	}
	return out, nil
}
