// Package web is Herald's portal: server-rendered HTML pages for the people
// of an account (users, roles, API accesses, audit, their own settings) and
// for the system owner (accounts).
//
// Pages are html/template files and the CSS and JavaScript are plain files of
// our own, all embedded in the binary; asset URLs carry a content hash so
// browsers may cache them for a year. Every route declares what it requires
// (nothing, a signed-in user, permissions or the system owner) in routes.go,
// and every object is loaded with the session user's account, so another
// account's object is not found.
//
// Security: sessions live in the database (scs over herald.SessionStore) with
// an HttpOnly, SameSite=Lax cookie, a 12 hour lifetime and the policy's idle
// timeout. Cross-site request forgery is refused by net/http's
// CrossOriginProtection, which rejects unsafe cross-origin browser requests
// by their Sec-Fetch-Site or Origin headers; SameSite=Lax keeps the cookie
// off cross-site subrequests as a second line. State never changes on GET.
package web

import (
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/importer"
	"github.com/heraldhq/herald/internal/media"
	"github.com/heraldhq/herald/internal/secret"
	"github.com/heraldhq/herald/internal/senders"
)

// Store is what the portal needs from the database.
type Store interface {
	herald.SessionStore
	herald.AccountStore
	herald.UserStore
	herald.RoleStore
	herald.APIKeyStore
	herald.AuditStore
}

// Config holds the portal's settings.
type Config struct {
	// CookieSecure marks the session cookie Secure; set it when the portal
	// is served over HTTPS.
	CookieSecure bool
	// Policy is the password policy; its IdleTimeout ends idle sessions.
	// The zero value takes the auth service's policy.
	Policy herald.PasswordPolicy
	// BaseURL is the public address of the portal, such as
	// "https://herald.example.com". When set, its origin is trusted for
	// form posts even if a proxy rewrites the Host header.
	BaseURL string
	// TrustProxy makes the client address the last entry of
	// X-Forwarded-For (the one our proxy added) instead of the peer address.
	// Only set it behind a proxy that always sets the header.
	TrustProxy bool
	// Logger receives internal errors; nil discards them.
	Logger *slog.Logger
}

// Deps are the services the portal works with.
type Deps struct {
	Store Store
	Auth  *auth.Service
	Clock herald.Clock
	// Contacts defaults to Store when it has the contact methods; Imports
	// defaults to a service without a job queue (imports cannot start).
	Contacts Contacts
	Imports  *importer.Service
	// Moderator decides broadcasts in moderation (the broadcast service);
	// without it the system owner's Approve and Reject answer 503. The
	// moderation queue and the per-contact outcomes read Store.
	Moderator Moderator
	// Messages defaults to Store when it has the message methods.
	// Messaging is the engine; without it the sandbox's forms are off.
	// Webhooks are the webhook settings and deliveries (their secrets are
	// sealed, so not the plain store).
	// ConnectorTypes lists the registered connector types for the
	// Connections form.
	Messages       MessageStore
	Messaging      Messaging
	Webhooks       herald.WebhookStore
	ConnectorTypes []string
	// Connections reopens a changed connection in the running engine;
	// without it changes apply at the next start.
	Connections ConnectionReloader
	// Box seals connection secrets (the server's secret box); without it
	// the Connections form cannot set secrets.
	Box *secret.Box
	// SMPP reports the SMPP binds for the system owner's SMPP binds page;
	// without it the page says the process reports none.
	SMPP SMPPStatus
	// Media is the media library; without it its pages answer 503.
	Media *media.Service
	// Templates keeps content templates: the templates service, which
	// checks payloads and fills their variables. It defaults to that
	// service over Store when Store keeps templates; without either the
	// pages answer 404.
	Templates herald.TemplateStore
	// MediaPicker lets the constructor pick files from the media library
	// (the media service). MediaUploadURL is the portal address that takes
	// an upload from the constructor: a multipart "file" posted with
	// Accept: application/json, answering the new file's {"id"}. Empty,
	// the constructor takes addresses only, or offers no upload.
	MediaPicker    MediaPicker
	MediaUploadURL string
	// ConversationTemplates defaults to a templates service on Store, and
	// Library (the library conversation templates attach files from) to
	// Store, when Store has their methods.
	ConversationTemplates herald.ConversationTemplateStore
	Library               herald.MediaStore
	// Senders is sender ID registration; it defaults to a service on
	// Messages (without the media library). MediaURL gives the address
	// a media library file is shown at, for the sender ID preview; without
	// it the preview names the files. Its addresses are trusted as they
	// are (not filtered by the templates).
	Senders  *senders.Service
	MediaURL func(id int64) string
	// Health reports connections' health and the inbound mail webhook's
	// URL on the Connections page; without it the page shows neither.
	Health ConnectionHealth
	// Broadcasts is the broadcast service (broadcasts and their
	// templates); their store defaults to Store. Without it the broadcast
	// pages answer 503. Events carries broadcasts' live progress to their
	// pages; without it the pages read the progress from the store.
	Broadcasts Broadcasts
	Events     Subscriber
}

