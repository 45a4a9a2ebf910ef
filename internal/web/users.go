package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/heraldhq/herald"
)

// usersTable is the Users list.
func usersTable() tableSpec {
	return tableSpec{ID: "users", Path: "/users", Columns: herald.UserColumns()}
}

// listUsers shows the Users table.
func (p *Portal) listUsers(w http.ResponseWriter, r *http.Request) {
	t, q, ok := p.beginTable(w, r, usersTable())
	if !ok {
		return
	}
	pg := p.newPage(r, "Users")
	pg.Active = "users"
	t.Empty = "No users match."
	if t.Err == "" {
		list, err := p.store.ListUsers(r.Context(), state(r).User.AccountID, q)
		if err == nil {
			fillTable(t, r, list, func(u *herald.User) (map[string]cell, []rowAction, *detailTable) {
				return userCells(pg, u), userActions(pg, u), nil
			})
		} else if p.listFailed(w, r, t, err) {
			return
		}
	}
	pg.Data = t
	p.render(w, r, "users", pg)
}

// userCells are the cells of one user.
func userCells(pg *page, u *herald.User) map[string]cell {
	href := "/users/" + strconv.FormatInt(u.ID, 10)
	active := cell{Text: "Active"}
	if !u.Active {
		active = cell{Text: "Inactive", Muted: true}
	}
	return map[string]cell{
		"id":          {Text: strconv.FormatInt(u.ID, 10), Mono: true},
		"firstName":   {Text: u.FirstName, Href: href},
		"middleName":  {Text: u.MiddleName},
		"lastName":    {Text: u.LastName, Href: href},
		"login":       {Text: u.Login, Mono: true},
		"email":       {Text: u.Email},
		"phone":       {Text: u.Phone},
		"department":  {Text: u.Department},
		"active":      active,
		"lastLoginAt": {Text: pg.TimePtr(u.LastLoginAt)},
		"createdAt":   {Text: pg.Time(u.CreatedAt)},
		"updatedAt":   {Text: pg.Time(u.UpdatedAt)},
	}
}

// userActions are a user's row buttons.
func userActions(pg *page, u *herald.User) []rowAction {
	href := "/users/" + strconv.FormatInt(u.ID, 10)
	if !pg.Can(string(herald.PermUsersManage)) {
		return []rowAction{{Label: "View", Icon: "eye", Href: href}}
	}
	return []rowAction{
		{Label: "Edit", Icon: "edit", Href: href},
		{Label: "Delete", Icon: "trash", Href: href + "/delete", Danger: true,
			Confirm: "Delete the user " + u.Login + "?"},
	}
}

// userData is the data of the user form.
type userData struct {
	Form        *form
	ID          int64 // 0 for a new user
	ReadOnly    bool  // no users.manage
	NewDept     bool  // the user may create departments (admins)
	TwoFactor   bool
	Departments []string
	AdminRole   int64
	Roles       []roleOption // every role but Admin
	Sections    []sectionView
}

// roleOption is a role the user form offers.
type roleOption struct {
	herald.Role
	Perms    string // space-separated, for the script that sums permissions
	Sections []sectionView
}

// userFields are the user form's inputs.
func userFields() []string {
	return []string{"firstName", "middleName", "lastName", "department", "newDepartment", "language",
		"login", "password", "email", "phone", "active", "noRestrictions", "roleIds"}
}

// newUser shows an empty user form.
func (p *Portal) newUser(w http.ResponseWriter, r *http.Request) {
	f := newForm(userFields()...)
	f.set("active", "on")
	f.set("language", "en")
	f.set("department", herald.DepartmentFirstLine)
	p.renderUser(w, r, http.StatusOK, f, &userData{})
}

