package outcome

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"

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

// sheet is the XLSX export's only sheet.
const sheet = "Contacts"

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

// Write exports the records of src to w in format (FormatCSV or
// FormatXLSX), times in loc. An unknown format is EINVALID.
func Write(ctx context.Context, w io.Writer, format string, loc *time.Location, src Source) error {
	switch format {
	case FormatCSV:
		return WriteCSV(ctx, w, loc, src)
	case FormatXLSX:
		return WriteXLSX(ctx, w, loc, src)
	}
	return herald.Errorf(herald.EINVALID, "Unknown export format %q; use csv or xlsx.", format)
}

// flusher is an http.ResponseWriter's Flush.
type flusher interface{ Flush() }

// WriteCSV writes a header and one CSV row per record of src to w,
// flushing every few hundred rows (and w too when it can flush), so a
// client sees the file grow and the rows never pile up in memory.
func WriteCSV(ctx context.Context, w io.Writer, loc *time.Location, src Source) error {
	cols := Columns()
	cw := csv.NewWriter(w)
	if err := cw.Write(Header()); err != nil {
		return fmt.Errorf("writing CSV header: %w", err)
	}
	row := make([]string, 0, len(cols))
	n := 0
	err := src(ctx, func(x *herald.BroadcastRecipient) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		row = defuse(Record(cols, x, loc, row))
		if err := cw.Write(row); err != nil {
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

// WriteXLSX writes one sheet with a header and one row per record of src
// to w. Rows go through excelize's StreamWriter, which spills to a
// temporary file rather than holding the sheet in memory.
func WriteXLSX(ctx context.Context, w io.Writer, loc *time.Location, src Source) (err error) {
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("closing XLSX: %w", cerr)
		}
	}()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return fmt.Errorf("naming XLSX sheet: %w", err)
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return fmt.Errorf("starting XLSX stream: %w", err)
	}
	if err := writeXLSXRows(ctx, sw, loc, src); err != nil {
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

// writeXLSXRows writes the header and the records to sw.
func writeXLSXRows(ctx context.Context, sw *excelize.StreamWriter, loc *time.Location, src Source) error {
	cols := Columns()
	cells := make([]any, len(cols))
	for i, h := range Header() {
		cells[i] = h
	}
	if err := sw.SetRow("A1", cells); err != nil {
		return fmt.Errorf("writing XLSX header: %w", err)
	}
	row := make([]string, 0, len(cols))
	n := 1
	return src(ctx, func(x *herald.BroadcastRecipient) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		row = Record(cols, x, loc, row)
		for i, v := range row {
			cells[i] = v
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

// defuse prefixes cells that spreadsheets would run as formulas. Phone
// numbers in E.164 start with "+" and are left as they are: they are
// digits, not formulas.
func defuse(row []string) []string {
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
