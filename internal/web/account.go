package web

import (
	"net/http"
	"strings"
)

// The user pref that keeps the theme.
const prefTheme = "theme"

// normalTheme returns a known theme name, "system" for anything else.
func normalTheme(s string) string {
	switch s {
	case "light", "dark":
		return s
	}
	return "system"
}

// accountData is the data of the Account settings page.
type accountData struct {
	Form  *form
	Roles []string
	Edit  bool // open the edit form (after an error)
}

// profileFields are the inputs of the profile form.
func profileFields() []string {
	return []string{"firstName", "middleName", "lastName", "email", "phone"}
}

// accountPage shows the signed-in user's own settings.
func (p *Portal) accountPage(w http.ResponseWriter, r *http.Request) {
	f := newForm(profileFields()...)
	userValues(f, state(r).User)
	p.renderAccount(w, r, http.StatusOK, f)
}

// renderAccount renders the Account settings page.
func (p *Portal) renderAccount(w http.ResponseWriter, r *http.Request, status int, f *form) {
	u := state(r).User
	roles, err := p.store.AllRoles(r.Context(), u.AccountID)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	d := accountData{Form: f, Edit: f.Invalid()}
	for _, ro := range roles {
		for _, id := range u.RoleIDs {
			if ro.ID == id {
				d.Roles = append(d.Roles, ro.Name)
			}
		}
	}
	pg := p.newPage(r, "Account settings")
	pg.Active = "account"
	pg.Data = d
	p.renderStatus(w, r, status, "account", pg)
}

// updateAccountProfile saves the user's own name, e-mail and phone.
func (p *Portal) updateAccountProfile(w http.ResponseWriter, r *http.Request) {
	f := readForm(r, profileFields()...)
	st := state(r)
	u, err := p.store.User(r.Context(), st.User.AccountID, st.User.ID)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	pf := r.PostForm
	u.FirstName, u.MiddleName, u.LastName = pf.Get("firstName"), pf.Get("middleName"), pf.Get("lastName")
	u.Email, u.Phone = pf.Get("email"), pf.Get("phone")
	if err := p.auth.UpdateUser(r.Context(), u, ""); err != nil {
		p.formError(w, r, f, err, func(status int) { p.renderAccount(w, r, status, f) })
		return
	}
	p.redirect(w, r, "/account", "Your details were saved.")
}

// setTheme saves the user's theme (light, dark or system) and goes back.
// The layout puts it on <html>, so pages never flash the wrong colours.
func (p *Portal) setTheme(w http.ResponseWriter, r *http.Request) {
	theme := normalTheme(r.PostFormValue("theme"))
	if err := p.store.SetUserPref(r.Context(), state(r).User.ID, prefTheme, theme); err != nil {
		p.fail(w, r, err)
		return
	}
	if r.Header.Get("X-Requested-With") == "fetch" {
		w.WriteHeader(http.StatusNoContent) // the script already switched the page
		return
	}
	http.Redirect(w, r, localPath(r.PostFormValue("next"), "/account"), http.StatusSeeOther)
}

// deleteOwnUser deletes the signed-in user after the password and the
// confirmation word, and ends the session.
func (p *Portal) deleteOwnUser(w http.ResponseWriter, r *http.Request) {
	f := readForm(r, "currentPassword", "confirm")
	u := state(r).User
	err := p.auth.DeleteOwnUser(r.Context(), u, r.PostForm.Get("currentPassword"), strings.TrimSpace(r.PostForm.Get("confirm")))
	if err != nil {
		p.formError(w, r, f, err, func(status int) {
			p.renderSecurity(w, r, status, securityForms{Delete: f})
		})
		return
	}
	p.endSession(w, r, keyFlash, "Your user "+u.Login+" was deleted.")
}
