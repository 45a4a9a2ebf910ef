package engine

import (
	"context"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
)

// Store is what the engine needs from the database.
type Store interface {
	MessageTx(ctx context.Context, fn func(x *store.MessageTx) error) error
	Message(ctx context.Context, accountID int64, id string) (*herald.Message, error)
	MessageStatus(ctx context.Context, id string) (herald.MessageStatus, error)
	MessageIDByProvider(ctx context.Context, connectionID int64, providerID string) (string, error)

	ClaimDueMessages(ctx context.Context, instance string, now, leaseUntil int64, limit int, skip []int64) ([]store.MessageRow, error)
	ReleaseMessages(ctx context.Context, instance string, ids []string, now int64) error
	Heartbeat(ctx context.Context, instance string, now int64) error
	LiveInstances(ctx context.Context, since int64) ([]string, error)
	TakeOverDeadInstances(ctx context.Context, self string, now, staleBefore int64) (int, error)
	RemoveInstance(ctx context.Context, instance string, now int64) error
	DueChains(ctx context.Context, now time.Time, limit int) ([]*herald.Chain, error)

	CreateConnection(ctx context.Context, c *herald.Connection) error
	Connection(ctx context.Context, id int64) (*herald.Connection, error)
	Connections(ctx context.Context) ([]herald.Connection, error)
	AssignConnection(ctx context.Context, connectionID, accountID int64) error
	CreateSender(ctx context.Context, s *herald.SenderID) error
	SenderByName(ctx context.Context, accountID int64, channel herald.Channel, name string) (*herald.SenderID, error)
	SenderOnConnection(ctx context.Context, connectionID int64, name string) (*herald.SenderID, error)
	ListAPIKeys(ctx context.Context, accountID int64, q herald.ListQuery) (herald.Page[herald.APIKey], error)

	SandboxInbox(ctx context.Context, accountID int64, destination string, limit int) ([]herald.SandboxMessage, error)

	// SetPayloadRenderer gives the store the function that renders the
	// payloads of messages stored as a reference to a shared content.
	SetPayloadRenderer(fn store.PayloadRenderer)
}
