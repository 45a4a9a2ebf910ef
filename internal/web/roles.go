package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/heraldhq/herald"
)

// rolesTable is the Roles list.
func rolesTable() tableSpec {
	return tableSpec{ID: "roles", Path: "/roles", Columns: herald.RoleColumns()}
}

// sectionView is a portal section with the permissions of a role in it:
// "Contacts (2 of 3)".
type sectionView struct {
	Name  string
	Count int
	Total int
	Perms []permView
}

// permView is one permission checkbox.
type permView struct {
	Perm    string
	Label   string
	Checked bool
}

// sectionsFor groups every permission by section, checking those in set.
func sectionsFor(set herald.PermissionSet) []sectionView {
	var out []sectionView
	for _, s := range herald.Sections() {
		sv := sectionView{Name: s.Name, Total: len(s.Perms)}
		for _, pi := range s.Perms {
			pv := permView{Perm: string(pi.Perm), Label: pi.Label, Checked: set.Has(pi.Perm)}
			if pv.Checked {
				sv.Count++
			}
			sv.Perms = append(sv.Perms, pv)
		}
		out = append(out, sv)
	}
	return out
}

// permString joins permissions with spaces, for the scripts' data attributes.
func permString(ps []herald.Permission) string {
	ss := make([]string, len(ps))
	for i, p := range ps {
		ss[i] = string(p)
	}
	return strings.Join(ss, " ")
}

// listRoles shows the Roles table.
func (p *Portal) listRoles(w http.ResponseWriter, r *http.Request) {
	t, q, ok := p.beginTable(w, r, rolesTable())
	if !ok {
		return
	}
	pg := p.newPage(r, "Roles")
	pg.Active = "users"
	t.Empty = "No roles match."
	if t.Err == "" {
		list, err := p.store.ListRoles(r.Context(), state(r).User.AccountID, q)
		if err == nil {
			fillTable(t, r, list, func(ro *herald.Role) (map[string]cell, []rowAction, *detailTable) {
				return roleCells(pg, ro), roleActions(pg, ro), nil
			})
		} else if p.listFailed(w, r, t, err) {
			return
		}
	}
	pg.Data = t
	p.render(w, r, "roles", pg)
}

// roleCells are the cells of one role: permission chips, three and "+N".
func roleCells(pg *page, ro *herald.Role) map[string]cell {
	const chips = 3
	perms := cell{}
	for i, perm := range ro.Permissions {
		if i == chips {
			perms.More = len(ro.Permissions) - chips
			break
		}
		perms.Chips = append(perms.Chips, permLabel(perm))
	}
	name := cell{Text: ro.Name, Href: "/roles/" + strconv.FormatInt(ro.ID, 10)}
	sys := cell{Text: "No", Muted: true}
	if ro.System {
		name.Badge, sys = "System", cell{Text: "Yes"}
	}
	return map[string]cell{
		"id":          {Text: strconv.FormatInt(ro.ID, 10), Mono: true},
		"name":        name,
		"description": {Text: ro.Description, Muted: true},
		"system":      sys,
		"permissions": perms,
		"createdAt":   {Text: pg.Time(ro.CreatedAt)},
		"updatedAt":   {Text: pg.Time(ro.UpdatedAt)},
	}
}

// roleActions are a role's row buttons: system roles can only be viewed.
func roleActions(pg *page, ro *herald.Role) []rowAction {
	href := "/roles/" + strconv.FormatInt(ro.ID, 10)
	if ro.System || !pg.Can(string(herald.PermRolesManage)) {
		return []rowAction{{Label: "View", Icon: "eye", Href: href}}
	}
	return []rowAction{
		{Label: "Edit", Icon: "edit", Href: href},
		{Label: "Delete", Icon: "trash", Href: href + "/delete", Danger: true,
			Confirm: "Delete the role " + ro.Name + "?"},
	}
}

// roleData is the data of the role form.
type roleData struct {
	Form      *form
	ID        int64 // 0 for a new role
	ReadOnly  bool  // system role, or no roles.manage
	System    bool
	Templates []herald.Role
	Sections  []sectionView
	apply     bool // fill the permissions from the template role
}

// roleFields are the role form's inputs.
func roleFields() []string { return []string{"name", "description", "template", "permissions"} }

// newRole shows an empty role form. ?template=ID fills the permissions
// from a template role (the form's "Apply" button without scripts).
func (p *Portal) newRole(w http.ResponseWriter, r *http.Request) {
	f := newForm(roleFields()...)
	for _, k := range []string{"name", "description", "template"} {
		f.set(k, r.URL.Query().Get(k))
	}
	f.Values["permissions"] = r.URL.Query()["permissions"]
	apply := r.URL.Query().Get("apply") != "" || len(f.Values["permissions"]) == 0
	p.renderRole(w, r, http.StatusOK, f, &roleData{apply: apply})
}

