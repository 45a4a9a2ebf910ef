package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/heraldhq/herald"
)

// The registration form (reference 001 section 12.2): an SMS request has
// the sender ID and a description; an RCS request is the agent's whole
// profile, with a preview of it on a phone beside the form that the page's
// script keeps up to date while the user types.

// contactLists are the RCS profile's contact lists, in form order.
func contactLists() []contactList {
	return []contactList{
		{Field: "phones", Title: "Phone number", Type: "tel", Placeholder: "+1234567", Add: "Add extra phone number"},
		{Field: "websites", Title: "Website", Type: "url", Placeholder: "www.example.com", Add: "Add extra website"},
		{Field: "emails", Title: "E-mail", Type: "email", Placeholder: "hello@example.com", Add: "Add extra e-mail"},
	}
}

// contactList is one list of the form: up to two value and button text
// rows.
type contactList struct {
	Field, Title, Type, Placeholder, Add string
}

// Rows are the list's row numbers.
func (contactList) Rows() []int {
	rows := make([]int, herald.MaxSenderContacts)
	for i := range rows {
		rows[i] = i
	}
	return rows
}

// contactInput names a row's input: "phones[1].label".
func contactInput(list string, i int, part string) string {
	return fmt.Sprintf("%s[%d].%s", list, i, part)
}

// senderFields are the registration form's inputs.
func senderFields() []string {
	fields := []string{"displayName", "description", "contactName", "logoMediaId", "backgroundMediaId", "color",
		"privacyUrl", "termsUrl", "webhookUrl", "channel"}
	for _, l := range contactLists() {
		fields = append(fields, l.Field)
		for _, i := range l.Rows() {
			fields = append(fields, contactInput(l.Field, i, "value"), contactInput(l.Field, i, "label"))
		}
	}
	return fields
}

// senderFormData is the data of the registration form.
type senderFormData struct {
	Form     *form
	Sender   *herald.SenderID // the edited one; nil for a new request
	Channel  herald.Channel
	RCS      bool
	Images   []imageOption
	Lists    []contactList
	Preview  *senderPreview
	Webhook  bool // the webhook URL can be set: the request is approved
	Limits   senderLimits
	Channels []herald.Channel // the channels a request can be for
}

// senderLimits are the limits the form shows.
type senderLimits struct {
	Name, SMSName, Description, Button int
	Logo, Background                   herald.ImageRule
}

// imageOption is a media library image the form offers.
type imageOption struct {
	ID   int64
	Text string       // name, format, size
	URL  template.URL // where the preview shows it; "" names it instead
	Name string
}

// renderSenderForm renders the registration form.
func (p *Portal) renderSenderForm(w http.ResponseWriter, r *http.Request, status int, f *form, d *senderFormData) {
	svc, ok := p.senderService(w, r)
	if !ok {
		return
	}
	images, err := svc.Images(r.Context(), state(r).User.AccountID)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	for _, m := range images {
		d.Images = append(d.Images, imageOption{ID: m.ID, Name: m.Name, URL: p.imageURL(m.ID),
			Text: fmt.Sprintf("%s (%s, %d×%d, %d KB)", m.Name, strings.ToUpper(m.Format), m.Width, m.Height, (m.Size+1023)>>10)})
	}
	d.Form, d.RCS, d.Lists = f, d.Channel == herald.ChannelRCS, contactLists()
	d.Channels = []herald.Channel{herald.ChannelSMS, herald.ChannelRCS}
	d.Limits = senderLimits{Name: herald.MaxSenderDisplayName, SMSName: herald.MaxSMSSenderAlpha, Description: herald.MaxSenderDescription,
		Button: herald.MaxSenderButtonText, Logo: herald.SenderLogoRule(), Background: herald.SenderBackgroundRule()}
	title := "Sender ID registration"
	if d.Sender != nil {
		title = "Edit " + senderTitle(d.Sender)
		d.Webhook = d.Sender.Status == herald.SenderDone || d.Sender.Status == herald.SenderActive
	}
	if d.Preview == nil {
		sd := &herald.SenderID{AccountID: state(r).User.AccountID, Channel: d.Channel}
		_, _ = senderFromForm(f.Values, sd)
		d.Preview = p.preview(r, sd)
	}
	pg := p.newPage(r, title)
	pg.Active = "assets"
	pg.Data = d
	p.renderStatus(w, r, status, "sender_form", pg)
}

