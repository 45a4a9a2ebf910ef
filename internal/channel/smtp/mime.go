package smtp

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"mime"
	"strings"
	"time"
	"unicode/utf8"
)

// A message is written in one pass into a byte slice: headers encoded as
// RFC 2047 words where they are not ASCII, folded under 78 characters,
// and a multipart/alternative body of a text and an HTML part in
// quoted-printable (multipart/mixed around it with base64 attachments).
// It is Herald's hot path for campaigns, so it avoids reflection and
// per-byte writers: see BenchmarkSend.

// part is an attachment.
type part struct {
	name, ctype string
	data        []byte
}

// message is an e-mail ready to be written.
type message struct {
	headers [][2]string   // name and value, the value not yet encoded
	fixed   [12][2]string // room for headers without allocating
	text    string
	html    string // "" for a text-only e-mail
	// htmlBytes is the HTML part instead of html when it is written in a
	// pooled buffer (a prepared payload's); nil otherwise.
	htmlBytes []byte
	pooled    *[]byte // the buffer htmlBytes is in
	// textBytes is the text part instead of text when it is written in a
	// pooled buffer (textPooled); nil otherwise.
	textBytes  []byte
	textPooled *[]byte
	files      []part
}

// header adds a header field.
func (m *message) header(name, value string) { m.headers = append(m.headers, [2]string{name, value}) }

// A message is rendered in RFC 5322 form with CRLF line ends by
// renderFields and renderContent, one after the other.

// renderFields writes the message's own header fields.
func (m *message) renderFields(buf []byte) []byte {
	for _, h := range m.headers {
		buf = appendHeader(buf, h[0], h[1])
	}
	return buf
}

// renderContent writes what follows the header fields renderFields
// writes: MIME-Version, the parts and their headers. Without attachments
// no line of it starts with a dot: its lines are Herald's own header
// lines and boundaries, and quoted-printable, which encodes a leading dot.
func (m *message) renderContent(buf []byte) []byte {
	buf = append(buf, "MIME-Version: 1.0\r\n"...)
	switch {
	case len(m.files) > 0:
		outer := boundary()
		buf = appendMultipartHeader(buf, "mixed", outer[:])
		buf = append(buf, "\r\n--"...)
		buf = append(buf, outer[:]...)
		buf = append(buf, "\r\n"...)
		buf = m.renderBody(buf)
		for _, f := range m.files {
			buf = append(buf, "\r\n--"...)
			buf = append(buf, outer[:]...)
			buf = append(buf, "\r\n"...)
			buf = appendFile(buf, f)
		}
		buf = append(buf, "\r\n--"...)
		buf = append(buf, outer[:]...)
		buf = append(buf, "--\r\n"...)
	default:
		buf = m.renderBody(buf)
	}
	return buf
}

// renderBody writes the text part, or the alternative of text and HTML,
// with its own Content-Type header.
func (m *message) renderBody(buf []byte) []byte {
	if m.html == "" && m.htmlBytes == nil {
		return m.appendText(buf)
	}
	b := boundary()
	buf = appendMultipartHeader(buf, "alternative", b[:])
	buf = append(buf, "\r\n--"...)
	buf = append(buf, b[:]...)
	buf = append(buf, "\r\n"...)
	buf = m.appendText(buf)
	buf = append(buf, "\r\n--"...)
	buf = append(buf, b[:]...)
	buf = append(buf, "\r\n"...)
	if m.htmlBytes != nil {
		buf = appendTextPart(buf, "text/html", m.htmlBytes)
	} else {
		buf = appendTextPart(buf, "text/html", m.html)
	}
	buf = append(buf, "\r\n--"...)
	buf = append(buf, b[:]...)
	return append(buf, "--\r\n"...)
}

// appendText writes the text part.
func (m *message) appendText(buf []byte) []byte {
	if m.textBytes != nil {
		return appendTextPart(buf, "text/plain", m.textBytes)
	}
	return appendTextPart(buf, "text/plain", m.text)
}

