package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/listquery"
)

// tableSpec declares one list page's table.
type tableSpec struct {
	ID      string // the column choice is saved as the user pref "columns.<ID>"
	Path    string // the list page
	Columns []herald.Column
}

// tableSpecs are every table of the portal, for the column chooser.
func tableSpecs() []tableSpec {
	return []tableSpec{usersTable(), rolesTable(), apiKeysTable(), auditTable(), accountsTable(),
		messagesTable(), edrsTable(), webhooksTable(), sendersTable(), mediaTable(), contentTemplatesTable(), convTemplatesTable(), senderReviewTable(),
		broadcastsTable(), broadcastTemplatesTable()}
}

// pageSizes are the "Show N rows" choices.
func pageSizes() []int { return []int{25, 50, 100} }

// table is the data of the table partial: one component for every list.
type table struct {
	ID, Path   string
	Columns    []tableColumn // all, for the column chooser
	Visible    []tableColumn
	Filterable []herald.Column
	Filters    []activeFilter
	Keep       []param // parameters the filter form carries over
	Rows       []tableRow
	Err        string // why the query is invalid
	Empty      string // what to say when there are no rows
	NextURL    string
	PrevURL    string
	Sizes      []sizeLink
	Return     string // this page's URL, for the column chooser
	Details    bool   // rows have expandable details
	Selectable string // the ID of the form whose "ids" the rows' checkboxes are, or ""
	View       string // "cards" draws the rows as cards
}

// tableColumn is a column with its state in this view.
type tableColumn struct {
	herald.Column
	Shown   bool
	Sorted  string // "asc", "desc" or ""
	SortURL string
}

// activeFilter is a filter chip with a link that removes it.
type activeFilter struct {
	Label     string
	Text      string
	RemoveURL string
}

// param is a query parameter.
type param struct{ Name, Value string }

// sizeLink is a "Show N rows" choice.
type sizeLink struct {
	N       int
	URL     string
	Current bool
}

// tableRow is one row: cells in the order of Visible, actions shown on
// hover, and an optional detail table.
type tableRow struct {
	Cells   []cell
	Actions []rowAction
	Detail  *detailTable
	ID      int64 // the row's object, for a Selectable table's checkbox
}

// cell is one cell's content.
type cell struct {
	Text  string
	Href  string
	Badge string   // a small label after the text
	Chips []string // for lists such as permissions
	More  int      // "+N" after the chips
	Mono  bool
	Muted bool
	Thumb string // an image shown as a thumbnail, linking to Href
	Icon  string // an icon shown instead of a thumbnail, linking to Href
	// Progress draws a progress bar (broadcasts); Status draws Text as a
	// status badge of that class.
	Progress *progressBar
	Status   string
}

// rowAction is a row's button. Href is a page; with Confirm it is a
// confirmation page whose form the script posts after a dialog instead.
type rowAction struct {
	Label   string
	Icon    string
	Href    string
	Confirm string
	Danger  bool
	// ConfirmButton labels the dialog's button ("Delete" when empty).
	ConfirmButton string
	// Copy is text that the script copies to the clipboard instead of
	// following Href; Download makes the browser save what Href sends.
	Copy     string
	Download bool
}

// detailTable is the expandable part of a row.
type detailTable struct {
	Caption string
	Header  []string
	Rows    [][]string
}

// beginTable reads the list query of a table page. It redirects the
// filter panel's "add filter" submission to the canonical URL and returns
// ok false then. An invalid query is not an error: the table says why.
func (p *Portal) beginTable(w http.ResponseWriter, r *http.Request, spec tableSpec) (*table, herald.ListQuery, bool) {
	v := r.URL.Query()
	if v.Has("fcol") {
		http.Redirect(w, r, spec.Path+encode(addFilter(v)), http.StatusSeeOther)
		return nil, herald.ListQuery{}, false
	}
	t := &table{ID: spec.ID, Path: spec.Path, Return: r.URL.RequestURI()}
	q, err := listquery.Parse(v, spec.Columns)
	if err != nil {
		t.Err = queryError(err)
	}
	shown, err := p.shownColumns(r, spec)
	if err != nil {
		p.fail(w, r, err)
		return nil, q, false
	}
	v.Del(listquery.ParamCursor)
	t.columns(spec.Columns, shown, q, v)
	t.filters(spec.Columns, v)
	t.sizes(q, v)
	return t, q, true
}

// queryError describes an invalid list query for the banner.
func queryError(err error) string {
	vs := herald.ErrorViolations(err)
	if len(vs) == 0 {
		return herald.ErrorMessage(err)
	}
	msgs := make([]string, len(vs))
	for i, v := range vs {
		msgs[i] = v.Message
	}
	return strings.Join(msgs, " ")
}

