package web

import (
	"context"

	"github.com/heraldhq/herald"
)

// MessageStore is what the message pages (Messages log, EDRs, Sandbox,
// Webhook deliveries, Connections, Sender IDs) need from the store.
type MessageStore interface {
	herald.MessageStore
	herald.ConnectionStore
	herald.SenderStore
	// UnassignConnection stops an account from using a connection.
	UnassignConnection(ctx context.Context, connectionID, accountID int64) error
	// Chain returns a fallback chain. ENOTFOUND.
	Chain(ctx context.Context, accountID int64, id string) (*herald.Chain, error)
	// EachMessage streams the messages matching q.Filters in q's order.
	EachMessage(ctx context.Context, accountID int64, q herald.ListQuery, fn func(*herald.Message) error) error
	// SandboxDevices lists the account's simulated devices, latest first.
	SandboxDevices(ctx context.Context, accountID int64) ([]herald.SandboxDevice, error)
}

// Messaging is what the pages need from the messaging engine: sending a
// test message and the sandbox's simulated devices.
type Messaging interface {
	herald.MessageService
	SandboxInbox(ctx context.Context, accountID int64, destination string, limit int) ([]herald.SandboxMessage, error)
	SandboxReply(ctx context.Context, accountID int64, messageID, text string) (*herald.Message, error)
}

// ConnectionReloader is the engine's side of the Connections page: it
// drops a connection's open connector so the next send opens it again
// with the saved settings. It is safe for concurrent use.
type ConnectionReloader interface {
	ReloadConnection(ctx context.Context, id int64) error
}

// errNoMessaging answers message pages in a process without the engine.
var errNoMessaging = herald.Errorf(herald.EUNAVAILABLE, "Messaging is not available in this process.")

// setMessageDeps fills the message services, the store defaulting to
// deps.Store when it has the message methods.
func (p *Portal) setMessageDeps(deps Deps) {
	p.messages = deps.Messages
	if p.messages == nil {
		p.messages, _ = deps.Store.(MessageStore)
	}
	p.messaging = deps.Messaging
	p.webhooks = deps.Webhooks
	p.connectorTypes = deps.ConnectorTypes
	p.reloader = deps.Connections
	p.box = deps.Box
}

// messageStore returns the message store or errNoMessaging.
func (p *Portal) messageStore() (MessageStore, error) {
	if p.messages == nil {
		return nil, errNoMessaging
	}
	return p.messages, nil
}
