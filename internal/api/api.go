// Package api is Herald's JSON API under /api/v1: API-key authentication with
// scopes and IP allow-lists, problem+json errors, Idempotency-Key replay on
// creates, keyset-paginated lists, and the OpenAPI document that describes
// every route. One file per resource.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/importer"
	"github.com/heraldhq/herald/internal/media"
	"github.com/heraldhq/herald/internal/problem"
	"github.com/heraldhq/herald/internal/senders"
)

// Prefix is where the API is mounted.
const Prefix = "/api/v1"

// Store is what the API reads and writes.
type Store interface {
	herald.AccountStore
	herald.UserStore
	herald.RoleStore
	herald.APIKeyStore
	herald.AuditStore
	herald.IdempotencyStore
}

// Auth is the identity service the API uses for keys, users and passwords.
type Auth interface {
	AuthenticateAPIKey(ctx context.Context, key string, addr netip.Addr) (*herald.APIKey, error)
	CreateUser(ctx context.Context, u *herald.User, password string) error
	UpdateUser(ctx context.Context, u *herald.User, password string) error
	DeleteUser(ctx context.Context, accountID, id int64) error
	CreateAPIKey(ctx context.Context, k *herald.APIKey) (string, error)
}

var _ Auth = (*auth.Service)(nil)

// Deps are the API's collaborators.
type Deps struct {
	Store      Store
	Auth       Auth
	Clock      herald.Clock
	Log        *slog.Logger
	TrustProxy bool // read the client address from X-Forwarded-For

	// Contacts defaults to Store when it has the contact methods; Imports
	// defaults to a service without a job queue (imports cannot start).
	Contacts Contacts
	Imports  *importer.Service

	// Messaging; nil in a process without the engine, whose message
	// routes then answer 503.
	Messages     herald.MessageService
	MessageStore MessageReader
	Webhooks     herald.WebhookStore
	Sandbox      Sandbox

	// Media is the media library; nil answers 503 on its routes.
	Media *media.Service
	// Templates and ConversationTemplates keep templates (the checking
	// service of package templates); nil answers 503.
	Templates             herald.TemplateStore
	ConversationTemplates herald.ConversationTemplateStore
	// Senders is sender ID registration; it defaults to a service on
	// Store (without the media library) when Store keeps sender IDs.
	Senders *senders.Service
	// Broadcasts; nil in a process without them (their routes answer
	// 503). Store must then also be a BroadcastStore.
	Broadcasts Broadcasts
}

// Route is one API operation. The table of routes drives the mux, the
// authorization checks and the OpenAPI test.
type Route struct {
	Method string
	Path   string       // full path pattern, such as /api/v1/users/{id}
	Scope  herald.Scope // the key must hold it; "" means any valid key
	Create bool         // honours Idempotency-Key
	// Stream marks an upload: its body is never held in memory, so an
	// Idempotency-Key fingerprints the request without the body, and the
	// server's read timeout is lifted for the upload's length.
	Stream  bool
	Summary string
	handle  func(w http.ResponseWriter, r *http.Request, c *call) error
}

// call is one authenticated request.
type call struct {
	key *herald.APIKey
	ctx context.Context
}

// Handler serves the API.
type Handler struct {
	deps   Deps
	mux    *http.ServeMux
	routes []Route
}

// New returns the API handler with every route registered.
func New(deps Deps) *Handler {
	if ss, ok := deps.Store.(herald.SenderStore); ok && deps.Senders == nil {
		deps.Senders = senders.New(ss, nil, nil)
	}
	h := &Handler{deps: deps, mux: http.NewServeMux()}
	h.routes = append(h.routes, h.accountRoutes()...)
	h.routes = append(h.routes, h.userRoutes()...)
	h.routes = append(h.routes, h.roleRoutes()...)
	h.routes = append(h.routes, h.apiKeyRoutes()...)
	h.routes = append(h.routes, h.auditRoutes()...)
	h.routes = append(h.routes, h.contactRoutes()...)
	h.routes = append(h.routes, h.messageRoutes()...)
	h.routes = append(h.routes, h.omniMessageRoutes()...)
	h.routes = append(h.routes, h.smsRoutes()...)
	h.routes = append(h.routes, h.edrRoutes()...)
	h.routes = append(h.routes, h.webhookRoutes()...)
	h.routes = append(h.routes, h.sandboxRoutes()...)
	h.routes = append(h.routes, h.smppRoutes()...)
	h.routes = append(h.routes, h.mediaRoutes()...)
	h.routes = append(h.routes, h.templateRoutes()...)
	h.routes = append(h.routes, h.conversationTemplateRoutes()...)
	h.routes = append(h.routes, h.senderRoutes()...)
	h.routes = append(h.routes, h.broadcastRoutes()...)
	h.routes = append(h.routes, h.broadcastTemplateRoutes()...)
	for _, rt := range h.routes {
		h.mux.Handle(rt.Method+" "+rt.Path, h.wrap(rt))
	}
	h.mux.HandleFunc("GET "+Prefix+"/openapi.json", serveOpenAPI)
	h.mux.HandleFunc(Prefix+"/", h.notFound)
	return h
}

// Routes returns the operations the API serves (the OpenAPI document
// itself aside).
func (h *Handler) Routes() []Route { return h.routes }

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// notFound answers paths and methods the API does not have.
func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	for _, rt := range h.routes {
		if matchPath(rt.Path, r.URL.Path) {
			w.Header().Add("Allow", rt.Method)
		}
	}
	if w.Header().Get("Allow") != "" {
		problem.Write(w, r, h.deps.Log, herald.Errorf(problem.CodeMethodNotAllowed, "Method %s is not allowed here.", r.Method))
		return
	}
	problem.Write(w, r, h.deps.Log, herald.Errorf(herald.ENOTFOUND, "No such API endpoint: %s %s.", r.Method, r.URL.Path))
}

// wrap authenticates, authorizes, applies idempotency and writes errors.
func (h *Handler) wrap(rt Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := h.authenticate(r, rt.Scope)
		if err != nil {
			if herald.ErrorCode(err) == herald.EUNAUTHORIZED {
				w.Header().Set("WWW-Authenticate", `Bearer realm="herald"`)
			}
			problem.Write(w, r, h.deps.Log, err)
			return
		}
		r = r.WithContext(c.ctx)
		if rt.Stream {
			media.AllowUploadTime(w, r, herald.MaxMediaSize)
		}
		if rt.Create && r.Header.Get("Idempotency-Key") != "" {
			h.idempotent(w, r, c, rt)
			return
		}
		if err := rt.handle(w, r, c); err != nil {
			problem.Write(w, r, h.deps.Log, err)
		}
	})
}