// boundaryPrefix starts every multipart boundary.
const boundaryPrefix = "=_herald_"

// boundary returns a new random multipart boundary: boundaryPrefix and
// 32 hex digits.
func boundary() (b [len(boundaryPrefix) + 32]byte) {
	var r [16]byte
	_, _ = rand.Read(r[:]) // crypto/rand never fails on Linux
	copy(b[:], boundaryPrefix)
	hex.Encode(b[len(boundaryPrefix):], r[:])
	return b
}

func appendMultipartHeader(buf []byte, sub string, b []byte) []byte {
	buf = append(buf, "Content-Type: multipart/"...)
	buf = append(buf, sub...)
	buf = append(buf, ";\r\n boundary=\""...)
	buf = append(buf, b...)
	return append(buf, "\"\r\n"...)
}

// appendTextPart writes a UTF-8 text part in quoted-printable.
func appendTextPart[S ~string | ~[]byte](buf []byte, ctype string, s S) []byte {
	buf = append(buf, "Content-Type: "...)
	buf = append(buf, ctype...)
	buf = append(buf, "; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"...)
	return appendQP(buf, s)
}

// appendFile writes an attachment in base64.
func appendFile(buf []byte, f part) []byte {
	ctype := f.ctype
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	buf = append(buf, "Content-Type: "...)
	buf = append(buf, ctype...)
	buf = append(buf, "\r\nContent-Disposition: attachment; "...)
	buf = append(buf, fileNameParam(f.name)...)
	buf = append(buf, "\r\nContent-Transfer-Encoding: base64\r\n\r\n"...)
	enc := make([]byte, base64.StdEncoding.EncodedLen(len(f.data)))
	base64.StdEncoding.Encode(enc, f.data)
	for len(enc) > 76 {
		buf = append(buf, enc[:76]...)
		buf = append(buf, "\r\n"...)
		enc = enc[76:]
	}
	buf = append(buf, enc...)
	return append(buf, "\r\n"...)
}

// fileNameParam is the filename parameter of an attachment: quoted ASCII,
// or RFC 2231 percent-encoded UTF-8.
func fileNameParam(name string) string {
	if isPrintableASCII(name) && !strings.ContainsAny(name, "\"\\") {
		return "filename=\"" + name + "\""
	}
	return mime.FormatMediaType("attachment", map[string]string{"filename": name})[len("attachment; "):]
}

// isPrintableASCII reports whether s has only printable ASCII.
func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// appendHeader writes one header field. A value that is not printable
// ASCII becomes RFC 2047 encoded words; long values are folded at spaces
// so that no line passes 78 characters where it can be helped.
func appendHeader(buf []byte, name, value string) []byte {
	if strings.HasPrefix(value, "\x00") {
		value = value[1:]
	} else if !isPrintableASCII(value) {
		value = mime.QEncoding.Encode("UTF-8", value)
	}
	buf = append(buf, name...)
	buf = append(buf, ':')
	line := len(name) + 1
	for i := 0; ; i++ {
		word, rest, more := strings.Cut(value, " ")
		if i > 0 && line+1+len(word) > 78 {
			buf = append(buf, "\r\n"...)
			line = 0
		}
		buf = append(buf, ' ')
		buf = append(buf, word...)
		line += 1 + len(word)
		if !more {
			return append(buf, "\r\n"...)
		}
		value = rest
	}
}

// qpSafe marks the bytes quoted-printable writes as they are; qpPlain
// those among them that need no look at their neighbours (not white
// space, which must be encoded before a line end).
var qpSafe, qpPlain = func() (safe, plain [256]bool) {
	for c := '!'; c <= '~'; c++ {
		safe[c], plain[c] = c != '=', c != '='
	}
	safe[' '], safe['\t'] = true, true
	return safe, plain
}()

const hexUpper = "0123456789ABCDEF"

