package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/importer"
	"github.com/heraldhq/herald/internal/listquery"
)

// Contacts is what the contact pages need from the store.
type Contacts interface {
	herald.ContactStore
	herald.AttributeStore
	herald.TargetStore
	herald.OptOutWordStore
	herald.ImportStore
}

// setContactDeps fills the contact services, defaulting to the store.
func (p *Portal) setContactDeps(deps Deps) {
	p.contacts = deps.Contacts
	if p.contacts == nil {
		p.contacts, _ = deps.Store.(Contacts)
	}
	p.imports = deps.Imports
	if p.imports == nil && p.contacts != nil {
		p.imports = &importer.Service{Store: p.contacts}
	}
}

// contactsTableID is the Contacts table's ID for the column chooser.
const contactsTableID = "contacts"

// contactsTable is the Contacts list of the account's attributes.
func (p *Portal) contactsTable(ctx context.Context, accountID int64) (tableSpec, []herald.Attribute, error) {
	attrs, err := p.contacts.Attributes(ctx, accountID)
	if err != nil {
		return tableSpec{}, nil, err
	}
	return tableSpec{ID: contactsTableID, Path: "/contacts", Columns: herald.ContactColumns(attrs)}, attrs, nil
}

// accountTableSpec returns the tables of the contact pages: Targets and
// Opt-out words, and Contacts, whose columns depend on the account.
func (p *Portal) accountTableSpec(r *http.Request, id string) (tableSpec, bool) {
	switch {
	case id == "targets":
		return targetsTable(), true
	case id == "optoutwords":
		return optOutWordsTable(), true
	case id == "moderation":
		return moderationTable(), true
	case id == contactOutcomesTableID:
		return contactOutcomesTable(0), true
	case id != contactsTableID || p.contacts == nil:
		return tableSpec{}, false
	}
	spec, _, err := p.contactsTable(r.Context(), state(r).User.AccountID)
	return spec, err == nil
}

// contactsData is the data of the Contacts page.
type contactsData struct {
	Table    *table
	Count    int
	Filters  []param // the list's filters, for "all matching" and "save as target"
	Query    string  // the filters as a query string
	Attrs    []herald.Attribute
	CanEdit  bool
	CountErr bool
}

// listContacts shows the Contacts tab with the mass edit panel.
func (p *Portal) listContacts(w http.ResponseWriter, r *http.Request) {
	acc := state(r).User.AccountID
	spec, attrs, err := p.contactsTable(r.Context(), acc)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	t, q, ok := p.beginTable(w, r, spec)
	if !ok {
		return
	}
	pg := p.newPage(r, "Contacts")
	pg.Active = "contacts"
	d := &contactsData{Table: t, Attrs: attrs, CanEdit: pg.Can(string(herald.PermContactsManage))}
	t.Empty = "No contacts match. Add one, or import a file."
	if d.CanEdit {
		t.Selectable = "mass-form"
	}
	if t.Err == "" {
		if !p.fillContacts(w, r, pg, t, q) {
			return
		}
		d.Count, err = p.contacts.CountContacts(r.Context(), acc, q.Filters)
		d.CountErr = err != nil
	}
	d.Filters, d.Query = filterParams(r.URL.Query())
	pg.Data = d
	p.render(w, r, "contacts", pg)
}

// fillContacts loads one page of contacts into t; false when it answered.
func (p *Portal) fillContacts(w http.ResponseWriter, r *http.Request, pg *page, t *table, q herald.ListQuery) bool {
	list, err := p.contacts.ListContacts(r.Context(), state(r).User.AccountID, q)
	if err != nil {
		return !p.listFailed(w, r, t, err)
	}
	for i := range list.Items {
		c := &list.Items[i]
		t.addRow(contactCells(pg, c, t.Columns), contactActions(pg, c), nil)
		t.Rows[len(t.Rows)-1].ID = c.ID
	}
	t.setCursors(list.Next, list.Prev, r)
	return true
}

// filterParams returns the f.* parameters of v and their query string.
func filterParams(v url.Values) ([]param, string) {
	var out []param
	keep := url.Values{}
	for name, vals := range v {
		if strings.HasPrefix(name, listquery.FilterPrefix) {
			for _, val := range vals {
				out = append(out, param{name, val})
				keep.Add(name, val)
			}
		}
	}
	return out, keep.Encode()
}

