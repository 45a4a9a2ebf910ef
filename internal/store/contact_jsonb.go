package store

import (
	"strconv"

	"github.com/heraldhq/herald"
)

// SQLite reads a bulk insert's rows from one JSONB argument
// (https://sqlite.org/jsonb.html): an array with an array per row of
// phone, country, e-mail, attrs JSON and the used attributes' slot values.
// Go writes the binary form itself, which SQLite takes as it is, where a
// JSON text argument would be parsed into it first; strings go in raw,
// with no escaping either way.

// JSONB element types.
const (
	jsonbNull    = 0x0
	jsonbInt     = 0x3
	jsonbFloat   = 0x5
	jsonbTextRaw = 0xa
	jsonbArray   = 0xb
)

// jsonbOpen is the size of the header appendJSONBOpen writes: a type byte
// and a four-byte size, which SQLite reads whether or not a shorter one
// would do.
const jsonbOpen = 5

// rowsJSONB encodes rows as the JSONB array that insertRows reads, and
// returns where each row's element ends in it.
func rowsJSONB(used []*attr, rows []herald.ImportRow) ([]byte, []int) {
	b := make([]byte, 0, jsonbOpen+len(rows)*(80+24*len(used)))
	b = appendJSONBOpen(b, jsonbArray)
	ends := make([]int, len(rows))
	var display []byte
	for i, r := range rows {
		start := len(b)
		b = appendJSONBOpen(b, jsonbArray)
		b = appendJSONBText(b, r.Phone)
		b = appendJSONBText(b, r.Country)
		b = appendJSONBText(b, r.Email)
		display = appendDisplayJSON(display[:0], used, r)
		b = appendJSONBHeader(b, jsonbTextRaw, len(display))
		b = append(b, display...)
		for _, a := range used {
			b = appendJSONBSlot(b, a, r.Values[a.ID])
		}
		closeJSONB(b[start:])
		ends[i] = len(b)
	}
	closeJSONB(b)
	return b, ends
}

// subset returns the JSONB array of the rows of p at idx, or of all of
// them when idx is nil.
func (p *bulkRows) subset(idx []int) []byte {
	if idx == nil {
		return p.jsonb
	}
	b := make([]byte, 0, len(p.jsonb))
	b = appendJSONBOpen(b, jsonbArray)
	for _, i := range idx {
		start := jsonbOpen
		if i > 0 {
			start = p.ends[i-1]
		}
		b = append(b, p.jsonb[start:p.ends[i]]...)
	}
	closeJSONB(b)
	return b
}

// appendJSONBHeader appends the header of an element of type typ with n
// bytes of payload.
func appendJSONBHeader(b []byte, typ byte, n int) []byte {
	switch {
	case n <= 11:
		return append(b, byte(n)<<4|typ)
	case n <= 0xff:
		return append(b, 0xc0|typ, byte(n))
	case n <= 0xffff:
		return append(b, 0xd0|typ, byte(n>>8), byte(n))
	}
	return append(b, 0xe0|typ, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
}

// appendJSONBOpen appends the header of a container whose size
// closeJSONB fills in.
func appendJSONBOpen(b []byte, typ byte) []byte {
	return append(b, 0xe0|typ, 0, 0, 0, 0)
}

// closeJSONB sets the size of the container b starts with to the rest of
// b.
func closeJSONB(b []byte) {
	n := len(b) - jsonbOpen
	b[1], b[2], b[3], b[4] = byte(n>>24), byte(n>>16), byte(n>>8), byte(n)
}

// appendJSONBText appends s as a string element.
func appendJSONBText(b []byte, s string) []byte {
	return append(appendJSONBHeader(b, jsonbTextRaw, len(s)), s...)
}

// appendJSONBSlot appends the slot value of v: null, a string or a
// number. A number is written as JSON would write it, and is an integer
// element when that is all digits, as SQLite's JSON parser would make it.
func appendJSONBSlot(b []byte, a *attr, v herald.Value) []byte {
	switch {
	case v.Display == "":
		return append(b, jsonbNull)
	case a.Type.Textual():
		return appendJSONBText(b, v.Text)
	}
	var buf [32]byte
	num := strconv.AppendFloat(buf[:0], v.Num, 'g', -1, 64)
	typ := byte(jsonbInt)
	for i, c := range num {
		if (c < '0' || c > '9') && (i > 0 || c != '-') {
			typ = jsonbFloat
		}
	}
	return append(appendJSONBHeader(b, typ, len(num)), num...)
}