// imageURL is where the portal shows media library file id, or "". The
// address comes from the process's own wiring (Deps.MediaURL), so it is
// trusted as it is, a data: URL included.
func (p *Portal) imageURL(id int64) template.URL {
	if p.mediaURL == nil || id <= 0 {
		return ""
	}
	return template.URL(p.mediaURL(id))
}

// newSender shows an empty registration form for the channel of the
// query (RCS unless it says sms).
func (p *Portal) newSender(w http.ResponseWriter, r *http.Request) {
	ch := herald.ChannelRCS
	if c, err := herald.ParseChannel(r.URL.Query().Get("channel")); err == nil && herald.Registrable(c) {
		ch = c
	}
	f := newForm(senderFields()...)
	if ch == herald.ChannelRCS {
		f.set("color", herald.DefaultSenderColor)
	}
	p.renderSenderForm(w, r, http.StatusOK, f, &senderFormData{Channel: ch})
}

// senderFromForm reads the registration form into sd (its channel set)
// and reports whether it is to be submitted ("Send application") rather
// than kept as a draft. Contact rows left empty are dropped, and the
// form's values renumbered to match, so violations land on their rows.
func senderFromForm(v url.Values, sd *herald.SenderID) (bool, error) {
	var vs herald.Violations
	sd.DisplayName = v.Get("displayName")
	p := herald.SenderProfile{Description: v.Get("description"), ContactName: v.Get("contactName")}
	if sd.Channel == herald.ChannelRCS {
		p.LogoMediaID = formID(v, "logoMediaId", &vs)
		p.BackgroundMediaID = formID(v, "backgroundMediaId", &vs)
		p.Color, p.PrivacyURL, p.TermsURL, p.WebhookURL = v.Get("color"), v.Get("privacyUrl"), v.Get("termsUrl"), v.Get("webhookUrl")
		p.Phones, p.Websites, p.Emails = formContacts(v, "phones"), formContacts(v, "websites"), formContacts(v, "emails")
	}
	sd.SenderProfile = p
	return v.Get("action") != "draft", vs.Err()
}

