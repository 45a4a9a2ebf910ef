package store

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
)

// testSpec is a list spec with one column of each kind.
func testSpec(d dialect) *listSpec {
	return &listSpec{
		columns: []herald.Column{
			{Key: "id", Type: herald.ColNumber, Sortable: true, Filterable: true},
			{Key: "name", Type: herald.ColText, Sortable: true, Filterable: true},
			{Key: "seen", Type: herald.ColTime, Sortable: true, Filterable: true},
			{Key: "on", Type: herald.ColBool, Sortable: true, Filterable: true},
			{Key: "tags", Type: herald.ColText, Filterable: true},
		},
		cols: map[string]listCol{
			"id":   {expr: "t.id", typ: herald.ColNumber},
			"name": {expr: "t.name", typ: herald.ColText},
			"seen": {expr: "t.seen", typ: herald.ColTime, nullable: true},
			"on":   {expr: "t.on", typ: herald.ColBool},
			"tags": {expr: d.elemText("j"), typ: herald.ColText, each: d.eachElem("t.tags", "j")},
		},
		selects: "t.id, t.name", from: "things t", id: "t.id",
	}
}

// TestBuildList pins the SQL the list builder writes.
func TestBuildList(t *testing.T) {
	s := &Store{d: newDialect(EngineSQLite)}
	day := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	q := herald.ListQuery{Sort: "seen", Desc: true, Filters: []herald.Filter{
		{Field: "name", Op: herald.OpContains, Value: `50%_A\`},
		{Field: "seen", Op: herald.OpRange, Min: "2024-05-01", Max: "2024-05-01"},
		{Field: "on", Op: herald.OpEq, Value: "true"},
		{Field: "tags", Op: herald.OpEmpty},
		{Field: "id", Op: herald.OpEq, Value: "2.5"},
	}}
	p, err := s.buildList(testSpec(s.d), q, "t.account_id = $1", int64(7))
	if err != nil {
		t.Fatal(err)
	}
	wantSQL := "SELECT t.id, t.name, COALESCE(t.seen, '0001-01-01 00:00:00+00:00'), t.id FROM things t WHERE t.account_id = $1" +
		` AND lower(t.name) LIKE $2 ESCAPE '\'` +
		" AND (t.seen >= $3 AND t.seen < $4)" +
		" AND t.on = $5" +
		" AND NOT EXISTS (SELECT 1 FROM json_each(t.tags) AS j WHERE (j.value IS NOT NULL AND j.value <> ''))" +
		" AND t.id = CAST($6 AS DOUBLE PRECISION)" +
		" ORDER BY COALESCE(t.seen, '0001-01-01 00:00:00+00:00') DESC, t.id DESC LIMIT 51"
	if got := p.sql(51); got != wantSQL {
		t.Errorf("sql:\n got %s\nwant %s", got, wantSQL)
	}
	wantArgs := []any{int64(7), `%50\%\_a\\%`, day, day.AddDate(0, 0, 1), true, 2.5}
	if !reflect.DeepEqual([]any(p.args), wantArgs) {
		t.Errorf("args = %#v, want %#v", p.args, wantArgs)
	}
}

// TestBuildListCursor checks the keyset condition of Next and Prev
// cursors and their round trip.
func TestBuildListCursor(t *testing.T) {
	s := &Store{d: newDialect(EnginePostgres)}
	spec := testSpec(s.d)
	c := cursor{Sort: "name", Key: "bob", ID: 9}
	for _, tc := range []struct {
		desc, prev bool
		where, dir string
	}{
		{false, false, "(lower(t.name), t.id) > ($2, $1)", "ASC"},
		{false, true, "(lower(t.name), t.id) < ($2, $1)", "DESC"},
		{true, false, "(lower(t.name), t.id) < ($2, $1)", "DESC"},
		{true, true, "(lower(t.name), t.id) > ($2, $1)", "ASC"},
	} {
		c.Desc, c.Prev = tc.desc, tc.prev
		p, err := s.buildList(spec, herald.ListQuery{Sort: "name", Desc: tc.desc, Cursor: c.encode()}, "")
		if err != nil {
			t.Fatal(err)
		}
		sql := p.sql(8)
		if !strings.Contains(sql, "WHERE "+tc.where+" ORDER BY lower(t.name) "+tc.dir+", t.id "+tc.dir) {
			t.Errorf("desc %v prev %v: sql = %s, want WHERE %s ordered %s", tc.desc, tc.prev, sql, tc.where, tc.dir)
		}
		if !reflect.DeepEqual([]any(p.args), []any{int64(9), "bob"}) {
			t.Errorf("args = %#v", p.args)
		}
	}
}

// TestCursorDecode checks that only well-formed cursors decode.
func TestCursorDecode(t *testing.T) {
	c := cursor{Sort: "seen", Desc: true, Prev: true, Key: "2024-01-02T03:04:05.000006Z", ID: 42}
	got, err := decodeCursor(c.encode())
	if err != nil || got.Sort != c.Sort || !got.Desc || !got.Prev || got.Key != c.Key || got.ID != 42 {
		t.Fatalf("round trip = %+v, %v; want %+v", got, err, c)
	}
	if v, err := keyArg(herald.ColTime, got.Key); err != nil || !v.(time.Time).Equal(time.Date(2024, 1, 2, 3, 4, 5, 6000, time.UTC)) {
		t.Errorf("keyArg(time) = %v, %v", v, err)
	}
	// Empty, not base64, a JSON array, trailing data after the object.
	for _, bad := range []string{"", "%%%", "WzFd", "eyJpIjoxfXt9"} {
		if _, err := decodeCursor(bad); err == nil {
			t.Errorf("decodeCursor(%q) = nil error", bad)
		}
	}
	for typ, key := range map[herald.ColumnType]any{herald.ColText: true, herald.ColBool: "x", herald.ColTime: "noon", herald.ColNumber: "1"} {
		if _, err := keyArg(typ, key); err == nil {
			t.Errorf("keyArg(%s, %#v) = nil error", typ, key)
		}
	}
}

// TestParseTime checks the accepted time forms.
func TestParseTime(t *testing.T) {
	if tm, day, err := parseTime("2024-02-29"); err != nil || !day || !tm.Equal(time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("date = %v, %v, %v", tm, day, err)
	}
	tm, day, err := parseTime("2024-02-29T10:00:00+02:00")
	if err != nil || day || tm.Location() != time.UTC || tm.Hour() != 8 {
		t.Errorf("RFC 3339 = %v, %v, %v; want 08:00 UTC", tm, day, err)
	}
	for _, bad := range []string{"2024-02-30", "29/02/2024", "2024-02-29 10:00", ""} {
		if _, _, err := parseTime(bad); err == nil {
			t.Errorf("parseTime(%q) = nil error", bad)
		}
	}
}
