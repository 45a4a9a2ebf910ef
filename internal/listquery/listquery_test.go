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
