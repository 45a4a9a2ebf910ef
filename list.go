package herald

// ListQuery asks a store for one page of a list. Lists paginate by keyset:
// Cursor is the opaque Next or Prev value of the page before, never an
// offset, so a page of a table with tens of millions of rows is as fast as
// the first.
type ListQuery struct {
	Filters []Filter // all must match
	Sort    string   // a Column.Key with Sortable set; "" sorts by ID
	Desc    bool     // descending order
	Cursor  string   // from Page.Next or Page.Prev; "" for the first page
	Limit   int      // rows per page; clamped to [1, MaxPageSize], 0 means DefaultPageSize
}

// Page sizes.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

// PageLimit returns q.Limit clamped to the allowed range.
func (q ListQuery) PageLimit() int {
	switch {
	case q.Limit <= 0:
		return DefaultPageSize
	case q.Limit > MaxPageSize:
		return MaxPageSize
	}
	return q.Limit
}

// FilterOp is how a Filter compares a column.
type FilterOp string

// Filter operations: the filter panel of every table offers these.
const (
	OpEq       FilterOp = "eq"       // equal (case-insensitive for text)
	OpContains FilterOp = "contains" // text contains Value, case-insensitive
	OpRange    FilterOp = "range"    // Min <= value <= Max; either bound may be empty
	OpEmpty    FilterOp = "empty"    // NULL or ''
	OpNonEmpty FilterOp = "nonempty" // neither NULL nor ''
)

// Filter narrows a list by one column.
type Filter struct {
	Field string   `json:"field"`           // a Column.Key with Filterable set
	Op    FilterOp `json:"op"`              // the comparison
	Value string   `json:"value,omitempty"` // for OpEq and OpContains
	Min   string   `json:"min,omitempty"`   // for OpRange
	Max   string   `json:"max,omitempty"`   // for OpRange
}

// Page is one page of a list. Next and Prev are cursors for the following and
// preceding pages; empty when there is none.
type Page[T any] struct {
	Items []T
	Next  string
	Prev  string
}

// ColumnType tells the filter panel which controls a column gets and the
// store how to compare values.
type ColumnType string

// Column types.
const (
	ColText   ColumnType = "text"
	ColNumber ColumnType = "number"
	ColTime   ColumnType = "time" // RFC 3339 or YYYY-MM-DD in filters
	ColBool   ColumnType = "bool" // "true" or "false" in filters
	ColEnum   ColumnType = "enum" // one of Options
)

// Column describes one column of a list: how the portal shows it and what
// the API and the store accept for filtering and sorting.
type Column struct {
	Key        string     // the JSON field name; also the filter and sort key
	Label      string     // the header shown in the portal
	Type       ColumnType // drives filter controls and value parsing
	Options    []string   // allowed values for ColEnum
	Sortable   bool
	Filterable bool
	Hidden     bool // not shown until the user picks it in the column chooser
}

// FindColumn returns the column with key, if any.
func FindColumn(cols []Column, key string) (Column, bool) {
	for _, c := range cols {
		if c.Key == key {
			return c, true
		}
	}
	return Column{}, false
}

// ValidateListQuery checks that q only filters and sorts by the columns that
// allow it, with operations and values that fit their types.
func ValidateListQuery(q ListQuery, cols []Column) error {
	var vs Violations
	if q.Sort != "" {
		if c, ok := FindColumn(cols, q.Sort); !ok || !c.Sortable {
			vs.Add("sort", VUnknown, "Cannot sort by %q.", q.Sort)
		}
	}
	for _, f := range q.Filters {
		c, ok := FindColumn(cols, f.Field)
		if !ok || !c.Filterable {
			vs.Add("filter."+f.Field, VUnknown, "Cannot filter by %q.", f.Field)
			continue
		}
		switch f.Op {
		case OpEq, OpEmpty, OpNonEmpty:
		case OpContains:
			if c.Type != ColText {
				vs.Add("filter."+f.Field, VFormat, "Only text columns can be searched with contains.")
			}
		case OpRange:
			if c.Type != ColNumber && c.Type != ColTime {
				vs.Add("filter."+f.Field, VFormat, "Only number and time columns can be filtered by range.")
			} else if f.Min == "" && f.Max == "" {
				vs.Add("filter."+f.Field, VRequired, "A range needs a minimum, a maximum or both.")
			}
		default:
			vs.Add("filter."+f.Field, VUnknown, "Unknown filter operation %q.", f.Op)
		}
	}
	return vs.Err()
}