// renderRole fills the template list and the permission sections from the
// form and renders it.
func (p *Portal) renderRole(w http.ResponseWriter, r *http.Request, status int, f *form, d *roleData) {
	all, err := p.store.AllRoles(r.Context(), state(r).User.AccountID)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	if id, err := strconv.ParseInt(f.Get("template"), 10, 64); err == nil && d.apply {
		for _, ro := range all {
			if ro.ID == id {
				f.Values["permissions"] = strings.Fields(permString(ro.Permissions))
			}
		}
	}
	set := herald.PermissionSet{}
	for _, perm := range f.Values["permissions"] {
		set[herald.Permission(perm)] = true
	}
	d.Form, d.Templates, d.Sections = f, all, sectionsFor(set)
	title := "New role"
	if d.ID != 0 {
		title = f.Get("name")
	}
	pg := p.newPage(r, title)
	pg.Active = "users"
	pg.Data = d
	p.renderStatus(w, r, status, "role", pg)
}

// roleFromForm reads the form into ro.
func roleFromForm(r *http.Request, ro *herald.Role) {
	ro.Name = r.PostForm.Get("name")
	ro.Description = strings.TrimSpace(r.PostForm.Get("description"))
	ro.Permissions = nil
	for _, perm := range r.PostForm["permissions"] {
		ro.Permissions = append(ro.Permissions, herald.Permission(perm))
	}
}

// createRole saves a new custom role.
func (p *Portal) createRole(w http.ResponseWriter, r *http.Request) {
	f := readForm(r, roleFields()...)
	ro := &herald.Role{AccountID: state(r).User.AccountID}
	roleFromForm(r, ro)
	err := ro.Validate()
	if err == nil {
		err = p.store.CreateRole(r.Context(), ro)
	}
	if err != nil {
		p.formError(w, r, f, err, func(status int) { p.renderRole(w, r, status, f, &roleData{}) })
		return
	}
	p.redirect(w, r, "/roles", "Role "+ro.Name+" created.")
}

// loadRole loads the {id} role of the user's account; it answered the
// request when ok is false.
func (p *Portal) loadRole(w http.ResponseWriter, r *http.Request) (*herald.Role, bool) {
	id, ok := pathID(r)
	if !ok {
		p.notFound(w, r)
		return nil, false
	}
	ro, err := p.store.Role(r.Context(), state(r).User.AccountID, id)
	if err != nil {
		p.fail(w, r, err)
		return nil, false
	}
	return ro, true
}

// editRole shows a role: system roles, and every role for users without
// roles.manage, read-only.
func (p *Portal) editRole(w http.ResponseWriter, r *http.Request) {
	ro, ok := p.loadRole(w, r)
	if !ok {
		return
	}
	f := newForm(roleFields()...)
	f.set("name", ro.Name)
	f.set("description", ro.Description)
	f.Values["permissions"] = strings.Fields(permString(ro.Permissions))
	readOnly := ro.System || !state(r).User.Can(herald.PermRolesManage)
	p.renderRole(w, r, http.StatusOK, f, &roleData{ID: ro.ID, ReadOnly: readOnly, System: ro.System})
}

// updateRole saves a custom role.
func (p *Portal) updateRole(w http.ResponseWriter, r *http.Request) {
	ro, ok := p.loadRole(w, r)
	if !ok {
		return
	}
	f := readForm(r, roleFields()...)
	roleFromForm(r, ro)
	var err error = herald.Errorf(herald.EFORBIDDEN, "System roles cannot be changed.")
	if !ro.System {
		if err = ro.Validate(); err == nil {
			err = p.store.UpdateRole(r.Context(), ro)
		}
	}
	if err != nil {
		d := &roleData{ID: ro.ID, ReadOnly: ro.System, System: ro.System}
		p.formError(w, r, f, err, func(status int) { p.renderRole(w, r, status, f, d) })
		return
	}
	p.redirect(w, r, "/roles", "Role "+ro.Name+" saved.")
}

// confirmDeleteRole asks before deleting a role.
func (p *Portal) confirmDeleteRole(w http.ResponseWriter, r *http.Request) {
	ro, ok := p.loadRole(w, r)
	if !ok {
		return
	}
	p.confirm(w, r, "users", confirmData{Heading: "Delete role", Message: "Delete the role " + ro.Name + "? This cannot be undone.",
		Action: r.URL.Path, Button: "Delete", Cancel: "/roles"})
}

// deleteRole deletes a custom role; a role still held by users stays.
func (p *Portal) deleteRole(w http.ResponseWriter, r *http.Request) {
	ro, ok := p.loadRole(w, r)
	if !ok {
		return
	}
	if err := p.store.DeleteRole(r.Context(), ro.AccountID, ro.ID); err != nil {
		p.actionFailed(w, r, "/roles", err)
		return
	}
	p.redirect(w, r, "/roles", "Role "+ro.Name+" deleted.")
}
