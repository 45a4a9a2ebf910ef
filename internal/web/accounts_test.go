package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
)

// adminPassword is the first password of new accounts' administrators.
const adminPassword = "First-admin-7"

// ownerClient returns a client signed in as "root", a system owner of the
// fixture's account.
func (f *fixture) ownerClient() *client {
	f.t.Helper()
	c, u := f.signedInClient(f.account.ID, f.roles[herald.RoleAdmin], "root")
	u.SystemOwner = true
	if err := f.store.UpdateUser(sys(f.account.ID), u); err != nil {
		f.t.Fatal(err)
	}
	return c
}

// newAccountForm returns a valid New account form with its first
// administrator.
func newAccountForm(name, login string) url.Values {
	return url.Values{"name": {name}, "timeZone": {"Europe/Madrid"}, "firstName": {"Peter"}, "lastName": {"Gibbons"},
		"login": {login}, "email": {login + "@example.com"}, "password": {adminPassword}}
}

// accountCount returns how many accounts exist.
func (f *fixture) accountCount() int {
	f.t.Helper()
	n, err := f.store.CountAccounts(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

func TestNewAccountForm(t *testing.T) {
	f := newFixture(t)
	res := f.ownerClient().get("/accounts/new")
	if res.Status != http.StatusOK {
		t.Fatalf("GET /accounts/new: %d", res.Status)
	}
	mustContain(t, res.Body, "First administrator", `name="firstName"`, `name="lastName"`, `name="login"`,
		`name="email"`, `name="password"`, `data-generate="f-password"`, "Password rules", passwordRules(f.auth.Policy(), "")[0], "Not the administrator&#39;s login.")
	if strings.Contains(res.Body, "Different from your last") {
		t.Error("the rules of a first password mention the password history")
	}
}

func TestNewAccountWithFirstAdmin(t *testing.T) {
	f := newFixture(t)
	c := f.ownerClient()
	res := c.post("/accounts", newAccountForm("Initech", "peter"))
	if res.Status != http.StatusSeeOther || res.Location != "/accounts" {
		t.Fatalf("create: %d %q\n%s", res.Status, res.Location, res.Body)
	}
	mustContain(t, c.get("/accounts").Body, "Account Initech created. Its administrator peter will choose")
	acc, err := f.store.AccountByName(sys(0), "Initech")
	if err != nil {
		t.Fatal(err)
	}
	if acc.Status != herald.AccountActive || acc.TimeZone != "Europe/Madrid" {
		t.Errorf("account: status %q time zone %q", acc.Status, acc.TimeZone)
	}
	peter, err := f.store.UserByLogin(sys(0), "peter")
	if err != nil {
		t.Fatal(err)
	}
	if peter.AccountID != acc.ID || !peter.Admin || peter.Department != herald.DepartmentAdmin || !peter.Active {
		t.Errorf("peter: account %d (want %d) admin %v department %q active %v",
			peter.AccountID, acc.ID, peter.Admin, peter.Department, peter.Active)
	}

	pc := f.newClient()
	pc.signIn("peter", adminPassword)
	if res := pc.get("/users"); res.Status != http.StatusSeeOther || res.Location != "/password" {
		t.Fatalf("peter's first page: %d %q, want 303 to /password", res.Status, res.Location)
	}
	const next = "Changed-pass-42"
	res = pc.post("/password", url.Values{"currentPassword": {adminPassword}, "newPassword": {next}, "confirmPassword": {next}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("password change: %d\n%s", res.Status, res.Body)
	}
	res = pc.get("/users")
	if res.Status != http.StatusOK {
		t.Fatalf("peter's users after the change: %d", res.Status)
	}
	mustContain(t, res.Body, "peter@example.com")
	if strings.Contains(res.Body, "root@example.com") {
		t.Error("peter sees the users of another account")
	}
}

func TestNewAccountErrorsBesideFields(t *testing.T) {
	f := newFixture(t)
	c := f.ownerClient()
	v := url.Values{"name": {""}, "timeZone": {"Mars/Olympus"}, "firstName": {""}, "lastName": {"Gibbons"},
		"login": {"-peter"}, "email": {"not-an-address"}, "password": {"short"}}
	res := c.post("/accounts", v)
	if res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("invalid account and admin: %d, want 422", res.Status)
	}
	want := map[string]string{
		"name":      "Name is required.",
		"timeZone":  "Unknown time zone &#34;Mars/Olympus&#34;.",
		"firstName": "First name is required.",
		"email":     "Enter an e-mail address such as name@example.com.",
	}
	wantFieldErrors(t, res.Body, want)
	if got := fieldError(res.Body, "login"); !strings.HasPrefix(got, "Login must be") {
		t.Errorf("error beside login: %q", got)
	}
	if got := fieldError(res.Body, "password"); !strings.Contains(got, fmt.Sprintf("at least %d characters", f.auth.Policy().MinLength)) {
		t.Errorf("error beside password: %q", got)
	}
	if got := fieldError(res.Body, "roleIds"); got != "" || strings.Contains(res.Body, "Assign at least one role.") {
		t.Error("the form asks for a role that comes with the account")
	}
	mustContain(t, res.Body, "Please correct the fields marked below.", `value="Gibbons"`, `value="not-an-address"`, "First administrator")
	if strings.Contains(res.Body, `value="short"`) {
		t.Error("the form sends the password back")
	}
	if n := f.accountCount(); n != 1 {
		t.Errorf("accounts after a refused form: %d, want 1", n)
	}
}

func TestNewAccountTakenNameAndLogin(t *testing.T) {
	f := newFixture(t)
	c := f.ownerClient()
	res := c.post("/accounts", newAccountForm("ACME", "ROOT"))
	if res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("taken name and login: %d, want 422", res.Status)
	}
	if got := fieldError(res.Body, "name"); got != "An account named &#34;ACME&#34; already exists." {
		t.Errorf("error beside name: %q", got)
	}
	if got := fieldError(res.Body, "login"); got != "The login &#34;ROOT&#34; is taken." {
		t.Errorf("error beside login: %q", got)
	}
	if n := f.accountCount(); n != 1 {
		t.Errorf("accounts after a refused form: %d, want 1", n)
	}
}

func TestNewAccountNotCreatedWhenAdminInvalid(t *testing.T) {
	f := newFixture(t)
	c := f.ownerClient()
	v := newAccountForm("Initech", "root")
	res := c.post("/accounts", v)
	if res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("taken login: %d, want 422", res.Status)
	}
	if got := fieldError(res.Body, "login"); got == "" || fieldError(res.Body, "name") != "" {
		t.Errorf("errors: login %q, name %q; want only the login's", got, fieldError(res.Body, "name"))
	}
	v.Set("login", "peter")
	v.Set("password", "peter")
	res = c.post("/accounts", v)
	if res.Status != http.StatusUnprocessableEntity || fieldError(res.Body, "password") == "" {
		t.Fatalf("weak password: %d, password error %q", res.Status, fieldError(res.Body, "password"))
	}
	if _, err := f.store.AccountByName(sys(0), "Initech"); !herald.IsNotFound(err) {
		t.Fatalf("Initech after refused administrators: %v, want not found", err)
	}
	v.Set("password", adminPassword)
	if res := c.post("/accounts", v); res.Status != http.StatusSeeOther {
		t.Fatalf("the corrected form: %d, want 303\n%s", res.Status, res.Body)
	}
	if n := f.accountCount(); n != 2 {
		t.Errorf("accounts: %d, want 2", n)
	}
}
