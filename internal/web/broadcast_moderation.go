package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/heraldhq/herald"
)

// The system owner's moderation of broadcasts (reference 001 section
// 7.1.1): per account, in System > Accounts, the owner turns moderation on;
// launching a broadcast of that account then sends it to moderation. The
// Moderation page lists every account's broadcasts waiting there, and the
// review page shows one's chain and recipient count with Approve and
// Reject (with a reason, which the account sees).

// Moderator decides broadcasts in moderation (the broadcast service does).
// Approve launches or schedules one; Reject sends it back to its account
// with a reason (EINVALID naming "reason" without one). Both are the
// system owner's only: EFORBIDDEN for anybody else.
type Moderator interface {
	Approve(ctx context.Context, accountID, id int64) (*herald.Broadcast, error)
	Reject(ctx context.Context, accountID, id int64, reason string) (*herald.Broadcast, error)
}

// errNoModeration answers the moderation pages in a process without
// broadcasts.
var errNoModeration = herald.Errorf(herald.EUNAVAILABLE, "Broadcast moderation is not available in this process.")

// setModerationDeps fills the moderator and the broadcast store (from
// Store) of the moderation and per-contact outcome pages.
func (p *Portal) setModerationDeps(deps Deps) {
	p.moderator = deps.Moderator
	p.bcStore, _ = deps.Store.(herald.BroadcastStore)
}

// broadcastReader returns the broadcast store, or fails the request with
// 503 when Store keeps no broadcasts.
func (p *Portal) broadcastReader(w http.ResponseWriter, r *http.Request) (herald.BroadcastStore, bool) {
	if p.bcStore == nil {
		p.fail(w, r, errNoModeration)
		return nil, false
	}
	return p.bcStore, true
}

// moderationTable is the system owner's moderation queue.
func moderationTable() tableSpec {
	return tableSpec{ID: "moderation", Path: "/moderation", Columns: herald.ModerationColumns()}
}

// moderationPath is the review page of an account's broadcast.
func moderationPath(accountID, id int64) string {
	return "/moderation/" + strconv.FormatInt(accountID, 10) + "/" + strconv.FormatInt(id, 10)
}

// accountNamer looks account names up once per request.
type accountNamer struct {
	p     *Portal
	ctx   context.Context
	names map[int64]string
}

// name returns the name of account id, or its number when it is gone.
func (a *accountNamer) name(id int64) string {
	if n, ok := a.names[id]; ok {
		return n
	}
	n := "#" + strconv.FormatInt(id, 10)
	if acc, err := a.p.store.Account(a.ctx, id); err == nil {
		n = acc.Name
	}
	a.names[id] = n
	return n
}

// listModeration shows every account's broadcasts waiting in moderation,
// oldest first, each with its chain and recipient count in its details.
func (p *Portal) listModeration(w http.ResponseWriter, r *http.Request) {
	bs, ok := p.broadcastReader(w, r)
	if !ok {
		return
	}
	names := &accountNamer{p: p, ctx: r.Context(), names: map[int64]string{}}
	listPage[herald.Broadcast]{Spec: moderationTable(), Title: "Moderation", Active: "moderation",
		Empty: "No broadcast waits for moderation.",
		List:  bs.ListModeration,
		Row: func(pg *page, b *herald.Broadcast) (map[string]cell, []rowAction, *detailTable) {
			href := moderationPath(b.AccountID, b.ID)
			cells := moderationCells(pg, b, names.name(b.AccountID), href)
			n, err := bs.CountRecipients(r.Context(), b.AccountID, b.Recipients)
			cells["recipients"] = cell{Text: strconv.Itoa(n)}
			if err != nil {
				cells["recipients"] = cell{Text: herald.ErrorMessage(err), Muted: true}
			}
			return cells, []rowAction{{Label: "Review", Icon: "eye", Href: href}}, chainDetail(b, cells["recipients"].Text)
		},
	}.show(p, w, r, "moderation")
}