// contactCells are the cells of one contact by column key.
func contactCells(pg *page, c *herald.Contact, cols []tableColumn) map[string]cell {
	href := "/contacts/" + strconv.FormatInt(c.ID, 10)
	cells := map[string]cell{
		"id":                   {Text: strconv.FormatInt(c.ID, 10), Mono: true},
		herald.ColPhone:        {Text: c.Phone, Href: href, Mono: true},
		herald.ColEmail:        {Text: c.Email},
		herald.ColCountry:      {Text: c.Country},
		herald.ColTags:         chipsCell(c.Tags),
		herald.ColOptOut:       chipsCell(optOutLabels(c.OptOuts)),
		herald.ColRCSCheckedAt: {Text: pg.TimePtr(c.RCSChecked)},
		"createdAt":            {Text: pg.Time(c.CreatedAt)},
		"updatedAt":            {Text: pg.Time(c.UpdatedAt)},
	}
	if c.RCSCapable != nil {
		cells[herald.ColRCSCapable] = cell{Text: yesNo(*c.RCSCapable)}
	}
	for kind, v := range c.Identities {
		cells[herald.ColIdentity+kind] = cell{Text: v, Mono: true}
	}
	for _, col := range cols {
		if strings.HasPrefix(col.Key, herald.AttrKeyPrefix) {
			cells[col.Key] = cell{Text: c.Attributes[col.Label]}
		}
	}
	return cells
}

// chipsCell shows up to three values as chips.
func chipsCell(vals []string) cell {
	if len(vals) <= 3 {
		return cell{Chips: vals}
	}
	return cell{Chips: vals[:3], More: len(vals) - 3}
}

// optOutLabels names opt-outs: "SMS", "WhatsApp: Bottle".
func optOutLabels(outs []herald.OptOut) []string {
	var out []string
	for _, o := range outs {
		l := o.Channel.Label()
		if o.SenderID != "" {
			l += ": " + o.SenderID
		}
		out = append(out, l)
	}
	return out
}

// yesNo spells a bool.
func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

// contactActions are a contact's row buttons.
func contactActions(pg *page, c *herald.Contact) []rowAction {
	href := "/contacts/" + strconv.FormatInt(c.ID, 10)
	if !pg.Can(string(herald.PermContactsManage)) {
		return []rowAction{{Label: "View", Icon: "eye", Href: href}}
	}
	return []rowAction{
		{Label: "Edit", Icon: "edit", Href: href},
		{Label: "Delete", Icon: "trash", Href: href + "/delete", Danger: true, Confirm: "Delete the contact " + c.Phone + "?"},
	}
}

// massEdit applies the mass edit panel: to the contacts ticked on the
// page, or to every contact that matches the list's filters.
func (p *Portal) massEdit(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		p.errorPage(w, r, http.StatusBadRequest, "The form could not be read.")
		return
	}
	acc := state(r).User.AccountID
	back := "/contacts?" + r.PostForm.Get("query")
	sel, err := p.selection(r, acc)
	if err != nil {
		p.actionFailed(w, r, back, err)
		return
	}
	var n int
	var done string
	if r.PostForm.Get("action") == "delete" {
		n, err = p.contacts.DeleteContacts(r.Context(), acc, sel)
		done = "Deleted %d contacts."
	} else {
		n, err = p.contacts.EditContacts(r.Context(), acc, sel, editFromForm(r.PostForm))
		done = "Saved %d contacts."
	}
	if err != nil {
		p.actionFailed(w, r, back, err)
		return
	}
	p.redirect(w, r, back, strings.Replace(done, "%d", strconv.Itoa(n), 1))
}

// selection reads which contacts the mass edit is for.
func (p *Portal) selection(r *http.Request, accountID int64) (herald.ContactSelection, error) {
	if r.PostForm.Get("scope") == "all" {
		v, err := url.ParseQuery(r.PostForm.Get("query"))
		if err != nil {
			return herald.ContactSelection{}, herald.Errorf(herald.EINVALID, "The filters could not be read.")
		}
		cols, err := p.contacts.ContactColumns(r.Context(), accountID)
		if err != nil {
			return herald.ContactSelection{}, err
		}
		q, err := listquery.Parse(v, cols)
		return herald.ContactSelection{All: true, Filters: q.Filters}, err
	}
	var sel herald.ContactSelection
	for _, s := range r.PostForm["ids"] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			sel.IDs = append(sel.IDs, id)
		}
	}
	if len(sel.IDs) == 0 {
		return sel, herald.Errorf(herald.EINVALID, "Tick the contacts to edit, or choose all that match.")
	}
	return sel, nil
}

// editFromForm reads the mass edit: set.<name> values, clear names, tags.
func editFromForm(f url.Values) herald.ContactEdit {
	e := herald.ContactEdit{Set: map[string]string{}, AddTags: lines(f.Get("addTags")), RemoveTags: lines(f.Get("removeTags"))}
	for k, vals := range f {
		if name, ok := strings.CutPrefix(k, "set."); ok && strings.TrimSpace(vals[0]) != "" {
			e.Set[name] = vals[0]
		}
	}
	e.Clear = f["clear"]
	return e
}
