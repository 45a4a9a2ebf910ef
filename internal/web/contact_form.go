package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/heraldhq/herald"
)

// contactData is the data of the contact form.
type contactData struct {
	Form       *form
	ID         int64 // 0 for a new contact
	ReadOnly   bool
	Attrs      []herald.Attribute
	Kinds      []string
	Tags       []herald.Tag
	Contact    *herald.Contact
	OptOuts    []optOutView
	Channels   []herald.Channel
	RCSChecked string
}

// optOutView is an opt-out as the form shows it.
type optOutView struct {
	herald.OptOut
	Label string
	At    string
}

// contactFields are the form's inputs for attrs.
func contactFields(attrs []herald.Attribute) []string {
	fields := []string{"phone", "email", "tags"}
	for _, a := range attrs {
		fields = append(fields, a.ColumnKey())
	}
	for _, k := range herald.IdentityKinds() {
		fields = append(fields, herald.ColIdentity+k)
	}
	return fields
}

// newContact shows an empty contact form.
func (p *Portal) newContact(w http.ResponseWriter, r *http.Request) {
	attrs, err := p.contacts.Attributes(r.Context(), state(r).User.AccountID)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	p.renderContact(w, r, http.StatusOK, newForm(contactFields(attrs)...), &contactData{Attrs: attrs})
}

// renderContact fills the form's choices and renders it.
func (p *Portal) renderContact(w http.ResponseWriter, r *http.Request, status int, f *form, d *contactData) {
	ctx, acc := r.Context(), state(r).User.AccountID
	tags, err := p.contacts.Tags(ctx, acc)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	d.Form, d.Tags, d.Kinds, d.Channels = f, tags, herald.IdentityKinds(), herald.AllChannels()
	title := "New contact"
	pg := p.newPage(r, title)
	if d.ID != 0 {
		pg.Title = f.Get("phone")
		outs, err := p.contacts.ContactOptOuts(ctx, acc, d.ID)
		if err != nil {
			p.fail(w, r, err)
			return
		}
		for _, o := range outs {
			d.OptOuts = append(d.OptOuts, optOutView{OptOut: o, Label: optOutLabels([]herald.OptOut{o})[0], At: pg.Time(o.At)})
		}
	}
	pg.Active = "contacts"
	pg.Data = d
	p.renderStatus(w, r, status, "contact", pg)
}

// contactFromForm reads the form into c.
func contactFromForm(r *http.Request, c *herald.Contact, attrs []herald.Attribute) {
	pf := r.PostForm
	c.Phone, c.Email, c.Tags = pf.Get("phone"), pf.Get("email"), lines(pf.Get("tags"))
	c.Attributes = map[string]string{}
	for _, a := range attrs {
		c.Attributes[a.Name] = pf.Get(a.ColumnKey())
	}
	c.Identities = map[string]string{}
	for _, k := range herald.IdentityKinds() {
		if v := strings.TrimSpace(pf.Get(herald.ColIdentity + k)); v != "" {
			c.Identities[k] = v
		}
	}
}

// contactValues fills the form from c.
func contactValues(f *form, c *herald.Contact, attrs []herald.Attribute) {
	f.set("phone", c.Phone)
	f.set("email", c.Email)
	f.set("tags", strings.Join(c.Tags, ", "))
	for _, a := range attrs {
		f.set(a.ColumnKey(), c.Attributes[a.Name])
	}
	for k, v := range c.Identities {
		f.set(herald.ColIdentity+k, v)
	}
}

// formFieldsOf renames the store's violations of attributes and
// identities to the form's inputs.
func formFieldsOf(err error, attrs []herald.Attribute) error {
	vs := herald.ErrorViolations(err)
	if len(vs) == 0 {
		return err
	}
	out := make(herald.Violations, len(vs))
	for i, v := range vs {
		if name, ok := strings.CutPrefix(v.Field, "attributes."); ok {
			for _, a := range attrs {
				if strings.EqualFold(a.Name, name) {
					v.Field = a.ColumnKey()
				}
			}
		} else if kind, ok := strings.CutPrefix(v.Field, "identities."); ok {
			v.Field = herald.ColIdentity + kind
		}
		out[i] = v
	}
	return out.Err()
}

// createContact saves a new contact.
func (p *Portal) createContact(w http.ResponseWriter, r *http.Request) {
	acc := state(r).User.AccountID
	attrs, err := p.contacts.Attributes(r.Context(), acc)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	f := readForm(r, contactFields(attrs)...)
	c := &herald.Contact{AccountID: acc}
	contactFromForm(r, c, attrs)
	if err := p.contacts.CreateContact(r.Context(), c); err != nil {
		p.formError(w, r, f, formFieldsOf(err, attrs), func(status int) { p.renderContact(w, r, status, f, &contactData{Attrs: attrs}) })
		return
	}
	p.redirect(w, r, "/contacts/"+strconv.FormatInt(c.ID, 10), "Contact "+c.Phone+" created.")
}

