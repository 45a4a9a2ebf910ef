package web

import (
	"context"
	"fmt"
	"net/http"

	"github.com/heraldhq/herald"
)

// adminFields are the inputs of a new account's first administrator.
func adminFields() []string { return []string{"firstName", "lastName", "login", "email", "password"} }

// newAccountFields are the inputs of the New account form.
func newAccountFields() []string { return append(accountFields(), adminFields()...) }

// newAccount shows an empty account form.
func (p *Portal) newAccount(w http.ResponseWriter, r *http.Request) {
	f := newForm(newAccountFields()...)
	f.set("timeZone", "UTC")
	p.renderAccountForm(w, r, http.StatusOK, &accountFormData{Form: f})
}

// createAccount creates an account, with its system roles and departments,
// and its first administrator, who must change the password at the first
// sign-in. Both parts are checked first, so all their errors show at once,
// and then stored in one transaction: a refused form, or a login taken by
// a concurrent request in between, leaves no account behind.
func (p *Portal) createAccount(w http.ResponseWriter, r *http.Request) {
	f := readForm(r, newAccountFields()...)
	ctx, pf := r.Context(), r.PostForm
	a := &herald.Account{Name: pf.Get("name"), TimeZone: pf.Get("timeZone")}
	u := &herald.User{FirstName: pf.Get("firstName"), LastName: pf.Get("lastName"), Login: pf.Get("login"),
		Email: pf.Get("email"), Department: herald.DepartmentAdmin, Language: "en", Active: true}
	password := pf.Get("password")
	err := p.checkNewAccount(ctx, a, u, password)
	if err == nil {
		err = p.auth.CreateAccountWithAdmin(ctx, a, u, password)
	}
	if err != nil {
		p.formError(w, r, f, err, func(status int) { p.renderAccountForm(w, r, status, &accountFormData{Form: f}) })
		return
	}
	p.redirect(w, r, "/accounts", "Account "+a.Name+" created. Its administrator "+u.Login+
		" will choose their own password at the first sign-in.")
}

// checkNewAccount validates a new account a and its first administrator u
// with the password, and returns all their violations in one error,
// a taken account name or login included.
func (p *Portal) checkNewAccount(ctx context.Context, a *herald.Account, u *herald.User, password string) error {
	vs := herald.Violations(herald.ErrorViolations(a.Validate()))
	for _, v := range herald.ErrorViolations(u.Validate()) {
		if v.Field != "roleIds" { // the Admin role comes with the account
			vs = append(vs, v)
		}
	}
	vs = append(vs, p.auth.Policy().CheckPassword("password", password, u.Login)...)
	err := checkFree(&vs, "name", func() error { _, err := p.store.AccountByName(ctx, a.Name); return err },
		"An account named %q already exists.", a.Name)
	if err != nil {
		return err
	}
	err = checkFree(&vs, "login", func() error { _, err := p.store.UserByLogin(ctx, u.Login); return err },
		"The login %q is taken.", u.Login)
	if err != nil {
		return err
	}
	return vs.Err()
}

// checkFree adds a VTaken violation of field, with the message format,
// when find finds the field's value. A field that already has a violation
// is not looked up.
func checkFree(vs *herald.Violations, field string, find func() error, format string, args ...any) error {
	if vs.Has(field) {
		return nil
	}
	switch err := find(); {
	case err == nil:
		vs.Add(field, herald.VTaken, format, args...)
	case !herald.IsNotFound(err):
		return fmt.Errorf("checking %s: %w", field, err)
	}
	return nil
}
