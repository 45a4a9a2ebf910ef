package web

import (
	"net/http"
	"strconv"

	"github.com/heraldhq/herald"
)

// accountsTable is the system owner's Accounts list.
func accountsTable() tableSpec {
	return tableSpec{ID: "accounts", Path: "/accounts", Columns: herald.AccountColumns()}
}

// listAccounts shows every account.
func (p *Portal) listAccounts(w http.ResponseWriter, r *http.Request) {
	t, q, ok := p.beginTable(w, r, accountsTable())
	if !ok {
		return
	}
	pg := p.newPage(r, "Accounts")
	pg.Active = "accounts"
	t.Empty = "No accounts match."
	if t.Err == "" {
		list, err := p.store.ListAccounts(r.Context(), q)
		if err == nil {
			fillTable(t, r, list, func(a *herald.Account) (map[string]cell, []rowAction, *detailTable) {
				return accountCells(pg, a), accountActions(a), nil
			})
		} else if p.listFailed(w, r, t, err) {
			return
		}
	}
	pg.Data = t
	p.render(w, r, "accounts", pg)
}

// accountCells are the cells of one account.
func accountCells(pg *page, a *herald.Account) map[string]cell {
	status := cell{Text: "Active"}
	if a.Status == herald.AccountBlocked {
		status = cell{Badge: "Blocked"}
	}
	return map[string]cell{
		"id":        {Text: strconv.FormatInt(a.ID, 10), Mono: true},
		"name":      {Text: a.Name, Href: "/accounts/" + strconv.FormatInt(a.ID, 10)},
		"status":    status,
		"timeZone":  {Text: a.TimeZone},
		"createdAt": {Text: pg.Time(a.CreatedAt)},
		"updatedAt": {Text: pg.Time(a.UpdatedAt)},
	}
}

// accountActions are an account's row buttons; blocking is on its page.
func accountActions(a *herald.Account) []rowAction {
	href := "/accounts/" + strconv.FormatInt(a.ID, 10)
	return []rowAction{{Label: "Edit", Icon: "edit", Href: href}}
}

// accountFormData is the data of the account form.
type accountFormData struct {
	Form    *form
	Account *herald.Account // nil for a new account
	Own     bool            // the system owner's own account
	Rules   []string        // the rules of a new account's administrator's password
	// Moderation offers the broadcast moderation switch (existing
	// accounts, when the process keeps broadcasts).
	Moderation bool
}

// accountFields are the account form's inputs.
func accountFields() []string { return []string{"name", "timeZone", "status"} }

// renderAccountForm renders the account form.
func (p *Portal) renderAccountForm(w http.ResponseWriter, r *http.Request, status int, d *accountFormData) {
	title := "New account"
	if d.Account != nil {
		title = d.Account.Name
		d.Own = d.Account.ID == state(r).User.AccountID
	} else {
		d.Rules = passwordRules(p.cfg.Policy, "the administrator's") // history and ages do not apply yet
	}
	pg := p.newPage(r, title)
	pg.Active = "accounts"
	pg.Data = d
	p.renderStatus(w, r, status, "account_form", pg)
}

// loadAccount loads the {id} account; it answered the request when ok is
// false.
func (p *Portal) loadAccount(w http.ResponseWriter, r *http.Request) (*herald.Account, bool) {
	id, ok := pathID(r)
	if !ok {
		p.notFound(w, r)
		return nil, false
	}
	a, err := p.store.Account(r.Context(), id)
	if err != nil {
		p.fail(w, r, err)
		return nil, false
	}
	return a, true
}

// editAccount shows an account's form.
func (p *Portal) editAccount(w http.ResponseWriter, r *http.Request) {
	a, ok := p.loadAccount(w, r)
	if !ok {
		return
	}
	f := newForm(append(accountFields(), "moderation")...)
	f.set("name", a.Name)
	f.set("timeZone", a.TimeZone)
	on, available, err := p.moderatedAccount(r.Context(), a.ID)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	if on {
		f.set("moderation", "on")
	}
	p.renderAccountForm(w, r, http.StatusOK, &accountFormData{Form: f, Account: a, Moderation: available})
}

// updateAccount saves an account's name and time zone, and whether its
// broadcasts go to moderation.
func (p *Portal) updateAccount(w http.ResponseWriter, r *http.Request) {
	a, ok := p.loadAccount(w, r)
	if !ok {
		return
	}
	f := readForm(r, append(accountFields(), "moderation")...)
	a.Name, a.TimeZone = r.PostForm.Get("name"), r.PostForm.Get("timeZone")
	err := a.Validate()
	if err == nil {
		err = p.store.UpdateAccount(r.Context(), a)
	}
	if err == nil {
		err = p.saveModeration(r.Context(), a.ID, f.Checked("moderation"))
	}
	if err != nil {
		p.formError(w, r, f, err, func(status int) {
			p.renderAccountForm(w, r, status, &accountFormData{Form: f, Account: a, Moderation: p.bcStore != nil})
		})
		return
	}
	p.redirect(w, r, "/accounts", "Account "+a.Name+" saved.")
}

// setAccountStatus blocks or unblocks an account. Blocking signs its users
// out at their next request and refuses its API keys.
func (p *Portal) setAccountStatus(w http.ResponseWriter, r *http.Request) {
	a, ok := p.loadAccount(w, r)
	if !ok {
		return
	}
	back := "/accounts/" + strconv.FormatInt(a.ID, 10)
	status := herald.AccountStatus(r.PostFormValue("status"))
	if status == herald.AccountBlocked && a.ID == state(r).User.AccountID {
		p.flashError(r, "You cannot block your own account.")
		http.Redirect(w, r, back, http.StatusSeeOther)
		return
	}
	a.Status = status
	err := a.Validate()
	if err == nil {
		err = p.store.UpdateAccount(r.Context(), a)
	}
	if err != nil {
		p.actionFailed(w, r, back, err)
		return
	}
	msg := "Account " + a.Name + " unblocked."
	if status == herald.AccountBlocked {
		msg = "Account " + a.Name + " blocked: its users are signed out and its API keys refused."
	}
	p.redirect(w, r, back, msg)
}
