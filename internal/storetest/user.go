package storetest

import (
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
)

// testDepartments checks Departments and CreateDepartment.
func testDepartments(t *testing.T, open func(t *testing.T) *store.Store) {
	f := newFixture(t, open, "Acme")
	g := addFixture(t, f.s, "Other")
	noErr(t, "CreateDepartment(Sales)", f.s.CreateDepartment(f.ctx, f.account.ID, "Sales"))
	noErr(t, "CreateDepartment(billing)", f.s.CreateDepartment(f.ctx, f.account.ID, "billing"))
	deps, err := f.s.Departments(f.ctx, f.account.ID)
	noErr(t, "Departments", err)
	equal(t, "Departments in name order", deps, []string{"Admin", "billing", "First line support", "Sales"})
	wantViolation(t, "CreateDepartment(SALES)", f.s.CreateDepartment(f.ctx, f.account.ID, "SALES"), "name", herald.VTaken)
	wantViolation(t, "CreateDepartment(blank)", f.s.CreateDepartment(f.ctx, f.account.ID, "  "), "name", herald.VRequired)
	noErr(t, "CreateDepartment(Sales) in another account", f.s.CreateDepartment(g.ctx, g.account.ID, "Sales"))
	wantCode(t, "CreateDepartment(missing account)", f.s.CreateDepartment(f.ctx, g.account.ID+100, "X"), herald.ENOTFOUND)
	deps, err = f.s.Departments(f.ctx, g.account.ID)
	noErr(t, "Departments(other)", err)
	equal(t, "Departments of the other account", deps, []string{"Admin", "First line support", "Sales"})
}

// testUsers checks the user half of UserStore.
func testUsers(t *testing.T, open func(t *testing.T) *store.Store) {
	t.Run("CreateAndLoad", func(t *testing.T) { testUserCreateAndLoad(t, newFixture(t, open, "Acme")) })
	t.Run("LoginTakenAcrossAccounts", func(t *testing.T) { testUserLoginTakenAcrossAccounts(t, newFixture(t, open, "Acme")) })
	t.Run("UnknownDepartmentAndRoles", func(t *testing.T) { testUserUnknownDepartmentAndRoles(t, newFixture(t, open, "Acme")) })
	t.Run("Update", func(t *testing.T) { testUpdateUser(t, newFixture(t, open, "Acme")) })
	t.Run("Delete", func(t *testing.T) { testUserDelete(t, newFixture(t, open, "Acme")) })
	t.Run("TenantIsolation", func(t *testing.T) { testUserIsolation(t, open) })
	t.Run("CountActiveAdmins", func(t *testing.T) { testUserCountActiveAdmins(t, newFixture(t, open, "Acme")) })
}

// testUpdateUser checks UpdateUser.
func testUpdateUser(t *testing.T, f *fixture) {
	u := f.createUser(t, "ann", f.roles[herald.RoleAdmin])
	f.createUser(t, "bob", f.roles[herald.RoleAdmin])
	noErr(t, "CreateDepartment", f.s.CreateDepartment(f.ctx, f.account.ID, "Sales"))
	u.FirstName, u.MiddleName, u.LastName, u.Phone = "Anna", "Maria", "Lopez", "+34 600 000 000"
	u.Login, u.Department, u.Language, u.SystemOwner = "ANN", "sales", "es", true
	u.RoleIDs = []int64{f.roles[herald.RoleNOCEngineer]}
	noErr(t, "UpdateUser", f.s.UpdateUser(f.ctx, u))
	if u.Admin || u.Department != "Sales" {
		t.Errorf("updated user = %+v, want no longer admin, department Sales", u)
	}
	got, err := f.s.User(f.ctx, f.account.ID, u.ID)
	noErr(t, "User", err)
	equal(t, "updated user", got, u)
	u.Login = "Bob"
	wantViolation(t, "UpdateUser(login of another)", f.s.UpdateUser(f.ctx, u), "login", herald.VTaken)
	u.Login, u.RoleIDs = "ann", []int64{99999}
	wantViolation(t, "UpdateUser(missing role)", f.s.UpdateUser(f.ctx, u), "roleIds", herald.VUnknown)
	u.RoleIDs, u.Department = []int64{f.roles[herald.RoleAdmin]}, "Nowhere"
	wantViolation(t, "UpdateUser(missing department)", f.s.UpdateUser(f.ctx, u), "department", herald.VUnknown)
	got, err = f.s.User(f.ctx, f.account.ID, u.ID)
	noErr(t, "User", err)
	equal(t, "login after refused updates", got.Login, "ANN")
}

