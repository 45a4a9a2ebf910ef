package api

import (
	"net/http"
	"strconv"

	"github.com/heraldhq/herald"
)

func (h *Handler) roleRoutes() []Route {
	s := herald.ScopeAdmin
	return []Route{
		{Method: "GET", Path: Prefix + "/roles", Scope: s, Summary: "List roles", handle: h.listRoles},
		{Method: "POST", Path: Prefix + "/roles", Scope: s, Create: true, Summary: "Create a role, optionally from a template role", handle: h.createRole},
		{Method: "GET", Path: Prefix + "/roles/{id}", Scope: s, Summary: "Get a role", handle: h.getRole},
		{Method: "PATCH", Path: Prefix + "/roles/{id}", Scope: s, Summary: "Change a custom role", handle: h.updateRole},
		{Method: "DELETE", Path: Prefix + "/roles/{id}", Scope: s, Summary: "Delete a custom role", handle: h.deleteRole},
	}
}

// roleInput is the body of POST and PATCH /roles. On create, templateId
// copies the permissions of another role when permissions are absent.
type roleInput struct {
	Name        *string              `json:"name"`
	Description *string              `json:"description"`
	Permissions *[]herald.Permission `json:"permissions"`
	TemplateID  int64                `json:"templateId"`
}

func (in roleInput) apply(ro *herald.Role) {
	if in.Name != nil {
		ro.Name = *in.Name
	}
	if in.Description != nil {
		ro.Description = *in.Description
	}
	if in.Permissions != nil {
		ro.Permissions = *in.Permissions
	}
}

func (h *Handler) listRoles(w http.ResponseWriter, r *http.Request, c *call) error {
	q, err := listQuery(r, herald.RoleColumns())
	if err != nil {
		return err
	}
	p, err := h.deps.Store.ListRoles(r.Context(), c.key.AccountID, q)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, listOf(p))
}

func (h *Handler) createRole(w http.ResponseWriter, r *http.Request, c *call) error {
	var in roleInput
	if err := decode(r, &in); err != nil {
		return err
	}
	ro := &herald.Role{AccountID: c.key.AccountID}
	if in.TemplateID != 0 && in.Permissions == nil {
		tpl, err := h.deps.Store.Role(r.Context(), c.key.AccountID, in.TemplateID)
		if herald.IsNotFound(err) {
			return herald.Violations{{Field: "templateId", Code: herald.VUnknown, Message: "No role with this id."}}.Err()
		} else if err != nil {
			return err
		}
		ro.Permissions = tpl.Permissions
	}
	in.apply(ro)
	if err := ro.Validate(); err != nil {
		return err
	}
	if err := h.deps.Store.CreateRole(r.Context(), ro); err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/roles/"+itoa(ro.ID))
	return writeJSON(w, http.StatusCreated, ro)
}

func (h *Handler) getRole(w http.ResponseWriter, r *http.Request, c *call) error {
	return getByID(w, r, c.key.AccountID, h.deps.Store.Role)
}

func (h *Handler) updateRole(w http.ResponseWriter, r *http.Request, c *call) error {
	return patch(w, r, c.key.AccountID, h.deps.Store.Role, func(in roleInput, ro *herald.Role) error {
		in.apply(ro)
		return ro.Validate()
	}, h.deps.Store.UpdateRole)
}

func (h *Handler) deleteRole(w http.ResponseWriter, r *http.Request, c *call) error {
	return deleteByID(w, r, c.key.AccountID, h.deps.Store.DeleteRole)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
