package web

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/heraldhq/herald"
)

// The system owner's Sender IDs pages: every account's sender IDs and
// registration requests, the review of one (status, reason, the Sender ID
// the operator assigned, the agreement, the connection it is bound to),
// and setting up a sender ID for an account directly, as for the channels
// accounts do not register themselves.

// senderReviewTable is the system owner's list of every account's sender
// IDs.
func senderReviewTable() tableSpec {
	return tableSpec{ID: "sender-review", Path: "/sender-review", Columns: herald.SenderReviewColumns()}
}

// reviewPath is the system owner's page of a sender ID.
func reviewPath(id int64) string { return "/sender-review/" + strconv.FormatInt(id, 10) }

// listSenderReviews shows every account's sender IDs.
func (p *Portal) listSenderReviews(w http.ResponseWriter, r *http.Request) {
	svc, ok := p.senderService(w, r)
	if !ok {
		return
	}
	listPage[herald.SenderID]{Spec: senderReviewTable(), Title: "Sender IDs of all accounts", Active: "sender-review",
		Empty: "No sender IDs match.",
		List:  svc.ListAll,
		Row: func(pg *page, sd *herald.SenderID) (map[string]cell, []rowAction, *detailTable) {
			return senderCells(pg, sd, reviewPath(sd.ID)), []rowAction{{Label: "Review", Icon: "edit", Href: reviewPath(sd.ID)}}, nil
		},
	}.show(p, w, r, "sender_reviews")
}

// reviewFields are the review form's inputs.
func reviewFields() []string {
	return []string{"status", "reason", "name", "agreement", "connectionId"}
}

// reviewData is the data of the review page.
type reviewData struct {
	Form        *form
	Sender      *herald.SenderID
	Preview     *senderPreview
	Statuses    []herald.SenderStatus // the current one and where it may go
	Connections []herald.Connection   // the account's connections of the channel
}

// loadReview loads the {id} sender ID of any account; it answered when ok
// is false.
func (p *Portal) loadReview(w http.ResponseWriter, r *http.Request) (*herald.SenderID, bool) {
	svc, ok := p.senderService(w, r)
	if !ok {
		return nil, false
	}
	return loadByID(p, w, r, svc.AnySender)
}

// renderReview renders the review page of sd.
func (p *Portal) renderReview(w http.ResponseWriter, r *http.Request, status int, f *form, sd *herald.SenderID) {
	ms, ok := p.connectionStore(w, r)
	if !ok {
		return
	}
	conns, err := ms.Connections(r.Context())
	if err != nil {
		p.fail(w, r, err)
		return
	}
	conns = slices.DeleteFunc(conns, func(c herald.Connection) bool {
		return c.Channel != sd.Channel || !slices.Contains(c.Accounts, sd.AccountID)
	})
	d := &reviewData{Form: f, Sender: sd, Preview: p.preview(r, sd), Connections: conns,
		Statuses: append([]herald.SenderStatus{sd.Status}, sd.Status.ReviewTargets()...)}
	pg := p.newPage(r, "Review "+senderTitle(sd))
	pg.Active = "sender-review"
	pg.Data = d
	p.renderStatus(w, r, status, "sender_review", pg)
}

// reviewSenderPage shows a sender ID with the review form. An SMS
// request's Sender ID is proposed as the one the account asked for.
func (p *Portal) reviewSenderPage(w http.ResponseWriter, r *http.Request) {
	sd, ok := p.loadReview(w, r)
	if !ok {
		return
	}
	f := newForm(reviewFields()...)
	f.set("status", string(sd.Status))
	f.set("reason", sd.Reason)
	f.set("name", sd.Name)
	if sd.Name == "" && sd.Channel == herald.ChannelSMS {
		f.set("name", sd.DisplayName)
	}
	f.set("agreement", sd.Agreement)
	if sd.ConnectionID != 0 {
		f.set("connectionId", strconv.FormatInt(sd.ConnectionID, 10))
	}
	p.renderReview(w, r, http.StatusOK, f, sd)
}