// formID reads an optional media ID input.
func formID(v url.Values, name string, vs *herald.Violations) int64 {
	s := strings.TrimSpace(v.Get(name))
	if s == "" {
		return 0
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id < 0 {
		vs.Add(name, herald.VFormat, "Choose an image of your media library.")
		return 0
	}
	return id
}

// formContacts reads a contact list's rows, dropping empty ones and
// renumbering the remaining rows' inputs in v.
func formContacts(v url.Values, list string) []herald.SenderContact {
	var out []herald.SenderContact
	for i := range herald.MaxSenderContacts {
		c := herald.SenderContact{Value: strings.TrimSpace(v.Get(contactInput(list, i, "value"))),
			Label: strings.TrimSpace(v.Get(contactInput(list, i, "label")))}
		if c.Value != "" || c.Label != "" {
			out = append(out, c)
		}
	}
	for i := range herald.MaxSenderContacts {
		var c herald.SenderContact
		if i < len(out) {
			c = out[i]
		}
		v.Set(contactInput(list, i, "value"), c.Value)
		v.Set(contactInput(list, i, "label"), c.Label)
	}
	return out
}

// createSender saves a new registration request, as a draft or submitted.
func (p *Portal) createSender(w http.ResponseWriter, r *http.Request) {
	svc, ok := p.senderService(w, r)
	if !ok {
		return
	}
	f := readForm(r, senderFields()...)
	ch, err := herald.ParseChannel(f.Get("channel"))
	if err != nil || !herald.Registrable(ch) {
		ch = herald.ChannelRCS
	}
	sd := &herald.SenderID{AccountID: state(r).User.AccountID, Channel: ch}
	submit, err := senderFromForm(f.Values, sd)
	if err == nil {
		err = svc.Request(r.Context(), sd, submit)
	}
	if err != nil {
		p.formError(w, r, f, err, func(status int) {
			p.renderSenderForm(w, r, status, f, &senderFormData{Channel: ch, Preview: p.preview(r, sd)})
		})
		return
	}
	msg := "Registration request for " + senderTitle(sd) + " sent: the system owner reviews it."
	if !submit {
		msg = "Draft " + senderTitle(sd) + " saved."
	}
	p.redirect(w, r, senderPath(sd.ID), msg)
}

// editSender shows a request's form, if its status allows editing.
func (p *Portal) editSender(w http.ResponseWriter, r *http.Request) {
	_, sd, ok := p.loadSender(w, r)
	if !ok {
		return
	}
	if !sd.Status.Editable() || !herald.Registrable(sd.Channel) {
		p.flashError(r, "A sender ID that is "+sd.Status.Label()+" cannot be edited.")
		http.Redirect(w, r, senderPath(sd.ID), http.StatusSeeOther)
		return
	}
	f := newForm(senderFields()...)
	senderToForm(f, sd)
	p.renderSenderForm(w, r, http.StatusOK, f, &senderFormData{Sender: sd, Channel: sd.Channel, Preview: p.preview(r, sd)})
}

// senderToForm fills the form with sd.
func senderToForm(f *form, sd *herald.SenderID) {
	f.set("displayName", sd.DisplayName)
	f.set("description", sd.Description)
	f.set("contactName", sd.ContactName)
	if sd.LogoMediaID != 0 {
		f.set("logoMediaId", strconv.FormatInt(sd.LogoMediaID, 10))
	}
	if sd.BackgroundMediaID != 0 {
		f.set("backgroundMediaId", strconv.FormatInt(sd.BackgroundMediaID, 10))
	}
	f.set("color", sd.Color)
	f.set("privacyUrl", sd.PrivacyURL)
	f.set("termsUrl", sd.TermsURL)
	f.set("webhookUrl", sd.WebhookURL)
	for _, l := range []struct {
		field string
		cs    []herald.SenderContact
	}{{"phones", sd.Phones}, {"websites", sd.Websites}, {"emails", sd.Emails}} {
		for i, c := range l.cs {
			f.set(contactInput(l.field, i, "value"), c.Value)
			f.set(contactInput(l.field, i, "label"), c.Label)
		}
	}
}

// updateSender saves the edited request.
func (p *Portal) updateSender(w http.ResponseWriter, r *http.Request) {
	svc, sd, ok := p.loadSender(w, r)
	if !ok {
		return
	}
	f := readForm(r, senderFields()...)
	in := &herald.SenderID{ID: sd.ID, AccountID: sd.AccountID, Channel: sd.Channel}
	submit, err := senderFromForm(f.Values, in)
	if err == nil {
		err = svc.Edit(r.Context(), in, submit)
	}
	if err != nil {
		p.formError(w, r, f, err, func(status int) {
			p.renderSenderForm(w, r, status, f, &senderFormData{Sender: sd, Channel: sd.Channel, Preview: p.preview(r, in)})
		})
		return
	}
	p.redirect(w, r, senderPath(sd.ID), "Sender ID "+senderTitle(in)+" saved.")
}

// senderPreview is the RCS profile or the SMS sender as a recipient's
// phone shows it.
type senderPreview struct {
	RCS                  bool
	Name, Description    string
	Color                string
	Logo, Background     previewImage
	Phones, Websites     []herald.SenderContact
	Emails               []herald.SenderContact
	PrivacyURL, TermsURL string
}

// previewImage is an image of the preview: shown from URL, or named.
type previewImage struct {
	URL  template.URL
	Name string
}

// preview builds sd's preview; its images are looked up in the media
// library (a missing one is left out).
func (p *Portal) preview(r *http.Request, sd *herald.SenderID) *senderPreview {
	pv := &senderPreview{RCS: sd.Channel == herald.ChannelRCS, Name: sd.DisplayName, Description: sd.Description,
		Color: sd.Color, Phones: sd.Phones, Websites: sd.Websites, Emails: sd.Emails, PrivacyURL: sd.PrivacyURL, TermsURL: sd.TermsURL}
	if pv.Name == "" {
		pv.Name = sd.Name
	}
	if c := strings.TrimSpace(pv.Color); len(c) != 7 || c[0] != '#' {
		pv.Color = herald.DefaultSenderColor
	}
	pv.Logo = p.previewImage(r, sd.AccountID, sd.LogoMediaID)
	pv.Background = p.previewImage(r, sd.AccountID, sd.BackgroundMediaID)
	return pv
}

// previewImage looks up an image of the preview.
func (p *Portal) previewImage(r *http.Request, accountID, id int64) previewImage {
	if id <= 0 || p.senders == nil {
		return previewImage{}
	}
	m, err := p.senders.Image(r.Context(), accountID, id)
	if err != nil {
		return previewImage{}
	}
	return previewImage{URL: p.imageURL(id), Name: m.Name}
}
