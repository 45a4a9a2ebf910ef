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

// logins returns the logins in the Users table, in order.
func logins(body string) []string {
	re := regexp.MustCompile(`<td><span class="mono">([a-z0-9]+)</span></td>`)
	var out []string
	for _, m := range re.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// headers returns the column headers of the table.
func headers(body string) []string {
	re := regexp.MustCompile(`<th scope="col"[^>]*>(?:<a [^>]*>)?([^<]+)`)
	var out []string
	for _, m := range re.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestUsersTable(t *testing.T) {
	f := newFixture(t)
	c, _ := f.signedInClient(f.account.ID, f.roles[herald.RoleAdmin], "admin")
	for i := 1; i <= 30; i++ {
		f.newUser(f.account.ID, f.roles[herald.RoleNOCEngineer], fmt.Sprintf("user%02d", i), true)
	}

	t.Run("filter", func(t *testing.T) {
		res := c.get("/users?f.login=eq:user07")
		if got := logins(res.Body); len(got) != 1 || got[0] != "user07" {
			t.Errorf("f.login=eq:user07 shows %v", got)
		}
		mustContain(t, res.Body, `<b>Login</b>&nbsp;= user07`)
		res = c.get("/users?f.login=contains:user1&f.phone=empty")
		if got := logins(res.Body); len(got) != 10 {
			t.Errorf("contains user1 and empty phone: %d rows %v, want 10", len(got), got)
		}
	})
	t.Run("add filter redirects to the canonical URL", func(t *testing.T) {
		res := c.get("/users?sort=login&fcol=login&fop=contains&fval=user2&fmin=&fmax=")
		if res.Status != http.StatusSeeOther {
			t.Fatalf("status %d, want 303", res.Status)
		}
		u, _ := url.Parse(res.Location)
		if u.Path != "/users" || u.Query().Get("f.login") != "contains:user2" || u.Query().Get("sort") != "login" || u.Query().Has("fcol") {
			t.Errorf("redirect to %s", res.Location)
		}
		res = c.get("/users?fcol=createdAt&fop=range&fmin=2000-01-01&fmax=")
		if u, _ := url.Parse(res.Location); u.Query().Get("f.createdAt") != "range:2000-01-01.." {
			t.Errorf("range redirect to %s", res.Location)
		}
	})
	t.Run("invalid filter", func(t *testing.T) {
		res := c.get("/users?f.createdAt=range:yesterday..today")
		if res.Status != http.StatusOK {
			t.Fatalf("status %d, want 200 with the error above the table", res.Status)
		}
		mustContain(t, res.Body, `class="alert alert-error table-alert"`, `&#34;yesterday&#34; is not a date`)
		res = c.get("/users?f.password=eq:x&sort=secret")
		mustContain(t, res.Body, `Cannot sort by &#34;secret&#34;.`)
	})
	t.Run("sort", func(t *testing.T) {
		res := c.get("/users?sort=login&desc=1&limit=100")
		got := logins(res.Body)
		if len(got) != 31 || got[0] != "user30" || got[1] != "user29" || got[30] != "admin" {
			t.Errorf("sorted by login desc: %v", got)
		}
		mustContain(t, res.Body, `aria-sort="descending"`, `href="/users?limit=100&amp;sort=login"`)
	})
	t.Run("pagination", func(t *testing.T) {
		res := c.get("/users?sort=login&limit=25")
		first := logins(res.Body)
		if len(first) != 25 || first[0] != "admin" {
			t.Fatalf("first page: %v", first)
		}
		next := regexp.MustCompile(`href="([^"]+)" rel="next"`).FindStringSubmatch(res.Body)
		if next == nil {
			t.Fatal("no Next link")
		}
		res = c.get(strings.ReplaceAll(next[1], "&amp;", "&"))
		second := logins(res.Body)
		if len(second) != 6 || second[0] != "user25" || second[5] != "user30" {
			t.Errorf("second page: %v", second)
		}
		prev := regexp.MustCompile(`href="([^"]+)" rel="prev"`).FindStringSubmatch(res.Body)
		if prev == nil {
			t.Fatal("no Previous link on the second page")
		}
		if back := logins(c.get(strings.ReplaceAll(prev[1], "&amp;", "&")).Body); len(back) != 25 || back[0] != "admin" {
			t.Errorf("back to the first page: %v", back)
		}
		mustContain(t, res.Body, `class="current" aria-current="true">25<`)
	})
	t.Run("column choice is saved per user and table", func(t *testing.T) {
		res := c.post("/prefs/columns", url.Values{"table": {"users"}, "col": {"login", "email", "nonsense"}, "next": {"/users?sort=login"}})
		if res.Status != http.StatusSeeOther || res.Location != "/users?sort=login" {
			t.Fatalf("save columns: %d %q", res.Status, res.Location)
		}
		if got := headers(c.get("/users").Body); strings.Join(got, ",") != "Login,E-mail" {
			t.Errorf("headers after the choice: %v", got)
		}
		if got := headers(c.get("/roles").Body); strings.Join(got, ",") != "Name,System,Permissions" {
			t.Errorf("the Roles table changed too: %v", got)
		}
		other := f.newClient()
		other.signIn("user01", testPassword)
		if got := headers(other.get("/users").Body); len(got) != 8 {
			t.Errorf("another user's headers: %v", got)
		}
		c.post("/prefs/columns", url.Values{"table": {"users"}, "reset": {"1"}, "next": {"//evil.example/"}})
		if got := headers(c.get("/users").Body); len(got) != 8 || got[0] != "First name" {
			t.Errorf("headers after reset: %v", got)
		}
		if res := c.post("/prefs/columns", url.Values{"table": {"nope"}}); res.Status != http.StatusNotFound {
			t.Errorf("unknown table: %d", res.Status)
		}
	})
}
