package problem

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/heraldhq/herald"
)

func TestStatus(t *testing.T) {
	want := map[string]int{
		"": 200, herald.EINVALID: 422, herald.ENOTFOUND: 404, herald.ECONFLICT: 409, herald.EUNAUTHORIZED: 401,
		herald.EFORBIDDEN: 403, herald.ERATELIMIT: 429, herald.EUNAVAILABLE: 503, herald.ETOOLARGE: 413, herald.EINTERNAL: 500,
		CodeBadRequest: 400, CodeMethodNotAllowed: 405, CodeUnsupportedMedia: 415, "something new": 500,
	}
	for code, st := range want {
		if got := Status(code); got != st {
			t.Errorf("Status(%q) = %d; want %d", code, got, st)
		}
	}
}

func TestWrite(t *testing.T) {
	r := httptest.NewRequest("POST", "/api/v1/users", nil)
	w := httptest.NewRecorder()
	err := fmt.Errorf("creating user: %w", herald.Violations{{Field: "email", Code: herald.VFormat, Message: "Bad e-mail."}}.Err())
	Write(w, r, nil, err)
	var p Problem
	if w.Code != 422 || w.Header().Get("Content-Type") != "application/problem+json" {
		t.Fatalf("answer = %d %v", w.Code, w.Header())
	}
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	if p.Code != "invalid" || p.Status != 422 || p.Instance != "/api/v1/users" || len(p.Violations) != 1 || p.Violations[0].Field != "email" {
		t.Fatalf("problem = %+v", p)
	}
	w = httptest.NewRecorder()
	Write(w, r, nil, errors.New("pq: password authentication failed for user herald"))
	if json.Unmarshal(w.Body.Bytes(), &p); w.Code != 500 || p.Detail != "Internal error." {
		t.Fatalf("internal error leaks: %d %+v", w.Code, p)
	}
}
