package web

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/problem"
	"github.com/heraldhq/herald/internal/templates"
)

// Content templates (reference 001 section 12.3) are named messages made
// in the constructor, in Assets; the API sends them by ID.

// contentTemplatesPath is the Content templates page.
const contentTemplatesPath = "/content-templates"

// contentTemplatesTable is the Content templates list.
func contentTemplatesTable() tableSpec {
	return tableSpec{ID: "templates", Path: contentTemplatesPath, Columns: herald.TemplateColumns()}
}

// setContentTemplateDeps fills the content template service and the media
// picker; templates default to the checking service over Store when it
// keeps templates.
func (p *Portal) setContentTemplateDeps(deps Deps) {
	p.templates = deps.Templates
	if ts, ok := deps.Store.(templates.Store); ok && p.templates == nil {
		ms, _ := deps.Store.(herald.MediaStore)
		p.templates = templates.New(ts, ms)
	}
	p.picker, p.mediaUploadURL = deps.MediaPicker, deps.MediaUploadURL
}

// templateStore returns the template service, or answers 404 when the
// portal runs without one.
func (p *Portal) templateStore(w http.ResponseWriter, r *http.Request) (herald.TemplateStore, bool) {
	if p.templates == nil {
		p.notFound(w, r)
		return nil, false
	}
	return p.templates, true
}

// listContentTemplates shows the account's content templates.
func (p *Portal) listContentTemplates(w http.ResponseWriter, r *http.Request) {
	ts, ok := p.templateStore(w, r)
	if !ok {
		return
	}
	listPage[herald.Template]{Spec: contentTemplatesTable(), Title: "Content templates", Active: "assets",
		Empty: "No content templates yet. A template is a message made once in the constructor and sent by its ID from the API, broadcasts and chatbots.",
		List:  listInAccount(r, ts.ListTemplates),
		Row: func(pg *page, tp *herald.Template) (map[string]cell, []rowAction, *detailTable) {
			return templateCells(pg, tp), templateActions(tp), nil
		},
	}.show(p, w, r, "content_templates")
}

// templatePath is the page of a content template.
func templatePath(id int64) string { return contentTemplatesPath + "/" + strconv.FormatInt(id, 10) }

// templateCells are the cells of one template.
func templateCells(pg *page, tp *herald.Template) map[string]cell {
	return map[string]cell{
		"id":        {Text: strconv.FormatInt(tp.ID, 10), Mono: true},
		"name":      {Text: tp.Name, Href: templatePath(tp.ID)},
		"channel":   {Text: tp.Channel.Label()},
		"updatedAt": {Text: pg.Time(tp.UpdatedAt)},
	}
}

// templateActions are a template's row buttons.
func templateActions(tp *herald.Template) []rowAction {
	href := templatePath(tp.ID)
	return []rowAction{
		{Label: "Edit", Icon: "edit", Href: href},
		{Label: "Delete", Icon: "trash", Href: href + "/delete", Danger: true,
			Confirm: "Delete the template " + tp.Name + "? The API can no longer send it; messages sent from it keep their content."},
	}
}

// templateData is the data of the template form.
type templateData struct {
	Form        *form
	ID          int64
	Constructor *constructorData
}

// renderTemplate draws the template form with the constructor on
// channel ch and payload, showing err's violations: the payload's beside
// their fields in the constructor, name and channel in the form.
func (p *Portal) renderTemplate(w http.ResponseWriter, r *http.Request, status int, f *form, d *templateData, ch herald.Channel, payload string, err error) {
	c, cerr := p.newConstructor(r, ch, payload)
	if cerr != nil {
		p.fail(w, r, cerr)
		return
	}
	if err != nil {
		f.setError(c.setErrors(err))
	}
	d.Form, d.Constructor = f, c
	title := "New template"
	if d.ID != 0 {
		title = f.Get("name")
	}
	pg := p.newPage(r, title)
	pg.Active = "assets"
	pg.Data = d
	p.renderStatus(w, r, status, "content_template", pg)
}

// newContentTemplate shows an empty template form, on the channel of
// ?channel= (SMS by default).
func (p *Portal) newContentTemplate(w http.ResponseWriter, r *http.Request) {
	if _, ok := p.templateStore(w, r); !ok {
		return
	}
	ch, err := herald.ParseChannel(r.URL.Query().Get("channel"))
	if err != nil || !constructorChannel(ch) {
		ch = herald.ChannelSMS
	}
	p.renderTemplate(w, r, http.StatusOK, newForm("name"), &templateData{}, ch, "", nil)
}

