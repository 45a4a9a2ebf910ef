package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/listquery"
)

// auditTable is the Audit list.
func auditTable() tableSpec {
	return tableSpec{ID: "audit", Path: "/audit", Columns: herald.AuditColumns()}
}

// listAudit shows the audit log with each entry's details.
func (p *Portal) listAudit(w http.ResponseWriter, r *http.Request) {
	t, q, ok := p.beginTable(w, r, auditTable())
	if !ok {
		return
	}
	pg := p.newPage(r, "Audit")
	pg.Active = "audit"
	t.Empty = "No audit entries match."
	if t.Err == "" {
		list, err := p.store.ListAudit(r.Context(), state(r).User.AccountID, q)
		if err == nil {
			fillTable(t, r, list, func(e *herald.AuditEntry) (map[string]cell, []rowAction, *detailTable) {
				return auditCells(pg, e), nil, auditDetails(e)
			})
		} else if p.listFailed(w, r, t, err) {
			return
		}
	}
	pg.Data = auditData{Table: t, ExportURL: "/audit.csv" + encode(exportParams(r))}
	p.render(w, r, "audit", pg)
}

// auditData is the data of the Audit page.
type auditData struct {
	Table     *table
	ExportURL string
}

// exportParams are the list's filters and order, without paging.
func exportParams(r *http.Request) url.Values {
	v := r.URL.Query()
	v.Del(listquery.ParamCursor)
	v.Del(listquery.ParamLimit)
	return v
}

// auditCells are the cells of one entry.
func auditCells(pg *page, e *herald.AuditEntry) map[string]cell {
	tables := make([]string, 0, len(e.Details))
	for _, d := range e.Details {
		if !slices.Contains(tables, d.Table) {
			tables = append(tables, d.Table)
		}
	}
	return map[string]cell{
		"id":     {Text: strconv.FormatInt(e.ID, 10), Mono: true},
		"time":   {Text: pg.Time(e.Time)},
		"user":   {Text: e.Login},
		"ip":     {Text: e.IP, Mono: true},
		"action": {Text: e.Action},
		"table":  {Text: strings.Join(tables, ", "), Mono: true},
	}
}

// auditDetails is the expandable detail table of an entry.
func auditDetails(e *herald.AuditEntry) *detailTable {
	if len(e.Details) == 0 {
		return nil
	}
	d := &detailTable{
		Caption: fmt.Sprintf("This event has %d %s of detail", len(e.Details), plural(len(e.Details), "line", "lines")),
		Header:  []string{"Table", "Operation", "Object ID", "Old value", "New value"},
	}
	for _, x := range e.Details {
		d.Rows = append(d.Rows, []string{x.Table, x.Operation, x.ObjectID, x.OldValue, x.NewValue})
	}
	return d
}

// plural returns one or many for n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// exportAudit streams the entries matching the list's filters as CSV, one
// row per detail line (an entry without details gives one row).
func (p *Portal) exportAudit(w http.ResponseWriter, r *http.Request) {
	q, err := listquery.Parse(r.URL.Query(), auditTable().Columns)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	u := state(r).User
	ctx := r.Context()
	if err := p.store.RecordAudit(ctx, &herald.AuditEntry{AccountID: u.AccountID, Action: "Exported audit log"}); err != nil {
		p.fail(w, r, err)
		return
	}
	name := "audit-" + p.clock.Now().UTC().Format("20060102-150405") + ".csv"
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"time", "user", "ip", "action", "table", "operation", "objectId", "oldValue", "newValue"})
	err = p.store.EachAudit(ctx, u.AccountID, q, func(e *herald.AuditEntry) error {
		return writeAuditRows(cw, e)
	})
	cw.Flush()
	if err == nil {
		err = cw.Error()
	}
	if err != nil {
		// The status is sent; a cut-off file is all we can do, and log it.
		p.log.Error("exporting audit log", "account", u.AccountID, "err", err)
	}
}

// writeAuditRows writes an entry's CSV rows.
func writeAuditRows(cw *csv.Writer, e *herald.AuditEntry) error {
	head := []string{e.Time.UTC().Format("2006-01-02T15:04:05Z"), e.Login, e.IP, e.Action}
	if len(e.Details) == 0 {
		return cw.Write(safeCSV(append(head, "", "", "", "", "")))
	}
	for _, d := range e.Details {
		if err := cw.Write(safeCSV(append(head[:4:4], d.Table, d.Operation, d.ObjectID, d.OldValue, d.NewValue))); err != nil {
			return fmt.Errorf("writing CSV: %w", err)
		}
	}
	return nil
}

// safeCSV defuses cells that spreadsheets would run as formulas.
func safeCSV(row []string) []string {
	for i, s := range row {
		if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
			row[i] = "'" + s
		}
	}
	return row
}
