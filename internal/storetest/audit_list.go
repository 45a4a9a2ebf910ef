package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/heraldhq/herald"
)

// testRecordAudit checks RecordAudit's defaults from the actor.
func testRecordAudit(t *testing.T, f *fixture) {
	acc := f.account.ID
	e := &herald.AuditEntry{AccountID: acc, Action: "Signed in"}
	noErr(t, "RecordAudit", f.s.RecordAudit(f.ctx, e))
	if e.ID == 0 || e.UserID != 9001 || e.Login != "auditor" || e.IP != "192.0.2.7" || e.APIKeyID != 0 {
		t.Errorf("entry = %+v, want an ID and the actor's user, login and IP", e)
	}
	recent(t, "Time", e.Time)
	at := time.Date(2024, 2, 29, 23, 59, 58, 123456000, time.FixedZone("X", -5*3600))
	e2 := &herald.AuditEntry{AccountID: acc, Action: "Failed sign-in", Login: "mallory", IP: "203.0.113.9", Time: at,
		Details: []herald.AuditDetail{{Table: "users", Operation: herald.OpUpdate, ObjectID: "1", NewValue: `{"x":1}`}}}
	noErr(t, "RecordAudit(explicit)", f.s.RecordAudit(f.ctx, e2))
	e3 := &herald.AuditEntry{AccountID: acc, Action: "Exported"}
	noErr(t, "RecordAudit(no actor)", f.s.RecordAudit(context.Background(), e3))
	page, err := f.s.ListAudit(f.ctx, acc, herald.ListQuery{Limit: 3})
	noErr(t, "ListAudit", err)
	e.Details, e3.Details = []herald.AuditDetail{}, []herald.AuditDetail{}
	e2.Time = at.UTC()
	equal(t, "entries, newest first", page.Items, []herald.AuditEntry{*e3, *e2, *e})
	equal(t, "entry without actor", e3.Login, "system")
}

// auditRow is what testAuditList knows of an entry it wrote.
type auditRow struct {
	id     int64
	time   time.Time
	action string
	login  string
	table  string
}

// testAuditList checks ListAudit's order, filters and paging.
func testAuditList(t *testing.T, f *fixture) {
	acc := f.account.ID
	g := addFixture(t, f.s, "Other")
	noErr(t, "RecordAudit(other account)", f.s.RecordAudit(g.ctx, &herald.AuditEntry{AccountID: g.account.ID, Action: "Signed in"}))
	base := time.Date(2024, 5, 10, 8, 0, 0, 0, time.UTC)
	actions, logins := []string{"Signed in", "Exported", "Changed user"}, []string{"ann", "bob", "Carl"}
	var rows []auditRow
	for i := range 30 {
		r := auditRow{time: base.Add(time.Duration(i%10) * 6 * time.Hour), action: actions[i%3], login: logins[i%3]}
		e := &herald.AuditEntry{AccountID: acc, Time: r.time, Action: r.action, Login: r.login}
		if i%5 == 0 {
			r.table = "users"
			e.Details = []herald.AuditDetail{{Table: "users", Operation: herald.OpUpdate, ObjectID: "1", NewValue: "{}"}}
		}
		noErr(t, "RecordAudit", f.s.RecordAudit(f.ctx, e))
		r.id = e.ID
		rows = append(rows, r)
	}
	list := func(q herald.ListQuery) (herald.Page[herald.AuditEntry], error) { return f.s.ListAudit(f.ctx, acc, q) }
	entryID := func(e herald.AuditEntry) int64 { return e.ID }
	page, err := list(herald.ListQuery{Limit: 500})
	noErr(t, "ListAudit", err)
	got := ids(page.Items, entryID)
	if len(got) != 31 || !slices.IsSortedFunc(got, func(a, b int64) int { return int(b - a) }) {
		t.Fatalf("ListAudit() = IDs %v, want the account's 31 entries, newest (highest ID) first", got)
	}
	byTime := slices.Clone(rows)
	slices.SortFunc(byTime, func(a, b auditRow) int {
		if c := a.time.Compare(b.time); c != 0 {
			return c
		}
		return int(a.id - b.id)
	})
	want := ids(byTime, func(r auditRow) int64 { return r.id })
	q := herald.ListQuery{Sort: "time", Filters: []herald.Filter{{Field: "action", Op: herald.OpNonEmpty}, {Field: "time", Op: herald.OpRange, Max: "2024-12-31"}}}
	checkWalk(t, "audit by time", list, q, entryID, want)
	q.Desc = true
	slices.Reverse(want)
	checkWalk(t, "audit by time, descending", list, q, entryID, want)

	filters := []struct {
		f    herald.Filter
		keep func(r auditRow) bool
	}{
		{herald.Filter{Field: "action", Op: herald.OpEq, Value: "signed IN"}, func(r auditRow) bool { return r.action == "Signed in" }},
		{herald.Filter{Field: "user", Op: herald.OpEq, Value: "carl"}, func(r auditRow) bool { return r.login == "Carl" }},
		{herald.Filter{Field: "time", Op: herald.OpRange, Min: "2024-05-10T12:00:00Z", Max: "2024-05-11"},
			func(r auditRow) bool {
				return !r.time.Before(base.Add(4*time.Hour)) && r.time.Before(base.Add(40*time.Hour))
			}},
		{herald.Filter{Field: "time", Op: herald.OpEq, Value: "2024-05-10"}, func(r auditRow) bool { return r.time.Day() == 10 }},
		{herald.Filter{Field: "table", Op: herald.OpEq, Value: "USERS"}, func(r auditRow) bool { return r.table == "users" }},
	}
	for _, c := range filters {
		page, err := list(herald.ListQuery{Sort: "id", Filters: []herald.Filter{c.f}, Limit: 500})
		noErr(t, "ListAudit(filter)", err)
		var want []int64
		for _, r := range rows {
			if c.keep(r) {
				want = append(want, r.id)
			}
		}
		equal(t, "ListAudit filtered by "+label(herald.ListQuery{Filters: []herald.Filter{c.f}}), ids(page.Items, entryID), want)
	}
	_, err = list(herald.ListQuery{Filters: []herald.Filter{{Field: "time", Op: herald.OpRange, Min: "10/05/2024"}}})
	wantViolation(t, "ListAudit(bad date)", err, "filter.time", herald.VFormat)
}