// testUserIsolation checks that one account cannot reach another's users.
func testUserIsolation(t *testing.T, open func(t *testing.T) *store.Store) {
	a := newFixture(t, open, "A")
	b := addFixture(t, a.s, "B")
	u := a.createUser(t, "alice", a.roles[herald.RoleAdmin])
	_, err := b.s.User(b.ctx, b.account.ID, u.ID)
	wantCode(t, "User(B, A's user)", err, herald.ENOTFOUND)
	if got := herald.ErrorMessage(err); got != "User not found." {
		t.Errorf("message = %q, want %q", got, "User not found.")
	}
	hijack := *u
	hijack.AccountID, hijack.FirstName, hijack.RoleIDs = b.account.ID, "Mallory", []int64{b.roles[herald.RoleAdmin]}
	wantCode(t, "UpdateUser(B, A's user)", b.s.UpdateUser(b.ctx, &hijack), herald.ENOTFOUND)
	wantCode(t, "DeleteUser(B, A's user)", b.s.DeleteUser(b.ctx, b.account.ID, u.ID), herald.ENOTFOUND)
	page, err := b.s.ListUsers(b.ctx, b.account.ID, herald.ListQuery{})
	noErr(t, "ListUsers(B)", err)
	equal(t, "B's users", len(page.Items), 0)
	got, err := a.s.User(a.ctx, a.account.ID, u.ID)
	noErr(t, "User(A)", err)
	equal(t, "A's user untouched", got, u)
}

// testUserCreateAndLoad checks CreateUser and the three ways of loading a user.
func testUserCreateAndLoad(t *testing.T, f *fixture) {
	admin := f.createUser(t, "boss", f.roles[herald.RoleAdmin])
	if !admin.Admin || !admin.Permissions.Has(herald.PermAuditView) || len(admin.Permissions) != len(herald.AllPermissions()) {
		t.Errorf("admin user = %+v, want Admin with every permission", admin)
	}
	fin := f.createUser(t, "money", f.roles[herald.RoleFinanceManager], f.roles[herald.RoleNOCEngineer])
	got, err := f.s.User(f.ctx, f.account.ID, fin.ID)
	noErr(t, "User", err)
	equal(t, "User", got, fin)
	equal(t, "RoleIDs", got.RoleIDs, sortedIDs([]int64{f.roles[herald.RoleFinanceManager], f.roles[herald.RoleNOCEngineer]}))
	want := herald.PermissionSet{}
	for _, r := range herald.SystemRoles() {
		if r.Name == herald.RoleFinanceManager || r.Name == herald.RoleNOCEngineer {
			for _, p := range r.Permissions {
				want[p] = true
			}
		}
	}
	equal(t, "Permissions (union of roles)", got.Permissions, want)
	if got.Admin || got.TwoFactor || got.LastLoginAt != nil || !got.Active {
		t.Errorf("user = %+v, want active, not admin, no second factor, never signed in", got)
	}
	recent(t, "CreatedAt", got.CreatedAt)
	byLogin, err := f.s.UserByLogin(f.ctx, "MONEY")
	noErr(t, "UserByLogin", err)
	equal(t, "UserByLogin", byLogin, fin)
	byID, err := f.s.UserByID(f.ctx, fin.ID)
	noErr(t, "UserByID", err)
	equal(t, "UserByID", byID, fin)
	_, err = f.s.UserByLogin(f.ctx, "nobody")
	wantCode(t, "UserByLogin(missing)", err, herald.ENOTFOUND)
}

