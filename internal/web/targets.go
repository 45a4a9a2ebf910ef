package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/listquery"
)

// targetsTable is the Targets list.
func targetsTable() tableSpec {
	return tableSpec{ID: "targets", Path: "/targets", Columns: herald.TargetColumns()}
}

// listTargets shows the Targets tab.
func (p *Portal) listTargets(w http.ResponseWriter, r *http.Request) {
	t, q, ok := p.beginTable(w, r, targetsTable())
	if !ok {
		return
	}
	pg := p.newPage(r, "Targets")
	pg.Active = "contacts"
	t.Empty = "No targets yet. Filter the contacts and save the filters as a target."
	if t.Err == "" {
		acc := state(r).User.AccountID
		cols, err := p.contacts.ContactColumns(r.Context(), acc)
		if err != nil {
			p.fail(w, r, err)
			return
		}
		list, err := p.contacts.ListTargets(r.Context(), acc, q)
		if err == nil {
			fillTable(t, r, list, func(tg *herald.Target) (map[string]cell, []rowAction, *detailTable) {
				return targetCells(pg, tg, cols), targetActions(pg, tg), nil
			})
		} else if p.listFailed(w, r, t, err) {
			return
		}
	}
	pg.Data = t
	p.render(w, r, "targets", pg)
}

// targetCells are the cells of one target.
func targetCells(pg *page, t *herald.Target, cols []herald.Column) map[string]cell {
	var chips []string
	for _, f := range t.Filters {
		chips = append(chips, columnLabel(cols, f.Field)+" "+filterText(f.Field, listquery.FormatFilter(f)))
	}
	return map[string]cell{
		"id":        {Text: strconv.FormatInt(t.ID, 10), Mono: true},
		"name":      {Text: t.Name, Href: "/targets/" + strconv.FormatInt(t.ID, 10)},
		"filters":   chipsCell(chips),
		"launches":  {Text: strconv.Itoa(t.Launches)},
		"createdAt": {Text: pg.Time(t.CreatedAt)},
		"updatedAt": {Text: pg.Time(t.UpdatedAt)},
	}
}

// targetActions are a target's row buttons.
func targetActions(pg *page, t *herald.Target) []rowAction {
	href := "/targets/" + strconv.FormatInt(t.ID, 10)
	if !pg.Can(string(herald.PermContactsManage)) {
		return []rowAction{{Label: "View", Icon: "eye", Href: href}}
	}
	return []rowAction{
		{Label: "Edit", Icon: "edit", Href: href},
		{Label: "Duplicate", Icon: "copy", Href: href + "/duplicate", Confirm: "Duplicate the target " + t.Name + "?"},
		{Label: "Delete", Icon: "trash", Href: href + "/delete", Danger: true, Confirm: "Delete the target " + t.Name + "?"},
	}
}

// targetData is the data of the target form: its name, its filters as
// chips, the filter panel and the live count.
type targetData struct {
	Form       *form
	ID         int64
	ReadOnly   bool
	Path       string // the form's own page, for the filter panel
	Filters    []activeFilter
	Params     []param // the f.* parameters, posted with the form
	Keep       []param // what the filter panel carries over
	Filterable []herald.Column
	Count      int
	Err        string
	Launches   int
	ListURL    string // the Contacts tab with the target's filters
}

// newTarget shows the target form for the filters in the URL.
func (p *Portal) newTarget(w http.ResponseWriter, r *http.Request) {
	f := newForm("name", "filters")
	f.set("name", r.URL.Query().Get("name"))
	p.targetForm(w, r, http.StatusOK, f, &targetData{Path: "/targets/new"}, r.URL.Query())
}

// editTarget shows a target; the URL's filters, once edited, win over
// the saved ones.
func (p *Portal) editTarget(w http.ResponseWriter, r *http.Request) {
	t, ok := p.loadTarget(w, r)
	if !ok {
		return
	}
	v := r.URL.Query()
	if v.Get("edited") == "" {
		v = listquery.Encode(herald.ListQuery{Filters: t.Filters})
		v.Set("name", t.Name)
	}
	f := newForm("name", "filters")
	f.set("name", v.Get("name"))
	d := &targetData{ID: t.ID, Path: "/targets/" + strconv.FormatInt(t.ID, 10), Launches: t.Launches,
		ReadOnly: !state(r).User.Can(herald.PermContactsManage)}
	p.targetForm(w, r, http.StatusOK, f, d, v)
}

// targetForm renders the form for the filters in v. It redirects the
// filter panel's submission to the canonical URL first.
func (p *Portal) targetForm(w http.ResponseWriter, r *http.Request, status int, f *form, d *targetData, v url.Values) {
	if v.Has("fcol") {
		v = addFilter(v)
		v.Set("edited", "1")
		http.Redirect(w, r, d.Path+encode(v), http.StatusSeeOther)
		return
	}
	acc := state(r).User.AccountID
	cols, err := p.contacts.ContactColumns(r.Context(), acc)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	q, qerr := listquery.Parse(v, cols)
	if qerr == nil {
		d.Count, qerr = p.contacts.CountContacts(r.Context(), acc, q.Filters)
	}
	if qerr != nil {
		d.Err = queryError(qerr)
	}
	p.targetChips(d, cols, v)
	d.Form = f
	pg := p.newPage(r, "New target")
	if d.ID != 0 {
		pg.Title = "Target " + f.Get("name")
	}
	pg.Active = "contacts"
	pg.Data = d
	p.renderStatus(w, r, status, "target", pg)
}

