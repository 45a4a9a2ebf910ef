package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/api"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/secret"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/storetest"
)

// fixture is an API served over loopback with two accounts.
type fixture struct {
	t      *testing.T
	srv    *httptest.Server
	store  *store.Store
	auth   *auth.Service
	accA   *herald.Account
	accB   *herald.Account
	keyA   string // account A, every scope
	keyB   string // account B, every scope
	adminA *herald.User
}

func newFixture(t *testing.T, s *store.Store) *fixture {
	t.Helper()
	box, err := secret.NewBox(bytes.Repeat([]byte{1}, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	cfg := auth.DefaultConfig()
	cfg.Hash = auth.FastHashParams()
	log := slog.New(slog.DiscardHandler)
	as, err := auth.New(s, box, herald.SystemClock{}, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, store: s, auth: as}
	f.accA, f.adminA = f.account("alpha")
	f.accB, _ = f.account("beta")
	f.keyA = f.key(f.accA.ID, "all", herald.AllScopes()...)
	f.keyB = f.key(f.accB.ID, "all", herald.AllScopes()...)
	f.srv = httptest.NewServer(api.New(api.Deps{Store: s, Auth: as, Clock: herald.SystemClock{}, Log: log}))
	t.Cleanup(f.srv.Close)
	return f
}

// account creates an account with an admin user.
func (f *fixture) account(name string) (*herald.Account, *herald.User) {
	ctx := context.Background()
	acc := &herald.Account{Name: name}
	if err := acc.Validate(); err != nil {
		f.t.Fatal(err)
	}
	if err := f.store.CreateAccount(ctx, acc); err != nil {
		f.t.Fatal(err)
	}
	u := &herald.User{AccountID: acc.ID, FirstName: "Ada", LastName: "Admin", Login: name + "-admin",
		Email: name + "@example.com", Active: true, RoleIDs: []int64{f.roleID(acc.ID, herald.RoleAdmin)}}
	if err := f.auth.CreateUser(ctx, u, "Sup3r-secret"); err != nil {
		f.t.Fatal(err)
	}
	return acc, u
}

func (f *fixture) roleID(accountID int64, name string) int64 {
	roles, err := f.store.AllRoles(context.Background(), accountID)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, r := range roles {
		if r.Name == name {
			return r.ID
		}
	}
	f.t.Fatalf("no role %q", name)
	return 0
}

func (f *fixture) key(accountID int64, name string, scopes ...herald.Scope) string {
	k := &herald.APIKey{AccountID: accountID, Name: name, Scopes: scopes}
	secret, err := f.auth.CreateAPIKey(context.Background(), k)
	if err != nil {
		f.t.Fatal(err)
	}
	return secret
}

// response is a decoded answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decoding %s: %v", r.body, err)
	}
}

func (r response) problem(t *testing.T) problemBody {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type = %q; want application/problem+json (body %s)", ct, r.body)
	}
	var p problemBody
	r.json(t, &p)
	return p
}

type problemBody struct {
	Status     int                `json:"status"`
	Code       string             `json:"code"`
	Detail     string             `json:"detail"`
	Violations []herald.Violation `json:"violations"`
}

func (p problemBody) violation(field string) (herald.Violation, bool) {
	for _, v := range p.Violations {
		if v.Field == field {
			return v, true
		}
	}
	return herald.Violation{}, false
}

// do sends a request with key and an optional JSON body (a string is sent as is).
func (f *fixture) do(method, path, key string, body any, hdr ...string) response {
	f.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		data, _ := json.Marshal(b)
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, f.srv.URL+path, rd)
	if err != nil {
		f.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("X-API-Key", key)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: data}
}

func (f *fixture) want(r response, status int) response {
	f.t.Helper()
	if r.status != status {
		f.t.Fatalf("status = %d; want %d (body %s)", r.status, status, r.body)
	}
	return r
}

func TestAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		t.Run("authentication", f.testAuthentication)
		t.Run("users", f.testUsers)
		t.Run("bad input", f.testBadInput)
		t.Run("roles", f.testRoles)
		t.Run("api keys", f.testAPIKeys)
		t.Run("idempotency", f.testIdempotency)
		t.Run("tenant isolation", f.testTenantIsolation)
		t.Run("audit", f.testAudit)
		t.Run("pagination", f.testPagination)
		t.Run("scope matrix", f.testScopeMatrix)
	})
}