// renderUser fills the form's choices and renders it.
func (p *Portal) renderUser(w http.ResponseWriter, r *http.Request, status int, f *form, d *userData) {
	ctx, u := r.Context(), state(r).User
	depts, err := p.store.Departments(ctx, u.AccountID)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	roles, err := p.store.AllRoles(ctx, u.AccountID)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	d.Form, d.Departments, d.NewDept = f, depts, u.Admin && !d.ReadOnly
	d.AdminRole, d.Roles, d.Sections = roleChoices(roles, f)
	title := "New user"
	if d.ID != 0 {
		title = strings.TrimSpace(f.Get("firstName") + " " + f.Get("lastName"))
	}
	pg := p.newPage(r, title)
	pg.Active = "users"
	pg.Data = d
	p.renderStatus(w, r, status, "user", pg)
}

// roleChoices splits the account's roles into the Admin role ("No
// restrictions") and the others, and sums the permissions of the roles
// chosen in f.
func roleChoices(roles []herald.Role, f *form) (int64, []roleOption, []sectionView) {
	var admin int64
	var opts []roleOption
	set := herald.PermissionSet{}
	for _, ro := range roles {
		chosen := f.Has("roleIds", strconv.FormatInt(ro.ID, 10))
		if ro.System && ro.Name == herald.RoleAdmin {
			admin = ro.ID
			chosen = f.Checked("noRestrictions")
		} else {
			opts = append(opts, roleOption{Role: ro, Perms: permString(ro.Permissions),
				Sections: sectionsFor(herald.NewPermissionSet(ro.Permissions...))})
		}
		if chosen {
			for _, perm := range ro.Permissions {
				set[perm] = true
			}
		}
	}
	return admin, opts, sectionsFor(set)
}

// userFromForm reads the form into u. The Admin role stands for "No
// restrictions".
func userFromForm(r *http.Request, u *herald.User, adminRole int64) {
	pf := r.PostForm
	u.FirstName, u.MiddleName, u.LastName = pf.Get("firstName"), pf.Get("middleName"), pf.Get("lastName")
	u.Department, u.Language = pf.Get("department"), pf.Get("language")
	if nd := strings.TrimSpace(pf.Get("newDepartment")); nd != "" {
		u.Department = nd
	}
	u.Login, u.Email, u.Phone = pf.Get("login"), pf.Get("email"), pf.Get("phone")
	u.Active = pf.Get("active") == "on"
	u.RoleIDs = nil
	if pf.Get("noRestrictions") == "on" && adminRole != 0 {
		u.RoleIDs = append(u.RoleIDs, adminRole)
	}
	for _, s := range pf["roleIds"] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil && id != adminRole && !slices.Contains(u.RoleIDs, id) {
			u.RoleIDs = append(u.RoleIDs, id)
		}
	}
}

// adminRoleID returns the ID of the Admin system role of account.
func (p *Portal) adminRoleID(ctx context.Context, account int64) (int64, error) {
	roles, err := p.store.AllRoles(ctx, account)
	if err != nil {
		return 0, err
	}
	for _, ro := range roles {
		if ro.System && ro.Name == herald.RoleAdmin {
			return ro.ID, nil
		}
	}
	return 0, herald.Errorf(herald.EINTERNAL, "The account has no Admin role.")
}

// ensureDepartment creates the department typed into "New department",
// for admins only, once the rest of the user is valid.
func (p *Portal) ensureDepartment(r *http.Request, u *herald.User) error {
	name := strings.TrimSpace(r.PostForm.Get("newDepartment"))
	if name == "" {
		return nil
	}
	if !state(r).User.Admin {
		return herald.Violations{{Field: "newDepartment", Code: herald.VPolicy, Message: "Only administrators create departments."}}.Err()
	}
	check := *u
	if check.Validate() != nil {
		return nil // the user's own validation will report the problems
	}
	err := p.store.CreateDepartment(r.Context(), u.AccountID, name)
	if herald.ErrorCode(err) == herald.EINVALID {
		for _, v := range herald.ErrorViolations(err) {
			if v.Code != herald.VTaken {
				return herald.Violations{{Field: "newDepartment", Code: v.Code, Message: v.Message}}.Err()
			}
		}
		return nil // it exists already: use it
	}
	return err
}

