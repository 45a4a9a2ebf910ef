package api

import (
	_ "embed"
	"net/http"
	"strings"
)

// openAPI is the hand-maintained OpenAPI 3.1 document of the API. A test
// fails when a route is missing from it or it names a route that does not
// exist.
//
//go:embed openapi.json
var openAPI []byte

// serveOpenAPI answers GET /api/v1/openapi.json; it needs no key.
func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	_, _ = w.Write(openAPI)
}

// matchPath reports whether path fits pattern, where {name} segments match
// any one segment.
func matchPath(pattern, path string) bool {
	ps, xs := strings.Split(pattern, "/"), strings.Split(strings.TrimSuffix(path, "/"), "/")
	if len(ps) != len(xs) {
		return false
	}
	for i := range ps {
		if !strings.HasPrefix(ps[i], "{") && ps[i] != xs[i] {
			return false
		}
	}
	return true
}