func (f *fixture) testAuthentication(t *testing.T) {
	f.t = t
	p := f.want(f.do("GET", "/api/v1/account", "", nil), 401).problem(t)
	if p.Code != herald.EUNAUTHORIZED {
		t.Errorf("code = %q", p.Code)
	}
	f.want(f.do("GET", "/api/v1/account", "hrld_notakeyatall00000000000000000000000000000000000000", nil), 401)
	f.want(f.do("GET", "/api/v1/account", f.keyA+"x", nil), 401)

	var who struct {
		Account             herald.Account `json:"account"`
		APIKey              herald.APIKey  `json:"apiKey"`
		BroadcastModeration bool           `json:"broadcastModeration"`
	}
	f.want(f.do("GET", "/api/v1/account", f.keyA, nil), 200).json(t, &who)
	if who.Account.Name != "alpha" || who.APIKey.Name != "all" || who.BroadcastModeration {
		t.Errorf("whoami = %+v", who)
	}
	if err := f.store.SetBroadcastModeration(context.Background(), f.accA.ID, true); err != nil {
		t.Fatal(err)
	}
	f.want(f.do("GET", "/api/v1/account", f.keyA, nil), 200).json(t, &who)
	if !who.BroadcastModeration {
		t.Errorf("whoami of a moderated account = %+v", who)
	}
	if err := f.store.SetBroadcastModeration(context.Background(), f.accA.ID, false); err != nil {
		t.Fatal(err)
	}
	// Authorization: Bearer works the same.
	req, _ := http.NewRequest("GET", f.srv.URL+"/api/v1/account", nil)
	req.Header.Set("Authorization", "Bearer "+f.keyB)
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("bearer auth: %v %v", res.StatusCode, err)
	}
	res.Body.Close()

	// An allow-list that excludes loopback refuses the key.
	k := &herald.APIKey{AccountID: f.accA.ID, Name: "office", Scopes: []herald.Scope{herald.ScopeAdmin}, AllowedIPs: []string{"10.0.0.0/8"}}
	sec, err := f.auth.CreateAPIKey(context.Background(), k)
	if err != nil {
		t.Fatal(err)
	}
	if p := f.want(f.do("GET", "/api/v1/users", sec, nil), 403).problem(t); !strings.Contains(p.Detail, "127.0.0.1") {
		t.Errorf("detail = %q; want it to name the address", p.Detail)
	}
	// A blocked account's keys stop working.
	acc, _ := f.account("gamma")
	gk := f.key(acc.ID, "g", herald.ScopeAdmin)
	f.want(f.do("GET", "/api/v1/users", gk, nil), 200)
	acc.Status = herald.AccountBlocked
	if err := f.store.UpdateAccount(context.Background(), acc); err != nil {
		t.Fatal(err)
	}
	f.want(f.do("GET", "/api/v1/users", gk, nil), 401)
}

