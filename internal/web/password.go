package web

import (
	"fmt"
	"net/http"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/auth"
)

// passwordData is the data of the password change forms.
type passwordData struct {
	Form  *form
	Rules []string
}

// passwordFields are the inputs of a password change.
func passwordFields() []string { return []string{"currentPassword", "newPassword", "confirmPassword"} }

// passwordRules are the rules that every new password meets; whose says
// whose login it must not be ("your").
func passwordRules(pol herald.PasswordPolicy, whose string) []string {
	return []string{
		fmt.Sprintf("At least %d characters.", pol.MinLength),
		fmt.Sprintf("At least %d of these groups: upper-case letters, lower-case letters, digits, special characters.", pol.MinGroups),
		"Not " + whose + " login.",
	}
}

// policyRules describes the password policy to people who change their own
// password.
func policyRules(pol herald.PasswordPolicy) []string {
	rules := passwordRules(pol, "your")
	if pol.History > 0 {
		rules = append(rules, fmt.Sprintf("Different from your last %d passwords.", pol.History))
	}
	if pol.MaxAge > 0 {
		rules = append(rules, fmt.Sprintf("Valid for %d days; then you must change it.", int(pol.MaxAge/(24*time.Hour))))
	}
	if pol.MinAge > 0 {
		rules = append(rules, fmt.Sprintf("Users other than administrators can change it once in %d hours.", int(pol.MinAge.Hours())))
	}
	return rules
}

// passwordPage is the forced password change: on the first sign-in, after
// an administrator set the password, or when it expired. Nothing else opens
// until it is done. Without a forced change it leads to the security page.
func (p *Portal) passwordPage(w http.ResponseWriter, r *http.Request) {
	if !state(r).MustChange {
		http.Redirect(w, r, "/account/security", http.StatusSeeOther)
		return
	}
	p.renderPassword(w, r, http.StatusOK, newForm(passwordFields()...))
}

// renderPassword renders the forced change with status.
func (p *Portal) renderPassword(w http.ResponseWriter, r *http.Request, status int, f *form) {
	pg := p.newPage(r, "Change your password")
	pg.Data = passwordData{Form: f, Rules: policyRules(p.cfg.Policy)}
	p.renderStatus(w, r, status, "password", pg)
}

// changePassword applies the forced change.
func (p *Portal) changePassword(w http.ResponseWriter, r *http.Request) {
	f := readForm(r, passwordFields()...)
	if err := p.auth.ChangeOwnPassword(r.Context(), state(r).User, passwordChange(r)); err != nil {
		p.formError(w, r, f, err, func(status int) { p.renderPassword(w, r, status, f) })
		return
	}
	p.redirect(w, r, "/", "Your password was changed.")
}

// passwordChange reads a password change form.
func passwordChange(r *http.Request) auth.PasswordChange {
	return auth.PasswordChange{
		Current: r.PostForm.Get("currentPassword"),
		New:     r.PostForm.Get("newPassword"),
		Confirm: r.PostForm.Get("confirmPassword"),
	}
}
