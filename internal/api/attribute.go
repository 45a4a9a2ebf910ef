package api

import (
	"net/http"

	"github.com/heraldhq/herald"
)

func (h *Handler) attributeRoutes() []Route {
	s := herald.ScopeRecipients
	return []Route{
		{Method: "GET", Path: Prefix + "/attributes", Scope: s, Summary: "List contact attributes", handle: h.listAttributes},
		{Method: "POST", Path: Prefix + "/attributes", Scope: s, Create: true, Summary: "Create a contact attribute", handle: h.createAttribute},
		{Method: "GET", Path: Prefix + "/attributes/{id}", Scope: s, Summary: "Get a contact attribute", handle: h.getAttribute},
		{Method: "PATCH", Path: Prefix + "/attributes/{id}", Scope: s, Summary: "Rename an attribute or change its options", handle: h.updateAttribute},
		{Method: "DELETE", Path: Prefix + "/attributes/{id}", Scope: s, Summary: "Delete an attribute and every value of it", handle: h.deleteAttribute},
	}
}

// attributeInput is the body of POST and PATCH /attributes.
type attributeInput struct {
	Name          *string               `json:"name"`
	Type          *herald.AttributeType `json:"type"`
	Options       *[]string             `json:"options"`
	ShowInProfile *bool                 `json:"showInProfile"`
	FreeText      *bool                 `json:"freeText"` // on create only
}

// apply copies the fields present in in onto a.
func (in attributeInput) apply(a *herald.Attribute) {
	if in.Name != nil {
		a.Name = *in.Name
	}
	if in.Type != nil {
		a.Type = *in.Type
	}
	if in.Options != nil {
		a.Options = *in.Options
	}
	if in.ShowInProfile != nil {
		a.ShowInProfile = *in.ShowInProfile
	}
	if in.FreeText != nil && a.ID == 0 {
		a.FreeText = *in.FreeText
	}
}

func (h *Handler) listAttributes(w http.ResponseWriter, r *http.Request, c *call) error {
	cs, err := h.contacts()
	if err != nil {
		return err
	}
	attrs, err := cs.Attributes(r.Context(), c.key.AccountID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": attrs})
}

func (h *Handler) createAttribute(w http.ResponseWriter, r *http.Request, c *call) error {
	cs, err := h.contacts()
	if err != nil {
		return err
	}
	var in attributeInput
	if err := decode(r, &in); err != nil {
		return err
	}
	a := &herald.Attribute{AccountID: c.key.AccountID}
	in.apply(a)
	if err := cs.CreateAttribute(r.Context(), a); err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/attributes/"+itoa(a.ID))
	return writeJSON(w, http.StatusCreated, a)
}

func (h *Handler) getAttribute(w http.ResponseWriter, r *http.Request, c *call) error {
	cs, err := h.contacts()
	if err != nil {
		return err
	}
	return getByID(w, r, c.key.AccountID, cs.Attribute)
}

func (h *Handler) updateAttribute(w http.ResponseWriter, r *http.Request, c *call) error {
	cs, err := h.contacts()
	if err != nil {
		return err
	}
	return patch(w, r, c.key.AccountID, cs.Attribute, func(in attributeInput, a *herald.Attribute) error {
		in.apply(a)
		return nil
	}, cs.UpdateAttribute)
}

func (h *Handler) deleteAttribute(w http.ResponseWriter, r *http.Request, c *call) error {
	cs, err := h.contacts()
	if err != nil {
		return err
	}
	return deleteByID(w, r, c.key.AccountID, cs.DeleteAttribute)
}