func (f *fixture) testUsers(t *testing.T) {
	f.t = t
	in := map[string]any{
		"firstName": "Lilly", "middleName": "Elizabeth", "lastName": "Johnson", "login": "lillygirl",
		"email": "lilly@abc.com", "phone": "+12345668990", "department": "First line support",
		"roleIds": []int64{f.roleID(f.accA.ID, herald.RoleBroadcastManager)}, "password": "Gr8-password",
	}
	var u herald.User
	r := f.want(f.do("POST", "/api/v1/users", f.keyA, in), 201)
	r.json(t, &u)
	if u.ID == 0 || u.Login != "lillygirl" || !u.Active || u.Admin {
		t.Fatalf("created user = %+v", u)
	}
	if loc := r.header.Get("Location"); loc != fmt.Sprintf("/api/v1/users/%d", u.ID) {
		t.Errorf("Location = %q", loc)
	}
	if bytes.Contains(r.body, []byte("Gr8-password")) || bytes.Contains(r.body, []byte("argon2")) {
		t.Fatal("the answer leaks the password or its hash")
	}
	// The same login again, in any case and any account, is taken.
	in["login"] = "LillyGirl"
	p := f.want(f.do("POST", "/api/v1/users", f.keyB, in), 422).problem(t)
	if v, ok := p.violation("login"); !ok || v.Code != herald.VTaken {
		t.Errorf("violations = %+v; want login taken", p.Violations)
	}
	// PATCH changes only what it names.
	var got herald.User
	f.want(f.do("PATCH", fmt.Sprintf("/api/v1/users/%d", u.ID), f.keyA, map[string]any{"phone": "+34600000000", "active": false}), 200).json(t, &got)
	if got.Phone != "+34600000000" || got.Active || got.LastName != "Johnson" {
		t.Errorf("patched user = %+v", got)
	}
	f.want(f.do("GET", fmt.Sprintf("/api/v1/users/%d", u.ID), f.keyA, nil), 200)
	f.want(f.do("DELETE", fmt.Sprintf("/api/v1/users/%d", u.ID), f.keyA, nil), 204)
	f.want(f.do("GET", fmt.Sprintf("/api/v1/users/%d", u.ID), f.keyA, nil), 404)
	// The last active admin stays.
	p = f.want(f.do("DELETE", fmt.Sprintf("/api/v1/users/%d", f.adminA.ID), f.keyA, nil), 409).problem(t)
	if p.Code != herald.ECONFLICT {
		t.Errorf("code = %q", p.Code)
	}
	p = f.want(f.do("PATCH", fmt.Sprintf("/api/v1/users/%d", f.adminA.ID), f.keyA, map[string]any{"active": false}), 422).problem(t)
	if _, ok := p.violation("roleIds"); !ok {
		t.Errorf("violations = %+v; want roleIds", p.Violations)
	}
}

func (f *fixture) testBadInput(t *testing.T) {
	f.t = t
	p := f.want(f.do("POST", "/api/v1/users", f.keyA, map[string]any{"login": "x y", "email": "nope", "password": "short", "roleIds": []int64{}}), 422).problem(t)
	for _, field := range []string{"firstName", "lastName", "login", "email", "password", "roleIds"} {
		if _, ok := p.violation(field); !ok {
			t.Errorf("no violation for %s in %+v", field, p.Violations)
		}
	}
	p = f.want(f.do("POST", "/api/v1/users", f.keyA, "{\n  \"login\": \"a\",\n  \"email\" \"b\"\n}"), 400).problem(t)
	if p.Code != "bad_request" || !strings.Contains(p.Detail, "line 3, column") {
		t.Errorf("malformed JSON problem = %+v", p)
	}
	f.want(f.do("POST", "/api/v1/users", f.keyA, `{"login": "a"`), 400)
	f.want(f.do("POST", "/api/v1/users", f.keyA, ""), 400)
	p = f.want(f.do("POST", "/api/v1/users", f.keyA, `{"login": 5}`), 422).problem(t)
	if v, ok := p.violation("login"); !ok || !strings.Contains(v.Message, "must be a string") {
		t.Errorf("type error = %+v", p.Violations)
	}
	p = f.want(f.do("POST", "/api/v1/users", f.keyA, `{"nickname": "x"}`), 422).problem(t)
	if v, ok := p.violation("nickname"); !ok || v.Code != herald.VUnknown {
		t.Errorf("unknown field = %+v", p.Violations)
	}
	f.want(f.do("POST", "/api/v1/users", f.keyA, "login=a", "Content-Type", "application/x-www-form-urlencoded"), 415)
	f.want(f.do("POST", "/api/v1/users", f.keyA, `{"login": 5}`, "Content-Type", "application/json; charset=utf-8"), 422)
	big := `{"login": "` + strings.Repeat("a", 1<<20) + `"}`
	if p := f.want(f.do("POST", "/api/v1/users", f.keyA, big), 400).problem(t); !strings.Contains(p.Detail, "larger than") {
		t.Errorf("oversized body problem = %+v", p)
	}
	f.want(f.do("PUT", "/api/v1/users", f.keyA, nil), 405)
	if p := f.want(f.do("GET", "/api/v1/nothing", f.keyA, nil), 404).problem(t); p.Code != herald.ENOTFOUND {
		t.Errorf("code = %q", p.Code)
	}
	p = f.want(f.do("GET", "/api/v1/users?f.createdAt=range:yesterday..&sort=password", f.keyA, nil), 422).problem(t)
	if len(p.Violations) < 2 {
		t.Errorf("list violations = %+v", p.Violations)
	}
	f.want(f.do("GET", "/api/v1/users/abc", f.keyA, nil), 404)
}