// reviewSender applies the system owner's decision.
func (p *Portal) reviewSender(w http.ResponseWriter, r *http.Request) {
	svc, ok := p.senderService(w, r)
	if !ok {
		return
	}
	sd, ok := p.loadReview(w, r)
	if !ok {
		return
	}
	f := readForm(r, reviewFields()...)
	rv := herald.SenderReview{Status: herald.SenderStatus(f.Get("status")), Reason: f.Get("reason"), Name: f.Get("name"),
		Agreement: f.Get("agreement")}
	var err error
	if c := f.Get("connectionId"); c != "" {
		if rv.ConnectionID, err = strconv.ParseInt(c, 10, 64); err != nil {
			var vs herald.Violations
			vs.Add("connectionId", herald.VFormat, "Choose a connection.")
			err = vs.Err()
		}
	}
	var saved *herald.SenderID
	if err == nil {
		saved, err = svc.Review(r.Context(), sd.ID, rv)
	}
	if err != nil {
		p.formError(w, r, f, err, func(status int) { p.renderReview(w, r, status, f, sd) })
		return
	}
	p.redirect(w, r, reviewPath(sd.ID), "Sender ID "+senderTitle(saved)+" is "+saved.Status.Label()+".")
}

// ownerSenderFields are the inputs of the system owner's new sender ID
// form.
func ownerSenderFields() []string {
	return []string{"accountId", "channel", "name", "displayName", "agreement", "connectionId"}
}

// ownerSenderData is the data of the system owner's new sender ID form.
type ownerSenderData struct {
	Form        *form
	Accounts    []herald.Account
	Channels    []herald.Channel
	Connections []herald.Connection
}

// renderOwnerSender renders the system owner's new sender ID form.
func (p *Portal) renderOwnerSender(w http.ResponseWriter, r *http.Request, status int, f *form) {
	ms, ok := p.connectionStore(w, r)
	if !ok {
		return
	}
	d := &ownerSenderData{Form: f, Channels: herald.AllChannels()}
	var cd connectionsData
	conns, err := ms.Connections(r.Context())
	if err == nil {
		err = p.accountNames(r, &cd)
	}
	if err != nil {
		p.fail(w, r, err)
		return
	}
	d.Accounts, d.Connections = cd.Accounts, conns
	pg := p.newPage(r, "New sender ID")
	pg.Active = "sender-review"
	pg.Data = d
	p.renderStatus(w, r, status, "sender_owner_new", pg)
}

// newOwnerSender shows the form.
func (p *Portal) newOwnerSender(w http.ResponseWriter, r *http.Request) {
	f := newForm(ownerSenderFields()...)
	f.set("channel", herald.ChannelViber.String())
	p.renderOwnerSender(w, r, http.StatusOK, f)
}

// createOwnerSender sets up an active sender ID for an account, bound to
// the chosen connection.
func (p *Portal) createOwnerSender(w http.ResponseWriter, r *http.Request) {
	svc, ok := p.senderService(w, r)
	if !ok {
		return
	}
	f := readForm(r, ownerSenderFields()...)
	var vs herald.Violations
	sd := &herald.SenderID{Name: f.Get("name"), DisplayName: f.Get("displayName"), Agreement: f.Get("agreement"), Status: herald.SenderActive}
	var err error
	if sd.AccountID, err = strconv.ParseInt(f.Get("accountId"), 10, 64); err != nil || sd.AccountID <= 0 {
		vs.Add("accountId", herald.VRequired, "Choose the account.")
	}
	if sd.Channel, err = herald.ParseChannel(f.Get("channel")); err != nil {
		vs.Add("channel", herald.VUnknown, "Choose a channel.")
	}
	if sd.ConnectionID, err = strconv.ParseInt(f.Get("connectionId"), 10, 64); err != nil || sd.ConnectionID <= 0 {
		vs.Add("connectionId", herald.VRequired, "Choose the connection that carries this sender ID.")
	}
	err = vs.Err()
	if err == nil {
		err = svc.Create(r.Context(), sd)
	}
	if err != nil {
		p.formError(w, r, f, err, func(status int) { p.renderOwnerSender(w, r, status, f) })
		return
	}
	p.redirect(w, r, reviewPath(sd.ID), "Sender ID "+senderTitle(sd)+" set up.")
}
