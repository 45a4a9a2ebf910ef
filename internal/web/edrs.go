package web

import (
	"context"
	"net/http"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/edr"
	"github.com/heraldhq/herald/internal/listquery"
	"github.com/heraldhq/herald/internal/sheet"
)

// edrsTable is the EDRs list (reference 001 section 11.2).
func edrsTable() tableSpec {
	return tableSpec{ID: "edrs", Path: "/edrs", Columns: edr.ListColumns()}
}

// edrsData is the data of the EDRs page.
type edrsData struct {
	Table   *table
	CSVURL  string
	XLSXURL string
}

// listEDRs shows one EDR per message with the export links.
func (p *Portal) listEDRs(w http.ResponseWriter, r *http.Request) {
	ms, err := p.messageStore()
	if err != nil {
		p.fail(w, r, err)
		return
	}
	t, q, ok := p.beginTable(w, r, edrsTable())
	if !ok {
		return
	}
	pg := p.newPage(r, "EDRs")
	pg.Active = "edrs"
	t.Empty = "No messages match."
	if t.Err == "" {
		list, err := ms.ListMessages(r.Context(), state(r).User.AccountID, q)
		if err == nil {
			cols := edr.Columns()
			fillTable(t, r, list, func(m *herald.Message) (map[string]cell, []rowAction, *detailTable) {
				return edrCells(pg, cols, m), messageActions(pg, m), nil
			})
		} else if p.listFailed(w, r, t, err) {
			return
		}
	}
	params := exportParams(r)
	pg.Data = edrsData{Table: t,
		CSVURL:  "/edrs/export" + encode(with(params, "format", sheet.FormatCSV)),
		XLSXURL: "/edrs/export" + encode(with(params, "format", sheet.FormatXLSX))}
	p.render(w, r, "edrs", pg)
}

// edrCells are the cells of one EDR.
func edrCells(pg *page, cols []edr.Column, m *herald.Message) map[string]cell {
	out := make(map[string]cell, len(cols))
	for _, c := range cols {
		out[c.Key] = cell{Text: c.Value(m, pg.loc)}
	}
	id := out["id"]
	id.Mono = true
	if pg.Can(string(herald.PermMessagesView)) {
		id.Href = "/messages/" + m.ID
	}
	out["id"] = id
	out["chainId"] = cell{Text: m.ChainID, Mono: true, Muted: true}
	out["status"] = cell{Text: edr.MDNStatus(m), Badge: string(m.Status)}
	return out
}

// messageActions is a message row's "View" action.
func messageActions(pg *page, m *herald.Message) []rowAction {
	if !pg.Can(string(herald.PermMessagesView)) {
		return nil
	}
	return []rowAction{{Label: "View message", Icon: "eye", Href: "/messages/" + m.ID}}
}

// exportEDRs streams the EDRs matching the list's filters as CSV or XLSX
// (format=csv|xlsx). Rows come from a database cursor and are written one
// by one, so the export's memory does not grow with the number of rows.
func (p *Portal) exportEDRs(w http.ResponseWriter, r *http.Request) {
	ms, err := p.messageStore()
	if err != nil {
		p.fail(w, r, err)
		return
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = sheet.FormatCSV
	}
	if sheet.ContentType(format) == "" {
		p.errorPage(w, r, http.StatusBadRequest, "Unknown export format; use csv or xlsx.")
		return
	}
	q, err := listquery.Parse(r.URL.Query(), edrsTable().Columns)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	st := state(r)
	ctx := r.Context()
	if err := p.store.RecordAudit(ctx, &herald.AuditEntry{AccountID: st.User.AccountID, Action: "Exported EDRs"}); err != nil {
		p.fail(w, r, err)
		return
	}
	name := "edrs-" + p.clock.Now().UTC().Format("20060102-150405") + "." + format
	h := w.Header()
	h.Set("Content-Type", sheet.ContentType(format))
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Cache-Control", "no-store")
	src := func(ctx context.Context, fn func(*herald.Message) error) error {
		return ms.EachMessage(ctx, st.User.AccountID, q, fn)
	}
	if err := edr.Write(ctx, w, format, accountLocation(r), src); err != nil {
		// The status is sent; a cut-off file is all we can do, and log it.
		p.log.Error("exporting EDRs", "account", st.User.AccountID, "format", format, "err", err)
	}
}