func (f *fixture) testRoles(t *testing.T) {
	f.t = t
	tpl := f.roleID(f.accA.ID, herald.RoleFinanceManager)
	var ro herald.Role
	f.want(f.do("POST", "/api/v1/roles", f.keyA, map[string]any{"name": "Key Account Manager", "description": "Support of key customers", "templateId": tpl}), 201).json(t, &ro)
	if len(ro.Permissions) == 0 || ro.System {
		t.Fatalf("role from template = %+v", ro)
	}
	p := f.want(f.do("PATCH", fmt.Sprintf("/api/v1/roles/%d", tpl), f.keyA, map[string]any{"name": "Mine now"}), 403).problem(t)
	if p.Code != herald.EFORBIDDEN {
		t.Errorf("code = %q", p.Code)
	}
	p = f.want(f.do("POST", "/api/v1/roles", f.keyA, map[string]any{"name": strings.Repeat("n", 41), "permissions": []string{"root"}}), 422).problem(t)
	if _, ok := p.violation("name"); !ok {
		t.Errorf("violations = %+v", p.Violations)
	}
	if _, ok := p.violation("permissions"); !ok {
		t.Errorf("violations = %+v", p.Violations)
	}
	// A role in use cannot be deleted; once free, it can.
	in := map[string]any{"firstName": "R", "lastName": "U", "login": "role-user", "email": "ru@example.com", "roleIds": []int64{ro.ID}, "password": "Gr8-password"}
	var u herald.User
	f.want(f.do("POST", "/api/v1/users", f.keyA, in), 201).json(t, &u)
	f.want(f.do("DELETE", fmt.Sprintf("/api/v1/roles/%d", ro.ID), f.keyA, nil), 409)
	f.want(f.do("DELETE", fmt.Sprintf("/api/v1/users/%d", u.ID), f.keyA, nil), 204)
	f.want(f.do("DELETE", fmt.Sprintf("/api/v1/roles/%d", ro.ID), f.keyA, nil), 204)
	var secs struct {
		Sections []struct {
			Name string `json:"name"`
		} `json:"sections"`
	}
	f.want(f.do("GET", "/api/v1/permissions", f.keyA, nil), 200).json(t, &secs)
	if len(secs.Sections) != len(herald.Sections()) {
		t.Errorf("sections = %d", len(secs.Sections))
	}
}

func (f *fixture) testAPIKeys(t *testing.T) {
	f.t = t
	var created struct {
		herald.APIKey
		Key string `json:"key"`
	}
	f.want(f.do("POST", "/api/v1/api-keys", f.keyA, map[string]any{"name": "crm", "scopes": []string{"recipients"}, "webhookUrl": "https://example.com/hook"}), 201).json(t, &created)
	if !strings.HasPrefix(created.Key, created.Prefix) || created.Prefix == "" {
		t.Fatalf("created key = %+v", created)
	}
	// The new key works, with its scope only.
	f.want(f.do("GET", "/api/v1/account", created.Key, nil), 200)
	f.want(f.do("GET", "/api/v1/users", created.Key, nil), 403)
	// Reading it back never shows the secret.
	r := f.want(f.do("GET", fmt.Sprintf("/api/v1/api-keys/%d", created.ID), f.keyA, nil), 200)
	if bytes.Contains(r.body, []byte(created.Key)) {
		t.Fatal("GET shows the secret key")
	}
	p := f.want(f.do("POST", "/api/v1/api-keys", f.keyA, map[string]any{"name": "", "scopes": []string{"everything"}, "webhookUrl": "ftp://x", "allowedIps": []string{"300.1.1.1"}}), 422).problem(t)
	for _, field := range []string{"name", "scopes", "webhookUrl", "allowedIps"} {
		if _, ok := p.violation(field); !ok {
			t.Errorf("no violation for %s: %+v", field, p.Violations)
		}
	}
	f.want(f.do("PATCH", fmt.Sprintf("/api/v1/api-keys/%d", created.ID), f.keyA, map[string]any{"scopes": []string{"admin"}}), 200)
	f.want(f.do("GET", "/api/v1/users", created.Key, nil), 200)
	f.want(f.do("DELETE", fmt.Sprintf("/api/v1/api-keys/%d", created.ID), f.keyA, nil), 204)
	f.want(f.do("GET", "/api/v1/account", created.Key, nil), 401)
}

