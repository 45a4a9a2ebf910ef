package engine

import (
	"context"
	"strings"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/channel"
	"github.com/heraldhq/herald/internal/channel/sandbox"
)

// SandboxInbox returns up to limit messages the account's simulated device
// destination received on the sandbox (every device when destination is
// ""), newest first.
func (e *Engine) SandboxInbox(ctx context.Context, accountID int64, destination string, limit int) ([]herald.SandboxMessage, error) {
	return e.deps.Store.SandboxInbox(ctx, accountID, destination, limit)
}

// SandboxReply answers the account's sandbox message messageID as its
// contact would: text becomes an inbound message from the device to the
// message's sender ID, on the same channel and connection.
func (e *Engine) SandboxReply(ctx context.Context, accountID int64, messageID, text string) (*herald.Message, error) {
	var vs herald.Violations
	vs.CheckLen("text", text, true, 4096)
	if err := vs.Err(); err != nil {
		return nil, err
	}
	m, err := e.deps.Store.Message(ctx, accountID, messageID)
	if err != nil {
		return nil, err
	}
	if m.Direction != herald.MT {
		return nil, herald.Errorf(herald.EINVALID, "Reply to a message the device received, not to one it sent.")
	}
	_, conn, err := e.routes.connector(ctx, m.ConnectionID)
	if err != nil {
		return nil, err
	}
	if conn.Type != herald.ConnectorSandbox {
		return nil, herald.Errorf(herald.EINVALID, "Only messages sent through the sandbox can be answered from it.")
	}
	return e.Receive(ctx, channel.Inbound{ConnectionID: m.ConnectionID, AccountID: accountID, Channel: m.Channel,
		From: m.Destination, To: m.SenderID, Payload: sandbox.TextPayload(text), Text: strings.TrimSpace(text), At: e.now()})
}
