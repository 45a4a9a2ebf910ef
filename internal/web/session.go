package web

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/heraldhq/herald"
)

// Session keys. Values are basic types so gob needs no registration.
const (
	keyUserID       = "uid"           // int64: the signed-in user
	keyPendingUser  = "pendingUID"    // int64: password right, TOTP code pending
	keyPendingSince = "pendingSince"  // int64 Unix seconds
	keyFlash        = "flash"         // string: success message for the next page
	keyFlashError   = "flashError"    // string: error message for the next page
	keyNewKeyID     = "newKeyID"      // int64: API key just created
	keyNewKeySecret = "newKeySecret"  // string: its secret, shown once
	keyTOTPSecret   = "totpSecret"    // string: second factor being set up
	keyTOTPQR       = "totpQR"        // string: its QR code as a data: URL
	keyTOTPURL      = "totpURL"       // string: its otpauth:// URL
	pendingTOTPFor  = 5 * time.Minute // how long the code step stays open
)

// sessionStore adapts a herald.SessionStore to scs's CtxStore. Its context-
// free methods exist because scs's Store interface requires them; scs calls
// the Ctx variants.
type sessionStore struct {
	store herald.SessionStore
}

// FindCtx returns the data of an unexpired session.
func (s sessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	b, found, err := s.store.FindSession(ctx, token)
	if err != nil {
		return nil, false, fmt.Errorf("finding session: %w", err)
	}
	return b, found, nil
}

// CommitCtx saves a session until expiry.
func (s sessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	if err := s.store.CommitSession(ctx, token, b, expiry); err != nil {
		return fmt.Errorf("saving session: %w", err)
	}
	return nil
}

// DeleteCtx removes a session; an unknown token is no error.
func (s sessionStore) DeleteCtx(ctx context.Context, token string) error {
	if err := s.store.DeleteSession(ctx, token); err != nil && !herald.IsNotFound(err) {
		return fmt.Errorf("deleting session: %w", err)
	}
	return nil
}

// Find is FindCtx without a context.
func (s sessionStore) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

// Commit is CommitCtx without a context.
func (s sessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

// Delete is DeleteCtx without a context.
func (s sessionStore) Delete(token string) error {
	return s.DeleteCtx(context.Background(), token)
}

// newSessionManager configures scs: the session cookie is HttpOnly and
// SameSite=Lax (a second line against CSRF after CrossOriginProtection),
// Secure when configured, and the session ends after the policy's idle
// timeout or 12 hours, whichever comes first.
func (p *Portal) newSessionManager() *scs.SessionManager {
	sm := scs.New()
	sm.Store = sessionStore{store: p.store}
	sm.Lifetime = sessionLifetime
	sm.IdleTimeout = p.cfg.Policy.IdleTimeout
	sm.Cookie.Name = cookieName
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = p.cfg.CookieSecure
	sm.Cookie.Path = "/"
	sm.ErrorFunc = p.fail
	return sm
}

// flash leaves a success message for the next page.
func (p *Portal) flash(r *http.Request, msg string) { p.sessions.Put(r.Context(), keyFlash, msg) }

// flashError leaves an error message for the next page.
func (p *Portal) flashError(r *http.Request, msg string) {
	p.sessions.Put(r.Context(), keyFlashError, msg)
}

// redirect answers a form post with a redirect to a page (POST-redirect-GET)
// that shows msg as a success message.
func (p *Portal) redirect(w http.ResponseWriter, r *http.Request, to, msg string) {
	if msg != "" {
		p.flash(r, msg)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// startSession signs user in on this browser with a fresh token, so a
// token planted before sign-in is worthless.
func (p *Portal) startSession(ctx context.Context, userID int64) error {
	if err := p.sessions.RenewToken(ctx); err != nil {
		return fmt.Errorf("renewing session token: %w", err)
	}
	p.sessions.Remove(ctx, keyPendingUser)
	p.sessions.Remove(ctx, keyPendingSince)
	p.sessions.Put(ctx, keyUserID, userID)
	return nil
}

// endSession signs the browser out: it drops the session's data and issues
// a new token, so the old cookie is worthless, and sends the browser to the
// sign-in page with msg under key (keyFlash or keyFlashError).
func (p *Portal) endSession(w http.ResponseWriter, r *http.Request, key, msg string) {
	ctx := r.Context()
	if err := p.sessions.Clear(ctx); err != nil {
		p.fail(w, r, err)
		return
	}
	if err := p.sessions.RenewToken(ctx); err != nil {
		p.fail(w, r, err)
		return
	}
	p.sessions.Put(ctx, key, msg)
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}
