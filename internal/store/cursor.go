package store

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/heraldhq/herald"
)

// cursor is the position a Page.Next or Page.Prev cursor points at: the
// sort key and ID of the last (Next) or first (Prev) row of a page, and
// the query's sort so that a cursor is not applied to another order. On
// the wire it is base64url (unpadded) of its JSON, for example
// {"s":"name","k":"alice","i":42} or {"s":"name","p":true,"k":"bob","i":7}.
type cursor struct {
	Sort string `json:"s,omitempty"` // ListQuery.Sort
	Desc bool   `json:"d,omitempty"` // ListQuery.Desc
	Prev bool   `json:"p,omitempty"` // rows before the position, not after
	Key  any    `json:"k,omitempty"` // sort key: string, number, RFC 3339 time or bool; absent for ID order
	ID   int64  `json:"i"`
}

// encode returns the cursor as an opaque string.
func (c cursor) encode() string {
	b, err := json.Marshal(c)
	if err != nil {
		panic(fmt.Sprintf("encoding cursor: %v", err)) // keys are plain values
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor parses an opaque cursor string.
func decodeCursor(s string) (cursor, error) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return c, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, err
	}
	if dec.More() {
		return c, fmt.Errorf("trailing data")
	}
	return c, nil
}

// badCursor is the error for a cursor that was not made by this store for
// this query.
func badCursor() error {
	var vs herald.Violations
	vs.Add("cursor", herald.VFormat, "The page cursor is invalid; start again from the first page.")
	return vs.Err()
}

// normKey turns a sort key as scanned from either engine into the value
// a cursor carries.
func normKey(typ herald.ColumnType, raw any) (any, error) {
	switch v := raw.(type) {
	case nil:
		return nil, nil
	case time.Time:
		return v.UTC().Format(time.RFC3339Nano), nil
	case string:
		if typ != herald.ColTime {
			return v, nil
		}
		// SQLite returns a COALESCE over a TIMESTAMP column as the stored text.
		t, err := time.Parse(sqliteTimeFormat, v)
		if err != nil {
			return nil, fmt.Errorf("listing: reading time sort key %q: %w", v, err)
		}
		return t.UTC().Format(time.RFC3339Nano), nil
	case []byte:
		return normKey(typ, string(v))
	case int64:
		if typ == herald.ColBool {
			return v != 0, nil // SQLite BOOLEAN reads as 0 or 1
		}
		return v, nil
	case int32:
		return int64(v), nil
	case float64:
		return v, nil
	case bool:
		return v, nil
	}
	return nil, fmt.Errorf("listing: unexpected sort key type %T", raw)
}

// sqliteTimeFormat is how the SQLite driver writes times (_time_format=sqlite).
const sqliteTimeFormat = "2006-01-02 15:04:05.999999999-07:00"

// keyArg turns a cursor's sort key back into a query argument of typ.
func keyArg(typ herald.ColumnType, key any) (any, error) {
	switch typ {
	case herald.ColText, herald.ColEnum:
		if s, ok := key.(string); ok {
			return s, nil
		}
	case herald.ColTime:
		if s, ok := key.(string); ok {
			t, err := time.Parse(time.RFC3339Nano, s)
			return t.UTC(), err
		}
	case herald.ColNumber:
		if n, ok := key.(json.Number); ok {
			return parseNumber(n.String())
		}
	case herald.ColBool:
		if b, ok := key.(bool); ok {
			return b, nil
		}
	}
	return nil, fmt.Errorf("cursor key %v does not fit a %s column", key, typ)
}
