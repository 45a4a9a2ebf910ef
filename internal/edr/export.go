package edr

import (
	"context"
	"io"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/sheet"
)

// Write exports the records of src to w in format (sheet.FormatCSV or
// sheet.FormatXLSX), times in loc, while src reads them. An unknown format
// is EINVALID.
func Write(ctx context.Context, w io.Writer, format string, loc *time.Location, src Source) error {
	return sheet.Write(ctx, w, format, "EDRs", Header(), Rows(loc, src))
}

// Rows turns the messages of src into export rows, times in loc.
func Rows(loc *time.Location, src Source) sheet.Rows {
	return func(ctx context.Context, emit func([]string) error) error {
		cols := Columns()
		row := make([]string, 0, len(cols))
		return src(ctx, func(m *herald.Message) error {
			row = Record(cols, m, loc, row)
			return emit(row)
		})
	}
}
