package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/templates"
)

// Conversation templates are agents' canned replies (reference 001
// section 12.5): a name, a channel, text with placeholders and files from
// the media library. Their pages are in the Assets section.

// errNoConvTemplates answers the pages in a portal without the store.
var errNoConvTemplates = herald.Errorf(herald.EUNAVAILABLE, "Conversation templates are not available in this process.")

// setTemplateDeps takes the conversation template service and the media
// library from deps, or builds them on Store when it has their methods.
func (p *Portal) setTemplateDeps(deps Deps) {
	p.library = deps.Library
	if p.library == nil {
		p.library, _ = deps.Store.(herald.MediaStore)
	}
	p.convTemplates = deps.ConversationTemplates
	if st, ok := deps.Store.(templates.Store); ok && p.convTemplates == nil {
		p.convTemplates = templates.New(st, p.library)
	}
}

// convTemplateStore returns the service, or answers and returns false.
func (p *Portal) convTemplateStore(w http.ResponseWriter, r *http.Request) (herald.ConversationTemplateStore, bool) {
	return available(p, w, r, p.convTemplates, errNoConvTemplates)
}

// convTemplatesTable is the conversation templates list.
func convTemplatesTable() tableSpec {
	return tableSpec{ID: "convtemplates", Path: "/conversation-templates", Columns: herald.ConversationTemplateColumns()}
}

// convTemplatePath is the page of a conversation template.
func convTemplatePath(id int64) string { return "/conversation-templates/" + strconv.FormatInt(id, 10) }

// listConvTemplates shows the account's conversation templates.
func (p *Portal) listConvTemplates(w http.ResponseWriter, r *http.Request) {
	ts, ok := p.convTemplateStore(w, r)
	if !ok {
		return
	}
	listPage[herald.ConversationTemplate]{Spec: convTemplatesTable(), Title: "Conversation templates", Active: "assets",
		Empty: "No conversation templates. Agents answer faster with a saved text and files: add one.",
		List:  listInAccount(r, ts.ListConversationTemplates),
		Row: func(pg *page, ct *herald.ConversationTemplate) (map[string]cell, []rowAction, *detailTable) {
			return convTemplateCells(pg, ct), convTemplateActions(ct), nil
		},
	}.show(p, w, r, "convtemplates")
}

// convTemplateCells are the cells of one conversation template.
func convTemplateCells(pg *page, ct *herald.ConversationTemplate) map[string]cell {
	files := cell{Text: strconv.Itoa(len(ct.MediaIDs))}
	if len(ct.MediaIDs) == 0 {
		files = cell{Text: "None", Muted: true}
	}
	return map[string]cell{
		"name":      {Text: ct.Name, Href: convTemplatePath(ct.ID)},
		"text":      {Text: oneLine(ct.Text, 80)},
		"channel":   {Text: ct.Channel.Label()},
		"files":     files,
		"createdAt": {Text: pg.Time(ct.CreatedAt)},
		"updatedAt": {Text: pg.Time(ct.UpdatedAt)},
	}
}

// oneLine shortens s to one line of at most max characters.
func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > max {
		return string(r[:max-1]) + "…"
	}
	return s
}

// convTemplateActions are a conversation template's row buttons.
func convTemplateActions(ct *herald.ConversationTemplate) []rowAction {
	href := convTemplatePath(ct.ID)
	return []rowAction{
		{Label: "Edit", Icon: "edit", Href: href},
		{Label: "Delete", Icon: "trash", Href: href + "/delete", Danger: true,
			Confirm: "Delete the conversation template " + ct.Name + "? Its files stay in the media library."},
	}
}

// mediaChoice is a file of the media picker.
type mediaChoice struct {
	ID       int64
	Name     string
	Detail   string // kind and format, or why the file is missing
	Selected bool
	Missing  bool // attached but no longer in the library
}