// addFilter turns the filter panel's fields (fcol, fop, fval, fmin, fmax)
// into one f.<column> parameter and drops the cursor: filters start over
// at the first page.
func addFilter(v url.Values) url.Values {
	col, op := v.Get("fcol"), herald.FilterOp(v.Get("fop"))
	f := herald.Filter{Field: col, Op: op, Value: strings.TrimSpace(v.Get("fval")),
		Min: strings.TrimSpace(v.Get("fmin")), Max: strings.TrimSpace(v.Get("fmax"))}
	for _, k := range []string{"fcol", "fop", "fval", "fmin", "fmax", listquery.ParamCursor} {
		v.Del(k)
	}
	if col != "" && op != "" {
		v.Add(listquery.FilterPrefix+col, listquery.FormatFilter(f))
	}
	return v
}

// encode returns "?" and the encoded parameters, or "" for none.
func encode(v url.Values) string {
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

// with returns a copy of v with name set to value ("" deletes it).
func with(v url.Values, name, value string) url.Values {
	c := url.Values{}
	for k, vals := range v {
		c[k] = slices.Clone(vals)
	}
	if value == "" {
		c.Del(name)
	} else {
		c.Set(name, value)
	}
	return c
}

// columns fills the column state: which are shown and the sort links.
func (t *table) columns(cols []herald.Column, shown []string, q herald.ListQuery, v url.Values) {
	for _, c := range cols {
		tc := tableColumn{Column: c, Shown: slices.Contains(shown, c.Key)}
		if c.Sortable {
			desc := ""
			if q.Sort == c.Key {
				tc.Sorted = "asc"
				if q.Desc {
					tc.Sorted = "desc"
				} else {
					desc = "1"
				}
			}
			tc.SortURL = t.Path + encode(with(with(v, listquery.ParamSort, c.Key), listquery.ParamDesc, desc))
		}
		t.Columns = append(t.Columns, tc)
		if tc.Shown {
			t.Visible = append(t.Visible, tc)
		}
		if c.Filterable {
			t.Filterable = append(t.Filterable, c)
		}
	}
}

// filters builds the filter chips from the raw parameters (so even an
// invalid filter can be removed) and the parameters the panel keeps.
func (t *table) filters(cols []herald.Column, v url.Values) {
	for name, vals := range v {
		for _, raw := range vals {
			t.Keep = append(t.Keep, param{name, raw})
			key, ok := strings.CutPrefix(name, listquery.FilterPrefix)
			if !ok {
				continue
			}
			rest := with(v, name, "")
			for _, other := range vals {
				if other != raw {
					rest.Add(name, other)
				}
			}
			t.Filters = append(t.Filters, activeFilter{Label: columnLabel(cols, key),
				Text: filterText(key, raw), RemoveURL: t.Path + encode(rest)})
		}
	}
	slices.SortFunc(t.Keep, func(a, b param) int { return strings.Compare(a.Name+a.Value, b.Name+b.Value) })
	slices.SortFunc(t.Filters, func(a, b activeFilter) int { return strings.Compare(a.Label+a.Text, b.Label+b.Text) })
}

// columnLabel returns the label of column key, or key itself.
func columnLabel(cols []herald.Column, key string) string {
	if c, ok := herald.FindColumn(cols, key); ok {
		return c.Label
	}
	return key
}

// filterText describes a filter value for its chip.
func filterText(key, raw string) string {
	f, err := listquery.ParseFilter(key, raw)
	if err != nil {
		return raw
	}
	switch f.Op {
	case herald.OpEq:
		return "= " + f.Value
	case herald.OpContains:
		return "contains " + f.Value
	case herald.OpEmpty:
		return "is empty"
	case herald.OpNonEmpty:
		return "is not empty"
	}
	switch {
	case f.Min == "":
		return "≤ " + f.Max
	case f.Max == "":
		return "≥ " + f.Min
	}
	return f.Min + " … " + f.Max
}

// sizes builds the "Show N rows" links.
func (t *table) sizes(q herald.ListQuery, v url.Values) {
	cur := q.PageLimit()
	for _, n := range pageSizes() {
		t.Sizes = append(t.Sizes, sizeLink{N: n, Current: n == cur,
			URL: t.Path + encode(with(v, listquery.ParamLimit, strconv.Itoa(n)))})
	}
}

// setCursors sets the Next and Prev links of a loaded page.
func (t *table) setCursors(next, prev string, r *http.Request) {
	v := r.URL.Query()
	if next != "" {
		t.NextURL = t.Path + encode(with(v, listquery.ParamCursor, next))
	}
	if prev != "" {
		t.PrevURL = t.Path + encode(with(v, listquery.ParamCursor, prev))
	}
}

// addRow appends a row whose cells are given by column key.
func (t *table) addRow(cells map[string]cell, actions []rowAction, detail *detailTable) {
	row := tableRow{Actions: actions, Detail: detail}
	for _, c := range t.Visible {
		row.Cells = append(row.Cells, cells[c.Key])
	}
	if detail != nil {
		t.Details = true
	}
	t.Rows = append(t.Rows, row)
}

// listFailed handles a list store error: an invalid query goes into the
// table's banner, anything else fails the request. It reports whether the
// request was answered.
func (p *Portal) listFailed(w http.ResponseWriter, r *http.Request, t *table, err error) bool {
	if herald.ErrorCode(err) == herald.EINVALID {
		t.Err = queryError(err)
		return false
	}
	p.fail(w, r, err)
	return true
}

// prefColumns is the user pref key of a table's column choice.
func prefColumns(tableID string) string { return "columns." + tableID }

// shownColumns returns the keys of the columns the user chose for spec,
// or the default columns when there is no valid choice.
func (p *Portal) shownColumns(r *http.Request, spec tableSpec) ([]string, error) {
	st := state(r)
	saved, err := p.store.UserPref(r.Context(), st.User.ID, prefColumns(spec.ID))
	if err != nil {
		return nil, err
	}
	var keys []string
	for _, k := range strings.Split(saved, ",") {
		if _, ok := herald.FindColumn(spec.Columns, k); ok {
			keys = append(keys, k)
		}
	}
	if len(keys) > 0 {
		return keys, nil
	}
	for _, c := range spec.Columns {
		if !c.Hidden {
			keys = append(keys, c.Key)
		}
	}
	return keys, nil
}

// saveColumns saves the column chooser's choice for one table and goes
// back to the list. An empty choice restores the default columns.
func (p *Portal) saveColumns(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		p.errorPage(w, r, http.StatusBadRequest, "The form could not be read.")
		return
	}
	spec, ok := p.findTableSpec(r, r.PostForm.Get("table"))
	if !ok {
		p.notFound(w, r)
		return
	}
	var keys []string
	if r.PostForm.Get("reset") == "" {
		for _, c := range spec.Columns {
			if slices.Contains(r.PostForm["col"], c.Key) {
				keys = append(keys, c.Key)
			}
		}
	}
	if err := p.store.SetUserPref(r.Context(), state(r).User.ID, prefColumns(spec.ID), strings.Join(keys, ",")); err != nil {
		p.fail(w, r, err)
		return
	}
	http.Redirect(w, r, localPath(r.PostForm.Get("next"), spec.Path), http.StatusSeeOther)
}

