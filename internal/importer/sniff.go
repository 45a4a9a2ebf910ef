package importer

import (
	"bytes"
	"encoding/csv"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/heraldhq/herald"
)

// Encodings a CSV file can be in, as Import.Encoding names them.
const (
	EncUTF8        = "utf-8"
	EncUTF16LE     = "utf-16le"
	EncUTF16BE     = "utf-16be"
	EncWindows1252 = "windows-1252"
	EncISO88599    = "iso-8859-9"
)

// Encodings returns every encoding the wizard offers.
func Encodings() []string {
	return []string{EncUTF8, EncUTF16LE, EncUTF16BE, EncWindows1252, EncISO88599}
}

// Delimiters are the field separators detection considers, in order of
// preference on a tie.
func Delimiters() []string { return []string{",", ";", "\t", "|"} }

// SniffSize is how much of a file Detect wants to see.
const SniffSize = 64 << 10

// Kind is what Detect learned about a file.
type Kind struct {
	Format    string // herald.FormatCSV, FormatXLS or FormatXLSX
	Encoding  string // CSV only
	Delimiter string // CSV only
}

// Errors of files that cannot be imported; their messages are for people.
var (
	ErrEmpty    = herald.Errorf(herald.EINVALID, "The file is empty.")
	ErrNotTable = herald.Errorf(herald.EINVALID, "The file is not a CSV, XLS or XLSX file: save it from your spreadsheet as one of those.")
)

// Detect recognises a file by its first bytes (up to SniffSize): the zip
// of XLSX, the compound document of XLS, or text, whose encoding and
// delimiter it guesses. It returns ErrEmpty or ErrNotTable.
func Detect(head []byte) (Kind, error) {
	switch {
	case len(head) == 0:
		return Kind{}, ErrEmpty
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return Kind{Format: herald.FormatXLSX}, nil
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		return Kind{Format: herald.FormatXLS}, nil
	}
	enc := detectEncoding(head)
	text, err := decodeSample(head, enc)
	if err != nil || !looksLikeText(text) {
		return Kind{}, ErrNotTable
	}
	if strings.TrimSpace(text) == "" {
		return Kind{}, ErrEmpty
	}
	return Kind{Format: herald.FormatCSV, Encoding: enc, Delimiter: detectDelimiter(text)}, nil
}

// detectEncoding guesses the text encoding of head.
func detectEncoding(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		return EncUTF8
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		return EncUTF16LE
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return EncUTF16BE
	}
	if enc := utf16ByZeros(head); enc != "" {
		return enc
	}
	if validUTF8(head) {
		return EncUTF8
	}
	// Ğ İ Ş ğ ı ş sit where Windows-1252 has Ð Ý Þ ð ý þ, letters that
	// Western text hardly uses.
	for _, b := range head {
		switch b {
		case 0xD0, 0xDD, 0xDE, 0xF0, 0xFD, 0xFE:
			return EncISO88599
		}
	}
	return EncWindows1252
}

// utf16ByZeros recognises UTF-16 without a byte order mark by the zero
// bytes that ASCII characters have on one side.
func utf16ByZeros(head []byte) string {
	n := min(len(head), 4096) &^ 1
	if n < 4 {
		return ""
	}
	var even, odd int
	for i := 0; i < n; i += 2 {
		if head[i] == 0 {
			even++
		}
		if head[i+1] == 0 {
			odd++
		}
	}
	switch half := n / 2; {
	case odd > half*2/5 && even < half/20:
		return EncUTF16LE
	case even > half*2/5 && odd < half/20:
		return EncUTF16BE
	}
	return ""
}

// validUTF8 reports whether b is UTF-8, allowing a rune cut at the end.
func validUTF8(b []byte) bool {
	if utf8.Valid(b) {
		return true
	}
	for cut := 1; cut < utf8.UTFMax && cut < len(b); cut++ {
		if utf8.Valid(b[:len(b)-cut]) {
			return true
		}
	}
	return false
}

// decodeSample decodes head from enc, dropping a rune cut at the end.
func decodeSample(head []byte, enc string) (string, error) {
	b, err := io.ReadAll(decoder(bytes.NewReader(head), enc))
	if err != nil {
		return "", err
	}
	return strings.ToValidUTF8(string(b), ""), nil
}

// looksLikeText reports whether s is text a person would put in a table:
// no NUL and few other control characters.
func looksLikeText(s string) bool {
	var ctrl, n int
	for _, r := range s {
		n++
		switch {
		case r == 0:
			return false
		case r < 0x20 && r != '\n' && r != '\r' && r != '\t':
			ctrl++
		case r == utf8.RuneError:
			ctrl++
		}
	}
	return n > 0 && ctrl*50 <= n
}

// detectDelimiter picks the delimiter that splits the sample's lines into
// the same number (above one) of fields most often.
func detectDelimiter(text string) string {
	if i := strings.LastIndexByte(text, '\n'); i > 0 && len(text) == SniffSize {
		text = text[:i] // drop a line cut by the sample's end
	}
	best, bestScore := ",", 0
	for _, d := range Delimiters() {
		if s := delimiterScore(text, d); s > bestScore {
			best, bestScore = d, s
		}
	}
	return best
}

// delimiterScore is how many of the first lines split by d into the most
// common field count, times that count, when the count is above one.
func delimiterScore(text, d string) int {
	r := csv.NewReader(strings.NewReader(text))
	r.Comma, r.FieldsPerRecord, r.LazyQuotes = rune(d[0]), -1, true
	counts := map[int]int{}
	for i := 0; i < 50; i++ {
		rec, err := r.Read()
		if err != nil {
			break
		}
		counts[len(rec)]++
	}
	score := 0
	for fields, lines := range counts {
		if fields > 1 && lines*fields > score {
			score = lines * fields
		}
	}
	return score
}
