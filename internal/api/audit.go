package api

import (
	"net/http"

	"github.com/heraldhq/herald"
)

func (h *Handler) auditRoutes() []Route {
	return []Route{
		{Method: "GET", Path: Prefix + "/audit", Scope: herald.ScopeAdmin, Summary: "List audit entries with their details, newest first", handle: h.listAudit},
	}
}

func (h *Handler) listAudit(w http.ResponseWriter, r *http.Request, c *call) error {
	q, err := listQuery(r, herald.AuditColumns())
	if err != nil {
		return err
	}
	p, err := h.deps.Store.ListAudit(r.Context(), c.key.AccountID, q)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, listOf(p))
}
