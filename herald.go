// Package herald is the domain of Herald, an omnichannel business messaging
// platform: the types every other package speaks (accounts, users, roles,
// API keys, audit entries, ...), their validation rules, the error type with
// its stable codes, and the interfaces that adapters implement.
//
// The package imports only the standard library. It knows nothing of HTTP,
// SQL or any provider; those live under internal/.
package herald

import (
	"context"
	"time"
)

// Version is the Herald release; the build overrides it with -ldflags.
const Version = "0.1.0-dev"

// Actor is who performs an operation: a portal user, an API key or the
// system itself. Stores read it from the context to fill audit entries.
type Actor struct {
	AccountID   int64  // the account the actor works in
	UserID      int64  // zero for API keys and the system
	Login       string // user login, API key name or "system"
	APIKeyID    int64  // zero for portal users and the system
	IP          string // client address, empty for the system
	SystemOwner bool   // may manage every account
}

type actorKey struct{}

// WithActor returns a context that carries a.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor carried by ctx, or the system actor when there
// is none.
func ActorFrom(ctx context.Context) Actor {
	if a, ok := ctx.Value(actorKey{}).(Actor); ok {
		return a
	}
	return Actor{Login: "system"}
}

// Clock tells the time. Services take one so tests can move time forward.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock, in UTC.
type SystemClock struct{}

// Now returns the current UTC time truncated to microseconds, the precision
// both database engines keep.
func (SystemClock) Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
