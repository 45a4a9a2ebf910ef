package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/heraldhq/herald"
)

// Lists share one builder. A listSpec maps each filterable or sortable
// herald.Column key of a resource to SQL; buildList turns a
// herald.ListQuery into a WHERE clause, a keyset condition and an ORDER BY;
// runList runs it and makes the cursors.
//
// Ordering is identical on both engines: text sorts by lower(expr), which
// folds ASCII only, under byte-wise collation (SQLite BINARY, PostgreSQL
// columns declared COLLATE "C"); NULLs sort as the lowest value of their
// type (see sortKey); the row ID breaks ties in the same direction.

// listCol is the SQL of one list column.
type listCol struct {
	expr     string            // SQL over the spec's FROM clause
	typ      herald.ColumnType // how values are parsed and compared
	nullable bool              // NULL sorts as the type's lowest value
	// each, when set, makes the column list-valued: expr is a value of
	// the rows of the FROM item each that satisfy the correlation on
	// (if any), and a filter matches when any of them matches. Such
	// columns can be filtered but not sorted.
	each, on string
}

// listSpec is one listable resource.
type listSpec struct {
	columns []herald.Column    // what callers may filter and sort by
	cols    map[string]listCol // SQL for each filterable or sortable key
	selects string             // the columns the resource's scan reads
	from    string             // the FROM clause, with an alias
	id      string             // the row ID: tie-breaker and default sort
	// newestFirst makes Sort "" list by ID descending.
	newestFirst bool
}

// listArgs collects query arguments and hands out their placeholders.
type listArgs []any

// add appends v and returns its placeholder.
func (a *listArgs) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// addNumber is add for a number from parseNumber: a float64 is cast so
// that PostgreSQL compares it with an integer column instead of refusing
// to encode it as one.
func (a *listArgs) addNumber(n any) string {
	if _, ok := n.(float64); ok {
		return "CAST(" + a.add(n) + " AS DOUBLE PRECISION)"
	}
	return a.add(n)
}

// listPlan is a list query ready to run.
type listPlan struct {
	q       herald.ListQuery
	spec    *listSpec
	where   []string
	args    listArgs
	key     string            // the sort key SQL; spec.id when sorting by ID
	typ     herald.ColumnType // of the sort key
	desc    bool              // the order the page is shown in
	reverse bool              // fetching backwards from a Prev cursor
}

