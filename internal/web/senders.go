package web

import (
	"net/http"
	"strconv"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/senders"
)

// Sender IDs are the names an account sends from (reference 001 section
// 12.2), the first page of the Assets section. The account sees every
// channel's sender IDs with their status, and registers SMS and RCS ones
// with a request the system owner reviews (sender_review.go). A sender ID
// sends once it is active and bound to a connection.

// errNoSenders answers sender ID pages in a process without the store's
// message methods.
var errNoSenders = herald.Errorf(herald.EUNAVAILABLE, "Sender IDs are not available in this process.")

// setSenderDeps fills the registration service, defaulting to one on the
// message store.
func (p *Portal) setSenderDeps(deps Deps) {
	p.senders, p.mediaURL = deps.Senders, deps.MediaURL
	if p.senders == nil && p.messages != nil {
		p.senders = senders.New(p.messages, nil, nil)
	}
}

// senderService returns the registration service or fails the request.
func (p *Portal) senderService(w http.ResponseWriter, r *http.Request) (*senders.Service, bool) {
	return available(p, w, r, p.senders, errNoSenders)
}

// sendersTable is the account's Sender IDs list.
func sendersTable() tableSpec {
	return tableSpec{ID: "senders", Path: "/senders", Columns: herald.SenderColumns()}
}

// listSenders shows the account's sender IDs of every channel.
func (p *Portal) listSenders(w http.ResponseWriter, r *http.Request) {
	svc, ok := p.senderService(w, r)
	if !ok {
		return
	}
	listPage[herald.SenderID]{Spec: sendersTable(), Title: "Sender IDs", Active: "assets",
		Empty: "No sender IDs yet. Register an SMS or RCS sender ID; the system owner sets up those of the other channels.",
		List:  listInAccount(r, svc.List),
		Row: func(pg *page, sd *herald.SenderID) (map[string]cell, []rowAction, *detailTable) {
			return senderCells(pg, sd, senderPath(sd.ID)), senderActions(pg, sd), nil
		},
	}.show(p, w, r, "senders")
}

// senderPath is the account's page of a sender ID.
func senderPath(id int64) string { return "/senders/" + strconv.FormatInt(id, 10) }

// senderCells are the cells of one sender ID; href is its page.
func senderCells(pg *page, sd *herald.SenderID, href string) map[string]cell {
	name := cell{Text: sd.Name, Href: href, Mono: true}
	display := cell{Text: sd.DisplayName}
	if sd.Name == "" {
		name, display.Href = cell{Text: "not assigned yet", Muted: true}, href
	}
	return map[string]cell{
		"name":        name,
		"displayName": display,
		"account":     {Text: sd.AccountName},
		"channel":     {Text: sd.Channel.Label()},
		"status":      {Text: sd.Status.Label(), Badge: senderBadge(sd)},
		"agreement":   {Text: sd.Agreement},
		"connection":  {Text: sd.ConnectionName},
		"createdAt":   {Text: pg.Time(sd.CreatedAt)},
		"updatedAt":   {Text: pg.Time(sd.UpdatedAt)},
	}
}

// senderBadge flags an active sender ID that cannot send yet.
func senderBadge(sd *herald.SenderID) string {
	if sd.Status == herald.SenderActive && sd.ConnectionID == 0 {
		return "not bound"
	}
	return ""
}

// senderActions are a sender ID's row buttons, as its status allows.
func senderActions(pg *page, sd *herald.SenderID) []rowAction {
	href := senderPath(sd.ID)
	acts := []rowAction{{Label: "View", Icon: "eye", Href: href}}
	if !pg.Can(string(herald.PermSendersManage)) {
		return acts
	}
	if sd.Status.Editable() && herald.Registrable(sd.Channel) {
		acts = append(acts, rowAction{Label: "Edit", Icon: "edit", Href: href + "/edit"})
	}
	if sd.Status.Editable() {
		acts = append(acts, rowAction{Label: "Cancel", Icon: "x", Href: href + "/cancel", Danger: true,
			Confirm: "Cancel the sender ID " + senderTitle(sd) + "? It stops sending, and can then be deleted."})
	}
	if sd.Status.Deletable() {
		acts = append(acts, rowAction{Label: "Delete", Icon: "trash", Href: href + "/delete", Danger: true,
			Confirm: "Delete the sender ID " + senderTitle(sd) + " from the system?"})
	}
	return acts
}