// convTemplateData is the data of the conversation template form.
type convTemplateData struct {
	Form     *form
	ID       int64
	Channels []herald.Channel
	Media    []mediaChoice
	NoMedia  string // why the picker is empty
}

// convTemplateFields are the form's inputs.
func convTemplateFields() []string { return []string{"name", "channel", "text", "mediaIds"} }

// mediaPicker lists the newest files of the library with the chosen ones
// ticked; chosen files missing from the list are shown too, marked.
func (p *Portal) mediaPicker(r *http.Request, chosen []int64, d *convTemplateData) error {
	var lib []herald.Media
	if p.library != nil {
		page, err := p.library.ListMedia(r.Context(), state(r).User.AccountID, herald.ListQuery{Sort: "createdAt", Desc: true, Limit: herald.MaxPageSize})
		if err != nil {
			return err
		}
		lib = page.Items
	}
	for _, m := range lib {
		d.Media = append(d.Media, mediaChoice{ID: m.ID, Name: m.Name, Detail: string(m.Kind) + ", " + strings.ToUpper(m.Format),
			Selected: slices.Contains(chosen, m.ID)})
	}
	for _, id := range chosen {
		if !slices.ContainsFunc(lib, func(m herald.Media) bool { return m.ID == id }) {
			d.Media = append(d.Media, mediaChoice{ID: id, Name: "File " + strconv.FormatInt(id, 10),
				Detail: "not among the library's newest files", Selected: true, Missing: true})
		}
	}
	switch {
	case p.library == nil:
		d.NoMedia = "The media library is not available in this process."
	case len(lib) == 0:
		d.NoMedia = "The media library is empty: upload files in Assets > Media to attach them."
	}
	return nil
}

// renderConvTemplate renders the form.
func (p *Portal) renderConvTemplate(w http.ResponseWriter, r *http.Request, status int, f *form, d *convTemplateData) {
	var chosen []int64
	for _, s := range f.Values["mediaIds"] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			chosen = append(chosen, id)
		}
	}
	if err := p.mediaPicker(r, chosen, d); err != nil {
		p.fail(w, r, err)
		return
	}
	d.Form, d.Channels = f, herald.TemplateChannels()
	title := "New conversation template"
	if d.ID != 0 {
		title = f.Get("name")
	}
	pg := p.newPage(r, title)
	pg.Active = "assets"
	pg.Data = d
	p.renderStatus(w, r, status, "convtemplate", pg)
}

// newConvTemplate shows an empty form.
func (p *Portal) newConvTemplate(w http.ResponseWriter, r *http.Request) {
	f := newForm(convTemplateFields()...)
	f.set("channel", herald.ChannelSMS.String())
	p.renderConvTemplate(w, r, http.StatusOK, f, &convTemplateData{})
}

// convTemplateFromForm reads the form into ct.
func convTemplateFromForm(r *http.Request, ct *herald.ConversationTemplate) error {
	pf := r.PostForm
	var vs herald.Violations
	ct.Name, ct.Text = pf.Get("name"), pf.Get("text")
	ch, err := herald.ParseChannel(pf.Get("channel"))
	if err != nil {
		vs.Add("channel", herald.VUnknown, "Choose a channel.")
	}
	ct.Channel, ct.MediaIDs = ch, []int64{}
	for _, s := range pf["mediaIds"] {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			vs.Add("mediaIds", herald.VFormat, "Choose files of the media library.")
			continue
		}
		ct.MediaIDs = append(ct.MediaIDs, id)
	}
	return vs.Err()
}

// pickerErr names the media picker for violations of single files
// ("mediaIds[2]"), so they show beside it.
func pickerErr(err error) error {
	vs := herald.ErrorViolations(err)
	if len(vs) == 0 {
		return err
	}
	out := make(herald.Violations, 0, len(vs))
	for _, v := range vs {
		if strings.HasPrefix(v.Field, "mediaIds[") {
			v.Field = "mediaIds"
		}
		out = append(out, v)
	}
	return out.Err()
}