// testUserLoginTakenAcrossAccounts checks that logins are unique across accounts, ignoring case.
func testUserLoginTakenAcrossAccounts(t *testing.T, f *fixture) {
	g := addFixture(t, f.s, "Other")
	f.createUser(t, "Ann.Lee", f.roles[herald.RoleAdmin])
	u := g.user("ann.LEE", g.roles[herald.RoleAdmin])
	wantViolation(t, "CreateUser(same login, other account)", g.s.CreateUser(g.ctx, u, "h", false), "login", herald.VTaken)
}

// testUserUnknownDepartmentAndRoles checks the department and role checks of CreateUser.
func testUserUnknownDepartmentAndRoles(t *testing.T, f *fixture) {
	g := addFixture(t, f.s, "Other")
	u := f.user("ann", f.roles[herald.RoleAdmin])
	u.Department = "Nowhere"
	wantViolation(t, "CreateUser(unknown department)", f.s.CreateUser(f.ctx, u, "h", false), "department", herald.VUnknown)
	u = f.user("ann", g.roles[herald.RoleAdmin])
	wantViolation(t, "CreateUser(role of another account)", f.s.CreateUser(f.ctx, u, "h", false), "roleIds", herald.VUnknown)
	u = f.user("ann", f.roles[herald.RoleAdmin], 999999)
	wantViolation(t, "CreateUser(missing role)", f.s.CreateUser(f.ctx, u, "h", false), "roleIds", herald.VUnknown)
	u = f.user("ann", f.roles[herald.RoleAdmin])
	u.Department = "first LINE support"
	noErr(t, "CreateUser(department in other case)", f.s.CreateUser(f.ctx, u, "h", false))
	equal(t, "Department spelling", u.Department, herald.DepartmentFirstLine)
}

// testUserDelete checks DeleteUser and that IDs are not reused.
func testUserDelete(t *testing.T, f *fixture) {
	u := f.createUser(t, "gone", f.roles[herald.RoleAdmin])
	noErr(t, "SetUserPref", f.s.SetUserPref(f.ctx, u.ID, "theme", "dark"))
	noErr(t, "DeleteUser", f.s.DeleteUser(f.ctx, f.account.ID, u.ID))
	_, err := f.s.User(f.ctx, f.account.ID, u.ID)
	wantCode(t, "User after delete", err, herald.ENOTFOUND)
	_, err = f.s.UserByID(f.ctx, u.ID)
	wantCode(t, "UserByID after delete", err, herald.ENOTFOUND)
	_, err = f.s.Credentials(f.ctx, u.ID)
	wantCode(t, "Credentials after delete", err, herald.ENOTFOUND)
	wantCode(t, "DeleteUser again", f.s.DeleteUser(f.ctx, f.account.ID, u.ID), herald.ENOTFOUND)
	again := f.createUser(t, "gone", f.roles[herald.RoleAdmin])
	if again.ID == u.ID {
		t.Errorf("a new user got the deleted user's ID %d; IDs must not be reused", u.ID)
	}
}

// testUserCountActiveAdmins checks CountActiveAdmins.
func testUserCountActiveAdmins(t *testing.T, f *fixture) {
	g := addFixture(t, f.s, "Other")
	f.createUser(t, "a1", f.roles[herald.RoleAdmin], f.roles[herald.RoleNOCEngineer])
	off := f.createUser(t, "a2", f.roles[herald.RoleAdmin])
	f.createUser(t, "n1", f.roles[herald.RoleNOCEngineer])
	g.createUser(t, "b1", g.roles[herald.RoleAdmin])
	off.Active = false
	noErr(t, "UpdateUser", f.s.UpdateUser(f.ctx, off))
	n, err := f.s.CountActiveAdmins(f.ctx, f.account.ID)
	noErr(t, "CountActiveAdmins", err)
	equal(t, "CountActiveAdmins", n, 1)
}