// buildList validates q against spec and plans the query. scope is the
// tenant condition (placeholders $1... for scopeArgs), or "".
func (s *Store) buildList(spec *listSpec, q herald.ListQuery, scope string, scopeArgs ...any) (*listPlan, error) {
	if err := herald.ValidateListQuery(q, spec.columns); err != nil {
		return nil, err
	}
	p := &listPlan{q: q, spec: spec, args: scopeArgs, key: spec.id, typ: herald.ColNumber, desc: q.Desc}
	if scope != "" {
		p.where = append(p.where, scope)
	}
	for _, f := range q.Filters {
		c, ok := spec.cols[f.Field]
		if !ok {
			return nil, fmt.Errorf("listing: no SQL for filter column %q", f.Field)
		}
		cond, err := filterSQL(c, f, &p.args)
		if err != nil {
			return nil, err
		}
		p.where = append(p.where, cond)
	}
	if err := p.setSort(spec, s.d); err != nil {
		return nil, err
	}
	if q.Cursor != "" {
		if err := p.applyCursor(); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// setSort picks the sort key and its direction.
func (p *listPlan) setSort(spec *listSpec, d dialect) error {
	if p.q.Sort == "" {
		p.desc = p.desc || spec.newestFirst
		return nil
	}
	c, ok := spec.cols[p.q.Sort]
	if !ok || c.each != "" {
		return fmt.Errorf("listing: no SQL for sort column %q", p.q.Sort)
	}
	if c.expr != spec.id {
		p.key, p.typ = sortKey(c, d), c.typ
	}
	return nil
}

// sortKey returns the SQL that c sorts by: lower-cased text, and NULL
// replaced by the type's lowest value so that both engines put it first.
func sortKey(c listCol, d dialect) string {
	expr := c.expr
	switch c.typ {
	case herald.ColText, herald.ColEnum:
		if c.nullable {
			expr = "COALESCE(" + expr + ", '')"
		}
		return "lower(" + expr + ")"
	case herald.ColTime:
		if c.nullable {
			return "COALESCE(" + expr + ", " + d.minTime + ")"
		}
	case herald.ColNumber:
		if c.nullable {
			return "COALESCE(" + expr + ", -9223372036854775807)"
		}
	case herald.ColBool:
		if c.nullable {
			return "COALESCE(" + expr + ", FALSE)"
		}
	}
	return expr
}

// byID reports whether the list sorts by the row ID alone.
func (p *listPlan) byID() bool { return p.key == p.spec.id }

// ascending reports whether rows are fetched in ascending order.
func (p *listPlan) ascending() bool { return p.desc == p.reverse }

// sql returns the query: the spec's columns followed by the sort key and
// the ID, which runList reads to make cursors. limit < 0 means no limit.
func (p *listPlan) sql(limit int) string {
	dir := " DESC"
	if p.ascending() {
		dir = " ASC"
	}
	var b strings.Builder
	b.WriteString("SELECT " + p.spec.selects + ", " + p.key + ", " + p.spec.id + " FROM " + p.spec.from)
	if len(p.where) > 0 {
		b.WriteString(" WHERE " + strings.Join(p.where, " AND "))
	}
	b.WriteString(" ORDER BY ")
	if !p.byID() {
		b.WriteString(p.key + dir + ", ")
	}
	b.WriteString(p.spec.id + dir)
	if limit >= 0 {
		b.WriteString(" LIMIT " + strconv.Itoa(limit))
	}
	return b.String()
}

// runList runs p for one page. scan reads the spec's columns of one row
// and then the extra destinations, in order.
func runList[T any](ctx context.Context, db querier, p *listPlan, scan func(r scanner, extra ...any) (T, error)) (herald.Page[T], error) {
	limit := p.q.PageLimit()
	rs, err := db.query(ctx, p.sql(limit+1), p.args...)
	if err != nil {
		return herald.Page[T]{}, fmt.Errorf("listing: %w", err)
	}
	defer rs.Close()
	var items []T
	var keys []cursor
	for rs.Next() {
		var raw any
		var c cursor
		item, err := scan(rs, &raw, &c.ID)
		if err != nil {
			return herald.Page[T]{}, fmt.Errorf("listing: scanning: %w", err)
		}
		if c.Key, err = normKey(p.typ, raw); err != nil {
			return herald.Page[T]{}, err
		}
		items, keys = append(items, item), append(keys, c)
	}
	if err := rs.Err(); err != nil {
		return herald.Page[T]{}, fmt.Errorf("listing: %w", err)
	}
	more := len(items) > limit
	if more {
		items, keys = items[:limit], keys[:limit]
	}
	if p.reverse {
		slices.Reverse(items)
		slices.Reverse(keys)
	}
	page := herald.Page[T]{Items: items}
	page.Next, page.Prev = p.cursors(keys, more)
	return page, nil
}

// cursors returns the Next and Prev cursors of a page whose rows have
// keys; more tells whether rows lie beyond the page in fetch direction.
func (p *listPlan) cursors(keys []cursor, more bool) (next, prev string) {
	if len(keys) == 0 {
		return "", ""
	}
	first, last := keys[0], keys[len(keys)-1]
	for _, c := range []*cursor{&first, &last} {
		c.Sort, c.Desc = p.q.Sort, p.q.Desc
		if p.byID() {
			c.Key = nil
		}
	}
	first.Prev = true
	switch {
	case p.reverse:
		next = last.encode()
		if more {
			prev = first.encode()
		}
	default:
		if more {
			next = last.encode()
		}
		if p.q.Cursor != "" {
			prev = first.encode()
		}
	}
	return next, prev
}

// applyCursor adds the keyset condition of the query's cursor.
func (p *listPlan) applyCursor() error {
	c, err := decodeCursor(p.q.Cursor)
	if err != nil || c.Sort != p.q.Sort || c.Desc != p.q.Desc {
		return badCursor()
	}
	p.reverse = c.Prev
	op := "<"
	if p.ascending() {
		op = ">"
	}
	id := p.args.add(c.ID)
	if p.byID() {
		p.where = append(p.where, p.spec.id+" "+op+" "+id)
		return nil
	}
	v, err := keyArg(p.typ, c.Key)
	if err != nil {
		return badCursor()
	}
	var key string
	if p.typ == herald.ColNumber {
		key = p.args.addNumber(v)
	} else {
		key = p.args.add(v)
	}
	p.where = append(p.where, "("+p.key+", "+p.spec.id+") "+op+" ("+key+", "+id+")")
	return nil
}
