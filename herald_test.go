package herald

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestErrors(t *testing.T) {
	wrapped := fmt.Errorf("loading user: %w", Errorf(ENOTFOUND, "User not found."))
	if ErrorCode(wrapped) != ENOTFOUND || ErrorMessage(wrapped) != "User not found." || !IsNotFound(wrapped) {
		t.Fatalf("wrapped error lost its code or message: %v", wrapped)
	}
	plain := errors.New("disk on fire")
	if ErrorCode(plain) != EINTERNAL || ErrorMessage(plain) != "Internal error." {
		t.Fatalf("internal error leaks: %q", ErrorMessage(plain))
	}
	if ErrorCode(nil) != "" || ErrorMessage(nil) != "" {
		t.Fatal("nil error has a code")
	}
	var vs Violations
	if vs.Err() != nil {
		t.Fatal("no violations gave an error")
	}
	vs.CheckLen("firstName", "", true, 50)
	vs.CheckLen("lastName", strings.Repeat("é", 51), true, 50)
	err := vs.Err()
	got := ErrorViolations(err)
	if ErrorCode(err) != EINVALID || len(got) != 2 || got[0].Code != VRequired || got[1].Code != VTooLong {
		t.Fatalf("violations = %+v", got)
	}
	if got[0].Message != "First name is required." || !strings.Contains(got[1].Message, "at most 50 characters (it has 51)") {
		t.Fatalf("messages = %q / %q", got[0].Message, got[1].Message)
	}
}

func TestPasswordPolicy(t *testing.T) {
	p := DefaultPasswordPolicy()
	cases := []struct {
		pw, login string
		ok        bool
	}{
		{"Abcdef1!", "x", true},
		{"abcdef1!", "x", true},  // lower, digit, special
		{"ABCDEFGh1", "x", true}, // upper, lower, digit
		{"abcdefgh1", "x", false},
		{"Abc1!", "x", false},
		{"Admin-Login1", "admin-login1", false},
		{"Ünïcödé1x", "x", true},
		{strings.Repeat("Aa1!", 33), "x", false},
	}
	for _, c := range cases {
		if vs := p.CheckPassword("password", c.pw, c.login); (len(vs) == 0) != c.ok {
			t.Errorf("CheckPassword(%q) = %+v; want ok=%v", c.pw, vs, c.ok)
		}
	}
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	if p.PasswordExpired(now.Add(-59*24*time.Hour), now) || !p.PasswordExpired(now.Add(-61*24*time.Hour), now) {
		t.Fatal("60-day expiry is wrong")
	}
}

func TestUserValidate(t *testing.T) {
	u := User{FirstName: " Lilly ", LastName: "Johnson", Login: "lilly.j", Email: "lilly@abc.com", Phone: "+1 234 566 8990", RoleIDs: []int64{1}}
	if err := u.Validate(); err != nil {
		t.Fatal(err)
	}
	if u.FirstName != "Lilly" || u.Department != DepartmentFirstLine || u.Language != "en" {
		t.Fatalf("defaults not filled: %+v", u)
	}
	bad := User{Login: "-x", Email: "Lilly <lilly@abc.com>", Phone: "call me", Language: "fr"}
	fields := map[string]bool{}
	for _, v := range ErrorViolations(bad.Validate()) {
		fields[v.Field] = true
	}
	for _, f := range []string{"firstName", "lastName", "login", "email", "phone", "language", "roleIds"} {
		if !fields[f] {
			t.Errorf("no violation for %s", f)
		}
	}
	admin := User{Admin: true}
	noc := User{Permissions: NewPermissionSet(PermAuditView)}
	if !admin.Can(PermRolesManage) || !noc.Can(PermAuditView) || noc.Can(PermRolesManage) {
		t.Fatal("Can is wrong")
	}
}

