package herald

import (
	"context"
	"time"
)

// SessionStore keeps portal sessions by token. Implementations store a hash
// of the token, never the token itself.
type SessionStore interface {
	// FindSession returns the data of an unexpired session; found is false
	// when there is none.
	FindSession(ctx context.Context, token string) (data []byte, found bool, err error)
	// CommitSession saves the data of a session until expiry.
	CommitSession(ctx context.Context, token string, data []byte, expiry time.Time) error
	// DeleteSession removes a session.
	DeleteSession(ctx context.Context, token string) error
	// DeleteExpiredSessions removes every expired session and returns how many.
	DeleteExpiredSessions(ctx context.Context) (int, error)
}

// IdempotentResult is the saved answer to a create request made with an
// Idempotency-Key, replayed when the same key comes again.
type IdempotentResult struct {
	AccountID   int64
	Key         string
	Fingerprint string // hash of method, path and body; a different request with the same key is a conflict
	Status      int
	Body        []byte
	CreatedAt   time.Time
}

// IdempotencyStore keeps IdempotentResults for 24 hours. A request first
// saves a result with Status 0 to reserve its key, runs, then completes the
// result (or deletes it when it failed in a way worth retrying).
type IdempotencyStore interface {
	// IdempotentResult returns the saved result for key, or ENOTFOUND.
	IdempotentResult(ctx context.Context, accountID int64, key string) (*IdempotentResult, error)
	// SaveIdempotentResult saves r; ECONFLICT when the key is taken.
	SaveIdempotentResult(ctx context.Context, r *IdempotentResult) error
	// CompleteIdempotentResult sets the status and body of a saved result.
	CompleteIdempotentResult(ctx context.Context, r *IdempotentResult) error
	// DeleteIdempotentResult removes the result for key, if any.
	DeleteIdempotentResult(ctx context.Context, accountID int64, key string) error
	// DeleteIdempotentResultsBefore removes results created before t.
	DeleteIdempotentResultsBefore(ctx context.Context, t time.Time) (int, error)
}
