package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/storetest"
)

// TestSMPPCredentials runs the SMPP credential scenarios on both engines:
// create with a write-only password stored as argon2id, list, get, change,
// field violations, another account's credentials, delete.
func TestSMPPCredentials(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		ctx := context.Background()
		in := map[string]any{"systemId": "acme01", "password": "s3cret", "allowedIps": []string{"10.0.0.0/8", "192.0.2.7"},
			"throughput": 50, "maxBinds": 2, "senderId": "ACME"}
		r := f.want(f.do("POST", "/api/v1/smpp-credentials", f.keyA, in), 201)
		if strings.Contains(string(r.body), "s3cret") || strings.Contains(string(r.body), "argon2") {
			t.Errorf("the answer carries the password or its hash: %s", r.body)
		}
		var c herald.SMPPCredential
		r.json(t, &c)
		if c.ID == 0 || c.AccountID != f.accA.ID || c.SystemID != "acme01" || c.Throughput != 50 || c.MaxBinds != 2 ||
			c.SenderID != "ACME" || len(c.AllowedIPs) != 2 {
			t.Fatalf("created %+v", c)
		}
		if loc := r.header.Get("Location"); loc != fmt.Sprintf("/api/v1/smpp-credentials/%d", c.ID) {
			t.Errorf("Location = %q", loc)
		}
		stored, err := s.SMPPCredentialBySystemID(ctx, "ACME01")
		if err != nil || !strings.HasPrefix(stored.PasswordHash, "$argon2id$") {
			t.Fatalf("stored %+v %v", stored, err)
		}
		if ok, _ := auth.VerifyPassword("s3cret", stored.PasswordHash); !ok {
			t.Error("the stored hash does not verify the password")
		}

		var list struct{ Items []herald.SMPPCredential }
		f.want(f.do("GET", "/api/v1/smpp-credentials", f.keyA, nil), 200).json(t, &list)
		if len(list.Items) != 1 || list.Items[0].ID != c.ID {
			t.Errorf("list %+v", list)
		}
		f.want(f.do("GET", "/api/v1/smpp-credentials", f.keyB, nil), 200).json(t, &list)
		if len(list.Items) != 0 {
			t.Errorf("account B sees %+v", list.Items)
		}

		// Violations name the fields; a taken system_id is refused.
		p := f.want(f.do("POST", "/api/v1/smpp-credentials", f.keyA, map[string]any{"systemId": "much-too-long-system-id",
			"allowedIps": []string{"nope"}, "throughput": -1}), 422).problem(t)
		for _, field := range []string{"systemId", "password", "allowedIps", "throughput"} {
			if _, ok := p.violation(field); !ok {
				t.Errorf("no violation for %s in %+v", field, p.Violations)
			}
		}
		p = f.want(f.do("POST", "/api/v1/smpp-credentials", f.keyB, map[string]any{"systemId": "ACME01", "password": "x"}), 422).problem(t)
		if v, ok := p.violation("systemId"); !ok || v.Code != herald.VTaken {
			t.Errorf("taken system_id: %+v", p)
		}
		f.want(f.do("POST", "/api/v1/smpp-credentials", f.keyA, `{"systemId": "x", "password": "y", "hash": "z"}`), 422)

		// PATCH without a password keeps it; with one replaces it.
		path := fmt.Sprintf("/api/v1/smpp-credentials/%d", c.ID)
		f.want(f.do("PATCH", path, f.keyA, map[string]any{"throughput": 0, "allowedIps": []string{}}), 200).json(t, &c)
		if c.Throughput != 0 || len(c.AllowedIPs) != 0 || c.MaxBinds != 2 {
			t.Errorf("patched %+v", c)
		}
		if after, _ := s.SMPPCredentialBySystemID(ctx, "acme01"); after.PasswordHash != stored.PasswordHash {
			t.Error("a PATCH without a password changed it")
		}
		f.want(f.do("PATCH", path, f.keyA, map[string]any{"password": "n3w"}), 200)
		after, _ := s.SMPPCredentialBySystemID(ctx, "acme01")
		if ok, _ := auth.VerifyPassword("n3w", after.PasswordHash); !ok {
			t.Error("the new password does not verify")
		}
		f.want(f.do("GET", path, f.keyA, nil), 200)

		// Another account's credentials do not exist for B.
		for _, m := range []string{"GET", "PATCH", "DELETE"} {
			var body any
			if m == "PATCH" {
				body = map[string]any{"maxBinds": 9}
			}
			f.want(f.do(m, path, f.keyB, body), 404)
		}
		// The admin scope is required.
		f.want(f.do("GET", "/api/v1/smpp-credentials", f.key(f.accA.ID, "omni", herald.ScopeOmniAPI), nil), 403)

		f.want(f.do("DELETE", path, f.keyA, nil), 204)
		f.want(f.do("GET", path, f.keyA, nil), 404)
	})
}