// moderationCells are the cells of a broadcast in the queue.
func moderationCells(pg *page, b *herald.Broadcast, account, href string) map[string]cell {
	return map[string]cell{
		"accountId":   {Text: account, Href: "/accounts/" + strconv.FormatInt(b.AccountID, 10)},
		"id":          {Text: strconv.FormatInt(b.ID, 10), Mono: true},
		"name":        {Text: b.Name, Href: href},
		"type":        {Text: b.Type.Label()},
		"scheduledAt": {Text: pg.TimePtr(b.ScheduledAt)},
		"launchType":  {Text: launchLabel(b.LaunchType)},
		"templateId":  {Text: idText(b.TemplateID), Mono: true},
		"description": {Text: b.Description, Muted: true},
		"createdBy":   {Text: b.CreatedBy},
		"createdAt":   {Text: pg.Time(b.CreatedAt)},
	}
}

// launchLabel names a launch type for people.
func launchLabel(lt herald.LaunchType) string {
	switch lt {
	case herald.LaunchAPI:
		return "API"
	case "":
		return ""
	}
	return strings.ToUpper(string(lt[:1])) + string(lt[1:])
}

// idText is id as text, or "" for none.
func idText(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

// chainDetail is a queued broadcast's expandable detail: its steps, with
// how many contacts its recipients select now in the caption.
func chainDetail(b *herald.Broadcast, recipients string) *detailTable {
	d := &detailTable{Caption: "Recipients: " + recipients + " contacts now",
		Header: []string{"Step", "Channel", "Sender ID", "Content", "Success criterion", "Waiting time"}}
	for i, s := range b.Steps {
		d.Rows = append(d.Rows, []string{strconv.Itoa(i + 1), s.Channel.Label(), s.SenderID, stepContent(s), string(s.Criterion), waitingLabel(s.WaitingTime)})
	}
	return d
}

// stepContent summarises a step's content: its text, or the template it
// uses.
func stepContent(s herald.BroadcastStep) string {
	if s.Template != nil {
		return "Content template #" + strconv.FormatInt(s.Template.ID, 10)
	}
	text, _ := contentText(s.Payload)
	if r := []rune(text); len(r) > 160 {
		text = string(r[:159]) + "…"
	}
	return text
}

// waitingLabel says a waiting time in seconds for people.
func waitingLabel(secs int) string {
	switch {
	case secs%3600 == 0:
		return strconv.Itoa(secs/3600) + " h"
	case secs%60 == 0:
		return strconv.Itoa(secs/60) + " min"
	}
	return strconv.Itoa(secs) + " s"
}

// moderationStep is one step of the review page.
type moderationStep struct {
	N           int
	Step        herald.BroadcastStep
	Text        string
	Rich        bool // Text is JSON
	WaitingTime string
}

// moderationData is the data of the review page.
type moderationData struct {
	Form       *form
	Broadcast  *herald.Broadcast
	Account    string
	Recipients int
	CountErr   string
	Steps      []moderationStep
	Pending    bool // in moderation: the decision forms are shown
}

// loadModerated loads the {account}'s broadcast {id}; it answered the
// request when ok is false.
func (p *Portal) loadModerated(w http.ResponseWriter, r *http.Request) (herald.BroadcastStore, *herald.Broadcast, bool) {
	bs, ok := p.broadcastReader(w, r)
	if !ok {
		return nil, nil, false
	}
	acc, err1 := strconv.ParseInt(r.PathValue("account"), 10, 64)
	id, err2 := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err1 != nil || err2 != nil {
		p.notFound(w, r)
		return nil, nil, false
	}
	b, err := bs.Broadcast(r.Context(), acc, id)
	if err != nil {
		p.fail(w, r, err)
		return nil, nil, false
	}
	return bs, b, true
}

// renderModeration renders the review page of b.
func (p *Portal) renderModeration(w http.ResponseWriter, r *http.Request, status int, f *form, bs herald.BroadcastStore, b *herald.Broadcast) {
	d := &moderationData{Form: f, Broadcast: b, Pending: b.Status == herald.BroadcastModeration}
	d.Account = (&accountNamer{p: p, ctx: r.Context(), names: map[int64]string{}}).name(b.AccountID)
	n, err := bs.CountRecipients(r.Context(), b.AccountID, b.Recipients)
	if err != nil {
		d.CountErr = herald.ErrorMessage(err)
	}
	d.Recipients = n
	for i, s := range b.Steps {
		ms := moderationStep{N: i + 1, Step: s, WaitingTime: waitingLabel(s.WaitingTime)}
		if s.Template != nil {
			ms.Text = stepContent(s)
		} else {
			ms.Text, ms.Rich = contentText(s.Payload)
		}
		d.Steps = append(d.Steps, ms)
	}
	pg := p.newPage(r, "Moderate "+b.Name)
	pg.Active = "moderation"
	pg.Data = d
	p.renderStatus(w, r, status, "moderation_review", pg)
}

// moderationPage shows one broadcast with the decision forms.
func (p *Portal) moderationPage(w http.ResponseWriter, r *http.Request) {
	bs, b, ok := p.loadModerated(w, r)
	if !ok {
		return
	}
	p.renderModeration(w, r, http.StatusOK, newForm("reason"), bs, b)
}

// moderatorOf returns the moderator, or fails the request with 503.
func (p *Portal) moderatorOf(w http.ResponseWriter, r *http.Request) (Moderator, bool) {
	if p.moderator == nil {
		p.fail(w, r, errNoModeration)
		return nil, false
	}
	return p.moderator, true
}

// approveBroadcast launches (or schedules) a broadcast in moderation.
func (p *Portal) approveBroadcast(w http.ResponseWriter, r *http.Request) {
	m, ok := p.moderatorOf(w, r)
	if !ok {
		return
	}
	_, b, ok := p.loadModerated(w, r)
	if !ok {
		return
	}
	saved, err := m.Approve(r.Context(), b.AccountID, b.ID)
	if err != nil {
		p.actionFailed(w, r, moderationPath(b.AccountID, b.ID), err)
		return
	}
	msg := "Broadcast " + saved.Name + " approved: it is " + strings.ToLower(saved.Status.Label()) + "."
	p.redirect(w, r, "/moderation", msg)
}

// rejectBroadcast sends a broadcast in moderation back with the reason;
// without a reason the page shows the error beside the field.
func (p *Portal) rejectBroadcast(w http.ResponseWriter, r *http.Request) {
	m, ok := p.moderatorOf(w, r)
	if !ok {
		return
	}
	bs, b, ok := p.loadModerated(w, r)
	if !ok {
		return
	}
	f := readForm(r, "reason")
	saved, err := m.Reject(r.Context(), b.AccountID, b.ID, f.Get("reason"))
	if err != nil {
		p.formError(w, r, f, err, func(status int) { p.renderModeration(w, r, status, f, bs, b) })
		return
	}
	p.redirect(w, r, "/moderation", "Broadcast "+saved.Name+" rejected; its account sees the reason.")
}

// moderatedAccount reports whether the account's broadcasts are
// moderated, and whether the setting is available at all.
func (p *Portal) moderatedAccount(ctx context.Context, accountID int64) (on, available bool, err error) {
	if p.bcStore == nil {
		return false, false, nil
	}
	on, err = p.bcStore.BroadcastModeration(ctx, accountID)
	return on, err == nil, err
}

// saveModeration saves the account form's moderation switch when it
// changed.
func (p *Portal) saveModeration(ctx context.Context, accountID int64, on bool) error {
	was, available, err := p.moderatedAccount(ctx, accountID)
	if err != nil || !available || was == on {
		return err
	}
	return p.bcStore.SetBroadcastModeration(ctx, accountID, on)
}
