package importer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/shakinm/xlsReader/xls"
	"github.com/xuri/excelize/v2"

	"github.com/heraldhq/herald"
)

// Reader reads a table one row at a time. Read returns io.EOF after the
// last row; rows are numbered from 1 in the order Read returns them,
// empty rows included.
type Reader interface {
	Read() ([]string, error)
	Close() error
}

// Settings say how to read a file: its format and, for CSV, encoding and
// delimiter (Detect's guesses, or the user's choice).
type Settings struct {
	Format    string
	Encoding  string
	Delimiter string
}

// Open returns a Reader of r. The caller must Close it. XLSX files are
// read from r into memory (compressed: a few bytes per cell) and their
// sheet streamed; XLS files are read whole.
func Open(r io.Reader, s Settings) (Reader, error) {
	switch s.Format {
	case herald.FormatXLSX:
		return openXLSX(r)
	case herald.FormatXLS:
		return openXLS(r)
	case herald.FormatCSV:
		return openCSV(r, s), nil
	}
	return nil, fmt.Errorf("importer: unknown format %q", s.Format)
}

// csvReader reads delimited text.
type csvReader struct {
	r *csv.Reader
}

// openCSV decodes r and splits it by the delimiter.
func openCSV(r io.Reader, s Settings) *csvReader {
	cr := csv.NewReader(bufio.NewReaderSize(decoder(r, s.Encoding), 64<<10))
	cr.Comma = ','
	if s.Delimiter != "" {
		cr.Comma = []rune(s.Delimiter)[0]
	}
	cr.FieldsPerRecord, cr.LazyQuotes, cr.ReuseRecord = -1, true, true
	return &csvReader{r: cr}
}

// Read implements Reader. Quoting errors are the row's, not the file's.
func (c *csvReader) Read() ([]string, error) {
	rec, err := c.r.Read()
	var pe *csv.ParseError
	if errors.As(err, &pe) && !errors.Is(err, io.EOF) {
		return []string{}, nil
	}
	return rec, err
}

// Close implements Reader.
func (c *csvReader) Close() error { return nil }

// xlsxReader streams the first sheet of a workbook.
type xlsxReader struct {
	f    *excelize.File
	rows *excelize.Rows
}

// openXLSX opens the first sheet of an XLSX workbook.
func openXLSX(r io.Reader) (*xlsxReader, error) {
	f, err := excelize.OpenReader(r)
	if err != nil {
		return nil, ErrNotTable
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		_ = f.Close()
		return nil, ErrEmpty
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("reading sheet %q: %w", sheets[0], err)
	}
	return &xlsxReader{f: f, rows: rows}, nil
}

// Read implements Reader. Cells come raw: numbers as written (a phone
// number never becomes 3.46E+10), dates as serial day numbers.
func (x *xlsxReader) Read() ([]string, error) {
	if !x.rows.Next() {
		if err := x.rows.Error(); err != nil {
			return nil, fmt.Errorf("reading XLSX rows: %w", err)
		}
		return nil, io.EOF
	}
	cols, err := x.rows.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, fmt.Errorf("reading XLSX row: %w", err)
	}
	return cols, nil
}

// Close implements Reader.
func (x *xlsxReader) Close() error {
	return errors.Join(x.rows.Close(), x.f.Close())
}

// xlsReader reads the first sheet of a legacy workbook.
type xlsReader struct {
	sheet *xls.Sheet
	next  int
	n     int
}

// openXLS reads a BIFF8 workbook.
func openXLS(r io.Reader) (rd *xlsReader, err error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading XLS file: %w", err)
	}
	defer func() {
		if p := recover(); p != nil { // the reader panics on some damaged files
			rd, err = nil, ErrNotTable
		}
	}()
	wb, err := xls.OpenReader(bytes.NewReader(data))
	if err != nil || wb.GetNumberSheets() == 0 {
		return nil, ErrNotTable
	}
	sheet, err := wb.GetSheet(0)
	if err != nil {
		return nil, ErrNotTable
	}
	return &xlsReader{sheet: sheet, n: sheet.GetNumberRows()}, nil
}

// Read implements Reader.
func (x *xlsReader) Read() ([]string, error) {
	if x.next >= x.n {
		return nil, io.EOF
	}
	row, err := x.sheet.GetRow(x.next)
	x.next++
	if err != nil || row == nil {
		return []string{}, nil
	}
	var cells []string
	for _, c := range row.GetCols() {
		cells = append(cells, strings.TrimSpace(c.GetString()))
	}
	return cells, nil
}

// Close implements Reader.
func (x *xlsReader) Close() error { return nil }

// Preview returns up to n rows from the start of a table, and whether it
// has more.
func Preview(r Reader, n int) ([][]string, bool, error) {
	var rows [][]string
	for len(rows) < n {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return rows, false, nil
		} else if err != nil {
			return rows, false, err
		}
		rows = append(rows, append([]string(nil), rec...))
	}
	_, err := r.Read()
	return rows, err == nil, nil
}
