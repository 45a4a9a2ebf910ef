package api

import (
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/heraldhq/herald"
)

// authenticate reads the API key from X-API-Key or Authorization: Bearer,
// checks it and its scope, and returns the call with the actor in context.
func (h *Handler) authenticate(r *http.Request, scope herald.Scope) (*call, error) {
	key := r.Header.Get("X-API-Key")
	if key == "" {
		if v, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			key = strings.TrimSpace(v)
		}
	}
	if key == "" {
		return nil, herald.Errorf(herald.EUNAUTHORIZED, "Send an API key in the X-API-Key header or as Authorization: Bearer <key>.")
	}
	addr := h.clientAddr(r)
	k, err := h.deps.Auth.AuthenticateAPIKey(r.Context(), key, addr)
	if err != nil {
		return nil, err
	}
	if scope != "" && !k.HasScope(scope) {
		return nil, herald.Errorf(herald.EFORBIDDEN, "This API key lacks the %q scope.", scope)
	}
	ctx := herald.WithActor(r.Context(), herald.Actor{
		AccountID: k.AccountID, APIKeyID: k.ID, Login: "api:" + k.Name, IP: addr.String(),
	})
	return &call{key: k, ctx: ctx}, nil
}

// clientAddr returns the caller's address: with a trusted proxy, the last
// X-Forwarded-For entry (the one our proxy added; earlier ones are the
// client's word), else the connection's peer.
func (h *Handler) clientAddr(r *http.Request) netip.Addr {
	if h.deps.TrustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			hops := strings.Split(xff, ",")
			if a, err := netip.ParseAddr(strings.TrimSpace(hops[len(hops)-1])); err == nil {
				return a.Unmap()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, _ := netip.ParseAddr(host)
	return a.Unmap()
}
