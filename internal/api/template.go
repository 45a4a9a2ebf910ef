package api

import (
	"encoding/json"
	"net/http"

	"github.com/heraldhq/herald"
)

// Content templates are what broadcasts and the Omni API send by ID
// (reference 001 section 12.3), so they belong to the broadcast scope.
func (h *Handler) templateRoutes() []Route {
	s := herald.ScopeBroadcast
	return []Route{
		{Method: "GET", Path: Prefix + "/templates", Scope: s, Summary: "List content templates", handle: h.listTemplates},
		{Method: "POST", Path: Prefix + "/templates", Scope: s, Create: true, Summary: "Create a content template", handle: h.createTemplate},
		{Method: "GET", Path: Prefix + "/templates/{id}", Scope: s, Summary: "Get a content template", handle: h.getTemplate},
		{Method: "PUT", Path: Prefix + "/templates/{id}", Scope: s, Summary: "Replace a content template's name, channel and payload", handle: h.replaceTemplate},
		{Method: "PATCH", Path: Prefix + "/templates/{id}", Scope: s, Summary: "Change some of a content template's name, channel and payload", handle: h.updateTemplate},
		{Method: "DELETE", Path: Prefix + "/templates/{id}", Scope: s, Summary: "Delete a content template", handle: h.deleteTemplate},
	}
}

// errNoTemplates answers template routes in a process without templates.
var errNoTemplates = herald.Errorf(herald.EUNAVAILABLE, "Templates are not available in this process.")

// contentTemplateInput is the body of POST, PUT and PATCH /templates.
type contentTemplateInput struct {
	Name    *string         `json:"name"`
	Channel json.RawMessage `json:"channel"` // a number or a name
	Payload json.RawMessage `json:"payload"`
}

// apply copies the fields present in in onto t; all of them when replace
// is set, so that a missing one is reported.
func (in contentTemplateInput) apply(t *herald.Template, replace bool) error {
	var vs herald.Violations
	if in.Name != nil || replace {
		t.Name = deref(in.Name)
	}
	if in.Channel != nil || replace {
		t.Channel = parseChannel(in.Channel, "channel", &vs)
	}
	if in.Payload != nil || replace {
		t.Payload = in.Payload
	}
	return vs.Err()
}

// deref returns *s, or "" for nil.
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// templates returns the content template service or the unavailable error.
func (h *Handler) templates() (herald.TemplateStore, error) {
	if h.deps.Templates == nil {
		return nil, errNoTemplates
	}
	return h.deps.Templates, nil
}

func (h *Handler) listTemplates(w http.ResponseWriter, r *http.Request, c *call) error {
	ts, err := h.templates()
	if err != nil {
		return err
	}
	q, err := listQuery(r, herald.TemplateColumns())
	if err != nil {
		return err
	}
	p, err := ts.ListTemplates(r.Context(), c.key.AccountID, q)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, listOf(p))
}

func (h *Handler) createTemplate(w http.ResponseWriter, r *http.Request, c *call) error {
	ts, err := h.templates()
	if err != nil {
		return err
	}
	var in contentTemplateInput
	if err := decode(r, &in); err != nil {
		return err
	}
	t := &herald.Template{AccountID: c.key.AccountID}
	if err := in.apply(t, true); err != nil {
		return err
	}
	if err := ts.CreateTemplate(r.Context(), t); err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/templates/"+itoa(t.ID))
	return writeJSON(w, http.StatusCreated, t)
}

func (h *Handler) getTemplate(w http.ResponseWriter, r *http.Request, c *call) error {
	ts, err := h.templates()
	if err != nil {
		return err
	}
	return getByID(w, r, c.key.AccountID, ts.Template)
}

func (h *Handler) replaceTemplate(w http.ResponseWriter, r *http.Request, c *call) error {
	ts, err := h.templates()
	if err != nil {
		return err
	}
	return patch(w, r, c.key.AccountID, ts.Template, func(in contentTemplateInput, t *herald.Template) error {
		return in.apply(t, true)
	}, ts.UpdateTemplate)
}

func (h *Handler) updateTemplate(w http.ResponseWriter, r *http.Request, c *call) error {
	ts, err := h.templates()
	if err != nil {
		return err
	}
	return patch(w, r, c.key.AccountID, ts.Template, func(in contentTemplateInput, t *herald.Template) error {
		return in.apply(t, false)
	}, ts.UpdateTemplate)
}

func (h *Handler) deleteTemplate(w http.ResponseWriter, r *http.Request, c *call) error {
	ts, err := h.templates()
	if err != nil {
		return err
	}
	return deleteByID(w, r, c.key.AccountID, ts.DeleteTemplate)
}
