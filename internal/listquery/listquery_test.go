package listquery

import (
	"net/url"
	"reflect"
	"testing"

	"github.com/heraldhq/herald"
)

func TestParse(t *testing.T) {
	cols := herald.UserColumns()
	v, _ := url.ParseQuery("f.login=alice&f.email=contains:example&f.createdAt=range:2026-01-01..&f.phone=empty&f.middleName=nonempty&sort=lastName&desc=1&cursor=abc&limit=25")
	q, err := Parse(v, cols)
	if err != nil {
		t.Fatal(err)
	}
	want := herald.ListQuery{
		Filters: []herald.Filter{
			{Field: "createdAt", Op: herald.OpRange, Min: "2026-01-01"},
			{Field: "email", Op: herald.OpContains, Value: "example"},
			{Field: "login", Op: herald.OpEq, Value: "alice"},
			{Field: "middleName", Op: herald.OpNonEmpty},
			{Field: "phone", Op: herald.OpEmpty},
		},
		Sort: "lastName", Desc: true, Cursor: "abc", Limit: 25,
	}
	if !reflect.DeepEqual(q, want) {
		t.Fatalf("Parse =\n%+v\nwant\n%+v", q, want)
	}
	back, err := Parse(Encode(q), cols)
	if err != nil || !reflect.DeepEqual(back, want) {
		t.Fatalf("Parse(Encode(q)) = %+v, %v", back, err)
	}
}

func TestParseErrors(t *testing.T) {
	for _, raw := range []string{"f.password=eq:x", "sort=nope", "limit=0", "limit=9999", "f.login=range:a..b", "f.createdAt=contains:2026"} {
		v, _ := url.ParseQuery(raw)
		_, err := Parse(v, herald.UserColumns())
		if herald.ErrorCode(err) != herald.EINVALID || len(herald.ErrorViolations(err)) == 0 {
			t.Errorf("Parse(%q) err = %v; want EINVALID with violations", raw, err)
		}
	}
}

func TestParseAndEncode(t *testing.T) {
	cols := herald.UserColumns()
	v, _ := url.ParseQuery("f.login=eq:alice&f.createdAt=range:2026-01-01..2026-02-01&f.phone=empty&f.email=contains:EXAMPLE&sort=lastName&desc=1&cursor=abc&limit=25&other=x")
	q, err := Parse(v, cols)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := herald.ListQuery{
		Filters: []herald.Filter{
			{Field: "createdAt", Op: herald.OpRange, Min: "2026-01-01", Max: "2026-02-01"},
			{Field: "email", Op: herald.OpContains, Value: "EXAMPLE"},
			{Field: "login", Op: herald.OpEq, Value: "alice"},
			{Field: "phone", Op: herald.OpEmpty},
		},
		Sort: "lastName", Desc: true, Cursor: "abc", Limit: 25,
	}
	if !reflect.DeepEqual(q, want) {
		t.Errorf("Parse =\n%+v\nwant\n%+v", q, want)
	}
	back, err := Parse(Encode(q), cols)
	if err != nil || !reflect.DeepEqual(back, q) {
		t.Errorf("Parse(Encode(q)) = %+v, %v", back, err)
	}
}

func TestParseErrorFields(t *testing.T) {
	cols := herald.UserColumns()
	for query, field := range map[string]string{
		"f.login=range:a..b":           "filter.login",
		"f.createdAt=range:2026-01-01": "filter.createdAt",
		"f.createdAt=range:soon..":     "filter.createdAt",
		"f.id=eq:seven":                "filter.id",
		"f.active=eq:yes":              "filter.active",
		"f.phone=empty:x":              "filter.phone",
		"f.secret=eq:x":                "filter.secret",
		"sort=password":                "sort",
		"limit=0":                      "limit",
		"limit=many":                   "limit",
	} {
		v, _ := url.ParseQuery(query)
		_, err := Parse(v, cols)
		vs := herald.ErrorViolations(err)
		if herald.ErrorCode(err) != herald.EINVALID || len(vs) == 0 || vs[0].Field != field {
			t.Errorf("Parse(%s) = %v, want EINVALID on %s", query, err, field)
		}
	}
}

func TestRangeBoundsAreOptional(t *testing.T) {
	v := url.Values{"f.createdAt": {"range:..2026-02-01T10:00:00Z"}, "f.id": {"range:5.."}}
	q, err := Parse(v, herald.UserColumns())
	if err != nil {
		t.Fatal(err)
	}
	if q.Filters[0].Min != "" || q.Filters[0].Max != "2026-02-01T10:00:00Z" || q.Filters[1].Min != "5" || q.Filters[1].Max != "" {
		t.Errorf("filters %+v", q.Filters)
	}
}

func TestEnumValues(t *testing.T) {
	cols := herald.AccountColumns()
	if _, err := Parse(url.Values{"f.status": {"eq:blocked"}}, cols); err != nil {
		t.Errorf("eq:blocked: %v", err)
	}
	if _, err := Parse(url.Values{"f.status": {"eq:frozen"}}, cols); herald.ErrorCode(err) != herald.EINVALID {
		t.Errorf("eq:frozen: %v, want EINVALID", err)
	}
}

func TestBareValueIsEq(t *testing.T) {
	for raw, want := range map[string]herald.Filter{
		"alice":           {Field: "login", Op: herald.OpEq, Value: "alice"},
		"between:a":       {Field: "login", Op: herald.OpEq, Value: "between:a"},
		"eq:empty":        {Field: "login", Op: herald.OpEq, Value: "empty"},
		"empty":           {Field: "login", Op: herald.OpEmpty},
		"contains:x:y..z": {Field: "login", Op: herald.OpContains, Value: "x:y..z"},
	} {
		got, err := ParseFilter("login", raw)
		if err != nil || got != want {
			t.Errorf("ParseFilter(%q) = %+v, %v; want %+v", raw, got, err, want)
		}
		if back, _ := ParseFilter("login", FormatFilter(got)); back != got {
			t.Errorf("FormatFilter(%+v) does not parse back: %+v", got, back)
		}
	}
}
