package api

import (
	"encoding/json"
	"net/http"

	"github.com/heraldhq/herald"
)

// Conversation templates are agents' canned replies (reference 001
// section 12.5), so they belong to the conversations (crm) scope.
func (h *Handler) conversationTemplateRoutes() []Route {
	s, p := herald.ScopeCRM, Prefix+"/conversation-templates"
	return []Route{
		{Method: "GET", Path: p, Scope: s, Summary: "List conversation templates", handle: h.listConvTemplates},
		{Method: "POST", Path: p, Scope: s, Create: true, Summary: "Create a conversation template", handle: h.createConvTemplate},
		{Method: "GET", Path: p + "/{id}", Scope: s, Summary: "Get a conversation template", handle: h.getConvTemplate},
		{Method: "PUT", Path: p + "/{id}", Scope: s, Summary: "Replace a conversation template", handle: h.replaceConvTemplate},
		{Method: "PATCH", Path: p + "/{id}", Scope: s, Summary: "Change some fields of a conversation template", handle: h.updateConvTemplate},
		{Method: "DELETE", Path: p + "/{id}", Scope: s, Summary: "Delete a conversation template", handle: h.deleteConvTemplate},
	}
}

// convTemplateInput is the body of POST, PUT and PATCH
// /conversation-templates.
type convTemplateInput struct {
	Name     *string         `json:"name"`
	Channel  json.RawMessage `json:"channel"` // a number or a name
	Text     *string         `json:"text"`
	MediaIDs *[]int64        `json:"mediaIds"`
}

// apply copies the fields present in in onto t; all of them when replace
// is set.
func (in convTemplateInput) apply(t *herald.ConversationTemplate, replace bool) error {
	var vs herald.Violations
	if in.Name != nil || replace {
		t.Name = deref(in.Name)
	}
	if in.Channel != nil || replace {
		t.Channel = parseChannel(in.Channel, "channel", &vs)
	}
	if in.Text != nil || replace {
		t.Text = deref(in.Text)
	}
	if in.MediaIDs != nil || replace {
		t.MediaIDs = nil
		if in.MediaIDs != nil {
			t.MediaIDs = *in.MediaIDs
		}
	}
	return vs.Err()
}

// convTemplates returns the conversation template service or the
// unavailable error.
func (h *Handler) convTemplates() (herald.ConversationTemplateStore, error) {
	if h.deps.ConversationTemplates == nil {
		return nil, errNoTemplates
	}
	return h.deps.ConversationTemplates, nil
}

func (h *Handler) listConvTemplates(w http.ResponseWriter, r *http.Request, c *call) error {
	ts, err := h.convTemplates()
	if err != nil {
		return err
	}
	q, err := listQuery(r, herald.ConversationTemplateColumns())
	if err != nil {
		return err
	}
	p, err := ts.ListConversationTemplates(r.Context(), c.key.AccountID, q)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, listOf(p))
}

func (h *Handler) createConvTemplate(w http.ResponseWriter, r *http.Request, c *call) error {
	ts, err := h.convTemplates()
	if err != nil {
		return err
	}
	var in convTemplateInput
	if err := decode(r, &in); err != nil {
		return err
	}
	t := &herald.ConversationTemplate{AccountID: c.key.AccountID}
	if err := in.apply(t, true); err != nil {
		return err
	}
	if err := ts.CreateConversationTemplate(r.Context(), t); err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/conversation-templates/"+itoa(t.ID))
	return writeJSON(w, http.StatusCreated, t)
}

func (h *Handler) getConvTemplate(w http.ResponseWriter, r *http.Request, c *call) error {
	ts, err := h.convTemplates()
	if err != nil {
		return err
	}
	return getByID(w, r, c.key.AccountID, ts.ConversationTemplate)
}

func (h *Handler) replaceConvTemplate(w http.ResponseWriter, r *http.Request, c *call) error {
	ts, err := h.convTemplates()
	if err != nil {
		return err
	}
	return patch(w, r, c.key.AccountID, ts.ConversationTemplate, func(in convTemplateInput, t *herald.ConversationTemplate) error {
		return in.apply(t, true)
	}, ts.UpdateConversationTemplate)
}

func (h *Handler) updateConvTemplate(w http.ResponseWriter, r *http.Request, c *call) error {
	ts, err := h.convTemplates()
	if err != nil {
		return err
	}
	return patch(w, r, c.key.AccountID, ts.ConversationTemplate, func(in convTemplateInput, t *herald.ConversationTemplate) error {
		return in.apply(t, false)
	}, ts.UpdateConversationTemplate)
}

func (h *Handler) deleteConvTemplate(w http.ResponseWriter, r *http.Request, c *call) error {
	ts, err := h.convTemplates()
	if err != nil {
		return err
	}
	return deleteByID(w, r, c.key.AccountID, ts.DeleteConversationTemplate)
}
