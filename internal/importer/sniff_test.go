package importer

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"github.com/heraldhq/herald"
)

// table is the rows every generated file holds.
func table(names ...string) [][]string {
	rows := [][]string{{"phone", "name", "city"}}
	for i, n := range names {
		rows = append(rows, []string{"+3460011122" + string(rune('0'+i)), n, "Şehir " + n})
	}
	return rows
}

// encodeFile writes rows joined by delim, encoded by enc, with bom.
func encodeFile(t *testing.T, rows [][]string, delim string, enc encoding.Encoding, bom []byte) []byte {
	t.Helper()
	var lines []string
	for _, r := range rows {
		lines = append(lines, strings.Join(r, delim))
	}
	text := strings.Join(lines, "\r\n") + "\r\n"
	out, err := enc.NewEncoder().Bytes([]byte(text))
	if err != nil {
		t.Fatalf("encoding: %v", err)
	}
	return append(append([]byte(nil), bom...), out...)
}

// readAll detects and reads a whole file.
func readAll(t *testing.T, data []byte) (Kind, [][]string) {
	t.Helper()
	k, err := Detect(data[:min(len(data), SniffSize)])
	if err != nil {
		t.Fatalf("Detect: %v", err)
	}
	rd, err := Open(bytes.NewReader(data), Settings(k))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer rd.Close()
	var rows [][]string
	for {
		rec, err := rd.Read()
		if errors.Is(err, io.EOF) {
			return k, rows
		} else if err != nil {
			t.Fatalf("Read: %v", err)
		}
		rows = append(rows, append([]string(nil), rec...))
	}
}

// TestEncodingsAndDelimiters reads the same table written in every
// encoding with every delimiter.
func TestEncodingsAndDelimiters(t *testing.T) {
	turkish := table("Ayşe Yılmaz", "Çağrı Öztürk", "İsmail Güneş")
	spanish := [][]string{{"phone", "name", "city"}, {"+34600111220", "José Núñez", "Málaga"}, {"+34600111221", "Begoña Peña", "A Coruña"}}
	utf8 := encoding.Nop
	cases := []struct {
		name string
		rows [][]string
		enc  encoding.Encoding
		bom  []byte
		want string
	}{
		{"utf-8", turkish, utf8, nil, EncUTF8},
		{"utf-8 bom", turkish, utf8, []byte{0xEF, 0xBB, 0xBF}, EncUTF8},
		{"utf-16le bom", turkish, unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), []byte{0xFF, 0xFE}, EncUTF16LE},
		{"utf-16be bom", turkish, unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), []byte{0xFE, 0xFF}, EncUTF16BE},
		{"utf-16le no bom", spanish, unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), nil, EncUTF16LE},
		{"utf-16be no bom", spanish, unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), nil, EncUTF16BE},
		{"windows-1252", spanish, charmap.Windows1252, nil, EncWindows1252},
		{"iso-8859-9", turkish, charmap.ISO8859_9, nil, EncISO88599},
	}
	for _, c := range cases {
		for _, d := range Delimiters() {
			data := encodeFile(t, c.rows, d, c.enc, c.bom)
			k, rows := readAll(t, data)
			if k.Format != herald.FormatCSV || k.Encoding != c.want || k.Delimiter != d {
				t.Errorf("%s %q: detected %+v; want csv, %s, %q", c.name, d, k, c.want, d)
				continue
			}
			if !reflect.DeepEqual(rows, c.rows) {
				t.Errorf("%s %q: read %q; want %q", c.name, d, rows, c.rows)
			}
		}
	}
}

// TestDelimiterInQuotes checks that quoted delimiters do not mislead.
func TestDelimiterInQuotes(t *testing.T) {
	data := []byte("phone;name\n\"+34600111222\";\"Vega, Luz\"\n\"+34600111223\";\"Peña, Ana\"\n")
	k, rows := readAll(t, data)
	if k.Delimiter != ";" || rows[1][1] != "Vega, Luz" {
		t.Fatalf("detected %+v, rows %q", k, rows)
	}
	k, rows = readAll(t, []byte("34600111222\n34600111223\n"))
	if k.Delimiter != "," || len(rows) != 2 || len(rows[0]) != 1 {
		t.Fatalf("one column: %+v %q", k, rows)
	}
}

// TestNotATable checks the files that cannot be imported.
func TestNotATable(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00")
	cases := []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, ErrEmpty},
		{"blank", []byte(" \r\n\r\n"), ErrEmpty},
		{"png", png, ErrNotTable},
		{"binary", bytes.Repeat([]byte{1, 2, 3, 0, 7}, 100), ErrNotTable},
	}
	for _, c := range cases {
		if _, err := Detect(c.data); err != c.want {
			t.Errorf("%s: Detect = %v; want %v", c.name, err, c.want)
		}
	}
	if _, err := Open(bytes.NewReader([]byte("PK\x03\x04 not really a zip")), Settings{Format: herald.FormatXLSX}); err != ErrNotTable {
		t.Errorf("broken XLSX: %v", err)
	}
	if _, err := Open(bytes.NewReader([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0}), Settings{Format: herald.FormatXLS}); err != ErrNotTable {
		t.Errorf("broken XLS: %v", err)
	}
}

// TestColumnName checks spreadsheet column names.
func TestColumnName(t *testing.T) {
	for i, want := range map[int]string{0: "A", 25: "Z", 26: "AA", 27: "AB", 701: "ZZ", 702: "AAA"} {
		if got := ColumnName(i); got != want {
			t.Errorf("ColumnName(%d) = %q; want %q", i, got, want)
		}
	}
}