func (f *fixture) testIdempotency(t *testing.T) {
	f.t = t
	body := map[string]any{"name": "Idempotent role", "permissions": []string{"dashboard.view"}}
	first := f.want(f.do("POST", "/api/v1/roles", f.keyA, body, "Idempotency-Key", "k-1"), 201)
	again := f.want(f.do("POST", "/api/v1/roles", f.keyA, body, "Idempotency-Key", "k-1"), 201)
	if !bytes.Equal(first.body, again.body) || again.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay differs: %s vs %s (%v)", first.body, again.body, again.header)
	}
	var list struct {
		Items []herald.Role `json:"items"`
	}
	f.want(f.do("GET", "/api/v1/roles?f.name=eq:Idempotent%20role", f.keyA, nil), 200).json(t, &list)
	if len(list.Items) != 1 {
		t.Fatalf("roles named like the idempotent one = %d; want 1", len(list.Items))
	}
	body["name"] = "Another role"
	if p := f.want(f.do("POST", "/api/v1/roles", f.keyA, body, "Idempotency-Key", "k-1"), 409).problem(t); p.Code != herald.ECONFLICT {
		t.Errorf("code = %q", p.Code)
	}
	// The same key in another account is another key.
	f.want(f.do("POST", "/api/v1/roles", f.keyB, body, "Idempotency-Key", "k-1"), 201)
	// Concurrent requests with one key create once; the others replay or
	// are told the first is still running.
	par := map[string]any{"name": "Concurrent role", "permissions": []string{"dashboard.view"}}
	statuses := make(chan int, 8)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses <- f.do("POST", "/api/v1/roles", f.keyA, par, "Idempotency-Key", "k-par").status
		}()
	}
	wg.Wait()
	close(statuses)
	for st := range statuses {
		if st != 201 && st != 409 {
			t.Errorf("concurrent status = %d; want 201 or 409", st)
		}
	}
	f.want(f.do("GET", "/api/v1/roles?f.name=eq:Concurrent%20role", f.keyA, nil), 200).json(t, &list)
	if len(list.Items) != 1 {
		t.Fatalf("concurrent requests created %d roles; want 1", len(list.Items))
	}
	// A failed validation is replayed too, not re-run.
	bad := map[string]any{"name": ""}
	f.want(f.do("POST", "/api/v1/roles", f.keyA, bad, "Idempotency-Key", "k-2"), 422)
	if r := f.want(f.do("POST", "/api/v1/roles", f.keyA, bad, "Idempotency-Key", "k-2"), 422); r.header.Get("Idempotent-Replayed") != "true" {
		t.Error("the 422 was not replayed")
	}
}

func (f *fixture) testTenantIsolation(t *testing.T) {
	f.t = t
	id := f.adminA.ID
	for _, m := range []string{"GET", "PATCH", "DELETE"} {
		var body any
		if m == "PATCH" {
			body = map[string]any{"firstName": "Mallory"}
		}
		f.want(f.do(m, fmt.Sprintf("/api/v1/users/%d", id), f.keyB, body), 404)
	}
	roleA := f.roleID(f.accA.ID, herald.RoleNOCEngineer)
	f.want(f.do("GET", fmt.Sprintf("/api/v1/roles/%d", roleA), f.keyB, nil), 404)
	var list struct {
		Items []herald.User `json:"items"`
	}
	f.want(f.do("GET", "/api/v1/users?limit=500", f.keyB, nil), 200).json(t, &list)
	for _, u := range list.Items {
		if u.ID == id {
			t.Fatal("account B lists account A's admin")
		}
	}
	// A user of B cannot be given A's role.
	in := map[string]any{"firstName": "X", "lastName": "Y", "login": "cross-role", "email": "x@example.com", "roleIds": []int64{roleA}, "password": "Gr8-password"}
	p := f.want(f.do("POST", "/api/v1/users", f.keyB, in), 422).problem(t)
	if _, ok := p.violation("roleIds"); !ok {
		t.Errorf("violations = %+v", p.Violations)
	}
}

