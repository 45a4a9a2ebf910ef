package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/heraldhq/herald"
)

// optOutWordsTable is the Opt-out words list.
func optOutWordsTable() tableSpec {
	return tableSpec{ID: "optoutwords", Path: "/optout-words", Columns: herald.OptOutWordColumns()}
}

// listOptOutWords shows the Opt-out words manager.
func (p *Portal) listOptOutWords(w http.ResponseWriter, r *http.Request) {
	t, q, ok := p.beginTable(w, r, optOutWordsTable())
	if !ok {
		return
	}
	pg := p.newPage(r, "Opt-out words")
	pg.Active = "contacts"
	t.Empty = "No opt-out words. Contacts who send one of them stop receiving messages."
	if t.Err == "" {
		list, err := p.contacts.ListOptOutWords(r.Context(), state(r).User.AccountID, q)
		if err == nil {
			fillTable(t, r, list, func(ow *herald.OptOutWord) (map[string]cell, []rowAction, *detailTable) {
				return optOutWordCells(pg, ow), optOutWordActions(pg, ow), nil
			})
		} else if p.listFailed(w, r, t, err) {
			return
		}
	}
	pg.Data = t
	p.render(w, r, "optoutwords", pg)
}

// optOutWordCells are the cells of one word.
func optOutWordCells(pg *page, ow *herald.OptOutWord) map[string]cell {
	sender := cell{Text: ow.SenderID}
	if ow.SenderID == "" {
		sender = cell{Text: "Whole channel", Muted: true}
	}
	return map[string]cell{
		"word":          {Text: ow.Word, Href: "/optout-words/" + strconv.FormatInt(ow.ID, 10), Mono: true},
		"channel":       {Text: ow.Channel.Label()},
		"senderId":      sender,
		"effectiveFrom": {Text: pg.TimePtr(ow.From)},
		"effectiveTill": {Text: pg.TimePtr(ow.Till)},
		"createdAt":     {Text: pg.Time(ow.CreatedAt)},
	}
}

// optOutWordActions are a word's row buttons.
func optOutWordActions(pg *page, ow *herald.OptOutWord) []rowAction {
	href := "/optout-words/" + strconv.FormatInt(ow.ID, 10)
	if !pg.Can(string(herald.PermContactsManage)) {
		return []rowAction{{Label: "View", Icon: "eye", Href: href}}
	}
	return []rowAction{
		{Label: "Edit", Icon: "edit", Href: href},
		{Label: "Delete", Icon: "trash", Href: href + "/delete", Danger: true, Confirm: "Delete the opt-out word " + ow.Word + "?"},
	}
}

// optOutWordData is the data of the word form.
type optOutWordData struct {
	Form     *form
	ID       int64
	ReadOnly bool
	Channels []herald.Channel
	Zone     string
}

// optOutWordFields are the form's inputs.
func optOutWordFields() []string {
	return []string{"word", "channel", "senderId", "effectiveFrom", "effectiveTill"}
}

// localInput is the datetime-local value of t in loc.
const localInput = "2006-01-02T15:04"

// newOptOutWord shows an empty form.
func (p *Portal) newOptOutWord(w http.ResponseWriter, r *http.Request) {
	f := newForm(optOutWordFields()...)
	f.set("channel", herald.ChannelSMS.String())
	p.renderOptOutWord(w, r, http.StatusOK, f, &optOutWordData{})
}

// renderOptOutWord renders the word form.
func (p *Portal) renderOptOutWord(w http.ResponseWriter, r *http.Request, status int, f *form, d *optOutWordData) {
	d.Form, d.Channels, d.Zone = f, herald.AllChannels(), state(r).Account.TimeZone
	title := "New opt-out word"
	if d.ID != 0 {
		title = f.Get("word")
	}
	pg := p.newPage(r, title)
	pg.Active = "contacts"
	pg.Data = d
	p.renderStatus(w, r, status, "optoutword", pg)
}

// optOutWordFromForm reads the form into ow; times are in the account's
// time zone.
func optOutWordFromForm(r *http.Request, ow *herald.OptOutWord, loc *time.Location) error {
	pf := r.PostForm
	var vs herald.Violations
	ow.Word, ow.SenderID = pf.Get("word"), pf.Get("senderId")
	ch, err := herald.ParseChannel(pf.Get("channel"))
	if err != nil {
		vs.Add("channel", herald.VUnknown, "Choose a channel.")
	}
	ow.Channel = ch
	for _, t := range []struct {
		name string
		out  **time.Time
	}{{"effectiveFrom", &ow.From}, {"effectiveTill", &ow.Till}} {
		*t.out = nil
		if s := pf.Get(t.name); s != "" {
			tm, err := time.ParseInLocation(localInput, s, loc)
			if err != nil {
				vs.Add(t.name, herald.VFormat, "Enter a date and time.")
				continue
			}
			tm = tm.UTC()
			*t.out = &tm
		}
	}
	if err := vs.Err(); err != nil {
		return err
	}
	return ow.Validate()
}

