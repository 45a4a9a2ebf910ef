package web

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/heraldhq/herald"
)

// requestState is what the guard learned about the signed-in user; handlers
// read it with state(r).
type requestState struct {
	User       *herald.User
	Account    *herald.Account
	Theme      string // "light", "dark" or "system"
	MustChange bool   // a password change is forced
}

type stateKey struct{}

// state returns the signed-in user's state; nil on public pages.
func state(r *http.Request) *requestState {
	st, _ := r.Context().Value(stateKey{}).(*requestState)
	return st
}

// guard enforces rt's access rule: it loads the session user (checking that
// the user and the account may still work), puts the Actor in the context
// for the audit log, forces a pending password change and checks
// permissions.
func (p *Portal) guard(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Routes run inside scs's LoadAndSave, so the session may be used.
		r = r.WithContext(context.WithValue(r.Context(), sessionReadyKey{}, true))
		if rt.access.public {
			rt.handle(w, r)
			return
		}
		st, signed, err := p.loadState(r)
		switch {
		case herald.ErrorCode(err) == herald.EUNAUTHORIZED:
			p.endSession(w, r, keyFlashError, herald.ErrorMessage(err))
			return
		case err != nil:
			p.fail(w, r, err)
			return
		case !signed:
			redirectToSignIn(w, r)
			return
		}
		ctx := herald.WithActor(r.Context(), herald.Actor{
			AccountID: st.User.AccountID, UserID: st.User.ID, Login: st.User.Login,
			IP: p.clientIP(r), SystemOwner: st.User.SystemOwner,
		})
		r = r.WithContext(context.WithValue(ctx, stateKey{}, st))
		switch {
		case st.MustChange && !rt.access.duringChange:
			http.Redirect(w, r, "/password", http.StatusSeeOther)
		case !rt.access.allows(st.User):
			p.forbidden(w, r)
		default:
			rt.handle(w, r)
		}
	})
}

// allows reports whether u meets a.
func (a access) allows(u *herald.User) bool {
	if a.owner && !u.SystemOwner {
		return false
	}
	for _, perm := range a.perms {
		if !u.Can(perm) {
			return false
		}
	}
	return true
}

// loadState checks the session's user with the auth service; signed is
// false when nobody is signed in.
func (p *Portal) loadState(r *http.Request) (st *requestState, signed bool, err error) {
	ctx := r.Context()
	uid := p.sessions.GetInt64(ctx, keyUserID)
	if uid == 0 {
		return nil, false, nil
	}
	sess, err := p.auth.CheckSession(ctx, uid)
	if err != nil {
		return nil, false, err
	}
	acc, err := p.store.Account(ctx, sess.User.AccountID)
	if err != nil {
		return nil, false, fmt.Errorf("loading session account: %w", err)
	}
	theme, err := p.store.UserPref(ctx, uid, prefTheme)
	if err != nil {
		return nil, false, fmt.Errorf("loading theme: %w", err)
	}
	st = &requestState{User: sess.User, Account: acc, Theme: normalTheme(theme), MustChange: sess.MustChangePassword}
	return st, true, nil
}

// redirectToSignIn sends an anonymous visitor to the sign-in page, which
// brings them back to a page they asked for afterwards.
func redirectToSignIn(w http.ResponseWriter, r *http.Request) {
	target := "/signin"
	if r.Method == http.MethodGet && r.URL.Path != "/" {
		target += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// localPath returns next when it is a path on this site and fallback
// otherwise, so redirects cannot be pointed elsewhere.
func localPath(next, fallback string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return fallback
	}
	return next
}

// clientIP returns the address of the client: the peer address, or with
// TrustProxy the last X-Forwarded-For entry, which our own proxy appended.
func (p *Portal) clientIP(r *http.Request) string {
	if p.cfg.TrustProxy {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			parts := strings.Split(xff[len(xff)-1], ",")
			if ip := strings.TrimSpace(parts[len(parts)-1]); net.ParseIP(ip) != nil {
				return ip
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
