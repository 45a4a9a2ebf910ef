// Package kanneltest holds the test set-up shared by the tests that bind
// Kannel's bearerbox to Herald's SMPP server as a customer would: a recorder
// for the requests Kannel makes to its dlr-url and get-url, and a gateway
// started and torn down for one test.
//
// It is a package of its own, as net/http/httptest is, so that package
// kannel, which benchmark binaries link, does not import testing.
package kanneltest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"testing"

	"github.com/heraldhq/herald/internal/smpp/kannel"
)

// Hook records the requests Kannel makes to its dlr-url and get-url. It is
// safe for concurrent use.
type Hook struct {
	// URL is the base URL of the test server the hook answers on; Kannel's
	// URLs are built on it.
	URL string

	mu   sync.Mutex
	hits []url.Values
}

// ServeHTTP records the query with the path under "path" and answers "ok".
func (h *Hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	v.Set("path", r.URL.Path)
	h.mu.Lock()
	h.hits = append(h.hits, v)
	h.mu.Unlock()
	_, _ = w.Write([]byte("ok"))
}

// Find returns the hits on path whose values match the key/value pairs kv.
func (h *Hook) Find(path string, kv ...string) []url.Values {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []url.Values
next:
	for _, v := range h.hits {
		if v.Get("path") != path {
			continue
		}
		for i := 0; i+1 < len(kv); i += 2 {
			if v.Get(kv[i]) != kv[i+1] {
				continue next
			}
		}
		out = append(out, v)
	}
	return out
}

// Hits returns a copy of every hit so far.
func (h *Hook) Hits() []url.Values {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.hits)
}

// StartCustomer starts bearerbox and smsbox with one SMSC, "herald", that
// binds to 127.0.0.1:smscPort as a customer would: transceiver-mode, system
// ID "kannel", password "secret", system type "VMA" and enquire_link every
// 5 s. MO messages go to the hook's /mo with from, to, text and smsc in the
// query. StartCustomer waits for the bind and fails t if Kannel does not
// start or bind within ctx. The gateway and the hook's server are closed
// when the test ends, and Kannel's logs are logged if it failed.
func StartCustomer(ctx context.Context, t testing.TB, smscPort int) (*kannel.Gateway, *Hook) {
	t.Helper()
	h := &Hook{}
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	h.URL = hs.URL

	gw, err := kannel.StartGateway(ctx, kannel.GatewayConfig{
		MOURL: hs.URL + "/mo?from=%p&to=%P&text=%a&smsc=%i",
		SMSCs: []kannel.SMSC{{ID: "herald", Port: smscPort, Transceiver: true, Username: "kannel", Password: "secret",
			SystemType: "VMA", EnquireLinkInterval: 5}},
	}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		gw.Close()
		if t.Failed() {
			t.Log(gw.Logs())
		}
	})
	if err := gw.WaitOnline(ctx); err != nil {
		t.Fatal(err)
	}
	return gw, h
}