// testEachAudit checks that EachAudit visits every matching entry with
// its details, in order, and stops on fn's error.
func testEachAudit(t *testing.T, f *fixture) {
	acc := f.account.ID
	const n = 450 // more than one batch of details
	for i := range n {
		e := &herald.AuditEntry{AccountID: acc, Action: "Exported", Details: make([]herald.AuditDetail, 1+i%2)}
		for j := range e.Details {
			e.Details[j] = herald.AuditDetail{Table: "contacts", Operation: herald.OpInsert, ObjectID: "1", NewValue: "{}"}
		}
		if i%3 == 0 {
			e.Action = "Signed in"
		}
		noErr(t, "RecordAudit", f.s.RecordAudit(f.ctx, e))
	}
	var seen []int64
	details := 0
	err := f.s.EachAudit(f.ctx, acc, herald.ListQuery{Cursor: "ignored", Limit: 3}, func(e *herald.AuditEntry) error {
		seen = append(seen, e.ID)
		details += len(e.Details)
		return nil
	})
	noErr(t, "EachAudit", err)
	if len(seen) != n+1 || !slices.IsSortedFunc(seen, func(a, b int64) int { return int(b - a) }) {
		t.Fatalf("EachAudit visited %d entries (sorted newest first: %v), want %d newest first",
			len(seen), slices.IsSortedFunc(seen, func(a, b int64) int { return int(b - a) }), n+1)
	}
	equal(t, "details visited", details, n/2*3+9) // 1 or 2 each, plus the account's 9 (with its default attributes)
	count := 0
	err = f.s.EachAudit(f.ctx, acc, herald.ListQuery{Sort: "time", Filters: []herald.Filter{{Field: "action", Op: herald.OpEq, Value: "Signed in"}}},
		func(e *herald.AuditEntry) error {
			if e.Action != "Signed in" {
				t.Errorf("EachAudit(filter) visited %q", e.Action)
			}
			count++
			return nil
		})
	noErr(t, "EachAudit(filter)", err)
	equal(t, "filtered entries", count, n/3)
	stop := errors.New("stop")
	calls := 0
	err = f.s.EachAudit(f.ctx, acc, herald.ListQuery{}, func(*herald.AuditEntry) error {
		if calls++; calls == 5 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 5 {
		t.Errorf("EachAudit with failing fn = %v after %d calls, want stop after 5", err, calls)
	}
}
