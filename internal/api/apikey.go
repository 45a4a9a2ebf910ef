package api

import (
	"net/http"

	"github.com/heraldhq/herald"
)

func (h *Handler) apiKeyRoutes() []Route {
	s := herald.ScopeAdmin
	return []Route{
		{Method: "GET", Path: Prefix + "/api-keys", Scope: s, Summary: "List API keys", handle: h.listAPIKeys},
		{Method: "POST", Path: Prefix + "/api-keys", Scope: s, Create: true, Summary: "Create an API key; the key is in this answer only", handle: h.createAPIKey},
		{Method: "GET", Path: Prefix + "/api-keys/{id}", Scope: s, Summary: "Get an API key (without the secret)", handle: h.getAPIKey},
		{Method: "PATCH", Path: Prefix + "/api-keys/{id}", Scope: s, Summary: "Change an API key's name, scopes, senders, webhook or IPs", handle: h.updateAPIKey},
		{Method: "DELETE", Path: Prefix + "/api-keys/{id}", Scope: s, Summary: "Delete an API key; it stops working at once", handle: h.deleteAPIKey},
	}
}

// apiKeyInput is the body of POST and PATCH /api-keys.
type apiKeyInput struct {
	Name       *string         `json:"name"`
	Scopes     *[]herald.Scope `json:"scopes"`
	SenderIDs  *[]string       `json:"senderIds"`
	WebhookURL *string         `json:"webhookUrl"`
	AllowedIPs *[]string       `json:"allowedIps"`
}

func (in apiKeyInput) apply(k *herald.APIKey) {
	if in.Name != nil {
		k.Name = *in.Name
	}
	if in.Scopes != nil {
		k.Scopes = *in.Scopes
	}
	if in.SenderIDs != nil {
		k.SenderIDs = *in.SenderIDs
	}
	if in.WebhookURL != nil {
		k.WebhookURL = *in.WebhookURL
	}
	if in.AllowedIPs != nil {
		k.AllowedIPs = *in.AllowedIPs
	}
}

// createdKey is the answer to a create: the key record and, once, its secret.
type createdKey struct {
	*herald.APIKey
	Key string `json:"key"`
}

func (h *Handler) listAPIKeys(w http.ResponseWriter, r *http.Request, c *call) error {
	q, err := listQuery(r, herald.APIKeyColumns())
	if err != nil {
		return err
	}
	p, err := h.deps.Store.ListAPIKeys(r.Context(), c.key.AccountID, q)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, listOf(p))
}

func (h *Handler) createAPIKey(w http.ResponseWriter, r *http.Request, c *call) error {
	var in apiKeyInput
	if err := decode(r, &in); err != nil {
		return err
	}
	k := &herald.APIKey{AccountID: c.key.AccountID}
	in.apply(k)
	secret, err := h.deps.Auth.CreateAPIKey(r.Context(), k)
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/api-keys/"+itoa(k.ID))
	return writeJSON(w, http.StatusCreated, createdKey{APIKey: k, Key: secret})
}

func (h *Handler) getAPIKey(w http.ResponseWriter, r *http.Request, c *call) error {
	return getByID(w, r, c.key.AccountID, h.deps.Store.APIKey)
}

func (h *Handler) updateAPIKey(w http.ResponseWriter, r *http.Request, c *call) error {
	return patch(w, r, c.key.AccountID, h.deps.Store.APIKey, func(in apiKeyInput, k *herald.APIKey) error {
		in.apply(k)
		return k.Validate()
	}, h.deps.Store.UpdateAPIKey)
}

func (h *Handler) deleteAPIKey(w http.ResponseWriter, r *http.Request, c *call) error {
	return deleteByID(w, r, c.key.AccountID, h.deps.Store.DeleteAPIKey)
}
