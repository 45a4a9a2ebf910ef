// Package jsonw appends JSON values to byte slices without reflection, for
// the few answers and events Herald writes per message. What it writes is
// what encoding/json's Marshal writes for the same values, byte for byte.
package jsonw

import (
	"encoding/json"
	"strconv"
	"time"
)

// String appends s as a JSON string. Plain strings (printable ASCII
// without quotes, backslashes or the characters Marshal escapes for HTML)
// are copied; others go through encoding/json.
func String(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always encodes
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// Int appends n.
func Int(b []byte, n int64) []byte { return strconv.AppendInt(b, n, 10) }

// Bool appends v.
func Bool(b []byte, v bool) []byte { return strconv.AppendBool(b, v) }

// Time appends t as Marshal does: RFC 3339 with nanoseconds, quoted.
func Time(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// Field appends the key of an object member, with the comma before it
// unless first.
func Field(b []byte, first bool, key string) []byte {
	if !first {
		b = append(b, ',')
	}
	b = String(b, key)
	return append(b, ':')
}