// targetChips fills the filter chips, the posted filters and the panel's
// carried parameters from v.
func (p *Portal) targetChips(d *targetData, cols []herald.Column, v url.Values) {
	t := &table{Path: d.Path}
	keep := with(v, "edited", "1")
	t.filters(cols, keep)
	d.Filters, d.Keep = t.Filters, t.Keep
	for _, c := range cols {
		if c.Filterable {
			d.Filterable = append(d.Filterable, c)
		}
	}
	params, query := filterParams(v)
	d.Params, d.ListURL = params, "/contacts?"+query
}

// targetFromForm reads the name and the posted filters.
func (p *Portal) targetFromForm(r *http.Request, t *herald.Target) error {
	_ = r.ParseForm()
	t.Name = r.PostForm.Get("name")
	cols, err := p.contacts.ContactColumns(r.Context(), t.AccountID)
	if err != nil {
		return err
	}
	q, err := listquery.Parse(r.PostForm, cols)
	t.Filters = q.Filters
	return err
}

// createTarget saves a new target.
func (p *Portal) createTarget(w http.ResponseWriter, r *http.Request) {
	t := &herald.Target{AccountID: state(r).User.AccountID}
	err := p.targetFromForm(r, t)
	if err == nil {
		err = p.contacts.CreateTarget(r.Context(), t)
	}
	if err != nil {
		f := readForm(r, "name", "filters")
		p.formError(w, r, f, targetFormErr(err), func(status int) {
			p.targetForm(w, r, status, f, &targetData{Path: "/targets/new"}, r.PostForm)
		})
		return
	}
	p.redirect(w, r, "/targets", "Target "+t.Name+" saved.")
}

// targetFormErr points filter violations at the filters.
func targetFormErr(err error) error {
	vs := herald.ErrorViolations(err)
	for i := range vs {
		if strings.HasPrefix(vs[i].Field, "filter") {
			vs[i].Field = "filters"
		}
	}
	if len(vs) == 0 {
		return err
	}
	return herald.Violations(vs).Err()
}

// loadTarget loads the {id} target of the account.
func (p *Portal) loadTarget(w http.ResponseWriter, r *http.Request) (*herald.Target, bool) {
	id, ok := pathID(r)
	if !ok {
		p.notFound(w, r)
		return nil, false
	}
	t, err := p.contacts.Target(r.Context(), state(r).User.AccountID, id)
	if err != nil {
		p.fail(w, r, err)
		return nil, false
	}
	return t, true
}

// updateTarget saves a target.
func (p *Portal) updateTarget(w http.ResponseWriter, r *http.Request) {
	t, ok := p.loadTarget(w, r)
	if !ok {
		return
	}
	err := p.targetFromForm(r, t)
	if err == nil {
		err = p.contacts.UpdateTarget(r.Context(), t)
	}
	if err != nil {
		f := readForm(r, "name", "filters")
		d := &targetData{ID: t.ID, Path: "/targets/" + strconv.FormatInt(t.ID, 10), Launches: t.Launches}
		p.formError(w, r, f, targetFormErr(err), func(status int) { p.targetForm(w, r, status, f, d, r.PostForm) })
		return
	}
	p.redirect(w, r, "/targets", "Target "+t.Name+" saved.")
}

// confirmDuplicateTarget asks before duplicating a target.
func (p *Portal) confirmDuplicateTarget(w http.ResponseWriter, r *http.Request) {
	t, ok := p.loadTarget(w, r)
	if !ok {
		return
	}
	p.confirm(w, r, "contacts", confirmData{Heading: "Duplicate target", Message: "Duplicate the target " + t.Name + "?",
		Action: r.URL.Path, Button: "Duplicate", Cancel: "/targets"})
}

// duplicateTarget copies a target.
func (p *Portal) duplicateTarget(w http.ResponseWriter, r *http.Request) {
	t, ok := p.loadTarget(w, r)
	if !ok {
		return
	}
	dup, err := p.contacts.DuplicateTarget(r.Context(), t.AccountID, t.ID)
	if err != nil {
		p.actionFailed(w, r, "/targets", err)
		return
	}
	p.redirect(w, r, "/targets", "Target "+dup.Name+" created.")
}

// confirmDeleteTarget asks before deleting a target.
func (p *Portal) confirmDeleteTarget(w http.ResponseWriter, r *http.Request) {
	t, ok := p.loadTarget(w, r)
	if !ok {
		return
	}
	p.confirm(w, r, "contacts", confirmData{Heading: "Delete target", Message: "Delete the target " + t.Name + "? Its contacts stay.",
		Action: r.URL.Path, Button: "Delete", Cancel: "/targets"})
}

// deleteTarget deletes a target.
func (p *Portal) deleteTarget(w http.ResponseWriter, r *http.Request) {
	t, ok := p.loadTarget(w, r)
	if !ok {
		return
	}
	if err := p.contacts.DeleteTarget(r.Context(), t.AccountID, t.ID); err != nil {
		p.actionFailed(w, r, "/targets", err)
		return
	}
	p.redirect(w, r, "/targets", "Target "+t.Name+" deleted.")
}
