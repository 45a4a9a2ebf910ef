package store

import (
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// filterSQL returns the condition for one filter, adding its arguments to
// args. ValidateListQuery has already checked the operation against the
// column type; values are parsed here, and a bad one is EINVALID on
// "filter.<key>".
func filterSQL(c listCol, f herald.Filter, args *listArgs) (string, error) {
	if c.each == "" {
		return valueFilter(c.expr, c.typ, f, args)
	}
	// A list-valued column: match when any element matches. A list is
	// empty when it has no non-empty element.
	op := "EXISTS"
	if f.Op == herald.OpEmpty {
		op, f.Op = "NOT EXISTS", herald.OpNonEmpty
	}
	cond, err := valueFilter(c.expr, c.typ, f, args)
	if err != nil {
		return "", err
	}
	if c.on != "" {
		cond = c.on + " AND " + cond
	}
	return op + " (SELECT 1 FROM " + c.each + " WHERE " + cond + ")", nil
}

// valueFilter returns the condition of f on the scalar expr.
func valueFilter(expr string, typ herald.ColumnType, f herald.Filter, args *listArgs) (string, error) {
	text := typ == herald.ColText || typ == herald.ColEnum
	switch f.Op {
	case herald.OpEmpty:
		if text {
			return "(" + expr + " IS NULL OR " + expr + " = '')", nil
		}
		return expr + " IS NULL", nil
	case herald.OpNonEmpty:
		if text {
			return "(" + expr + " IS NOT NULL AND " + expr + " <> '')", nil
		}
		return expr + " IS NOT NULL", nil
	case herald.OpContains:
		pattern := "%" + escapeLike(asciiLower(f.Value)) + "%"
		return "lower(" + expr + ") LIKE " + args.add(pattern) + ` ESCAPE '\'`, nil
	case herald.OpRange:
		return rangeFilter(expr, typ, f, args)
	}
	return eqFilter(expr, typ, f, args)
}

// eqFilter is OpEq: case-insensitive for text, a whole day for a date.
func eqFilter(expr string, typ herald.ColumnType, f herald.Filter, args *listArgs) (string, error) {
	switch typ {
	case herald.ColNumber:
		n, err := parseNumber(f.Value)
		if err != nil {
			return "", badFilter(f.Field, "%q is not a number.", f.Value)
		}
		return expr + " = " + args.addNumber(n), nil
	case herald.ColBool:
		b, err := strconv.ParseBool(f.Value)
		if err != nil {
			return "", badFilter(f.Field, "%q is not true or false.", f.Value)
		}
		return expr + " = " + args.add(b), nil
	case herald.ColTime:
		t, day, err := parseTime(f.Value)
		if err != nil {
			return "", badFilter(f.Field, "%q is not a date (YYYY-MM-DD) or an RFC 3339 time.", f.Value)
		}
		if day {
			return "(" + expr + " >= " + args.add(t) + " AND " + expr + " < " + args.add(t.AddDate(0, 0, 1)) + ")", nil
		}
		return expr + " = " + args.add(t), nil
	}
	return "lower(" + expr + ") = " + args.add(asciiLower(f.Value)), nil
}

// rangeFilter is OpRange on a number or time column; bounds are
// inclusive, and a Max date includes that whole day.
func rangeFilter(expr string, typ herald.ColumnType, f herald.Filter, args *listArgs) (string, error) {
	var conds []string
	for _, bound := range []struct {
		value string
		max   bool
	}{{f.Min, false}, {f.Max, true}} {
		if bound.value == "" {
			continue
		}
		cond, err := boundFilter(expr, typ, f.Field, bound.value, bound.max, args)
		if err != nil {
			return "", err
		}
		conds = append(conds, cond)
	}
	return "(" + strings.Join(conds, " AND ") + ")", nil
}

// boundFilter is one side of a range.
func boundFilter(expr string, typ herald.ColumnType, field, value string, isMax bool, args *listArgs) (string, error) {
	op := " >= "
	if isMax {
		op = " <= "
	}
	if typ == herald.ColNumber {
		n, err := parseNumber(value)
		if err != nil {
			return "", badFilter(field, "%q is not a number.", value)
		}
		return expr + op + args.addNumber(n), nil
	}
	t, day, err := parseTime(value)
	if err != nil {
		return "", badFilter(field, "%q is not a date (YYYY-MM-DD) or an RFC 3339 time.", value)
	}
	if day && isMax {
		return expr + " < " + args.add(t.AddDate(0, 0, 1)), nil
	}
	return expr + op + args.add(t), nil
}

// parseNumber reads an integer as int64 and anything else as float64.
func parseNumber(s string) (any, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	return strconv.ParseFloat(s, 64)
}

// parseTime reads an RFC 3339 time or a YYYY-MM-DD date (day true),
// which is midnight UTC.
func parseTime(s string) (t time.Time, day bool, err error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, true, nil
	}
	t, err = time.Parse(time.RFC3339Nano, s)
	return t.UTC(), false, err
}

// escapeLike escapes LIKE's wildcards and its escape character.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// badFilter is the EINVALID error for a filter value of the wrong form.
func badFilter(key, format string, args ...any) error {
	var vs herald.Violations
	vs.Add("filter."+key, herald.VFormat, format, args...)
	return vs.Err()
}