// findTableSpec returns the table id: one of tableSpecs, or a table whose
// columns depend on the account (contacts).
func (p *Portal) findTableSpec(r *http.Request, id string) (tableSpec, bool) {
	if i := slices.IndexFunc(tableSpecs(), func(s tableSpec) bool { return s.ID == id }); i >= 0 {
		return tableSpecs()[i], true
	}
	return p.accountTableSpec(r, id)
}

// fillTable adds a row for every item of a page and sets the cursors.
func fillTable[T any](t *table, r *http.Request, pg herald.Page[T], row func(*T) (map[string]cell, []rowAction, *detailTable)) {
	for i := range pg.Items {
		t.addRow(row(&pg.Items[i]))
	}
	t.setCursors(pg.Next, pg.Prev, r)
}

// Span is the number of columns a full-width cell spans.
func (t *table) Span() int {
	n := len(t.Visible) + 1 // the actions column
	if t.Details {
		n++
	}
	if t.Selectable != "" {
		n++
	}
	return n
}

// listPage is a page that shows one table of T in a section of the menu.
type listPage[T any] struct {
	Spec   tableSpec
	Title  string
	Active string // the menu entry
	Empty  string // what the table says when it has no rows
	// List reads one page of rows for the query.
	List func(context.Context, herald.ListQuery) (herald.Page[T], error)
	// Row gives an item's cells, row buttons and details.
	Row func(*page, *T) (map[string]cell, []rowAction, *detailTable)
}

// begin reads the table's query, starts the page and fills the table,
// unless the query is invalid (the table's banner says why then). It
// answered the request when ok is false.
func (lp listPage[T]) begin(p *Portal, w http.ResponseWriter, r *http.Request) (*page, *table, bool) {
	t, q, ok := p.beginTable(w, r, lp.Spec)
	if !ok {
		return nil, nil, false
	}
	pg := p.newPage(r, lp.Title)
	pg.Active = lp.Active
	t.Empty = lp.Empty
	if t.Err == "" {
		list, err := lp.List(r.Context(), q)
		if err == nil {
			fillTable(t, r, list, func(item *T) (map[string]cell, []rowAction, *detailTable) { return lp.Row(pg, item) })
		} else if p.listFailed(w, r, t, err) {
			return nil, nil, false
		}
	}
	return pg, t, true
}

// show renders the page with the page template name, the table as its
// data.
func (lp listPage[T]) show(p *Portal, w http.ResponseWriter, r *http.Request, name string) {
	pg, t, ok := lp.begin(p, w, r)
	if !ok {
		return
	}
	pg.Data = t
	p.render(w, r, name, pg)
}

// listInAccount binds a list of the signed-in user's account to it.
func listInAccount[T any](r *http.Request, list func(context.Context, int64, herald.ListQuery) (herald.Page[T], error)) func(context.Context, herald.ListQuery) (herald.Page[T], error) {
	acc := state(r).User.AccountID
	return func(ctx context.Context, q herald.ListQuery) (herald.Page[T], error) { return list(ctx, acc, q) }
}
