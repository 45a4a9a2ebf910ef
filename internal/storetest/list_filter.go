package storetest

import (
	"cmp"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
)

// filterCase is one filter and the rows it should keep; a nil keep
// means that the filter matches no row.
type filterCase struct {
	filters []herald.Filter
	keep    func(keyRow) bool
}

// filterCases cover every operation on every column type of API keys.
func filterCases(rows []keyRow) []filterCase {
	name := func(r keyRow) string { return lowerASCII(r.name) }
	day := func(r keyRow, d int) bool {
		return r.lastUsed != nil && r.lastUsed.Year() == 2024 && r.lastUsed.Month() == 7 && r.lastUsed.Day() == d
	}
	f := func(field string, op herald.FilterOp, value string) herald.Filter {
		return herald.Filter{Field: field, Op: op, Value: value}
	}
	rng := func(field, lo, hi string) herald.Filter {
		return herald.Filter{Field: field, Op: herald.OpRange, Min: lo, Max: hi}
	}
	mid := rows[len(rows)/2].id
	return []filterCase{
		{[]herald.Filter{f("name", herald.OpEq, "ALPHA")}, func(r keyRow) bool { return name(r) == "alpha" }},
		{[]herald.Filter{f("name", herald.OpEq, "épsilon")}, func(r keyRow) bool { return r.name == "épsilon" }},
		{[]herald.Filter{f("name", herald.OpContains, "A 2")}, func(r keyRow) bool { return strings.Contains(name(r), "a 2") }},
		{[]herald.Filter{f("name", herald.OpContains, "_")}, func(r keyRow) bool { return strings.Contains(r.name, "_") }},
		{[]herald.Filter{f("name", herald.OpContains, "%Y")}, func(r keyRow) bool { return strings.Contains(name(r), "%y") }},
		{[]herald.Filter{f("name", herald.OpContains, `\`)}, func(r keyRow) bool { return strings.Contains(r.name, `\`) }},
		{[]herald.Filter{f("prefix", herald.OpEq, "P007")}, func(r keyRow) bool { return r.prefix == "p007" }},
		{[]herald.Filter{f("webhookUrl", herald.OpEmpty, "")}, func(r keyRow) bool { return r.webhook == "" }},
		{[]herald.Filter{f("webhookUrl", herald.OpNonEmpty, "")}, func(r keyRow) bool { return r.webhook != "" }},
		{[]herald.Filter{f("webhookUrl", herald.OpContains, "h3.EXAMPLE")}, func(r keyRow) bool { return strings.Contains(r.webhook, "H3.example") }},
		{[]herald.Filter{f("id", herald.OpEq, fmt.Sprint(mid))}, func(r keyRow) bool { return r.id == mid }},
		{[]herald.Filter{f("id", herald.OpEq, "1.5")}, nil},
		{[]herald.Filter{rng("id", fmt.Sprint(mid), "")}, func(r keyRow) bool { return r.id >= mid }},
		{[]herald.Filter{rng("id", fmt.Sprint(mid-10), fmt.Sprint(mid+10))}, func(r keyRow) bool { return r.id >= mid-10 && r.id <= mid+10 }},
		{[]herald.Filter{f("lastUsedAt", herald.OpEmpty, "")}, func(r keyRow) bool { return r.lastUsed == nil }},
		{[]herald.Filter{f("lastUsedAt", herald.OpNonEmpty, "")}, func(r keyRow) bool { return r.lastUsed != nil }},
		{[]herald.Filter{f("lastUsedAt", herald.OpEq, "2024-07-02")}, func(r keyRow) bool { return day(r, 2) }},
		{[]herald.Filter{f("lastUsedAt", herald.OpEq, "2024-07-01T22:00:00+02:00")}, func(r keyRow) bool {
			return r.lastUsed != nil && r.lastUsed.Equal(listBase().Add(90*time.Minute))
		}},
		{[]herald.Filter{rng("lastUsedAt", "", "2024-07-01")}, func(r keyRow) bool { return day(r, 1) }},
		{[]herald.Filter{rng("lastUsedAt", "2024-07-02T03:30:00Z", "2024-07-02T09:30:00Z")}, func(r keyRow) bool {
			lo, hi := listBase().Add(9*time.Hour), listBase().Add(15*time.Hour)
			return r.lastUsed != nil && !r.lastUsed.Before(lo) && !r.lastUsed.After(hi)
		}},
		{[]herald.Filter{f("scopes", herald.OpEq, "CRM")}, func(r keyRow) bool { return slices.Contains(r.scopes, herald.ScopeCRM) }},
		{[]herald.Filter{f("scopes", herald.OpContains, "omni")}, func(r keyRow) bool { return slices.Contains(r.scopes, herald.ScopeOmniAPI) }},
		{[]herald.Filter{f("scopes", herald.OpEq, "cr")}, nil},
		{[]herald.Filter{f("scopes", herald.OpEmpty, "")}, func(r keyRow) bool { return len(r.scopes) == 0 }},
		{[]herald.Filter{f("scopes", herald.OpNonEmpty, "")}, func(r keyRow) bool { return len(r.scopes) > 0 }},
		{[]herald.Filter{f("scopes", herald.OpEq, "crm"), f("name", herald.OpContains, "beta"), f("lastUsedAt", herald.OpNonEmpty, "")},
			func(r keyRow) bool {
				return slices.Contains(r.scopes, herald.ScopeCRM) && strings.Contains(name(r), "beta") && r.lastUsed != nil
			}},
	}
}

// testListFilters checks each filter case against the rows it should keep.
func testListFilters(t *testing.T, list func(herald.ListQuery) (herald.Page[herald.APIKey], error), rows []keyRow) {
	for _, c := range filterCases(rows) {
		var want []int64
		if c.keep != nil {
			want = ids(filterRows(rows, c.keep), func(r keyRow) int64 { return r.id })
		}
		q := herald.ListQuery{Sort: "id", Filters: c.filters, Limit: herald.MaxPageSize}
		page, err := list(q)
		noErr(t, label(q), err)
		if got := ids(page.Items, keyID); !slices.Equal(got, want) {
			t.Errorf("%s:\n got %v\nwant %v", label(q), got, want)
		}
		if len(want) == 0 && c.keep != nil {
			t.Errorf("%s: the test data has no row for this filter to keep", label(q))
		}
	}
	q := herald.ListQuery{Sort: "lastUsedAt", Desc: true, Filters: []herald.Filter{{Field: "name", Op: herald.OpContains, Value: "a"}}}
	want := filterRows(rows, func(r keyRow) bool { return strings.Contains(lowerASCII(r.name), "a") })
	checkWalk(t, "keys named *a* by last use", list, q, keyID, rowIDs(want, lastUsedKey, time.Time.Compare, true))
}

// testListErrors checks bad filters, sorts and cursors.
func testListErrors(t *testing.T, list func(herald.ListQuery) (herald.Page[herald.APIKey], error)) {
	bad := []struct {
		q     herald.ListQuery
		field string
	}{
		{herald.ListQuery{Filters: []herald.Filter{{Field: "id", Op: herald.OpEq, Value: "abc"}}}, "filter.id"},
		{herald.ListQuery{Filters: []herald.Filter{{Field: "id", Op: herald.OpRange, Max: "ten"}}}, "filter.id"},
		{herald.ListQuery{Filters: []herald.Filter{{Field: "lastUsedAt", Op: herald.OpRange, Min: "yesterday"}}}, "filter.lastUsedAt"},
		{herald.ListQuery{Filters: []herald.Filter{{Field: "lastUsedAt", Op: herald.OpEq, Value: "2024-13-01"}}}, "filter.lastUsedAt"},
		{herald.ListQuery{Filters: []herald.Filter{{Field: "secretHash", Op: herald.OpEq, Value: "x"}}}, "filter.secretHash"},
		{herald.ListQuery{Filters: []herald.Filter{{Field: "id", Op: herald.OpContains, Value: "1"}}}, "filter.id"},
		{herald.ListQuery{Sort: "prefix"}, "sort"},
		{herald.ListQuery{Cursor: "not a cursor!"}, "cursor"},
		{herald.ListQuery{Cursor: b64(`{"i":3}`) + "x"}, "cursor"},
		{herald.ListQuery{Cursor: b64(`{"s":"name","k":5,"i":3}`), Sort: "name"}, "cursor"},
		{herald.ListQuery{Cursor: b64(`{"s":"lastUsedAt","k":"noon","i":3}`), Sort: "lastUsedAt"}, "cursor"},
		{herald.ListQuery{Cursor: b64(`{"i":3,"x":1}`)}, "cursor"},
		{herald.ListQuery{Cursor: b64(`{"i":"3"}`)}, "cursor"},
	}
	for _, c := range bad {
		_, err := list(c.q)
		if err == nil {
			t.Errorf("%s cursor %q: no error, want EINVALID on %q", label(c.q), c.q.Cursor, c.field)
			continue
		}
		wantCode(t, label(c.q), err, herald.EINVALID)
		if v := herald.ErrorViolations(err); len(v) != 1 || v[0].Field != c.field {
			t.Errorf("%s cursor %q: violations %+v, want one on %q", label(c.q), c.q.Cursor, v, c.field)
		}
	}
	page, err := list(herald.ListQuery{Sort: "name", Limit: 3})
	noErr(t, "ListAPIKeys", err)
	_, err = list(herald.ListQuery{Sort: "webhookUrl", Limit: 3, Cursor: page.Next})
	wantViolation(t, "a name cursor on a webhook sort", err, "cursor", herald.VFormat)
	_, err = list(herald.ListQuery{Sort: "name", Desc: true, Limit: 3, Cursor: page.Next})
	wantViolation(t, "an ascending cursor on a descending sort", err, "cursor", herald.VFormat)
}

// b64 encodes s as a cursor does.
func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// testListBool checks bool and nullable time columns through users and
// roles.
func testListBool(t *testing.T, f *fixture) {
	var users []*herald.User
	for i := range 24 {
		u := f.createUser(t, fmt.Sprintf("user%02d", i), f.roles[herald.RoleNOCEngineer])
		if i%3 == 0 {
			u.Active = false
			noErr(t, "UpdateUser", f.s.UpdateUser(f.ctx, u))
		}
		if i%4 == 1 {
			noErr(t, "RecordLoginSuccess", f.s.RecordLoginSuccess(f.ctx, u.ID))
			got, err := f.s.User(f.ctx, f.account.ID, u.ID)
			noErr(t, "User", err)
			u = got
		}
		users = append(users, u)
	}
	list := func(q herald.ListQuery) (herald.Page[herald.User], error) {
		return f.s.ListUsers(f.ctx, f.account.ID, q)
	}
	userID := func(u herald.User) int64 { return u.ID }
	order := func(compare func(a, b *herald.User) int, desc bool) []int64 {
		sorted := slices.Clone(users)
		slices.SortStableFunc(sorted, func(a, b *herald.User) int { return cmp.Or(compare(a, b), cmp.Compare(a.ID, b.ID)) })
		if desc {
			slices.Reverse(sorted)
		}
		return ids(sorted, func(u *herald.User) int64 { return u.ID })
	}
	byActive := func(a, b *herald.User) int { return cmp.Compare(boolInt(a.Active), boolInt(b.Active)) }
	byLogin := func(a, b *herald.User) int { return cmp.Compare(lastLogin(a), lastLogin(b)) }
	for _, desc := range []bool{false, true} {
		checkWalk(t, fmt.Sprintf("users by active (desc %v)", desc), list, herald.ListQuery{Sort: "active", Desc: desc}, userID, order(byActive, desc))
		checkWalk(t, fmt.Sprintf("users by last sign-in (desc %v)", desc), list, herald.ListQuery{Sort: "lastLoginAt", Desc: desc}, userID, order(byLogin, desc))
	}
	page, err := list(herald.ListQuery{Sort: "id", Limit: 100, Filters: []herald.Filter{{Field: "active", Op: herald.OpEq, Value: "false"}}})
	noErr(t, "ListUsers(inactive)", err)
	var want []int64
	for _, u := range users {
		if !u.Active {
			want = append(want, u.ID)
		}
	}
	equal(t, "inactive users", ids(page.Items, userID), want)
	if len(page.Items) > 0 && len(page.Items[0].RoleIDs) != 1 {
		t.Errorf("listed user has roles %v, want the NOC engineer role", page.Items[0].RoleIDs)
	}
	_, err = list(herald.ListQuery{Filters: []herald.Filter{{Field: "active", Op: herald.OpEq, Value: "maybe"}}})
	wantViolation(t, "ListUsers(active=maybe)", err, "filter.active", herald.VFormat)
	roles, err := f.s.ListRoles(f.ctx, f.account.ID, herald.ListQuery{Filters: []herald.Filter{{Field: "system", Op: herald.OpEq, Value: "true"}}})
	noErr(t, "ListRoles(system)", err)
	equal(t, "system roles listed", len(roles.Items), 4)
}

// boolInt orders false before true.
func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// lastLogin is a user's last sign-in in microseconds, NULL lowest.
func lastLogin(u *herald.User) int64 {
	if u.LastLoginAt == nil {
		return -1 << 62
	}
	return u.LastLoginAt.UnixMicro()
}
