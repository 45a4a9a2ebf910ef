// Package sheet writes tabular exports (EDRs, a broadcast's recipients) as
// CSV or XLSX while their rows are read, so an export of a million rows
// needs the memory of a few hundred.
package sheet

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/heraldhq/herald"
)

// Export formats.
const (
	FormatCSV  = "csv"
	FormatXLSX = "xlsx"
)

// flushEvery is how many CSV rows are buffered before they are written out.
const flushEvery = 256

// ContentType returns the MIME type of format, or "" for an unknown one.
func ContentType(format string) string {
	switch format {
	case FormatCSV:
		return "text/csv; charset=utf-8"
	case FormatXLSX:
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return ""
}

// Rows produces an export's rows: it calls emit once per row, in order,
// and stops at emit's first error, returning it. emit does not keep row,
// so a producer may reuse one slice for every row.
type Rows func(ctx context.Context, emit func(row []string) error) error

// Write writes header and rows to w in format (FormatCSV or FormatXLSX);
// name names the XLSX sheet. An unknown format is EINVALID.
func Write(ctx context.Context, w io.Writer, format, name string, header []string, rows Rows) error {
	switch format {
	case FormatCSV:
		return WriteCSV(ctx, w, header, rows)
	case FormatXLSX:
		return WriteXLSX(ctx, w, name, header, rows)
	}
	return herald.Errorf(herald.EINVALID, "Unknown export format %q; use csv or xlsx.", format)
}

// flusher is an http.ResponseWriter's Flush.
type flusher interface{ Flush() }

// WriteCSV writes header and one CSV line per row to w, flushing every few
// hundred rows (and w too when it can flush), so a client sees the file
// grow and the rows never pile up in memory. Cells a spreadsheet would run
// as formulas are defused (see Defuse).
func WriteCSV(ctx context.Context, w io.Writer, header []string, rows Rows) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("writing CSV header: %w", err)
	}
	n := 0
	err := rows(ctx, func(row []string) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := cw.Write(Defuse(row)); err != nil {
			return fmt.Errorf("writing CSV: %w", err)
		}
		if n++; n%flushEvery == 0 {
			cw.Flush()
			if f, ok := w.(flusher); ok {
				f.Flush()
			}
			return cw.Error()
		}
		return nil
	})
	cw.Flush()
	if err != nil {
		return err
	}
	if err := cw.Error(); err != nil {
		return fmt.Errorf("writing CSV: %w", err)
	}
	return nil
}

// WriteXLSX writes one sheet called name, with header and one row per row,
// to w. Rows go through excelize's StreamWriter, which spills to a
// temporary file rather than holding the sheet in memory; cells are
// strings, never formulas.
func WriteXLSX(ctx context.Context, w io.Writer, name string, header []string, rows Rows) (err error) {
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("closing XLSX: %w", cerr)
		}
	}()
	if err := f.SetSheetName("Sheet1", name); err != nil {
		return fmt.Errorf("naming XLSX sheet: %w", err)
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return fmt.Errorf("starting XLSX stream: %w", err)
	}
	if err := writeXLSXRows(ctx, sw, header, rows); err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("finishing XLSX stream: %w", err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("writing XLSX: %w", err)
	}
	return nil
}

// writeXLSXRows writes header and rows to sw.
func writeXLSXRows(ctx context.Context, sw *excelize.StreamWriter, header []string, rows Rows) error {
	cells := make([]any, len(header))
	for i, h := range header {
		cells[i] = h
	}
	if err := sw.SetRow("A1", cells); err != nil {
		return fmt.Errorf("writing XLSX header: %w", err)
	}
	n := 1
	return rows(ctx, func(row []string) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		cells = cells[:0]
		for _, v := range row {
			cells = append(cells, v)
		}
		n++
		cell, err := excelize.CoordinatesToCellName(1, n)
		if err != nil {
			return fmt.Errorf("naming XLSX cell: %w", err)
		}
		if err := sw.SetRow(cell, cells); err != nil {
			return fmt.Errorf("writing XLSX row %d: %w", n, err)
		}
		return nil
	})
}

// Defuse prefixes, in place, the cells of row that spreadsheets would run
// as formulas (CSV injection) with an apostrophe. Phone numbers in E.164
// start with "+" but are digits, not formulas, and are left as they are.
func Defuse(row []string) []string {
	for i, s := range row {
		if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) && !phoneLike(s) {
			row[i] = "'" + s
		}
	}
	return row
}

// phoneLike reports whether s is "+" and digits only.
func phoneLike(s string) bool {
	if len(s) < 2 || s[0] != '+' {
		return false
	}
	for _, r := range s[1:] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
