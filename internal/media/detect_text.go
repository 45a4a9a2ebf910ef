package media

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"io"
	"math"
	"strconv"
	"strings"
)

// sniffText applies the text rules to content no magic number claimed:
// SVG, CSV (two or more rows with the same number of fields, two or more,
// by one delimiter) and plain text; anything with control characters is
// FormatBin.
func sniffText(head []byte, whole bool) string {
	if bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF}) {
		return FormatTXT // UTF-16, with its byte order mark
	}
	if !isText(head) {
		return FormatBin
	}
	text := bytes.TrimPrefix(head, []byte{0xEF, 0xBB, 0xBF})
	switch {
	case isSVG(text):
		return FormatSVG
	case isCSV(text, whole):
		return FormatCSV
	}
	return FormatTXT
}

// isText reports whether b has no control characters other than white
// space (and escape, which some text files carry for colours).
func isText(b []byte) bool {
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v' && c != 0x1B || c == 0x7F {
			return false
		}
	}
	return true
}

// isSVG reports whether text is an SVG document.
func isSVG(text []byte) bool {
	t := bytes.TrimLeft(text, " \t\r\n")
	start := bytes.HasPrefix(t, []byte("<svg")) || bytes.HasPrefix(t, []byte("<?xml")) ||
		bytes.HasPrefix(t, []byte("<!--")) || bytes.HasPrefix(t, []byte("<!DOCTYPE svg"))
	return start && bytes.Contains(t, []byte("<svg"))
}

// isCSV reports whether text reads as a table by one of the common
// delimiters. Without the whole file, the last (perhaps cut) line is left
// out.
func isCSV(text []byte, whole bool) bool {
	if !whole {
		if i := bytes.LastIndexByte(text, '\n'); i > 0 {
			text = text[:i]
		}
	}
	for _, d := range []rune{',', ';', '\t', '|'} {
		if !bytes.ContainsRune(text, d) {
			continue
		}
		r := csv.NewReader(bytes.NewReader(text))
		r.Comma, r.LazyQuotes, r.ReuseRecord = d, true, true
		rows, fields := 0, 0
		for rows < 50 {
			rec, err := r.Read()
			if err == io.EOF {
				break
			} else if err != nil {
				rows = 0
				break
			}
			rows, fields = rows+1, len(rec)
		}
		if rows >= 2 && fields >= 2 {
			return true
		}
	}
	return false
}

// svgSize reads the width and height of an SVG's root element: its width
// and height attributes, or else its viewBox. Unknown sizes are 0.
func svgSize(head []byte) (int, int) {
	dec := xml.NewDecoder(bytes.NewReader(head))
	dec.Strict = false
	for i := 0; i < 100; i++ {
		tok, err := dec.Token()
		if err != nil {
			return 0, 0
		}
		el, ok := tok.(xml.StartElement)
		if !ok || el.Name.Local != "svg" {
			continue
		}
		var w, h float64
		var box []string
		for _, a := range el.Attr {
			switch a.Name.Local {
			case "width":
				w = svgLength(a.Value)
			case "height":
				h = svgLength(a.Value)
			case "viewBox":
				box = strings.FieldsFunc(a.Value, func(r rune) bool { return r == ' ' || r == ',' })
			}
		}
		if (w == 0 || h == 0) && len(box) == 4 {
			w, h = svgLength(box[2]), svgLength(box[3])
		}
		return int(math.Round(w)), int(math.Round(h))
	}
	return 0, 0
}

// svgLength reads a length in pixels ("120", "120px"); other units are 0.
func svgLength(s string) float64 {
	f, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(s), "px"), 64)
	if err != nil || f < 0 || f > 1e6 {
		return 0
	}
	return f
}
