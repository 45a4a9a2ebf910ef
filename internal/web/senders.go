package web

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/heraldhq/herald"
)

// Sender IDs are the names an account sends from, one channel each, bound
// to a connection the system owner assigned to the account. They are the
// first page of the Assets section.

// sendersTable is the Sender IDs list.
func sendersTable() tableSpec {
	return tableSpec{ID: "senders", Path: "/senders", Columns: herald.SenderColumns()}
}

// listSenders shows the account's sender IDs with their connections.
func (p *Portal) listSenders(w http.ResponseWriter, r *http.Request) {
	ms, ok := p.connectionStore(w, r)
	if !ok {
		return
	}
	t, q, ok := p.beginTable(w, r, sendersTable())
	if !ok {
		return
	}
	pg := p.newPage(r, "Sender IDs")
	pg.Active = "assets"
	t.Empty = "No sender IDs. Messages are routed by their sender ID: add one on a connection of your account."
	if t.Err == "" {
		list, err := ms.ListSenders(r.Context(), state(r).User.AccountID, q)
		if err == nil {
			fillTable(t, r, list, func(sd *herald.SenderID) (map[string]cell, []rowAction, *detailTable) {
				return senderCells(pg, sd), senderActions(pg, sd), nil
			})
		} else if p.listFailed(w, r, t, err) {
			return
		}
	}
	pg.Data = t
	p.render(w, r, "senders", pg)
}

// senderPath is the page of a sender ID.
func senderPath(id int64) string { return "/senders/" + strconv.FormatInt(id, 10) }

// senderCells are the cells of one sender ID.
func senderCells(pg *page, sd *herald.SenderID) map[string]cell {
	return map[string]cell{
		"name":       {Text: sd.Name, Href: senderPath(sd.ID), Mono: true},
		"channel":    {Text: sd.Channel.Label()},
		"connection": {Text: sd.ConnectionName},
		"createdAt":  {Text: pg.Time(sd.CreatedAt)},
	}
}

// senderActions are a sender ID's row buttons.
func senderActions(pg *page, sd *herald.SenderID) []rowAction {
	href := senderPath(sd.ID)
	if !pg.Can(string(herald.PermSendersManage)) {
		return []rowAction{{Label: "View", Icon: "eye", Href: href}}
	}
	return []rowAction{
		{Label: "Edit", Icon: "edit", Href: href},
		{Label: "Delete", Icon: "trash", Href: href + "/delete", Danger: true,
			Confirm: "Delete the sender ID " + sd.Name + "? Messages sent from it can no longer be routed."},
	}
}

// senderData is the data of the sender ID form.
type senderData struct {
	Form        *form
	ID          int64
	ReadOnly    bool
	Channels    []herald.Channel
	Connections []herald.Connection // those assigned to the account
}

// senderFields are the form's inputs.
func senderFields() []string { return []string{"name", "channel", "connectionId"} }

// accountConnections returns the connections assigned to the account.
func accountConnections(r *http.Request, ms MessageStore) ([]herald.Connection, error) {
	all, err := ms.Connections(r.Context())
	if err != nil {
		return nil, err
	}
	acc := state(r).User.AccountID
	return slices.DeleteFunc(all, func(c herald.Connection) bool { return !slices.Contains(c.Accounts, acc) }), nil
}

// renderSender renders the sender ID form.
func (p *Portal) renderSender(w http.ResponseWriter, r *http.Request, status int, f *form, d *senderData) {
	ms, ok := p.connectionStore(w, r)
	if !ok {
		return
	}
	conns, err := accountConnections(r, ms)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	d.Form, d.Channels, d.Connections = f, herald.AllChannels(), conns
	title := "New sender ID"
	if d.ID != 0 {
		title = f.Get("name")
	}
	pg := p.newPage(r, title)
	pg.Active = "assets"
	pg.Data = d
	p.renderStatus(w, r, status, "sender", pg)
}

// newSender shows an empty form.
func (p *Portal) newSender(w http.ResponseWriter, r *http.Request) {
	f := newForm(senderFields()...)
	f.set("channel", herald.ChannelSMS.String())
	p.renderSender(w, r, http.StatusOK, f, &senderData{})
}

