package web

import (
	"html/template"
	"net/http"
	"strings"
)

// securityForms are the forms of the Privacy and Security page; nil ones
// start empty.
type securityForms struct {
	Password *form
	TOTP     *form
	Disable  *form
	Delete   *form
}

// securityData is the data of the Privacy and Security page.
type securityData struct {
	securityForms
	Rules     []string
	TwoFactor bool
	Enroll    *enrollment // a second factor being set up
}

// enrollment is a TOTP set-up waiting for its first code.
type enrollment struct {
	Secret string
	QR     template.URL // data: URL of the QR code image, made by the auth service
	URL    string
}

// securityPage shows the password, two-factor and danger zone sections.
func (p *Portal) securityPage(w http.ResponseWriter, r *http.Request) {
	p.renderSecurity(w, r, http.StatusOK, securityForms{})
}

// renderSecurity renders the Privacy and Security page.
func (p *Portal) renderSecurity(w http.ResponseWriter, r *http.Request, status int, fs securityForms) {
	for _, f := range []**form{&fs.Password, &fs.TOTP, &fs.Disable, &fs.Delete} {
		if *f == nil {
			*f = newForm()
		}
	}
	d := securityData{securityForms: fs, Rules: policyRules(p.cfg.Policy), TwoFactor: state(r).User.TwoFactor}
	ctx := r.Context()
	if sec := p.sessions.GetString(ctx, keyTOTPSecret); sec != "" && !d.TwoFactor {
		d.Enroll = &enrollment{Secret: sec, QR: qrURL(p.sessions.GetString(ctx, keyTOTPQR)), URL: p.sessions.GetString(ctx, keyTOTPURL)}
	}
	pg := p.newPage(r, "Privacy and Security")
	pg.Active = "security"
	pg.Data = d
	p.renderStatus(w, r, status, "security", pg)
}

// changeOwnPassword changes the signed-in user's password by the policy.
func (p *Portal) changeOwnPassword(w http.ResponseWriter, r *http.Request) {
	f := readForm(r, passwordFields()...)
	if err := p.auth.ChangeOwnPassword(r.Context(), state(r).User, passwordChange(r)); err != nil {
		p.formError(w, r, f, err, func(status int) { p.renderSecurity(w, r, status, securityForms{Password: f}) })
		return
	}
	p.redirect(w, r, "/account/security", "Your password was changed.")
}

// beginTOTP starts setting up a second factor: a new secret whose QR code
// the page shows until the first code confirms it.
func (p *Portal) beginTOTP(w http.ResponseWriter, r *http.Request) {
	u := state(r).User
	if u.TwoFactor {
		p.redirect(w, r, "/account/security", "")
		return
	}
	en, err := p.auth.BeginTOTP(r.Context(), u)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	ctx := r.Context()
	p.sessions.Put(ctx, keyTOTPSecret, en.Secret)
	p.sessions.Put(ctx, keyTOTPQR, en.QRPNG)
	p.sessions.Put(ctx, keyTOTPURL, en.URL)
	http.Redirect(w, r, "/account/security#two-factor", http.StatusSeeOther)
}

// enableTOTP confirms the second factor with a code from the app.
func (p *Portal) enableTOTP(w http.ResponseWriter, r *http.Request) {
	f := readForm(r, "code")
	if err := p.auth.EnableTOTP(r.Context(), state(r).User, r.PostForm.Get("code")); err != nil {
		p.formError(w, r, f, err, func(status int) { p.renderSecurity(w, r, status, securityForms{TOTP: f}) })
		return
	}
	p.forgetEnrollment(r)
	p.redirect(w, r, "/account/security", "Two-factor authentication is on. You will be asked for a code at every sign-in.")
}

// cancelTOTP abandons a set-up; the unconfirmed secret stays disabled.
func (p *Portal) cancelTOTP(w http.ResponseWriter, r *http.Request) {
	p.forgetEnrollment(r)
	p.redirect(w, r, "/account/security", "")
}

// forgetEnrollment drops a set-up from the session.
func (p *Portal) forgetEnrollment(r *http.Request) {
	for _, k := range []string{keyTOTPSecret, keyTOTPQR, keyTOTPURL} {
		p.sessions.Remove(r.Context(), k)
	}
}

// disableTOTP turns the second factor off after the password.
func (p *Portal) disableTOTP(w http.ResponseWriter, r *http.Request) {
	f := readForm(r, "currentPassword")
	if err := p.auth.DisableTOTP(r.Context(), state(r).User, r.PostForm.Get("currentPassword")); err != nil {
		p.formError(w, r, f, err, func(status int) { p.renderSecurity(w, r, status, securityForms{Disable: f}) })
		return
	}
	p.redirect(w, r, "/account/security", "Two-factor authentication is off.")
}

// qrURL marks the QR code's data: URL as safe for an img src; it comes from
// auth.BeginTOTP through the session, never from the request.
func qrURL(s string) template.URL {
	if !strings.HasPrefix(s, "data:image/png;base64,") {
		return ""
	}
	return template.URL(s)
}