// createUser saves a new user, who must change the password at the first
// sign-in.
func (p *Portal) createUser(w http.ResponseWriter, r *http.Request) {
	f := readForm(r, userFields()...)
	admin, err := p.adminRoleID(r.Context(), state(r).User.AccountID)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	u := &herald.User{AccountID: state(r).User.AccountID}
	userFromForm(r, u, admin)
	if err = p.ensureDepartment(r, u); err == nil {
		err = p.auth.CreateUser(r.Context(), u, r.PostForm.Get("password"))
	}
	if err != nil {
		p.formError(w, r, f, err, func(status int) { p.renderUser(w, r, status, f, &userData{}) })
		return
	}
	p.redirect(w, r, "/users", "User "+u.Login+" created. They will choose their own password at the first sign-in.")
}

// loadUser loads the {id} user of the signed-in user's account; it
// answered the request when ok is false.
func (p *Portal) loadUser(w http.ResponseWriter, r *http.Request) (*herald.User, bool) {
	id, ok := pathID(r)
	if !ok {
		p.notFound(w, r)
		return nil, false
	}
	u, err := p.store.User(r.Context(), state(r).User.AccountID, id)
	if err != nil {
		p.fail(w, r, err)
		return nil, false
	}
	return u, true
}

// editUser shows a user's form, read-only without users.manage.
func (p *Portal) editUser(w http.ResponseWriter, r *http.Request) {
	u, ok := p.loadUser(w, r)
	if !ok {
		return
	}
	f := newForm(userFields()...)
	userValues(f, u)
	d := &userData{ID: u.ID, TwoFactor: u.TwoFactor, ReadOnly: !state(r).User.Can(herald.PermUsersManage)}
	p.renderUser(w, r, http.StatusOK, f, d)
}

// userValues fills the form from u.
func userValues(f *form, u *herald.User) {
	for k, v := range map[string]string{"firstName": u.FirstName, "middleName": u.MiddleName, "lastName": u.LastName,
		"department": u.Department, "language": u.Language, "login": u.Login, "email": u.Email, "phone": u.Phone} {
		f.set(k, v)
	}
	if u.Active {
		f.set("active", "on")
	}
	if u.Admin {
		f.set("noRestrictions", "on")
	}
	for _, id := range u.RoleIDs {
		f.Values.Add("roleIds", strconv.FormatInt(id, 10))
	}
}

// updateUser saves a user; a new password is optional and must be changed
// by the user at the next sign-in.
func (p *Portal) updateUser(w http.ResponseWriter, r *http.Request) {
	u, ok := p.loadUser(w, r)
	if !ok {
		return
	}
	f := readForm(r, userFields()...)
	admin, err := p.adminRoleID(r.Context(), state(r).User.AccountID)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	userFromForm(r, u, admin)
	if err = p.ensureDepartment(r, u); err == nil {
		err = p.auth.UpdateUser(r.Context(), u, r.PostForm.Get("password"))
	}
	if err != nil {
		d := &userData{ID: u.ID, TwoFactor: u.TwoFactor}
		p.formError(w, r, f, err, func(status int) { p.renderUser(w, r, status, f, d) })
		return
	}
	p.redirect(w, r, "/users", "User "+u.Login+" saved.")
}

// confirmDeleteUser asks before deleting a user.
func (p *Portal) confirmDeleteUser(w http.ResponseWriter, r *http.Request) {
	u, ok := p.loadUser(w, r)
	if !ok {
		return
	}
	p.confirm(w, r, "users", confirmData{Heading: "Delete user",
		Message: "Delete the user " + u.Login + " (" + u.Name() + ")? This cannot be undone.",
		Action:  r.URL.Path, Button: "Delete", Cancel: "/users"})
}

// deleteUser deletes a user; the last active administrator stays.
func (p *Portal) deleteUser(w http.ResponseWriter, r *http.Request) {
	u, ok := p.loadUser(w, r)
	if !ok {
		return
	}
	if err := p.auth.DeleteUser(r.Context(), u.AccountID, u.ID); err != nil {
		p.actionFailed(w, r, "/users", err)
		return
	}
	p.redirect(w, r, "/users", "User "+u.Login+" deleted.")
}
