package outcome

import (
	"context"
	"io"
	"time"

	"github.com/heraldhq/herald/internal/sheet"
)

// Write exports the recipients of src to w in format (sheet.FormatCSV or
// sheet.FormatXLSX), times in loc, while src reads them. An unknown format
// is EINVALID.
func Write(ctx context.Context, w io.Writer, format string, loc *time.Location, src Source) error {
	cols := Columns()
	return sheet.Write(ctx, w, format, "Contacts", sheet.Header(cols), sheet.Records(cols, loc, src))
}
