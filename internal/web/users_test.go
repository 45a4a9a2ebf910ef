package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
)

// userForm returns a valid new-user form.
func userForm(login string, roleIDs ...int64) url.Values {
	v := url.Values{"firstName": {"Bob"}, "lastName": {"Builder"}, "department": {herald.DepartmentFirstLine},
		"language": {"en"}, "login": {login}, "password": {"Initial-pass-9"}, "email": {login + "@example.com"},
		"phone": {"+34 600 000 000"}, "active": {"on"}}
	for _, id := range roleIDs {
		v.Add("roleIds", fmt.Sprint(id))
	}
	return v
}

func TestUserFormErrorsBesideFields(t *testing.T) {
	f := newFixture(t)
	c, _ := f.signedInClient(f.account.ID, f.roles[herald.RoleAdmin], "admin")
	v := userForm("bob")
	v.Set("firstName", "")
	v.Set("email", "not-an-address")
	v.Set("password", "short")
	res := c.post("/users", v)
	if res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("invalid user: status %d, want 422", res.Status)
	}
	want := map[string]string{
		"firstName": "First name is required.",
		"email":     "Enter an e-mail address such as name@example.com.",
		"roleIds":   "Assign at least one role.",
	}
	wantFieldErrors(t, res.Body, want)
	if got := fieldError(res.Body, "password"); !strings.Contains(got, "at least 8 characters") {
		t.Errorf("error beside password: %q", got)
	}
	mustContain(t, res.Body, "Please correct the fields marked below.", `value="bob"`, `value="Builder"`, `value="not-an-address"`)
	if strings.Contains(res.Body, `value="short"`) {
		t.Error("the form sends the password back")
	}
}

func TestUserCreateEditDelete(t *testing.T) {
	f := newFixture(t)
	c, _ := f.signedInClient(f.account.ID, f.roles[herald.RoleAdmin], "admin")

	v := userForm("bob", f.roles[herald.RoleBroadcastManager])
	v.Set("newDepartment", "Key accounts")
	res := c.post("/users", v)
	if res.Status != http.StatusSeeOther || res.Location != "/users" {
		t.Fatalf("create: %d %q\n%s", res.Status, res.Location, res.Body)
	}
	mustContain(t, c.get("/users").Body, "User bob created.", "bob@example.com")
	bob, err := f.store.UserByLogin(sys(f.account.ID), "bob")
	if err != nil {
		t.Fatal(err)
	}
	if bob.Department != "Key accounts" || bob.Admin || !bob.Can(herald.PermBroadcastsManage) {
		t.Errorf("bob: department %q admin %v broadcasts.manage %v", bob.Department, bob.Admin, bob.Can(herald.PermBroadcastsManage))
	}

	page := c.get(fmt.Sprintf("/users/%d", bob.ID)).Body
	mustContain(t, page, `value="bob"`, `<option value="Key accounts" selected>`)
	if got := sectionCount(page, "Broadcast"); got != "2 of 2" {
		t.Errorf("bob's Broadcast permissions: %q, want 2 of 2", got)
	}

	v = userForm("bob")
	v.Del("password")
	v.Set("noRestrictions", "on")
	v.Set("login", "bob taken?")
	res = c.post(fmt.Sprintf("/users/%d", bob.ID), v)
	if got := fieldError(res.Body, "login"); !strings.HasPrefix(got, "Login must be") {
		t.Errorf("bad login: status %d, error %q", res.Status, got)
	}
	v.Set("login", "bobby")
	if res := c.post(fmt.Sprintf("/users/%d", bob.ID), v); res.Status != http.StatusSeeOther {
		t.Fatalf("edit: %d\n%s", res.Status, res.Body)
	}
	bob, _ = f.store.User(sys(f.account.ID), f.account.ID, bob.ID)
	if bob.Login != "bobby" || !bob.Admin {
		t.Errorf("after edit: login %q admin %v", bob.Login, bob.Admin)
	}

	res = c.get(fmt.Sprintf("/users/%d/delete", bob.ID))
	mustContain(t, res.Body, "Delete the user bobby", fmt.Sprintf(`action="/users/%d/delete"`, bob.ID))
	if res := c.post(fmt.Sprintf("/users/%d/delete", bob.ID), nil); res.Status != http.StatusSeeOther {
		t.Fatalf("delete: %d", res.Status)
	}
	if _, err := f.store.User(sys(f.account.ID), f.account.ID, bob.ID); !herald.IsNotFound(err) {
		t.Errorf("bob after delete: %v", err)
	}
}

