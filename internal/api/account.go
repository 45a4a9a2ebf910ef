package api

import (
	"context"
	"net/http"

	"github.com/heraldhq/herald"
)

func (h *Handler) accountRoutes() []Route {
	return []Route{
		{Method: "GET", Path: Prefix + "/account", Summary: "The account and the API key making the call", handle: h.getAccount},
		{Method: "GET", Path: Prefix + "/permissions", Scope: herald.ScopeAdmin, Summary: "Permissions grouped by portal section", handle: h.listPermissions},
		{Method: "GET", Path: Prefix + "/departments", Scope: herald.ScopeAdmin, Summary: "The account's departments", handle: h.listDepartments},
		{Method: "POST", Path: Prefix + "/departments", Scope: herald.ScopeAdmin, Create: true, Summary: "Add a department", handle: h.createDepartment},
	}
}

// whoami is the answer of GET /account.
type whoami struct {
	Account *herald.Account `json:"account"`
	APIKey  *herald.APIKey  `json:"apiKey"`
	// BroadcastModeration says that the system owner moderates the
	// account's broadcasts: launching one sends it to moderation.
	BroadcastModeration bool `json:"broadcastModeration"`
}

// moderationReader reads the system owner's moderation setting.
type moderationReader interface {
	BroadcastModeration(ctx context.Context, accountID int64) (bool, error)
}

func (h *Handler) getAccount(w http.ResponseWriter, r *http.Request, c *call) error {
	acc, err := h.deps.Store.Account(r.Context(), c.key.AccountID)
	if err != nil {
		return err
	}
	out := whoami{Account: acc, APIKey: c.key}
	if mr, ok := h.deps.Store.(moderationReader); ok {
		if out.BroadcastModeration, err = mr.BroadcastModeration(r.Context(), acc.ID); err != nil {
			return err
		}
	}
	return writeJSON(w, http.StatusOK, out)
}

// section is one group of the permissions list.
type section struct {
	Name        string           `json:"name"`
	Permissions []permissionJSON `json:"permissions"`
}

type permissionJSON struct {
	ID    herald.Permission `json:"id"`
	Label string            `json:"label"`
}

func (h *Handler) listPermissions(w http.ResponseWriter, r *http.Request, c *call) error {
	var out []section
	for _, s := range herald.Sections() {
		sec := section{Name: s.Name}
		for _, p := range s.Perms {
			sec.Permissions = append(sec.Permissions, permissionJSON{ID: p.Perm, Label: p.Label})
		}
		out = append(out, sec)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"sections": out})
}

func (h *Handler) listDepartments(w http.ResponseWriter, r *http.Request, c *call) error {
	ds, err := h.deps.Store.Departments(r.Context(), c.key.AccountID)
	if err != nil {
		return err
	}
	if ds == nil {
		ds = []string{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": ds})
}

func (h *Handler) createDepartment(w http.ResponseWriter, r *http.Request, c *call) error {
	var in struct {
		Name string `json:"name"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	var vs herald.Violations
	vs.CheckLen("name", in.Name, true, 64)
	if err := vs.Err(); err != nil {
		return err
	}
	if err := h.deps.Store.CreateDepartment(r.Context(), c.key.AccountID, in.Name); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]string{"name": in.Name})
}