// appendQP writes s in quoted-printable (RFC 2045): lines of at most 76
// characters with soft breaks, hard breaks as CRLF, trailing white space
// and a leading dot encoded (a dot alone on a line would end DATA on
// servers that mishandle dot-stuffing). Runs of plain bytes are copied
// at once.
func appendQP[S ~string | ~[]byte](buf []byte, s S) []byte {
	col := 0
	for i := 0; i < len(s); {
		c := s[i]
		if col >= 75 && c != '\n' && c != '\r' {
			buf = append(buf, "=\r\n"...) // no room for a byte and the soft break's "="
			col = 0
		}
		if qpPlain[c] && !(col == 0 && c == '.') {
			lim := min(len(s), i+75-col)
			j := qpRunEnd(s, i+1, lim)
			buf = append(buf, s[i:j]...)
			col += j - i
			i = j
			if col >= 75 && i < len(s) && s[i] != '\n' && s[i] != '\r' {
				buf = append(buf, "=\r\n"...)
				col = 0
			}
			continue
		}
		if c == '\n' || (c == '\r' && i+1 < len(s) && s[i+1] == '\n') {
			if c == '\r' {
				i++
			}
			buf = append(buf, "\r\n"...)
			col = 0
			i++
			continue
		}
		enc := !qpSafe[c] || (col == 0 && c == '.') ||
			((c == ' ' || c == '\t') && (i+1 == len(s) || s[i+1] == '\n' || s[i+1] == '\r'))
		n := 1
		if enc {
			n = 3
		}
		if col+n > 75 {
			buf = append(buf, "=\r\n"...)
			col = 0
		}
		if enc {
			buf = append(buf, '=', hexUpper[c>>4], hexUpper[c&15])
		} else {
			buf = append(buf, c)
		}
		col += n
		i++
	}
	return buf
}

// qpRunEnd returns where the run of bytes that appendQP copies as they
// are, starting at j, ends before lim: plain bytes, and blanks followed
// by a byte that is not a line end and not in the run's last column
// (which appendQP writes byte by byte). Eight bytes at a time are looked
// at together while they are all printable ASCII or spaces, not "=";
// only the run's last blank can then need a look at its neighbour.
func qpRunEnd[S ~string | ~[]byte](s S, j, lim int) int {
	for j+8 <= lim {
		_ = s[j+7]
		w := uint64(s[j]) | uint64(s[j+1])<<8 | uint64(s[j+2])<<16 | uint64(s[j+3])<<24 |
			uint64(s[j+4])<<32 | uint64(s[j+5])<<40 | uint64(s[j+6])<<48 | uint64(s[j+7])<<56
		if !qpPlainWord(w) {
			break
		}
		j += 8
	}
	for j < lim && (qpPlain[s[j]] || s[j] == ' ' || s[j] == '\t') {
		j++
	}
	if b := s[j-1]; (b == ' ' || b == '\t') && (j == lim || s[j] == '\n' || s[j] == '\r') {
		j-- // a blank before a line end, or in the last column
	}
	return j
}

// Masks of qpPlainWord: a byte of ones, and of high bits.
const (
	qpOnes = 0x0101010101010101
	qpHigh = 0x8080808080808080
)

// qpPlainWord reports whether each of the eight bytes of w is a space or
// printable ASCII other than "=" (bytes below 0x20, above 0x7E, or equal
// to 0x3D fail, each by the usual SWAR test for a byte below a bound, above
// one, or equal to a value).
func qpPlainWord(w uint64) bool {
	below := (w - qpOnes*0x20) &^ w & qpHigh
	above := (w + qpOnes*(0x7F-0x7E) | w) & qpHigh
	eq := w ^ qpOnes*'='
	equal := (eq - qpOnes) &^ eq & qpHigh
	return below|above|equal == 0
}

// dateHeader formats t as RFC 5322 wants.
func dateHeader(t time.Time) string { return t.Format(time.RFC1123Z) }

// validUTF8 replaces invalid UTF-8 so that the parts declare the truth.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}
