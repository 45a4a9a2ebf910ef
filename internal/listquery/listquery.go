// Package listquery turns query-string parameters into a herald.ListQuery and
// back. The portal's tables and the JSON API share it, so a filter written in
// one works in the other:
//
//	f.login=eq:alice                       equal (case-insensitive for text)
//	f.login=alice                          the same: a value without a known operation is eq
//	f.email=contains:example               text contains
//	f.createdAt=range:2026-01-01..2026-02-01  either bound may be empty
//	f.phone=empty                          NULL or ''
//	f.phone=nonempty
//	sort=lastName&desc=1                   order
//	cursor=...&limit=50                    keyset pagination
//
// A parameter may repeat (f.createdAt=range:..2026-02-01&f.createdAt=nonempty);
// all filters must match.
package listquery

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// Parameter names.
const (
	FilterPrefix = "f."
	ParamSort    = "sort"
	ParamDesc    = "desc"
	ParamCursor  = "cursor"
	ParamLimit   = "limit"
)

// Parse reads a ListQuery from v for a list with columns cols. Unknown
// parameters are ignored. It returns an EINVALID *herald.Error naming the
// bad parameter ("filter.<key>", "sort" or "limit") for filters and sorts the
// columns do not allow and for values that do not fit a column's type,
// with every violation at once.
func Parse(v url.Values, cols []herald.Column) (herald.ListQuery, error) {
	var vs herald.Violations
	q := herald.ListQuery{
		Sort:   v.Get(ParamSort),
		Desc:   v.Get(ParamDesc) == "1" || v.Get(ParamDesc) == "true",
		Cursor: v.Get(ParamCursor),
	}
	if s := v.Get(ParamLimit); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > herald.MaxPageSize {
			vs.Add(ParamLimit, herald.VRange, "Rows per page must be a number from 1 to %d.", herald.MaxPageSize)
		}
		q.Limit = n
	}
	for _, key := range filterKeys(v) {
		for _, raw := range v[FilterPrefix+key] {
			f, err := ParseFilter(key, raw)
			if err != nil {
				vs.Add("filter."+key, herald.VFormat, "%s", herald.ErrorMessage(err))
				continue
			}
			q.Filters = append(q.Filters, f)
		}
	}
	vs = append(vs, herald.ErrorViolations(herald.ValidateListQuery(q, cols))...)
	vs = append(vs, checkValues(q.Filters, cols, vs)...)
	return q, vs.Err()
}

// filterKeys returns the column keys of the filter parameters in v, sorted
// so that parsing is deterministic.
func filterKeys(v url.Values) []string {
	var keys []string
	for name := range v {
		if key, ok := strings.CutPrefix(name, FilterPrefix); ok && key != "" {
			keys = append(keys, key)
		}
	}
	slices.Sort(keys)
	return keys
}

// ParseFilter reads one filter value such as "eq:alice" or "range:1..10"
// for column key. A value that starts with no known operation is compared
// for equality as a whole ("alice", "https://x"); write "eq:empty" to look
// for the word empty.
func ParseFilter(key, raw string) (herald.Filter, error) {
	op, arg, _ := strings.Cut(raw, ":")
	f := herald.Filter{Field: key, Op: herald.FilterOp(op)}
	if !knownOp(f.Op) {
		f.Op, arg = herald.OpEq, raw
	}
	switch f.Op {
	case herald.OpEq, herald.OpContains:
		f.Value = arg
	case herald.OpRange:
		var ok bool
		if f.Min, f.Max, ok = strings.Cut(arg, ".."); !ok {
			return f, herald.Errorf(herald.EINVALID, "Write a range as min..max, for example 1..10 or 2026-01-01..2026-02-01.")
		}
	case herald.OpEmpty, herald.OpNonEmpty:
		if arg != "" {
			return f, herald.Errorf(herald.EINVALID, "The %s filter takes no value.", op)
		}
	}
	return f, nil
}

// knownOp reports whether op is a filter operation.
func knownOp(op herald.FilterOp) bool {
	switch op {
	case herald.OpEq, herald.OpContains, herald.OpRange, herald.OpEmpty, herald.OpNonEmpty:
		return true
	}
	return false
}

// FormatFilter is the inverse of ParseFilter: the parameter value of f.
func FormatFilter(f herald.Filter) string {
	switch f.Op {
	case herald.OpRange:
		return string(f.Op) + ":" + f.Min + ".." + f.Max
	case herald.OpEmpty, herald.OpNonEmpty:
		return string(f.Op)
	}
	return string(f.Op) + ":" + f.Value
}

// Encode returns the parameters of q; Parse(Encode(q)) gives q back.
func Encode(q herald.ListQuery) url.Values {
	v := url.Values{}
	for _, f := range q.Filters {
		v.Add(FilterPrefix+f.Field, FormatFilter(f))
	}
	if q.Sort != "" {
		v.Set(ParamSort, q.Sort)
	}
	if q.Desc {
		v.Set(ParamDesc, "1")
	}
	if q.Cursor != "" {
		v.Set(ParamCursor, q.Cursor)
	}
	if q.Limit > 0 {
		v.Set(ParamLimit, strconv.Itoa(q.Limit))
	}
	return v
}

// checkValues checks that filter values parse as their columns' types,
// for the filters that have no violation in prior yet.
func checkValues(fs []herald.Filter, cols []herald.Column, prior herald.Violations) herald.Violations {
	var vs herald.Violations
	for _, f := range fs {
		c, ok := herald.FindColumn(cols, f.Field)
		if !ok || prior.Has("filter."+f.Field) || vs.Has("filter."+f.Field) {
			continue
		}
		for _, val := range [...]string{f.Value, f.Min, f.Max} {
			if msg := checkValue(c, f.Op, val); msg != "" {
				vs.Add("filter."+f.Field, herald.VFormat, "%s: %s", c.Label, msg)
				break
			}
		}
	}
	return vs
}

// checkValue returns why val does not fit column c, or "".
func checkValue(c herald.Column, op herald.FilterOp, val string) string {
	if val == "" || op == herald.OpContains {
		return ""
	}
	switch c.Type {
	case herald.ColNumber:
		if _, err := strconv.ParseFloat(val, 64); err != nil {
			return strconv.Quote(val) + " is not a number."
		}
	case herald.ColTime:
		if _, err := ParseTime(val); err != nil {
			return strconv.Quote(val) + " is not a date (YYYY-MM-DD) or time (RFC 3339)."
		}
	case herald.ColBool:
		if val != "true" && val != "false" {
			return "use true or false."
		}
	case herald.ColEnum:
		if !slices.Contains(c.Options, val) {
			return strconv.Quote(val) + " is not one of " + strings.Join(c.Options, ", ") + "."
		}
	}
	return ""
}

// ParseTime reads a time filter value: RFC 3339, or a date YYYY-MM-DD
// meaning its midnight in UTC.
func ParseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	return time.Parse(time.DateOnly, s)
}
