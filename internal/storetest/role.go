package storetest

import (
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
)

// testRoles checks RoleStore.
func testRoles(t *testing.T, open func(t *testing.T) *store.Store) {
	t.Run("CreateAndLoad", func(t *testing.T) { testRoleCreateAndLoad(t, newFixture(t, open, "Acme")) })
	t.Run("SystemRolesImmutable", func(t *testing.T) { testRoleSystemRolesImmutable(t, newFixture(t, open, "Acme")) })
	t.Run("UpdateDeleteInUse", func(t *testing.T) { testRoleLifecycle(t, newFixture(t, open, "Acme")) })
	t.Run("AllRolesOrder", func(t *testing.T) { testRoleAllRolesOrder(t, newFixture(t, open, "Acme")) })
}

// testRoleLifecycle checks UpdateRole, holder counts and DeleteRole.
func testRoleLifecycle(t *testing.T, f *fixture) {
	g := addFixture(t, f.s, "Other")
	r := &herald.Role{AccountID: f.account.ID, Name: "Support", Permissions: []herald.Permission{herald.PermDashboardView}}
	noErr(t, "CreateRole", f.s.CreateRole(f.ctx, r))
	r.Name, r.Description, r.Permissions = "Helpdesk", "First line", []herald.Permission{herald.PermContactsView, herald.PermMessagesView}
	noErr(t, "UpdateRole", f.s.UpdateRole(f.ctx, r))
	got, err := f.s.Role(f.ctx, f.account.ID, r.ID)
	noErr(t, "Role", err)
	equal(t, "updated role", got, r)
	moved := *r
	moved.AccountID = g.account.ID
	wantCode(t, "UpdateRole(other account)", g.s.UpdateRole(g.ctx, &moved), herald.ENOTFOUND)
	wantCode(t, "DeleteRole(other account)", g.s.DeleteRole(g.ctx, g.account.ID, r.ID), herald.ENOTFOUND)
	r.Name = "ADMIN"
	wantViolation(t, "UpdateRole(taken name)", f.s.UpdateRole(f.ctx, r), "name", herald.VTaken)

	ann := f.createUser(t, "ann", r.ID)
	bob := f.createUser(t, "bob", r.ID, f.roles[herald.RoleAdmin])
	if !ann.Permissions.Has(herald.PermContactsView) || ann.Admin {
		t.Errorf("ann = %+v, want the custom role's permissions and no admin flag", ann)
	}
	err = f.s.DeleteRole(f.ctx, f.account.ID, r.ID)
	wantCode(t, "DeleteRole(in use)", err, herald.ECONFLICT)
	if !strings.Contains(herald.ErrorMessage(err), "2") {
		t.Errorf("message %q does not say how many users hold the role (2)", herald.ErrorMessage(err))
	}
	page, err := f.s.ListRoles(f.ctx, f.account.ID, herald.ListQuery{})
	noErr(t, "ListRoles", err)
	counts := map[string]int{}
	for _, x := range page.Items {
		counts[x.Name] = x.Users
	}
	equal(t, "holder counts", counts, map[string]int{"Helpdesk": 2, herald.RoleAdmin: 1,
		herald.RoleBroadcastManager: 0, herald.RoleFinanceManager: 0, herald.RoleNOCEngineer: 0})
	for _, u := range []*herald.User{ann, bob} {
		u.RoleIDs = []int64{f.roles[herald.RoleNOCEngineer]}
		noErr(t, "UpdateUser", f.s.UpdateUser(f.ctx, u))
	}
	noErr(t, "DeleteRole", f.s.DeleteRole(f.ctx, f.account.ID, r.ID))
	_, err = f.s.Role(f.ctx, f.account.ID, r.ID)
	wantCode(t, "Role after delete", err, herald.ENOTFOUND)
	wantCode(t, "DeleteRole again", f.s.DeleteRole(f.ctx, f.account.ID, r.ID), herald.ENOTFOUND)
}

// testRoleCreateAndLoad checks CreateRole, Role and role name uniqueness.
func testRoleCreateAndLoad(t *testing.T, f *fixture) {
	g := addFixture(t, f.s, "Other")
	r := &herald.Role{AccountID: f.account.ID, Name: "Support", Description: "Answers chats",
		System: true, Permissions: []herald.Permission{herald.PermConversationsView, herald.PermConversationsReply}}
	noErr(t, "CreateRole", f.s.CreateRole(f.ctx, r))
	if r.ID == 0 || r.System {
		t.Fatalf("created role = %+v, want an ID and System false", r)
	}
	recent(t, "CreatedAt", r.CreatedAt)
	got, err := f.s.Role(f.ctx, f.account.ID, r.ID)
	noErr(t, "Role", err)
	equal(t, "Role", got, r)
	dup := &herald.Role{AccountID: f.account.ID, Name: "SUPPORT", Permissions: r.Permissions}
	wantViolation(t, "CreateRole(same name)", f.s.CreateRole(f.ctx, dup), "name", herald.VTaken)
	dup.Name = "admin"
	wantViolation(t, "CreateRole(name of a system role)", f.s.CreateRole(f.ctx, dup), "name", herald.VTaken)
	other := &herald.Role{AccountID: g.account.ID, Name: "Support", Permissions: r.Permissions}
	noErr(t, "CreateRole(same name, other account)", f.s.CreateRole(g.ctx, other))
	_, err = f.s.Role(f.ctx, g.account.ID, r.ID)
	wantCode(t, "Role(other account)", err, herald.ENOTFOUND)
}

// testRoleSystemRolesImmutable checks that system roles cannot be changed or deleted.
func testRoleSystemRolesImmutable(t *testing.T, f *fixture) {
	admin, err := f.s.Role(f.ctx, f.account.ID, f.roles[herald.RoleAdmin])
	noErr(t, "Role", err)
	admin.Name = "Boss"
	wantCode(t, "UpdateRole(system)", f.s.UpdateRole(f.ctx, admin), herald.EFORBIDDEN)
	err = f.s.DeleteRole(f.ctx, f.account.ID, admin.ID)
	wantCode(t, "DeleteRole(system)", err, herald.EFORBIDDEN)
	equal(t, "message", herald.ErrorMessage(err), "System roles cannot be changed.")
	got, err := f.s.Role(f.ctx, f.account.ID, admin.ID)
	noErr(t, "Role", err)
	equal(t, "system role name", got.Name, herald.RoleAdmin)
}

// testRoleAllRolesOrder checks the order of AllRoles.
func testRoleAllRolesOrder(t *testing.T, f *fixture) {
	for _, name := range []string{"zeta", "Alpha", "beta", "_under", "Beta 2"} {
		noErr(t, "CreateRole", f.s.CreateRole(f.ctx, &herald.Role{AccountID: f.account.ID, Name: name,
			Permissions: []herald.Permission{herald.PermDashboardView}}))
	}
	roles, err := f.s.AllRoles(f.ctx, f.account.ID)
	noErr(t, "AllRoles", err)
	// Byte order of lower-cased names: '_' (0x5f) sorts before 'a'
	// on both engines, whatever the server's locale would say.
	var names []string
	for _, r := range roles {
		names = append(names, r.Name)
	}
	equal(t, "AllRoles order", names, []string{herald.RoleAdmin, herald.RoleBroadcastManager, herald.RoleFinanceManager,
		herald.RoleNOCEngineer, "_under", "Alpha", "beta", "Beta 2", "zeta"})
}