// senderFromForm reads the form into sd. The connection must be one of
// the account's and serve the chosen channel; the store checks both again
// in its transaction.
func senderFromForm(r *http.Request, ms MessageStore, sd *herald.SenderID) error {
	pf := r.PostForm
	var vs herald.Violations
	sd.Name = pf.Get("name")
	ch, err := herald.ParseChannel(pf.Get("channel"))
	if err != nil {
		vs.Add("channel", herald.VUnknown, "Choose a channel.")
	}
	sd.Channel = ch
	sd.ConnectionID, _ = strconv.ParseInt(pf.Get("connectionId"), 10, 64)
	conns, err := accountConnections(r, ms)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(conns, func(c herald.Connection) bool { return c.ID == sd.ConnectionID })
	switch {
	case sd.ConnectionID == 0: // Validate names it
	case i < 0:
		vs.Add("connectionId", herald.VUnknown, "Choose a connection assigned to your account.")
	case ch.Valid() && conns[i].Channel != ch:
		vs.Add("connectionId", herald.VFormat, "The connection serves %s, not %s.", conns[i].Channel.Label(), ch.Label())
	}
	if err := sd.Validate(); err != nil {
		vs = append(vs, herald.ErrorViolations(err)...)
	}
	return vs.Err()
}

// createSender saves a new sender ID.
func (p *Portal) createSender(w http.ResponseWriter, r *http.Request) {
	ms, ok := p.connectionStore(w, r)
	if !ok {
		return
	}
	f := readForm(r, senderFields()...)
	sd := &herald.SenderID{AccountID: state(r).User.AccountID}
	err := senderFromForm(r, ms, sd)
	if err == nil {
		err = ms.CreateSender(r.Context(), sd)
	}
	if err != nil {
		p.formError(w, r, f, err, func(status int) { p.renderSender(w, r, status, f, &senderData{}) })
		return
	}
	p.redirect(w, r, "/senders", "Sender ID "+sd.Name+" saved.")
}

// loadSender loads the {id} sender ID of the account; it answered when ok
// is false.
func (p *Portal) loadSender(w http.ResponseWriter, r *http.Request) (MessageStore, *herald.SenderID, bool) {
	ms, ok := p.connectionStore(w, r)
	if !ok {
		return nil, nil, false
	}
	id, ok := pathID(r)
	if !ok {
		p.notFound(w, r)
		return nil, nil, false
	}
	sd, err := ms.Sender(r.Context(), state(r).User.AccountID, id)
	if err != nil {
		p.fail(w, r, err)
		return nil, nil, false
	}
	return ms, sd, true
}

// editSender shows a sender ID's form, read-only without senders.manage.
func (p *Portal) editSender(w http.ResponseWriter, r *http.Request) {
	_, sd, ok := p.loadSender(w, r)
	if !ok {
		return
	}
	f := newForm(senderFields()...)
	f.set("name", sd.Name)
	f.set("channel", sd.Channel.String())
	f.set("connectionId", strconv.FormatInt(sd.ConnectionID, 10))
	p.renderSender(w, r, http.StatusOK, f, &senderData{ID: sd.ID, ReadOnly: !state(r).User.Can(herald.PermSendersManage)})
}

// updateSender saves a sender ID.
func (p *Portal) updateSender(w http.ResponseWriter, r *http.Request) {
	ms, sd, ok := p.loadSender(w, r)
	if !ok {
		return
	}
	f := readForm(r, senderFields()...)
	err := senderFromForm(r, ms, sd)
	if err == nil {
		err = ms.UpdateSender(r.Context(), sd)
	}
	if err != nil {
		p.formError(w, r, f, err, func(status int) { p.renderSender(w, r, status, f, &senderData{ID: sd.ID}) })
		return
	}
	p.redirect(w, r, "/senders", "Sender ID "+sd.Name+" saved.")
}

// confirmDeleteSender asks before deleting a sender ID.
func (p *Portal) confirmDeleteSender(w http.ResponseWriter, r *http.Request) {
	_, sd, ok := p.loadSender(w, r)
	if !ok {
		return
	}
	p.confirm(w, r, "assets", confirmData{Heading: "Delete sender ID",
		Message: "Delete the sender ID " + sd.Name + " on " + sd.Channel.Label() + "? Messages sent from it can no longer be routed.",
		Action:  r.URL.Path, Button: "Delete", Cancel: "/senders"})
}

// deleteSender deletes a sender ID.
func (p *Portal) deleteSender(w http.ResponseWriter, r *http.Request) {
	ms, sd, ok := p.loadSender(w, r)
	if !ok {
		return
	}
	if err := ms.DeleteSender(r.Context(), sd.AccountID, sd.ID); err != nil {
		p.actionFailed(w, r, "/senders", err)
		return
	}
	p.redirect(w, r, "/senders", "Sender ID "+sd.Name+" deleted.")
}
