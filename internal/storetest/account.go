package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
)

// testAccounts checks AccountStore.
func testAccounts(t *testing.T, open func(t *testing.T) *store.Store) {
	t.Run("CreateWithSystemRolesAndDepartments", func(t *testing.T) { testAccountCreateWithSystemRolesAndDepartments(t, newFixture(t, open, "Acme")) })
	t.Run("SystemRolesPerAccount", func(t *testing.T) { testAccountSystemRolesPerAccount(t, newFixture(t, open, "One")) })
	t.Run("DuplicateName", func(t *testing.T) { testAccountDuplicateName(t, newFixture(t, open, "Acme")) })
	t.Run("ByName", func(t *testing.T) {
		f := newFixture(t, open, "Acme Corp")
		got, err := f.s.AccountByName(f.ctx, "aCME corp")
		noErr(t, "AccountByName", err)
		equal(t, "AccountByName ID", got.ID, f.account.ID)
		_, err = f.s.AccountByName(f.ctx, "Acme")
		wantCode(t, "AccountByName(missing)", err, herald.ENOTFOUND)
		_, err = f.s.Account(f.ctx, f.account.ID+100)
		wantCode(t, "Account(missing)", err, herald.ENOTFOUND)
	})
	t.Run("Update", func(t *testing.T) { testAccountUpdate(t, newFixture(t, open, "Acme")) })
	t.Run("CreatedWithoutStatusIsActive", func(t *testing.T) { testAccountCreatedWithoutStatusIsActive(t, open(t)) })
	t.Run("List", func(t *testing.T) { testAccountList(t, open(t)) })
	t.Run("WithAdmin", func(t *testing.T) { testAccountWithAdmin(t, newFixture(t, open, "Acme")) })
}

// testAccountWithAdmin creates an account with its first administrator in
// one transaction: a taken login leaves no account behind.
func testAccountWithAdmin(t *testing.T, f *fixture) {
	taken := &herald.User{AccountID: f.account.ID, FirstName: "Ana", LastName: "Ruiz", Login: "ana", Department: herald.DepartmentAdmin, Language: "en", Active: true}
	noErr(t, "CreateUser", f.s.CreateUser(f.ctx, taken, "hash-1", false))
	a := &herald.Account{Name: "Globex"}
	u := &herald.User{FirstName: "Ana", LastName: "Gil", Login: "ana", Department: herald.DepartmentAdmin, Language: "en", Active: true}
	err := f.s.CreateAccountWithAdmin(f.ctx, a, u, "hash-2")
	if err == nil {
		t.Fatal("CreateAccountWithAdmin with a taken login succeeded")
	}
	_, err = f.s.AccountByName(f.ctx, "Globex")
	wantCode(t, "the account after a refused administrator", err, herald.ENOTFOUND)

	u.Login = "gil"
	noErr(t, "CreateAccountWithAdmin", f.s.CreateAccountWithAdmin(f.ctx, a, u, "hash-2"))
	got, err := f.s.UserByLogin(f.ctx, "gil")
	noErr(t, "UserByLogin", err)
	roles, err := f.s.AllRoles(f.ctx, a.ID)
	noErr(t, "AllRoles", err)
	var admin int64
	for _, r := range roles {
		if r.System && r.Name == herald.RoleAdmin {
			admin = r.ID
		}
	}
	if got.AccountID != a.ID || len(got.RoleIDs) != 1 || got.RoleIDs[0] != admin || admin == 0 {
		t.Errorf("first administrator = %+v; want account %d with the Admin role %d", got, a.ID, admin)
	}
	cr, err := f.s.Credentials(f.ctx, got.ID)
	noErr(t, "Credentials", err)
	if !cr.MustChangePassword || cr.PasswordHash != "hash-2" {
		t.Errorf("credentials = %+v; want the hash, to be changed at the first sign-in", cr)
	}
}

// testAccountList checks filtering, sorting and paging of accounts.
func testAccountList(t *testing.T, s *store.Store) {
	ctx := context.Background()
	var all []int64
	for i := range 12 {
		a := &herald.Account{Name: fmt.Sprintf("Company %02d", i), Status: herald.AccountActive, TimeZone: "UTC"}
		if i%3 == 0 {
			a.Status = herald.AccountBlocked
		}
		noErr(t, "CreateAccount", s.CreateAccount(ctx, a))
		all = append(all, a.ID)
	}
	n, err := s.CountAccounts(ctx)
	noErr(t, "CountAccounts", err)
	equal(t, "CountAccounts", n, 12)
	accountID := func(a herald.Account) int64 { return a.ID }
	page, err := s.ListAccounts(ctx, herald.ListQuery{Filters: []herald.Filter{{Field: "status", Op: herald.OpEq, Value: "BLOCKED"}}})
	noErr(t, "ListAccounts(status)", err)
	equal(t, "blocked accounts", ids(page.Items, accountID), []int64{all[0], all[3], all[6], all[9]})
	page, err = s.ListAccounts(ctx, herald.ListQuery{Filters: []herald.Filter{{Field: "name", Op: herald.OpContains, Value: "ny 1"}}})
	noErr(t, "ListAccounts(name contains)", err)
	equal(t, "accounts named *ny 1*", ids(page.Items, accountID), []int64{all[10], all[11]})
	q := herald.ListQuery{Sort: "name", Desc: true, Limit: 5}
	var got []int64
	for range 4 {
		page, err = s.ListAccounts(ctx, q)
		noErr(t, "ListAccounts(page)", err)
		got = append(got, ids(page.Items, accountID)...)
		if q.Cursor = page.Next; q.Cursor == "" {
			break
		}
	}
	want := make([]int64, len(all))
	for i, id := range all {
		want[len(all)-1-i] = id
	}
	equal(t, "accounts by name descending, in pages of 5", got, want)
}

