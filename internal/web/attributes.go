package web

import (
	"net/http"

	"github.com/heraldhq/herald"
)

// attributesData is the data of the Attribute manager.
type attributesData struct {
	Attrs   []herald.Attribute
	CanEdit bool
}

// listAttributes shows the Attribute manager.
func (p *Portal) listAttributes(w http.ResponseWriter, r *http.Request) {
	attrs, err := p.contacts.Attributes(r.Context(), state(r).User.AccountID)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	pg := p.newPage(r, "Attribute manager")
	pg.Active = "contacts"
	pg.Data = attributesData{Attrs: attrs, CanEdit: pg.Can(string(herald.PermContactsManage))}
	p.render(w, r, "attributes", pg)
}

// attributeData is the data of the attribute form.
type attributeData struct {
	Form     *form
	ID       int64
	ReadOnly bool
	Types    []herald.AttributeType
}

// attributeFields are the attribute form's inputs.
func attributeFields() []string {
	return []string{"name", "type", "options", "showInProfile", "freeText"}
}

// newAttribute shows an empty attribute form.
func (p *Portal) newAttribute(w http.ResponseWriter, r *http.Request) {
	f := newForm(attributeFields()...)
	f.set("type", string(herald.AttrText))
	p.renderAttribute(w, r, http.StatusOK, f, &attributeData{})
}

// renderAttribute renders the attribute form.
func (p *Portal) renderAttribute(w http.ResponseWriter, r *http.Request, status int, f *form, d *attributeData) {
	d.Form, d.Types = f, herald.AttributeTypes()
	title := "New attribute"
	if d.ID != 0 {
		title = f.Get("name")
	}
	pg := p.newPage(r, title)
	pg.Active = "contacts"
	pg.Data = d
	p.renderStatus(w, r, status, "attribute", pg)
}

// attributeFromForm reads the form into a.
func attributeFromForm(r *http.Request, a *herald.Attribute) {
	pf := r.PostForm
	a.Name, a.Options, a.ShowInProfile = pf.Get("name"), lines(pf.Get("options")), pf.Get("showInProfile") == "on"
	if a.ID == 0 {
		a.Type, a.FreeText = herald.AttributeType(pf.Get("type")), pf.Get("freeText") == "on"
	}
}

// createAttribute saves a new attribute.
func (p *Portal) createAttribute(w http.ResponseWriter, r *http.Request) {
	f := readForm(r, attributeFields()...)
	a := &herald.Attribute{AccountID: state(r).User.AccountID}
	attributeFromForm(r, a)
	if err := p.contacts.CreateAttribute(r.Context(), a); err != nil {
		p.formError(w, r, f, err, func(status int) { p.renderAttribute(w, r, status, f, &attributeData{}) })
		return
	}
	p.redirect(w, r, "/attributes", "Attribute "+a.Name+" created.")
}

// loadAttribute loads the {id} attribute of the account.
func (p *Portal) loadAttribute(w http.ResponseWriter, r *http.Request) (*herald.Attribute, bool) {
	id, ok := pathID(r)
	if !ok {
		p.notFound(w, r)
		return nil, false
	}
	a, err := p.contacts.Attribute(r.Context(), state(r).User.AccountID, id)
	if err != nil {
		p.fail(w, r, err)
		return nil, false
	}
	return a, true
}

// editAttribute shows an attribute's form.
func (p *Portal) editAttribute(w http.ResponseWriter, r *http.Request) {
	a, ok := p.loadAttribute(w, r)
	if !ok {
		return
	}
	f := newForm(attributeFields()...)
	f.set("name", a.Name)
	f.set("type", string(a.Type))
	f.set("options", joinLines(a.Options))
	if a.ShowInProfile {
		f.set("showInProfile", "on")
	}
	if a.FreeText {
		f.set("freeText", "on")
	}
	p.renderAttribute(w, r, http.StatusOK, f, &attributeData{ID: a.ID, ReadOnly: !state(r).User.Can(herald.PermContactsManage)})
}

// joinLines puts one value per line.
func joinLines(ss []string) string {
	out := ""
	for i, s := range ss {
		if i > 0 {
			out += "\n"
		}
		out += s
	}
	return out
}

// updateAttribute saves an attribute.
func (p *Portal) updateAttribute(w http.ResponseWriter, r *http.Request) {
	a, ok := p.loadAttribute(w, r)
	if !ok {
		return
	}
	f := readForm(r, attributeFields()...)
	f.set("type", string(a.Type))
	attributeFromForm(r, a)
	if err := p.contacts.UpdateAttribute(r.Context(), a); err != nil {
		p.formError(w, r, f, err, func(status int) { p.renderAttribute(w, r, status, f, &attributeData{ID: a.ID}) })
		return
	}
	p.redirect(w, r, "/attributes", "Attribute "+a.Name+" saved.")
}

// confirmDeleteAttribute asks before deleting an attribute.
func (p *Portal) confirmDeleteAttribute(w http.ResponseWriter, r *http.Request) {
	a, ok := p.loadAttribute(w, r)
	if !ok {
		return
	}
	p.confirm(w, r, "contacts", confirmData{Heading: "Delete attribute",
		Message: "Delete the attribute " + a.Name + "? Every contact's value of it is deleted too, and targets lose their filters on it.",
		Action:  r.URL.Path, Button: "Delete", Cancel: "/attributes"})
}

// deleteAttribute deletes an attribute with its values.
func (p *Portal) deleteAttribute(w http.ResponseWriter, r *http.Request) {
	a, ok := p.loadAttribute(w, r)
	if !ok {
		return
	}
	if err := p.contacts.DeleteAttribute(r.Context(), a.AccountID, a.ID); err != nil {
		p.actionFailed(w, r, "/attributes", err)
		return
	}
	p.redirect(w, r, "/attributes", "Attribute "+a.Name+" deleted.")
}
