package importer

import (
	"bytes"
	"encoding/binary"
	"math"
	"reflect"
	"testing"
	"unicode/utf16"

	"github.com/heraldhq/herald"
)

// biffRecord appends one BIFF8 record.
func biffRecord(b []byte, typ uint16, data []byte) []byte {
	b = binary.LittleEndian.AppendUint16(b, typ)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(data)))
	return append(b, data...)
}

// biffBOF is a BOF record's data for a workbook (dt 5) or sheet (dt 0x10).
func biffBOF(dt uint16) []byte {
	d := binary.LittleEndian.AppendUint16(nil, 0x0600)
	d = binary.LittleEndian.AppendUint16(d, dt)
	return append(d, make([]byte, 12)...)
}

// biffCell is a LABEL (UTF-16 text) or NUMBER record's data.
func biffCell(row, col int, v any) (uint16, []byte) {
	d := binary.LittleEndian.AppendUint16(nil, uint16(row))
	d = binary.LittleEndian.AppendUint16(d, uint16(col))
	d = binary.LittleEndian.AppendUint16(d, 0)
	if f, ok := v.(float64); ok {
		return 0x0203, binary.LittleEndian.AppendUint64(d, math.Float64bits(f))
	}
	u := utf16.Encode([]rune(v.(string)))
	d = binary.LittleEndian.AppendUint16(d, uint16(len(u)))
	d = append(d, 1)
	for _, c := range u {
		d = binary.LittleEndian.AppendUint16(d, c)
	}
	return 0x0204, d
}

// workbookStream is a BIFF8 Workbook stream with one sheet of rows.
func workbookStream(rows [][]any) []byte {
	name := []byte("Sheet1")
	sheetPos := 4 + 16 + 4 + 8 + len(name) + 4 // BOF, BOUNDSHEET, EOF of the globals
	bs := binary.LittleEndian.AppendUint32(nil, uint32(sheetPos))
	bs = append(bs, 0, 0, byte(len(name)), 0)
	bs = append(bs, name...)
	s := biffRecord(nil, 0x0809, biffBOF(5))
	s = biffRecord(s, 0x0085, bs)
	s = biffRecord(s, 0x000A, nil)
	s = biffRecord(s, 0x0809, biffBOF(0x10))
	for r, row := range rows {
		for c, v := range row {
			typ, d := biffCell(r, c, v)
			s = biffRecord(s, typ, d)
		}
	}
	s = biffRecord(s, 0x000A, nil)
	// Pad to whole sectors and past the mini stream cutoff.
	for len(s) < 4096 || len(s)%512 != 0 {
		s = append(s, 0)
	}
	return s
}

// writeXLS wraps a workbook stream in a compound file (version 3).
func writeXLS(rows [][]any) []byte {
	stream := workbookStream(rows)
	n := uint32(len(stream) / 512)
	const end, free, fatSect, noStream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
	h := []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	h = append(h, make([]byte, 16)...)
	for _, v := range []uint16{0x3E, 3, 0xFFFE, 9, 6, 0, 0, 0} {
		h = binary.LittleEndian.AppendUint16(h, v)
	}
	for _, v := range []uint32{0, 1, n, 0, 0x1000, end, 0, end, 0, n + 1} {
		h = binary.LittleEndian.AppendUint32(h, v)
	}
	for len(h) < 512 {
		h = binary.LittleEndian.AppendUint32(h, free)
	}
	dir := append(dirEntry("Root Entry", 5, 1, end, 0), dirEntry("Workbook", 2, noStream, 0, uint32(len(stream)))...)
	dir = append(dir, dirEntry("", 0, noStream, 0, 0)...)
	dir = append(dir, dirEntry("", 0, noStream, 0, 0)...)
	var fat []byte
	for i := uint32(0); i < 128; i++ {
		v := uint32(free)
		switch {
		case i+1 < n:
			v = i + 1
		case i+1 == n, i == n:
			v = end
		case i == n+1:
			v = fatSect
		}
		fat = binary.LittleEndian.AppendUint32(fat, v)
	}
	out := append(h, stream...)
	return append(append(out, dir...), fat...)
}

// dirEntry is one 128-byte directory entry.
func dirEntry(name string, typ byte, child, start, size uint32) []byte {
	e := make([]byte, 0, 128)
	u := utf16.Encode([]rune(name))
	for _, c := range u {
		e = binary.LittleEndian.AppendUint16(e, c)
	}
	e = append(e, make([]byte, 64-len(e))...)
	nameLen := uint16(0)
	if name != "" {
		nameLen = uint16((len(u) + 1) * 2)
	}
	e = binary.LittleEndian.AppendUint16(e, nameLen)
	e = append(e, typ, 1)
	for _, v := range []uint32{0xFFFFFFFF, 0xFFFFFFFF, child} {
		e = binary.LittleEndian.AppendUint32(e, v)
	}
	e = append(e, make([]byte, 16+4+16)...)
	e = binary.LittleEndian.AppendUint32(e, start)
	e = binary.LittleEndian.AppendUint32(e, size)
	return append(e, 0, 0, 0, 0)
}

// TestXLS reads a legacy workbook with numbers and Turkish and Spanish text.
func TestXLS(t *testing.T) {
	rows := [][]any{
		{"phone", "name", "city"},
		{34600111222.0, "Begoña Núñez", "Málaga"},
		{905321234567.0, "Ayşe Yılmaz", "İstanbul"},
	}
	data := writeXLS(rows)
	k, err := Detect(data[:min(len(data), SniffSize)])
	if err != nil || k.Format != herald.FormatXLS {
		t.Fatalf("Detect = %+v, %v", k, err)
	}
	rd, err := Open(bytes.NewReader(data), Settings(k))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	got, more, err := Preview(rd, 10)
	if err != nil || more {
		t.Fatalf("Preview: %v, more %v", err, more)
	}
	want := [][]string{{"phone", "name", "city"}, {"34600111222", "Begoña Núñez", "Málaga"}, {"905321234567", "Ayşe Yılmaz", "İstanbul"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("rows = %q; want %q", got, want)
	}
}