// senderTitle names a sender ID for people: its Sender ID, or its name.
func senderTitle(sd *herald.SenderID) string {
	switch {
	case sd.Name != "" && sd.DisplayName != "" && sd.Name != sd.DisplayName:
		return sd.Name + " (" + sd.DisplayName + ")"
	case sd.Name != "":
		return sd.Name
	case sd.DisplayName != "":
		return sd.DisplayName
	}
	return "#" + strconv.FormatInt(sd.ID, 10)
}

// loadSender loads the {id} sender ID of the account; it answered when ok
// is false.
func (p *Portal) loadSender(w http.ResponseWriter, r *http.Request) (*senders.Service, *herald.SenderID, bool) {
	svc, ok := p.senderService(w, r)
	if !ok {
		return nil, nil, false
	}
	sd, ok := loadByID(p, w, r, getInAccount(r, svc.Sender))
	return svc, sd, ok
}

// senderViewData is the data of a sender ID's page.
type senderViewData struct {
	Sender    *herald.SenderID
	Preview   *senderPreview
	CanEdit   bool
	CanCancel bool
	CanDelete bool
}

// showSender shows a sender ID: its status (with the system owner's
// reason), its registration and the preview, and what may be done now.
func (p *Portal) showSender(w http.ResponseWriter, r *http.Request) {
	_, sd, ok := p.loadSender(w, r)
	if !ok {
		return
	}
	manage := state(r).User.Can(herald.PermSendersManage)
	d := &senderViewData{Sender: sd, Preview: p.preview(r, sd),
		CanEdit: manage && sd.Status.Editable() && herald.Registrable(sd.Channel), CanCancel: manage && sd.Status.Editable(),
		CanDelete: manage && sd.Status.Deletable()}
	pg := p.newPage(r, senderTitle(sd))
	pg.Active = "assets"
	pg.Data = d
	p.render(w, r, "sender_view", pg)
}

// confirmCancelSender asks before canceling a sender ID.
func (p *Portal) confirmCancelSender(w http.ResponseWriter, r *http.Request) {
	_, sd, ok := p.loadSender(w, r)
	if !ok {
		return
	}
	p.confirm(w, r, "assets", confirmData{Heading: "Cancel sender ID",
		Message: "Cancel the sender ID " + senderTitle(sd) + " on " + sd.Channel.Label() + "? It stops sending, and can then be deleted.",
		Action:  r.URL.Path, Button: "Cancel the sender ID", Cancel: senderPath(sd.ID)})
}

// cancelSender cancels a sender ID.
func (p *Portal) cancelSender(w http.ResponseWriter, r *http.Request) {
	svc, sd, ok := p.loadSender(w, r)
	if !ok {
		return
	}
	_, err := svc.Cancel(r.Context(), sd.AccountID, sd.ID)
	p.afterAction(w, r, err, senderPath(sd.ID), "Sender ID "+senderTitle(sd)+" canceled.")
}

// confirmDeleteSender asks before deleting a canceled sender ID.
func (p *Portal) confirmDeleteSender(w http.ResponseWriter, r *http.Request) {
	_, sd, ok := p.loadSender(w, r)
	if !ok {
		return
	}
	p.confirm(w, r, "assets", confirmData{Heading: "Delete sender ID",
		Message: "Delete the sender ID " + senderTitle(sd) + " on " + sd.Channel.Label() + " from the system?",
		Action:  r.URL.Path, Button: "Delete", Cancel: senderPath(sd.ID)})
}

// deleteSender deletes a canceled sender ID.
func (p *Portal) deleteSender(w http.ResponseWriter, r *http.Request) {
	svc, sd, ok := p.loadSender(w, r)
	if !ok {
		return
	}
	if err := svc.Delete(r.Context(), sd.AccountID, sd.ID); err != nil {
		p.actionFailed(w, r, senderPath(sd.ID), err)
		return
	}
	p.redirect(w, r, "/senders", "Sender ID "+senderTitle(sd)+" deleted.")
}
