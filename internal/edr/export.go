package edr

import (
	"context"
	"io"
	"time"

	"github.com/heraldhq/herald/internal/sheet"
)

// Write exports the records of src to w in format (sheet.FormatCSV or
// sheet.FormatXLSX), times in loc, while src reads them. An unknown format
// is EINVALID.
func Write(ctx context.Context, w io.Writer, format string, loc *time.Location, src Source) error {
	fields := Fields()
	return sheet.Write(ctx, w, format, "EDRs", sheet.Header(fields), sheet.Records(fields, loc, src))
}