// accountLocation is the signed-in account's time zone.
func accountLocation(r *http.Request) *time.Location {
	if loc, err := time.LoadLocation(state(r).Account.TimeZone); err == nil {
		return loc
	}
	return time.UTC
}

// createOptOutWord saves a new word.
func (p *Portal) createOptOutWord(w http.ResponseWriter, r *http.Request) {
	f := readForm(r, optOutWordFields()...)
	ow := &herald.OptOutWord{AccountID: state(r).User.AccountID}
	err := optOutWordFromForm(r, ow, accountLocation(r))
	if err == nil {
		err = p.contacts.CreateOptOutWord(r.Context(), ow)
	}
	if err != nil {
		p.formError(w, r, f, err, func(status int) { p.renderOptOutWord(w, r, status, f, &optOutWordData{}) })
		return
	}
	p.redirect(w, r, "/optout-words", "Opt-out word "+ow.Word+" saved.")
}

// loadOptOutWord loads the {id} word of the account.
func (p *Portal) loadOptOutWord(w http.ResponseWriter, r *http.Request) (*herald.OptOutWord, bool) {
	id, ok := pathID(r)
	if !ok {
		p.notFound(w, r)
		return nil, false
	}
	ow, err := p.contacts.OptOutWord(r.Context(), state(r).User.AccountID, id)
	if err != nil {
		p.fail(w, r, err)
		return nil, false
	}
	return ow, true
}

// editOptOutWord shows a word's form.
func (p *Portal) editOptOutWord(w http.ResponseWriter, r *http.Request) {
	ow, ok := p.loadOptOutWord(w, r)
	if !ok {
		return
	}
	f := newForm(optOutWordFields()...)
	loc := accountLocation(r)
	f.set("word", ow.Word)
	f.set("channel", ow.Channel.String())
	f.set("senderId", ow.SenderID)
	if ow.From != nil {
		f.set("effectiveFrom", ow.From.In(loc).Format(localInput))
	}
	if ow.Till != nil {
		f.set("effectiveTill", ow.Till.In(loc).Format(localInput))
	}
	p.renderOptOutWord(w, r, http.StatusOK, f, &optOutWordData{ID: ow.ID, ReadOnly: !state(r).User.Can(herald.PermContactsManage)})
}

// updateOptOutWord saves a word.
func (p *Portal) updateOptOutWord(w http.ResponseWriter, r *http.Request) {
	ow, ok := p.loadOptOutWord(w, r)
	if !ok {
		return
	}
	f := readForm(r, optOutWordFields()...)
	err := optOutWordFromForm(r, ow, accountLocation(r))
	if err == nil {
		err = p.contacts.UpdateOptOutWord(r.Context(), ow)
	}
	if err != nil {
		p.formError(w, r, f, err, func(status int) { p.renderOptOutWord(w, r, status, f, &optOutWordData{ID: ow.ID}) })
		return
	}
	p.redirect(w, r, "/optout-words", "Opt-out word "+ow.Word+" saved.")
}

// confirmDeleteOptOutWord asks before deleting a word.
func (p *Portal) confirmDeleteOptOutWord(w http.ResponseWriter, r *http.Request) {
	ow, ok := p.loadOptOutWord(w, r)
	if !ok {
		return
	}
	p.confirm(w, r, "contacts", confirmData{Heading: "Delete opt-out word", Message: "Delete the opt-out word " + ow.Word + "?",
		Action: r.URL.Path, Button: "Delete", Cancel: "/optout-words"})
}

// deleteOptOutWord deletes a word.
func (p *Portal) deleteOptOutWord(w http.ResponseWriter, r *http.Request) {
	ow, ok := p.loadOptOutWord(w, r)
	if !ok {
		return
	}
	if err := p.contacts.DeleteOptOutWord(r.Context(), ow.AccountID, ow.ID); err != nil {
		p.actionFailed(w, r, "/optout-words", err)
		return
	}
	p.redirect(w, r, "/optout-words", "Opt-out word "+ow.Word+" deleted.")
}
