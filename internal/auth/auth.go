// Package auth is Herald's identity service: portal sign-in with the password
// policy, throttling and an optional TOTP second factor; users' passwords;
// and API keys. It holds the rules; the stores hold the data.
package auth

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/secret"
)

// Store is what the service needs from the database.
type Store interface {
	herald.UserStore
	herald.APIKeyStore
	herald.AuditStore
	herald.RoleStore
	Account(ctx context.Context, id int64) (*herald.Account, error)
	CreateAccountWithAdmin(ctx context.Context, a *herald.Account, u *herald.User, passwordHash string) error
}

// Config holds the service's settings.
type Config struct {
	Policy herald.PasswordPolicy
	Hash   HashParams
	// SignInsPerMinute limits sign-in attempts from one IP address.
	SignInsPerMinute int
	// Issuer names Herald in authenticator apps.
	Issuer string
}

// DefaultConfig returns the production settings.
func DefaultConfig() Config {
	return Config{
		Policy:           herald.DefaultPasswordPolicy(),
		Hash:             DefaultHashParams(),
		SignInsPerMinute: 20,
		Issuer:           "Herald",
	}
}

// Service implements sign-in, password changes, second factors and API
// keys. It is safe for concurrent use.
type Service struct {
	store  Store
	box    *secret.Box
	clock  herald.Clock
	cfg    Config
	log    *slog.Logger
	dummy  string // a hash verified for unknown logins, so timing tells nothing
	mu     sync.Mutex
	limits map[string]*ipLimit
	keys   keyCache // authenticated API keys
}

type ipLimit struct {
	lim  *rate.Limiter
	seen time.Time
}

// New returns a Service. When store tells of changes to API keys,
// accounts and users, cached keys are forgotten as they commit; changes
// made by other processes reach the Service through ForgetKeys.
func New(store Store, box *secret.Box, clock herald.Clock, cfg Config, log *slog.Logger) (*Service, error) {
	dummy, err := HashPassword("not a real password", cfg.Hash)
	if err != nil {
		return nil, err
	}
	s := &Service{store: store, box: box, clock: clock, cfg: cfg, log: log, dummy: dummy, limits: map[string]*ipLimit{}}
	if n, ok := store.(authNotifier); ok {
		n.OnAuthChange(s.ForgetKeys)
	}
	return s, nil
}

// authNotifier is a store that tells when API keys, accounts or users
// change (store.Store does): the key cache then forgets at once.
type authNotifier interface {
	OnAuthChange(fn func())
}

// Policy returns the password policy in force.
func (s *Service) Policy() herald.PasswordPolicy { return s.cfg.Policy }

// allowIP takes one sign-in attempt from ip's budget.
func (s *Service) allowIP(ip string) bool {
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.limits) > 10000 { // forget idle addresses so the map stays small
		for k, l := range s.limits {
			if now.Sub(l.seen) > 10*time.Minute {
				delete(s.limits, k)
			}
		}
	}
	l, ok := s.limits[ip]
	if !ok {
		n := s.cfg.SignInsPerMinute
		l = &ipLimit{lim: rate.NewLimiter(rate.Every(time.Minute/time.Duration(n)), n)}
		s.limits[ip] = l
	}
	l.seen = now
	return l.lim.AllowN(now, 1)
}