func TestSMPPCredentialPassword(t *testing.T) {
	for _, pw := range []string{"", "12345678"} {
		c := SMPPCredential{SystemID: "acme", Password: pw}
		if err := c.Validate(false); err != nil {
			t.Errorf("password %q: %v", pw, err)
		}
	}
	c := SMPPCredential{SystemID: "acme", Password: "123456789"}
	vs := ErrorViolations(c.Validate(true))
	if len(vs) != 1 || vs[0].Field != "password" || vs[0].Code != VTooLong || !strings.Contains(vs[0].Message, "8 characters") ||
		!strings.Contains(vs[0].Message, "SMPP") {
		t.Errorf("a 9-character password: %+v, want one too_long violation naming SMPP's 8-character limit", vs)
	}
}

func TestAPIKey(t *testing.T) {
	k := APIKey{Name: " shop ", Scopes: []Scope{ScopeOmniAPI}, AllowedIPs: []string{" 203.0.113.0/24", "2001:db8::1", "203.0.113.0/24"}, SenderIDs: []string{"", "Acme"}}
	if err := k.Validate(); err != nil {
		t.Fatal(err)
	}
	if k.Name != "shop" || len(k.AllowedIPs) != 2 || len(k.SenderIDs) != 1 {
		t.Fatalf("not normalised: %+v", k)
	}
	for addr, want := range map[string]bool{"203.0.113.77": true, "::ffff:203.0.113.5": true, "2001:db8::1": true, "198.51.100.1": false, "2001:db8::2": false} {
		if got := k.AllowsIP(netip.MustParseAddr(addr)); got != want {
			t.Errorf("AllowsIP(%s) = %v", addr, got)
		}
	}
	if !(&APIKey{}).AllowsIP(netip.MustParseAddr("192.0.2.1")) {
		t.Fatal("an empty allow-list refused an address")
	}
	if !k.HasScope(ScopeOmniAPI) || k.HasScope(ScopeAdmin) {
		t.Fatal("HasScope is wrong")
	}
}

func TestRolesAndPermissions(t *testing.T) {
	all := AllPermissions()
	seen := map[Permission]bool{}
	for _, p := range all {
		if seen[p] {
			t.Fatalf("permission %s listed twice", p)
		}
		seen[p] = true
	}
	for _, r := range SystemRoles() {
		if err := r.Validate(); err != nil {
			t.Errorf("system role %s is invalid: %v", r.Name, err)
		}
	}
	r := Role{Name: "Ops", Permissions: []Permission{PermAuditView, PermAuditView, "nope"}}
	if err := r.Validate(); len(ErrorViolations(err)) != 1 {
		t.Fatalf("unknown permission not reported: %v", err)
	}
}

func TestListQueryValidation(t *testing.T) {
	cols := UserColumns()
	ok := ListQuery{Sort: "lastName", Filters: []Filter{{Field: "createdAt", Op: OpRange, Min: "2026-01-01"}, {Field: "email", Op: OpContains, Value: "x"}}}
	if err := ValidateListQuery(ok, cols); err != nil {
		t.Fatal(err)
	}
	bad := ListQuery{Sort: "password", Filters: []Filter{{Field: "nope", Op: OpEq}, {Field: "createdAt", Op: OpContains}, {Field: "id", Op: OpRange}, {Field: "login", Op: "like"}}}
	if n := len(ErrorViolations(ValidateListQuery(bad, cols))); n != 5 {
		t.Fatalf("violations = %d; want 5", n)
	}
	if (ListQuery{}).PageLimit() != DefaultPageSize || (ListQuery{Limit: 9999}).PageLimit() != MaxPageSize {
		t.Fatal("PageLimit does not clamp")
	}
}

func TestActor(t *testing.T) {
	ctx := context.Background()
	if ActorFrom(ctx).Login != "system" {
		t.Fatal("no actor should be the system")
	}
	a := Actor{AccountID: 3, UserID: 7, Login: "ana", IP: "192.0.2.1"}
	if ActorFrom(WithActor(ctx, a)) != a {
		t.Fatal("actor lost")
	}
	var acc Account
	if err := acc.Validate(); len(ErrorViolations(err)) != 1 || acc.Status != AccountActive || acc.TimeZone != "UTC" {
		t.Fatalf("account validation: %v %+v", err, acc)
	}
	acc = Account{Name: "x", TimeZone: "Mars/Base"}
	if err := acc.Validate(); err == nil {
		t.Fatal("unknown time zone accepted")
	}
}