func TestLastAdminCannotBeDeleted(t *testing.T) {
	f := newFixture(t)
	c, admin := f.signedInClient(f.account.ID, f.roles[herald.RoleAdmin], "only")
	res := c.post(fmt.Sprintf("/users/%d/delete", admin.ID), nil)
	if res.Status != http.StatusSeeOther {
		t.Fatalf("delete last admin: %d", res.Status)
	}
	mustContain(t, c.get(res.Location).Body, "last active administrator cannot be deleted")
}

func TestReadOnlyUserForm(t *testing.T) {
	f := newFixture(t)
	c, _ := f.signedInClient(f.account.ID, f.roles[herald.RoleNOCEngineer], "noc")
	other := f.newUser(f.account.ID, f.roles[herald.RoleAdmin], "boss", true)
	page := c.get(fmt.Sprintf("/users/%d", other.ID)).Body
	mustContain(t, page, "<fieldset disabled>")
	if strings.Contains(page, "Save changes") {
		t.Error("a viewer gets a Save button")
	}
}

func TestRoles(t *testing.T) {
	f := newFixture(t)
	c, _ := f.signedInClient(f.account.ID, f.roles[herald.RoleAdmin], "admin")
	list := c.get("/roles").Body
	mustContain(t, list, "Broadcast manager", `<span class="badge">System</span>`, `class="chip chip-more">+`)

	res := c.get(fmt.Sprintf("/roles/new?template=%d&apply=1", f.roles[herald.RoleFinanceManager]))
	for sec, want := range map[string]string{"Finance": "2 of 2", "Audit": "1 of 1", "Contacts": "0 of 3"} {
		if got := sectionCount(res.Body, sec); got != want {
			t.Errorf("template Finance manager, section %s: %q, want %q", sec, got, want)
		}
	}

	res = c.post("/roles", url.Values{"name": {strings.Repeat("x", 41)}})
	if res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("invalid role: %d", res.Status)
	}
	if got := fieldError(res.Body, "name"); got != "Name must be at most 40 characters (it has 41)." {
		t.Errorf("name error %q", got)
	}
	if got := fieldError(res.Body, "permissions"); got != "Select at least one permission." {
		t.Errorf("permissions error %q", got)
	}
	res = c.post("/roles", url.Values{"name": {"Key Account Manager"}, "description": {"Support of key customers"},
		"permissions": {"users.view", "audit.view"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("create role: %d\n%s", res.Status, res.Body)
	}
	mustContain(t, c.get("/roles").Body, "Role Key Account Manager created.")

	sysRole := fmt.Sprintf("/roles/%d", f.roles[herald.RoleNOCEngineer])
	mustContain(t, c.get(sysRole).Body, "System roles cannot be changed.", "<fieldset disabled>")
	if res := c.post(sysRole, url.Values{"name": {"Mine"}, "permissions": {"users.view"}}); res.Status != http.StatusForbidden {
		t.Errorf("editing a system role: %d, want 403", res.Status)
	}
	if res := c.post(sysRole+"/delete", nil); res.Status != http.StatusSeeOther {
		t.Errorf("deleting a system role: %d, want 303 back with a message", res.Status)
	} else if body := c.get("/roles").Body; strings.Contains(body, "Role NOC engineer deleted.") {
		t.Error("a system role was deleted")
	}
}

// sectionCount returns the "k of n" count of a permission section.
func sectionCount(body, section string) string {
	re := regexp.MustCompile(`<span>` + regexp.QuoteMeta(section) + `</span> <span class="count" data-count>\(([^)]*)\)</span>`)
	if m := re.FindStringSubmatch(body); m != nil {
		return m[1]
	}
	return ""
}
