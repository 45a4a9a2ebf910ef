package storetest

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
)

// pageSize is the page size of the cursor walks: small and prime, so
// pages never line up with patterns in the data.
const pageSize = 7

// checkWalk pages through q (with Limit pageSize) with Next cursors and
// then back with Prev cursors, and checks that each walk returns the IDs
// in want exactly once and in order.
func checkWalk[T any](t *testing.T, what string, list func(herald.ListQuery) (herald.Page[T], error),
	q herald.ListQuery, id func(T) int64, want []int64) {
	t.Helper()
	q.Limit, q.Cursor = pageSize, ""
	var got, prevPage []int64
	var last herald.Page[T]
	for i := 0; ; i++ {
		if i > len(want)/pageSize+1 {
			t.Fatalf("%s: more pages than %d rows fill; got so far %v", what, len(want), got)
		}
		page, err := list(q)
		noErr(t, what, err)
		pageIDs := ids(page.Items, id)
		switch {
		case len(pageIDs) > pageSize:
			t.Fatalf("%s: page %d has %d rows, limit %d", what, i, len(pageIDs), pageSize)
		case i == 0 && page.Prev != "":
			t.Errorf("%s: the first page has a Prev cursor", what)
		case i > 0 && page.Prev == "":
			t.Errorf("%s: page %d has no Prev cursor", what, i)
		case i > 0:
			back, err := list(herald.ListQuery{Filters: q.Filters, Sort: q.Sort, Desc: q.Desc, Limit: pageSize, Cursor: page.Prev})
			noErr(t, what+" (Prev)", err)
			if b := ids(back.Items, id); !slices.Equal(b, prevPage) {
				t.Fatalf("%s: Prev of page %d = %v, want the page before, %v", what, i, b, prevPage)
			}
		}
		got, prevPage, last = append(got, pageIDs...), pageIDs, page
		if q.Cursor = page.Next; q.Cursor == "" {
			break
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("%s: walking Next:\n got %v\nwant %v", what, got, want)
	}
	checkWalkBack(t, what, list, q, id, last, want)
}

// checkWalkBack walks from the last page to the first with Prev cursors.
func checkWalkBack[T any](t *testing.T, what string, list func(herald.ListQuery) (herald.Page[T], error),
	q herald.ListQuery, id func(T) int64, last herald.Page[T], want []int64) {
	t.Helper()
	got := ids(last.Items, id)
	for q.Cursor = last.Prev; q.Cursor != ""; {
		page, err := list(q)
		noErr(t, what+" (Prev)", err)
		if len(page.Items) != pageSize || page.Next == "" {
			t.Fatalf("%s: walking back got a page of %d rows (Next %q), want full pages with Next", what, len(page.Items), page.Next)
		}
		got = append(ids(page.Items, id), got...)
		if len(got) > len(want) {
			t.Fatalf("%s: walking Prev returned more rows than exist: %v", what, got)
		}
		q.Cursor = page.Prev
	}
	if !slices.Equal(got, want) {
		t.Fatalf("%s: walking Prev:\n got %v\nwant %v", what, got, want)
	}
}

// keyRow is what the list tests know of an API key they made.
type keyRow struct {
	id       int64
	name     string
	prefix   string
	webhook  string
	lastUsed *time.Time
	created  time.Time
	scopes   []herald.Scope
}

// keyNames have duplicates, mixed case, LIKE wildcards, a backslash and
// non-ASCII letters, which only ASCII case folding leaves apart.
func keyNames() []string {
	return []string{"alpha", "Beta", "ALPHA", "gamma_x", "Gamma%y", `delta\z`, "beta", "Épsilon", "épsilon", "zeta", "_under", "Alpha 2"}
}

// listBase is the first LastUsedAt of the list tests' keys.
func listBase() time.Time { return time.Date(2024, 7, 1, 18, 30, 0, 0, time.UTC) }

// makeKeys creates n API keys whose columns cover every case the list
// builder handles, and returns what it made.
func makeKeys(t *testing.T, f *fixture, n int) []keyRow {
	t.Helper()
	rows, names := make([]keyRow, n), keyNames()
	for i := range rows {
		r := keyRow{name: names[i%len(names)], prefix: fmt.Sprintf("p%03d", i)}
		if i%4 != 0 {
			r.name += fmt.Sprintf(" %d", i%7)
		}
		if i%3 != 0 {
			r.webhook = fmt.Sprintf("https://H%d.example/%d", i%5, i%4)
		}
		r.scopes = []herald.Scope{}
		if i%5 != 0 {
			r.scopes = append(r.scopes, herald.AllScopes()[i%6])
			if i%2 == 0 {
				r.scopes = append(r.scopes, herald.AllScopes()[(i+2)%6])
			}
		}
		k := &herald.APIKey{AccountID: f.account.ID, Name: r.name, Prefix: r.prefix, Scopes: r.scopes, WebhookURL: r.webhook}
		noErr(t, "CreateAPIKey", f.s.CreateAPIKey(f.ctx, k, "h"))
		r.id, r.created = k.ID, k.CreatedAt
		if i%4 != 0 {
			at := listBase().Add(time.Duration(i%17) * 90 * time.Minute)
			r.lastUsed = &at
			noErr(t, "TouchAPIKey", f.s.TouchAPIKey(f.ctx, k.ID, at))
		}
		rows[i] = r
	}
	return rows
}

// testLists checks the list builder through the lists of API keys,
// users, roles and accounts: every filter on every column type, sorting
// with NULLs, keyset paging both ways and the errors.
func testLists(t *testing.T, open func(t *testing.T) *store.Store) {
	f := newFixture(t, open, "Acme")
	rows := makeKeys(t, f, 250)
	list := func(q herald.ListQuery) (herald.Page[herald.APIKey], error) {
		return f.s.ListAPIKeys(f.ctx, f.account.ID, q)
	}
	t.Run("Sort", func(t *testing.T) { testListSort(t, list, rows) })
	t.Run("Filter", func(t *testing.T) { testListFilters(t, list, rows) })
	t.Run("Errors", func(t *testing.T) { testListErrors(t, list) })
	t.Run("Bool", func(t *testing.T) { testListBool(t, f) })
}

// keyID is the ID of an API key.
func keyID(k herald.APIKey) int64 { return k.ID }

// rowIDs returns the IDs of rows ordered by key (then ID), descending if desc.
func rowIDs[K any](rows []keyRow, key func(keyRow) K, compare func(a, b K) int, desc bool) []int64 {
	sorted := slices.Clone(rows)
	slices.SortStableFunc(sorted, func(a, b keyRow) int {
		return cmp.Or(compare(key(a), key(b)), cmp.Compare(a.id, b.id))
	})
	if desc {
		slices.Reverse(sorted)
	}
	return ids(sorted, func(r keyRow) int64 { return r.id })
}

// lastUsedKey is a key's LastUsedAt with NULL as the lowest time.
func lastUsedKey(r keyRow) time.Time {
	if r.lastUsed == nil {
		return time.Time{}
	}
	return *r.lastUsed
}

// testListSort walks the keys in every sortable order.
func testListSort(t *testing.T, list func(herald.ListQuery) (herald.Page[herald.APIKey], error), rows []keyRow) {
	name := func(r keyRow) string { return lowerASCII(r.name) }
	hook := func(r keyRow) string { return lowerASCII(r.webhook) }
	id := func(r keyRow) int64 { return r.id }
	created := func(r keyRow) time.Time { return r.created }
	for _, desc := range []bool{false, true} {
		sfx := fmt.Sprintf(" (desc %v)", desc)
		checkWalk(t, "by name"+sfx, list, herald.ListQuery{Sort: "name", Desc: desc}, keyID, rowIDs(rows, name, strings.Compare, desc))
		checkWalk(t, "by webhook"+sfx, list, herald.ListQuery{Sort: "webhookUrl", Desc: desc}, keyID, rowIDs(rows, hook, strings.Compare, desc))
		checkWalk(t, "by last use"+sfx, list, herald.ListQuery{Sort: "lastUsedAt", Desc: desc}, keyID, rowIDs(rows, lastUsedKey, time.Time.Compare, desc))
		checkWalk(t, "by creation"+sfx, list, herald.ListQuery{Sort: "createdAt", Desc: desc}, keyID, rowIDs(rows, created, time.Time.Compare, desc))
		checkWalk(t, "by ID"+sfx, list, herald.ListQuery{Sort: "id", Desc: desc}, keyID, rowIDs(rows, id, cmp.Compare[int64], desc))
		checkWalk(t, "default order"+sfx, list, herald.ListQuery{Desc: desc}, keyID, rowIDs(rows, id, cmp.Compare[int64], desc))
	}
	crm := filterRows(rows, func(r keyRow) bool { return slices.Contains(r.scopes, herald.ScopeCRM) })
	checkWalk(t, "CRM keys by name", list, herald.ListQuery{Sort: "name", Filters: []herald.Filter{{Field: "scopes", Op: herald.OpEq, Value: "crm"}}},
		keyID, rowIDs(crm, name, strings.Compare, false))
}

// filterRows returns the rows that keep accepts.
func filterRows(rows []keyRow, keep func(keyRow) bool) []keyRow {
	var out []keyRow
	for _, r := range rows {
		if keep(r) {
			out = append(out, r)
		}
	}
	return out
}
