package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/heraldhq/herald"
)

// signInData is the data of the sign-in pages.
type signInData struct {
	Form *form
	Next string
}

// signInPage shows the sign-in form, or goes home when already signed in.
func (p *Portal) signInPage(w http.ResponseWriter, r *http.Request) {
	if p.sessions.GetInt64(r.Context(), keyUserID) != 0 {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	p.renderSignIn(w, r, http.StatusOK, newForm("login", "password"))
}

// renderSignIn renders the sign-in form with status.
func (p *Portal) renderSignIn(w http.ResponseWriter, r *http.Request, status int, f *form) {
	pg := p.newPage(r, "Sign in")
	pg.Data = signInData{Form: f, Next: localPath(r.FormValue("next"), "")}
	p.renderStatus(w, r, status, "signin", pg)
}

// signIn checks the login and password. With a second factor the TOTP step
// follows; otherwise the session starts (and a forced password change, if
// any, is enforced by the guard on the next page).
func (p *Portal) signIn(w http.ResponseWriter, r *http.Request) {
	f := readForm(r, "login", "password")
	login, password := strings.TrimSpace(f.Get("login")), r.PostForm.Get("password")
	var vs herald.Violations
	vs.CheckLen("login", login, true, 64)
	vs.CheckLen("password", password, true, 1024)
	if err := vs.Err(); err != nil {
		f.setError(err)
		p.renderSignIn(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	res, err := p.auth.SignIn(r.Context(), login, password, p.clientIP(r))
	if err != nil {
		// Wrong credentials, throttling, a lock or a blocked user or
		// account show on the form; internal errors fail the request.
		p.formError(w, r, f, err, func(status int) { p.renderSignIn(w, r, status, f) })
		return
	}
	next := localPath(r.PostForm.Get("next"), "/")
	if res.NeedTOTP {
		p.beginPendingTOTP(w, r, res.User.ID, next)
		return
	}
	if err := p.startSession(r.Context(), res.User.ID); err != nil {
		p.fail(w, r, err)
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// beginPendingTOTP remembers that the password was right and asks for the
// second factor's code.
func (p *Portal) beginPendingTOTP(w http.ResponseWriter, r *http.Request, userID int64, next string) {
	ctx := r.Context()
	if err := p.sessions.RenewToken(ctx); err != nil {
		p.fail(w, r, err)
		return
	}
	p.sessions.Put(ctx, keyPendingUser, userID)
	p.sessions.Put(ctx, keyPendingSince, p.clock.Now().Unix())
	http.Redirect(w, r, "/signin/totp?next="+url.QueryEscape(next), http.StatusSeeOther)
}

// pendingUser returns the user waiting for the TOTP step, or 0 when there
// is none or it waited too long.
func (p *Portal) pendingUser(r *http.Request) int64 {
	ctx := r.Context()
	since := p.sessions.GetInt64(ctx, keyPendingSince)
	if p.clock.Now().Unix()-since > int64(pendingTOTPFor.Seconds()) {
		return 0
	}
	return p.sessions.GetInt64(ctx, keyPendingUser)
}

// totpPage asks for the code of the second factor.
func (p *Portal) totpPage(w http.ResponseWriter, r *http.Request) {
	if p.pendingUser(r) == 0 {
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
		return
	}
	p.renderTOTP(w, r, http.StatusOK, newForm("code"))
}

// renderTOTP renders the code step with status.
func (p *Portal) renderTOTP(w http.ResponseWriter, r *http.Request, status int, f *form) {
	pg := p.newPage(r, "Two-factor authentication")
	pg.Data = signInData{Form: f, Next: localPath(r.FormValue("next"), "")}
	p.renderStatus(w, r, status, "signin_totp", pg)
}

// totpSignIn checks the code and starts the session.
func (p *Portal) totpSignIn(w http.ResponseWriter, r *http.Request) {
	uid := p.pendingUser(r)
	if uid == 0 {
		p.flashError(r, "The sign-in took too long. Please sign in again.")
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
		return
	}
	f := readForm(r, "code")
	u, err := p.auth.VerifyTOTP(r.Context(), uid, r.PostForm.Get("code"), p.clientIP(r))
	if err != nil {
		p.formError(w, r, f, err, func(status int) { p.renderTOTP(w, r, status, f) })
		return
	}
	if err := p.startSession(r.Context(), u.ID); err != nil {
		p.fail(w, r, err)
		return
	}
	http.Redirect(w, r, localPath(r.PostForm.Get("next"), "/"), http.StatusSeeOther)
}

// signOut records the sign-out and ends the session.
func (p *Portal) signOut(w http.ResponseWriter, r *http.Request) {
	u := state(r).User
	if err := p.store.RecordAudit(r.Context(), &herald.AuditEntry{AccountID: u.AccountID, Action: "Signed out"}); err != nil {
		p.fail(w, r, err)
		return
	}
	p.endSession(w, r, keyFlash, "You have signed out.")
}