// loadContact loads the {id} contact of the account; it answered the
// request when ok is false.
func (p *Portal) loadContact(w http.ResponseWriter, r *http.Request) (*herald.Contact, []herald.Attribute, bool) {
	id, ok := pathID(r)
	if !ok {
		p.notFound(w, r)
		return nil, nil, false
	}
	acc := state(r).User.AccountID
	c, err := p.contacts.Contact(r.Context(), acc, id)
	if err != nil {
		p.fail(w, r, err)
		return nil, nil, false
	}
	attrs, err := p.contacts.Attributes(r.Context(), acc)
	if err != nil {
		p.fail(w, r, err)
		return nil, nil, false
	}
	return c, attrs, true
}

// editContact shows a contact's form, read-only without contacts.manage.
func (p *Portal) editContact(w http.ResponseWriter, r *http.Request) {
	c, attrs, ok := p.loadContact(w, r)
	if !ok {
		return
	}
	f := newForm(contactFields(attrs)...)
	contactValues(f, c, attrs)
	d := &contactData{ID: c.ID, Attrs: attrs, Contact: c, ReadOnly: !state(r).User.Can(herald.PermContactsManage)}
	p.renderContact(w, r, http.StatusOK, f, d)
}

// updateContact saves a contact.
func (p *Portal) updateContact(w http.ResponseWriter, r *http.Request) {
	c, attrs, ok := p.loadContact(w, r)
	if !ok {
		return
	}
	f := readForm(r, contactFields(attrs)...)
	contactFromForm(r, c, attrs)
	if err := p.contacts.UpdateContact(r.Context(), c); err != nil {
		d := &contactData{ID: c.ID, Attrs: attrs, Contact: c}
		p.formError(w, r, f, formFieldsOf(err, attrs), func(status int) { p.renderContact(w, r, status, f, d) })
		return
	}
	p.redirect(w, r, "/contacts", "Contact "+c.Phone+" saved.")
}

// confirmDeleteContact asks before deleting a contact.
func (p *Portal) confirmDeleteContact(w http.ResponseWriter, r *http.Request) {
	c, _, ok := p.loadContact(w, r)
	if !ok {
		return
	}
	p.confirm(w, r, "contacts", confirmData{Heading: "Delete contact", Message: "Delete the contact " + c.Phone + "? This cannot be undone.",
		Action: r.URL.Path, Button: "Delete", Cancel: "/contacts"})
}

// deleteContact deletes a contact.
func (p *Portal) deleteContact(w http.ResponseWriter, r *http.Request) {
	c, _, ok := p.loadContact(w, r)
	if !ok {
		return
	}
	if err := p.contacts.DeleteContact(r.Context(), c.AccountID, c.ID); err != nil {
		p.actionFailed(w, r, "/contacts", err)
		return
	}
	p.redirect(w, r, "/contacts", "Contact "+c.Phone+" deleted.")
}

// addContactOptOut opts the contact out of a channel or sender ID.
func (p *Portal) addContactOptOut(w http.ResponseWriter, r *http.Request) {
	c, _, ok := p.loadContact(w, r)
	if !ok {
		return
	}
	back := "/contacts/" + strconv.FormatInt(c.ID, 10)
	_ = r.ParseForm()
	ch, err := herald.ParseChannel(r.PostForm.Get("channel"))
	if err == nil {
		err = p.contacts.AddOptOut(r.Context(), herald.OptOut{AccountID: c.AccountID, ContactID: c.ID, Channel: ch,
			SenderID: strings.TrimSpace(r.PostForm.Get("senderId")), By: herald.OptOutByUser(state(r).User.Login)})
	}
	if err != nil {
		p.actionFailed(w, r, back, err)
		return
	}
	p.redirect(w, r, back, "Opted out of "+ch.Label()+".")
}

// removeContactOptOut removes one opt-out of the contact.
func (p *Portal) removeContactOptOut(w http.ResponseWriter, r *http.Request) {
	c, _, ok := p.loadContact(w, r)
	if !ok {
		return
	}
	back := "/contacts/" + strconv.FormatInt(c.ID, 10)
	_ = r.ParseForm()
	ch, err := herald.ParseChannel(r.PostForm.Get("channel"))
	if err == nil {
		err = p.contacts.RemoveOptOut(r.Context(), c.AccountID, c.ID, ch, r.PostForm.Get("senderId"))
	}
	if err != nil {
		p.actionFailed(w, r, back, err)
		return
	}
	p.redirect(w, r, back, "The opt-out was removed.")
}