// templateFromForm reads the posted form into tp: the name, the channel
// and the payload, which the template service checks.
func templateFromForm(r *http.Request, tp *herald.Template) {
	f := r.PostForm
	tp.Name = f.Get("name")
	tp.Channel, _ = herald.ParseChannel(f.Get("channel")) // 0 when unknown: the service says to choose one
	tp.Payload = json.RawMessage(f.Get("payload"))
}

// saveTemplateError draws the form again with err.
func (p *Portal) saveTemplateError(w http.ResponseWriter, r *http.Request, f *form, id int64, err error) {
	ch, _ := herald.ParseChannel(r.PostForm.Get("channel"))
	if !constructorChannel(ch) {
		ch = herald.ChannelSMS
	}
	status := problem.Status(herald.ErrorCode(err))
	if status == http.StatusInternalServerError {
		p.fail(w, r, err)
		return
	}
	p.renderTemplate(w, r, status, f, &templateData{ID: id}, ch, r.PostForm.Get("payload"), err)
}

// createContentTemplate saves a new template.
func (p *Portal) createContentTemplate(w http.ResponseWriter, r *http.Request) {
	ts, ok := p.templateStore(w, r)
	if !ok {
		return
	}
	f := readForm(r, "name", "channel")
	tp := &herald.Template{AccountID: state(r).User.AccountID, CreatedBy: state(r).User.ID}
	templateFromForm(r, tp)
	if err := ts.CreateTemplate(r.Context(), tp); err != nil {
		p.saveTemplateError(w, r, f, 0, err)
		return
	}
	p.redirect(w, r, contentTemplatesPath, "Template "+tp.Name+" saved with ID "+strconv.FormatInt(tp.ID, 10)+".")
}

// loadContentTemplate loads the {id} template of the account; it answered
// when ok is false.
func (p *Portal) loadContentTemplate(w http.ResponseWriter, r *http.Request) (herald.TemplateStore, *herald.Template, bool) {
	ts, ok := p.templateStore(w, r)
	if !ok {
		return nil, nil, false
	}
	tp, ok := loadByID(p, w, r, getInAccount(r, ts.Template))
	return ts, tp, ok
}

// editContentTemplate shows a template in the constructor.
func (p *Portal) editContentTemplate(w http.ResponseWriter, r *http.Request) {
	_, tp, ok := p.loadContentTemplate(w, r)
	if !ok {
		return
	}
	f := newForm("name", "channel")
	f.set("name", tp.Name)
	p.renderTemplate(w, r, http.StatusOK, f, &templateData{ID: tp.ID}, tp.Channel, string(tp.Payload), nil)
}

// updateContentTemplate saves a template.
func (p *Portal) updateContentTemplate(w http.ResponseWriter, r *http.Request) {
	ts, tp, ok := p.loadContentTemplate(w, r)
	if !ok {
		return
	}
	f := readForm(r, "name", "channel")
	templateFromForm(r, tp)
	if err := ts.UpdateTemplate(r.Context(), tp); err != nil {
		p.saveTemplateError(w, r, f, tp.ID, err)
		return
	}
	p.redirect(w, r, contentTemplatesPath, "Template "+tp.Name+" saved.")
}

// confirmDeleteContentTemplate asks before deleting a template.
func (p *Portal) confirmDeleteContentTemplate(w http.ResponseWriter, r *http.Request) {
	_, tp, ok := p.loadContentTemplate(w, r)
	if !ok {
		return
	}
	p.confirm(w, r, "assets", confirmData{Heading: "Delete template",
		Message: "Delete the template " + tp.Name + " (" + tp.Channel.Label() + ")? The API can no longer send it; messages sent from it keep their content.",
		Action:  r.URL.Path, Button: "Delete", Cancel: contentTemplatesPath})
}

// deleteContentTemplate deletes a template.
func (p *Portal) deleteContentTemplate(w http.ResponseWriter, r *http.Request) {
	ts, tp, ok := p.loadContentTemplate(w, r)
	if !ok {
		return
	}
	p.afterAction(w, r, ts.DeleteTemplate(r.Context(), tp.AccountID, tp.ID), contentTemplatesPath, "Template "+tp.Name+" deleted.")
}