// testAccountCreateWithSystemRolesAndDepartments checks that CreateAccount makes the system roles and departments.
func testAccountCreateWithSystemRolesAndDepartments(t *testing.T, f *fixture) {
	a := f.account
	if a.ID == 0 {
		t.Fatal("CreateAccount left ID zero")
	}
	recent(t, "CreatedAt", a.CreatedAt)
	equal(t, "UpdatedAt", a.UpdatedAt, a.CreatedAt)
	got, err := f.s.Account(f.ctx, a.ID)
	noErr(t, "Account", err)
	equal(t, "Account", got, a)
	roles, err := f.s.AllRoles(f.ctx, a.ID)
	noErr(t, "AllRoles", err)
	want := herald.SystemRoles()
	if len(roles) != len(want) {
		t.Fatalf("AllRoles returned %d roles, want the %d system roles", len(roles), len(want))
	}
	for i, r := range roles {
		if r.Name != want[i].Name || !r.System || r.AccountID != a.ID || r.Description != want[i].Description {
			t.Errorf("role %d = %+v, want system role %q of account %d", i, r, want[i].Name, a.ID)
		}
		equal(t, "permissions of "+r.Name, r.Permissions, want[i].Permissions)
	}
	deps, err := f.s.Departments(f.ctx, a.ID)
	noErr(t, "Departments", err)
	equal(t, "Departments", deps, []string{herald.DepartmentAdmin, herald.DepartmentFirstLine})
}

// testAccountSystemRolesPerAccount checks that every account has system roles of its own.
func testAccountSystemRolesPerAccount(t *testing.T, f *fixture) {
	g := addFixture(t, f.s, "Two")
	for name, id := range f.roles {
		if g.roles[name] == 0 || g.roles[name] == id {
			t.Errorf("role %q: account two has ID %d, account one %d; want a role of its own", name, g.roles[name], id)
		}
	}
	if _, err := f.s.Role(f.ctx, g.account.ID, f.roles[herald.RoleAdmin]); !herald.IsNotFound(err) {
		t.Errorf("Role(account two, admin role of one) error = %v, want ENOTFOUND", err)
	}
}

// testAccountDuplicateName checks that account names are unique, ignoring case.
func testAccountDuplicateName(t *testing.T, f *fixture) {
	err := f.s.CreateAccount(f.ctx, &herald.Account{Name: "ACME", Status: herald.AccountActive, TimeZone: "UTC"})
	wantViolation(t, "CreateAccount(ACME)", err, "name", herald.VTaken)
	n, err := f.s.CountAccounts(f.ctx)
	noErr(t, "CountAccounts", err)
	equal(t, "CountAccounts after a refused duplicate", n, 1)
}

// testAccountUpdate checks UpdateAccount.
func testAccountUpdate(t *testing.T, f *fixture) {
	addFixture(t, f.s, "Other")
	a := *f.account
	a.Name, a.Status, a.TimeZone = "Acme Ltd", herald.AccountBlocked, "Europe/Madrid"
	noErr(t, "UpdateAccount", f.s.UpdateAccount(f.ctx, &a))
	got, err := f.s.Account(f.ctx, a.ID)
	noErr(t, "Account", err)
	equal(t, "updated account", got, &a)
	equal(t, "CreatedAt kept", got.CreatedAt, f.account.CreatedAt)
	if got.UpdatedAt.Before(got.CreatedAt) {
		t.Errorf("UpdatedAt %v before CreatedAt %v", got.UpdatedAt, got.CreatedAt)
	}
	a.Name = "OTHER"
	wantViolation(t, "UpdateAccount to a taken name", f.s.UpdateAccount(f.ctx, &a), "name", herald.VTaken)
	missing := a
	missing.ID, missing.Name = a.ID+100, "Nobody"
	wantCode(t, "UpdateAccount(missing)", f.s.UpdateAccount(f.ctx, &missing), herald.ENOTFOUND)
}

// testAccountCreatedWithoutStatusIsActive checks that CreateAccount and
// UpdateAccount validate the account: an empty status (which would read as
// blocked) becomes active, an empty time zone UTC, and an unknown status is
// refused.
func testAccountCreatedWithoutStatusIsActive(t *testing.T, s *store.Store) {
	ctx := context.Background()
	a := &herald.Account{Name: " Bare "}
	noErr(t, "CreateAccount(no status, no time zone)", s.CreateAccount(ctx, a))
	got, err := s.Account(ctx, a.ID)
	noErr(t, "Account", err)
	equal(t, "stored account", [3]string{got.Name, string(got.Status), got.TimeZone}, [3]string{"Bare", string(herald.AccountActive), "UTC"})

	got.Status = ""
	noErr(t, "UpdateAccount(no status)", s.UpdateAccount(ctx, got))
	got, err = s.Account(ctx, a.ID)
	noErr(t, "Account", err)
	equal(t, "status after an update without one", got.Status, herald.AccountActive)

	err = s.CreateAccount(ctx, &herald.Account{Name: "Odd", Status: "paused"})
	wantViolation(t, "CreateAccount(unknown status)", err, "status", herald.VUnknown)
	n, err := s.CountAccounts(ctx)
	noErr(t, "CountAccounts", err)
	equal(t, "CountAccounts after a refused account", n, 1)
}
