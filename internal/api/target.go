package api

import (
	"net/http"

	"github.com/heraldhq/herald"
)

func (h *Handler) targetRoutes() []Route {
	s := herald.ScopeRecipients
	return []Route{
		{Method: "GET", Path: Prefix + "/targets", Scope: s, Summary: "List targets", handle: h.listTargets},
		{Method: "POST", Path: Prefix + "/targets", Scope: s, Create: true, Summary: "Create a target", handle: h.createTarget},
		{Method: "GET", Path: Prefix + "/targets/{id}", Scope: s, Summary: "Get a target", handle: h.getTarget},
		{Method: "PATCH", Path: Prefix + "/targets/{id}", Scope: s, Summary: "Change a target's name or filters", handle: h.updateTarget},
		{Method: "DELETE", Path: Prefix + "/targets/{id}", Scope: s, Summary: "Delete a target", handle: h.deleteTarget},
		{Method: "GET", Path: Prefix + "/targets/{id}/count", Scope: s, Summary: "Count the contacts a target selects now", handle: h.countTarget},
		{Method: "POST", Path: Prefix + "/targets/{id}/duplicate", Scope: s, Create: true, Summary: "Duplicate a target", handle: h.duplicateTarget},
	}
}

// targetInput is the body of POST and PATCH /targets.
type targetInput struct {
	Name    *string          `json:"name"`
	Filters *[]herald.Filter `json:"filters"`
}

func (h *Handler) listTargets(w http.ResponseWriter, r *http.Request, c *call) error {
	cs, err := h.contacts()
	if err != nil {
		return err
	}
	q, err := listQuery(r, herald.TargetColumns())
	if err != nil {
		return err
	}
	p, err := cs.ListTargets(r.Context(), c.key.AccountID, q)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, listOf(p))
}

func (h *Handler) createTarget(w http.ResponseWriter, r *http.Request, c *call) error {
	cs, err := h.contacts()
	if err != nil {
		return err
	}
	var in targetInput
	if err := decode(r, &in); err != nil {
		return err
	}
	t := &herald.Target{AccountID: c.key.AccountID}
	if in.Name != nil {
		t.Name = *in.Name
	}
	if in.Filters != nil {
		t.Filters = *in.Filters
	}
	if err := cs.CreateTarget(r.Context(), t); err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/targets/"+itoa(t.ID))
	return writeJSON(w, http.StatusCreated, t)
}

// loadTarget reads the {id} target of the caller's account.
func (h *Handler) loadTarget(r *http.Request, c *call) (Contacts, *herald.Target, error) {
	cs, err := h.contacts()
	if err != nil {
		return nil, nil, err
	}
	id, err := pathID(r)
	if err != nil {
		return nil, nil, err
	}
	t, err := cs.Target(r.Context(), c.key.AccountID, id)
	return cs, t, err
}

func (h *Handler) getTarget(w http.ResponseWriter, r *http.Request, c *call) error {
	_, t, err := h.loadTarget(r, c)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, t)
}

func (h *Handler) updateTarget(w http.ResponseWriter, r *http.Request, c *call) error {
	cs, err := h.contacts()
	if err != nil {
		return err
	}
	return patch(w, r, c.key.AccountID, cs.Target, func(in targetInput, t *herald.Target) error {
		if in.Name != nil {
			t.Name = *in.Name
		}
		if in.Filters != nil {
			t.Filters = *in.Filters
		}
		return nil
	}, cs.UpdateTarget)
}

func (h *Handler) deleteTarget(w http.ResponseWriter, r *http.Request, c *call) error {
	cs, t, err := h.loadTarget(r, c)
	if err != nil {
		return err
	}
	if err := cs.DeleteTarget(r.Context(), c.key.AccountID, t.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) countTarget(w http.ResponseWriter, r *http.Request, c *call) error {
	cs, t, err := h.loadTarget(r, c)
	if err != nil {
		return err
	}
	n, err := cs.CountContacts(r.Context(), c.key.AccountID, t.Filters)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"id": t.ID, "count": n})
}

func (h *Handler) duplicateTarget(w http.ResponseWriter, r *http.Request, c *call) error {
	cs, t, err := h.loadTarget(r, c)
	if err != nil {
		return err
	}
	dup, err := cs.DuplicateTarget(r.Context(), c.key.AccountID, t.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/targets/"+itoa(dup.ID))
	return writeJSON(w, http.StatusCreated, dup)
}
