package storetest

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
)

// fixture is a store with one account, its roles and an admin actor.
type fixture struct {
	s       *store.Store
	account *herald.Account
	roles   map[string]int64 // system role IDs by name
	ctx     context.Context  // carries an actor of the account
}

// newFixture opens a store and creates an account named name in it.
func newFixture(t *testing.T, open func(t *testing.T) *store.Store, name string) *fixture {
	t.Helper()
	return addFixture(t, open(t), name)
}

// addFixture creates another account in s.
func addFixture(t *testing.T, s *store.Store, name string) *fixture {
	t.Helper()
	a := &herald.Account{Name: name, Status: herald.AccountActive, TimeZone: "UTC"}
	if err := s.CreateAccount(context.Background(), a); err != nil {
		t.Fatalf("CreateAccount(%q): %v", name, err)
	}
	f := &fixture{s: s, account: a, roles: map[string]int64{}}
	f.ctx = herald.WithActor(context.Background(), herald.Actor{
		AccountID: a.ID, UserID: 9001, Login: "auditor", IP: "192.0.2.7",
	})
	roles, err := s.AllRoles(f.ctx, a.ID)
	if err != nil {
		t.Fatalf("AllRoles: %v", err)
	}
	for _, r := range roles {
		f.roles[r.Name] = r.ID
	}
	return f
}

// user returns a valid user of the fixture's account holding roleIDs.
func (f *fixture) user(login string, roleIDs ...int64) *herald.User {
	return &herald.User{
		AccountID: f.account.ID, FirstName: "Ann", LastName: "Lee", Login: login,
		Email: login + "@example.com", Department: herald.DepartmentFirstLine, Language: "en",
		Active: true, RoleIDs: roleIDs,
	}
}

// createUser inserts a user with the given login and roles.
func (f *fixture) createUser(t *testing.T, login string, roleIDs ...int64) *herald.User {
	t.Helper()
	u := f.user(login, roleIDs...)
	if err := f.s.CreateUser(f.ctx, u, "hash-of-"+login, false); err != nil {
		t.Fatalf("CreateUser(%q): %v", login, err)
	}
	return u
}

// createKey inserts an API key with the given prefix and scopes.
func (f *fixture) createKey(t *testing.T, prefix string, scopes ...herald.Scope) *herald.APIKey {
	t.Helper()
	k := &herald.APIKey{AccountID: f.account.ID, Name: "key " + prefix, Prefix: prefix, Scopes: scopes}
	if err := f.s.CreateAPIKey(f.ctx, k, "secret-hash-"+prefix); err != nil {
		t.Fatalf("CreateAPIKey(%q): %v", prefix, err)
	}
	return k
}

// wantCode fails t unless err carries the error code want.
func wantCode(t *testing.T, what string, err error, want string) {
	t.Helper()
	if got := herald.ErrorCode(err); got != want {
		t.Fatalf("%s: error code = %q (%v), want %q", what, got, err, want)
	}
}

// wantViolation fails t unless err is EINVALID naming field with code.
func wantViolation(t *testing.T, what string, err error, field, code string) {
	t.Helper()
	wantCode(t, what, err, herald.EINVALID)
	for _, v := range herald.ErrorViolations(err) {
		if v.Field == field && v.Code == code {
			return
		}
	}
	t.Fatalf("%s: violations = %+v, want field %q with code %q", what, herald.ErrorViolations(err), field, code)
}

// noErr fails t when err is not nil.
func noErr(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// equal fails t unless got and want are deeply equal.
func equal[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

// recent fails t unless tm is a UTC time within a minute of now.
func recent(t *testing.T, what string, tm time.Time) {
	t.Helper()
	if tm.Location() != time.UTC {
		t.Errorf("%s = %v, want UTC", what, tm)
	}
	if d := time.Since(tm); d < -time.Minute || d > time.Minute {
		t.Errorf("%s = %v, want about now", what, tm)
	}
	if tm.Nanosecond()%1000 != 0 {
		t.Errorf("%s = %v, want microsecond precision", what, tm)
	}
}

// auditActions returns the actions of the account's audit log, oldest first.
func auditActions(t *testing.T, f *fixture) []string {
	t.Helper()
	var actions []string
	err := f.s.EachAudit(f.ctx, f.account.ID, herald.ListQuery{Sort: "id"}, func(e *herald.AuditEntry) error {
		actions = append(actions, e.Action)
		return nil
	})
	noErr(t, "EachAudit", err)
	return actions
}

// ids returns the IDs of items.
func ids[T any](items []T, id func(T) int64) []int64 {
	out := make([]int64, len(items))
	for i, it := range items {
		out[i] = id(it)
	}
	return out
}

// sortedIDs returns ids in ascending order.
func sortedIDs(ids []int64) []int64 { return slices.Sorted(slices.Values(ids)) }

// lowerASCII folds ASCII letters only, as the store's text ordering does.
func lowerASCII(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

// label is a short description of a list query for messages.
func label(q herald.ListQuery) string {
	return fmt.Sprintf("sort=%q desc=%v filters=%+v", q.Sort, q.Desc, q.Filters)
}
