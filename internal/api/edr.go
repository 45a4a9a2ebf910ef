package api

import (
	"context"
	"net/http"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/edr"
	"github.com/heraldhq/herald/internal/sheet"
)

// edrStreamer walks the messages of a query without holding them all; the
// store has it, and the EDR export needs it.
type edrStreamer interface {
	EachMessage(ctx context.Context, accountID int64, q herald.ListQuery, fn func(*herald.Message) error) error
}

func (h *Handler) edrRoutes() []Route {
	s := herald.ScopeOmniAPI
	return []Route{
		{Method: "GET", Path: Prefix + "/edrs", Scope: s, Summary: "List EDRs (one per MT and MO message)", handle: h.listEDRs},
		{Method: "GET", Path: Prefix + "/edrs/export", Scope: s, Summary: "Export the EDRs matching the filters as CSV or XLSX, streamed", handle: h.exportEDRs},
	}
}

// edrRecord is one EDR: the columns of reference 001 section 11.2 keyed by
// their list keys, times in the account's time zone.
type edrRecord map[string]string

// listEDRs answers a keyset page of EDRs, filtered and sorted like the
// portal's EDR page.
func (h *Handler) listEDRs(w http.ResponseWriter, r *http.Request, c *call) error {
	if h.deps.MessageStore == nil {
		return errNoMessaging
	}
	q, err := listQuery(r, edr.ListColumns())
	if err != nil {
		return err
	}
	p, err := h.deps.MessageStore.ListMessages(r.Context(), c.key.AccountID, q)
	if err != nil {
		return err
	}
	loc := h.accountLocation(r.Context(), c.key.AccountID)
	cols := edr.Columns()
	out := herald.Page[edrRecord]{Items: make([]edrRecord, 0, len(p.Items)), Next: p.Next, Prev: p.Prev}
	for i := range p.Items {
		rec := make(edrRecord, len(cols))
		for _, col := range cols {
			rec[col.Key] = col.Value(&p.Items[i], loc)
		}
		out.Items = append(out.Items, rec)
	}
	return writeJSON(w, http.StatusOK, listOf(out))
}

// exportEDRs streams the EDRs matching the filters (format=csv|xlsx, csv by
// default). Rows come from a database cursor, so memory does not grow with
// the number of rows.
func (h *Handler) exportEDRs(w http.ResponseWriter, r *http.Request, c *call) error {
	es, ok := h.deps.MessageStore.(edrStreamer)
	if !ok {
		return errNoMessaging
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = sheet.FormatCSV
	}
	if sheet.ContentType(format) == "" {
		var vs herald.Violations
		vs.Add("format", herald.VUnknown, "Unknown export format %q; use csv or xlsx.", format)
		return vs.Err()
	}
	q, err := listQuery(r, edr.ListColumns())
	if err != nil {
		return err
	}
	ctx, acc := r.Context(), c.key.AccountID
	if err := h.deps.Store.RecordAudit(ctx, &herald.AuditEntry{AccountID: acc, Action: "Exported EDRs"}); err != nil {
		return err
	}
	loc := h.accountLocation(ctx, acc)
	now := time.Now()
	if h.deps.Clock != nil {
		now = h.deps.Clock.Now()
	}
	name := "edrs-" + now.UTC().Format("20060102-150405") + "." + format
	hd := w.Header()
	hd.Set("Content-Type", sheet.ContentType(format))
	hd.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	hd.Set("Cache-Control", "no-store")
	src := func(ctx context.Context, fn func(*herald.Message) error) error {
		return es.EachMessage(ctx, acc, q, fn)
	}
	if err := edr.Write(ctx, w, format, loc, src); err != nil {
		// The status line is gone; a cut-off file is all the client gets.
		h.deps.Log.Error("exporting EDRs", "account", acc, "format", format, "err", err)
	}
	return nil
}

// accountLocation is the time zone of the account, UTC when it cannot be
// read.
func (h *Handler) accountLocation(ctx context.Context, accountID int64) *time.Location {
	a, err := h.deps.Store.Account(ctx, accountID)
	if err != nil {
		return time.UTC
	}
	if loc, err := time.LoadLocation(a.TimeZone); err == nil {
		return loc
	}
	return time.UTC
}