// Session lifetimes.
const (
	sessionLifetime = 12 * time.Hour
	cookieName      = "herald_session"
)

// Portal serves the portal's pages. Build it with New; it is safe for
// concurrent use.
type Portal struct {
	cfg      Config
	store    Store
	auth     *auth.Service
	clock    herald.Clock
	log      *slog.Logger
	sessions *scs.SessionManager
	pages    map[string]*template.Template
	assets   *assets
	handler  http.Handler
	contacts Contacts
	imports  *importer.Service

	messages       MessageStore
	messaging      Messaging
	webhooks       herald.WebhookStore
	connectorTypes []string
	reloader       ConnectionReloader
	box            *secret.Box

	smppCreds  herald.SMPPCredentialStore // nil when Store has no SMPP credentials
	smppStatus SMPPStatus

	moderator Moderator             // nil: moderation decisions answer 503
	bcStore   herald.BroadcastStore // nil when Store keeps no broadcasts

	media          *media.Service
	senders        *senders.Service // nil without a message store
	mediaURL       func(id int64) string
	templates      herald.TemplateStore // nil: no content template pages
	picker         MediaPicker          // nil: no media picker
	mediaUploadURL string
	convTemplates  herald.ConversationTemplateStore // nil when there is none
	library        herald.MediaStore                // nil when there is no media library
	health         ConnectionHealth

	broadcasts Broadcasts     // nil: the broadcast pages answer 503
	bstore     BroadcastStore // nil when Store keeps no broadcasts
	events     Subscriber     // nil: live pages poll the store
}

// New returns a Portal. It parses the templates and hashes the static
// assets, so an error here is a bug in the embedded files.
func New(cfg Config, deps Deps) (*Portal, error) {
	if deps.Store == nil || deps.Auth == nil {
		return nil, errors.New("web: Store and Auth are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Policy.IdleTimeout == 0 {
		cfg.Policy = deps.Auth.Policy()
	}
	if deps.Clock == nil {
		deps.Clock = herald.SystemClock{}
	}
	p := &Portal{cfg: cfg, store: deps.Store, auth: deps.Auth, clock: deps.Clock, log: cfg.Logger}
	p.setContactDeps(deps)
	p.setMessageDeps(deps)
	p.setModerationDeps(deps)
	p.setSMPPDeps(deps)
	p.media = deps.Media
	p.setTemplateDeps(deps)
	p.setSenderDeps(deps)
	p.setContentTemplateDeps(deps)
	p.health = deps.Health
	p.setBroadcastDeps(deps)
	var err error
	if p.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	if p.pages, err = p.parseTemplates(); err != nil {
		return nil, err
	}
	p.sessions = p.newSessionManager()
	if p.handler, err = p.buildHandler(); err != nil {
		return nil, err
	}
	return p, nil
}

// Handler returns the portal's HTTP handler, to be mounted at "/".
func (p *Portal) Handler() http.Handler { return p.handler }

// buildHandler registers the routes and wraps them in the session and
// cross-origin protection middleware.
func (p *Portal) buildHandler() (http.Handler, error) {
	mux := http.NewServeMux()
	for _, rt := range p.routes() {
		mux.Handle(rt.pattern, p.guard(rt))
	}
	app := p.sessions.LoadAndSave(mux)
	root := http.NewServeMux()
	root.Handle("GET /static/{file}", http.HandlerFunc(p.serveAsset))
	root.Handle("/", app)
	// CSRF: CrossOriginProtection refuses unsafe requests that browsers mark
	// as cross-origin (Sec-Fetch-Site, or an Origin that is not the Host);
	// the SameSite=Lax session cookie is the second line.
	cop := http.NewCrossOriginProtection()
	if p.cfg.BaseURL != "" {
		u, err := url.Parse(p.cfg.BaseURL)
		if err != nil {
			return nil, fmt.Errorf("web: parsing BaseURL: %w", err)
		}
		if err := cop.AddTrustedOrigin(u.Scheme + "://" + u.Host); err != nil {
			return nil, fmt.Errorf("web: trusting BaseURL: %w", err)
		}
	}
	cop.SetDenyHandler(http.HandlerFunc(p.crossOriginDenied))
	return securityHeaders(cop.Handler(root)), nil
}

// securityHeaders sets the portal's content security policy: its own
// scripts and styles only, no framing. The server adds the headers every
// answer carries (nosniff, frame and referrer policies).
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
		next.ServeHTTP(w, r)
	})
}

// crossOriginDenied answers a refused cross-origin form post.
func (p *Portal) crossOriginDenied(w http.ResponseWriter, r *http.Request) {
	p.log.Warn("cross-origin request refused", "method", r.Method, "path", r.URL.Path, "origin", r.Header.Get("Origin"))
	http.Error(w, "Cross-origin request refused.", http.StatusForbidden)
}