// saveConvTemplate reads the form into ct and saves it with save; it
// redraws the form with the errors, or goes back to the list.
func (p *Portal) saveConvTemplate(w http.ResponseWriter, r *http.Request, ct *herald.ConversationTemplate,
	save func(*herald.ConversationTemplate) error) {
	f := readForm(r, convTemplateFields()...)
	err := convTemplateFromForm(r, ct)
	if err == nil {
		err = save(ct)
	}
	if err != nil {
		p.formError(w, r, f, pickerErr(err), func(status int) { p.renderConvTemplate(w, r, status, f, &convTemplateData{ID: ct.ID}) })
		return
	}
	p.redirect(w, r, "/conversation-templates", "Conversation template "+ct.Name+" saved.")
}

// createConvTemplate saves a new conversation template.
func (p *Portal) createConvTemplate(w http.ResponseWriter, r *http.Request) {
	ts, ok := p.convTemplateStore(w, r)
	if !ok {
		return
	}
	ct := &herald.ConversationTemplate{AccountID: state(r).User.AccountID}
	p.saveConvTemplate(w, r, ct, func(ct *herald.ConversationTemplate) error {
		return ts.CreateConversationTemplate(r.Context(), ct)
	})
}

// loadConvTemplate loads the {id} conversation template of the account;
// it answered when ok is false.
func (p *Portal) loadConvTemplate(w http.ResponseWriter, r *http.Request) (herald.ConversationTemplateStore, *herald.ConversationTemplate, bool) {
	ts, ok := p.convTemplateStore(w, r)
	if !ok {
		return nil, nil, false
	}
	ct, ok := loadByID(p, w, r, getInAccount(r, ts.ConversationTemplate))
	return ts, ct, ok
}

// editConvTemplate shows a conversation template's form.
func (p *Portal) editConvTemplate(w http.ResponseWriter, r *http.Request) {
	_, ct, ok := p.loadConvTemplate(w, r)
	if !ok {
		return
	}
	f := newForm(convTemplateFields()...)
	f.set("name", ct.Name)
	f.set("channel", ct.Channel.String())
	f.set("text", ct.Text)
	for _, id := range ct.MediaIDs {
		f.Values.Add("mediaIds", strconv.FormatInt(id, 10))
	}
	p.renderConvTemplate(w, r, http.StatusOK, f, &convTemplateData{ID: ct.ID})
}

// updateConvTemplate saves a conversation template.
func (p *Portal) updateConvTemplate(w http.ResponseWriter, r *http.Request) {
	ts, ct, ok := p.loadConvTemplate(w, r)
	if !ok {
		return
	}
	p.saveConvTemplate(w, r, ct, func(ct *herald.ConversationTemplate) error {
		return ts.UpdateConversationTemplate(r.Context(), ct)
	})
}

// confirmDeleteConvTemplate asks before deleting a conversation template.
func (p *Portal) confirmDeleteConvTemplate(w http.ResponseWriter, r *http.Request) {
	_, ct, ok := p.loadConvTemplate(w, r)
	if !ok {
		return
	}
	p.confirm(w, r, "assets", confirmData{Heading: "Delete conversation template",
		Message: "Delete the conversation template " + ct.Name + "? Its files stay in the media library.",
		Action:  r.URL.Path, Button: "Delete", Cancel: "/conversation-templates"})
}

// deleteConvTemplate deletes a conversation template.
func (p *Portal) deleteConvTemplate(w http.ResponseWriter, r *http.Request) {
	ts, ct, ok := p.loadConvTemplate(w, r)
	if !ok {
		return
	}
	p.afterAction(w, r, ts.DeleteConversationTemplate(r.Context(), ct.AccountID, ct.ID), "/conversation-templates",
		"Conversation template "+ct.Name+" deleted.")
}
