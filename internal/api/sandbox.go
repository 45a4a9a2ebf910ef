package api

import (
	"context"
	"net/http"
	"strconv"

	"github.com/heraldhq/herald"
)

// Sandbox shows the sandbox connector's simulated devices and answers as
// their contacts.
type Sandbox interface {
	SandboxInbox(ctx context.Context, accountID int64, destination string, limit int) ([]herald.SandboxMessage, error)
	SandboxReply(ctx context.Context, accountID int64, messageID, text string) (*herald.Message, error)
}

func (h *Handler) sandboxRoutes() []Route {
	s := herald.ScopeOmniAPI
	return []Route{
		{Method: "GET", Path: Prefix + "/sandbox/inbox", Scope: s, Summary: "Messages the sandbox's simulated devices received, newest first", handle: h.sandboxInbox},
		{Method: "POST", Path: Prefix + "/sandbox/replies", Scope: s, Summary: "Answer a sandbox message as its contact (an inbound message)", handle: h.sandboxReply},
	}
}

func (h *Handler) sandboxInbox(w http.ResponseWriter, r *http.Request, c *call) error {
	if h.deps.Sandbox == nil {
		return errNoMessaging
	}
	limit := herald.DefaultPageSize
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > herald.MaxPageSize {
			return herald.Violations{{Field: "limit", Code: herald.VRange, Message: "limit must be from 1 to 500."}}.Err()
		}
		limit = n
	}
	items, err := h.deps.Sandbox.SandboxInbox(r.Context(), c.key.AccountID, r.URL.Query().Get("destination"), limit)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, list[herald.SandboxMessage]{Items: items})
}

// replyInput is the body of POST /sandbox/replies.
type replyInput struct {
	MessageID string `json:"messageId"`
	Text      string `json:"text"`
}

func (h *Handler) sandboxReply(w http.ResponseWriter, r *http.Request, c *call) error {
	if h.deps.Sandbox == nil {
		return errNoMessaging
	}
	var in replyInput
	if err := decode(r, &in); err != nil {
		return err
	}
	m, err := h.deps.Sandbox.SandboxReply(r.Context(), c.key.AccountID, in.MessageID, in.Text)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, m)
}