func (f *fixture) testAudit(t *testing.T) {
	f.t = t
	in := map[string]any{"firstName": "Audit", "lastName": "Me", "login": "audited", "email": "audited@example.com",
		"roleIds": []int64{f.roleID(f.accA.ID, herald.RoleNOCEngineer)}, "password": "Gr8-password"}
	f.want(f.do("POST", "/api/v1/users", f.keyA, in), 201)
	var list struct {
		Items []herald.AuditEntry `json:"items"`
	}
	f.want(f.do("GET", "/api/v1/audit?f.action=eq:Added%20new%20user&limit=1", f.keyA, nil), 200).json(t, &list)
	if len(list.Items) != 1 {
		t.Fatalf("audit entries = %+v", list.Items)
	}
	e := list.Items[0]
	if e.Login != "api:all" || e.IP != "127.0.0.1" || e.APIKeyID == 0 || len(e.Details) == 0 {
		t.Fatalf("audit entry = %+v", e)
	}
	if d := e.Details[0]; d.Operation != herald.OpInsert || !strings.Contains(d.NewValue, "audited") || strings.Contains(d.NewValue, "Gr8-password") {
		t.Errorf("detail = %+v", d)
	}
	// B sees none of A's entries.
	f.want(f.do("GET", "/api/v1/audit?f.user=eq:api:all&f.action=eq:Added%20new%20user", f.keyB, nil), 200).json(t, &list)
	for _, e := range list.Items {
		if strings.Contains(e.Details[0].NewValue, "audited") {
			t.Fatal("account B reads account A's audit")
		}
	}
}

func (f *fixture) testPagination(t *testing.T) {
	f.t = t
	for i := range 12 {
		f.want(f.do("POST", "/api/v1/roles", f.keyB, map[string]any{"name": fmt.Sprintf("Paged %02d", i), "permissions": []string{"dashboard.view"}}), 201)
	}
	var names []string
	path := "/api/v1/roles?f.name=contains:paged&sort=name&limit=5"
	for pages := 0; path != ""; pages++ {
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
		var page struct {
			Items []herald.Role `json:"items"`
			Next  string        `json:"next"`
		}
		f.want(f.do("GET", path, f.keyB, nil), 200).json(t, &page)
		for _, r := range page.Items {
			names = append(names, r.Name)
		}
		path = ""
		if page.Next != "" {
			path = "/api/v1/roles?f.name=contains:paged&sort=name&limit=5&cursor=" + page.Next
		}
	}
	if len(names) != 12 || names[0] != "Paged 00" || names[11] != "Paged 11" {
		t.Fatalf("walked %v", names)
	}
}

// testScopeMatrix calls every route with keys that hold one scope each:
// a route answers 403 exactly when the key lacks its scope.
func (f *fixture) testScopeMatrix(t *testing.T) {
	f.t = t
	keys := map[herald.Scope]string{}
	for _, s := range herald.AllScopes() {
		keys[s] = f.key(f.accA.ID, "only-"+string(s), s)
	}
	for _, rt := range api.New(api.Deps{}).Routes() {
		path := strings.ReplaceAll(rt.Path, "{id}", "999999")
		for s, key := range keys {
			r := f.do(rt.Method, path, key, "{}")
			allowed := rt.Scope == "" || rt.Scope == s
			if allowed && r.status == 403 {
				t.Errorf("%s %s with scope %s: 403; want allowed (%s)", rt.Method, rt.Path, s, r.body)
			}
			if !allowed && r.status != 403 {
				t.Errorf("%s %s with scope %s: %d; want 403", rt.Method, rt.Path, s, r.status)
			}
		}
	}
}
