package sheet

import (
	"context"
	"time"
)

// Field is one column of an export of records of type T: its key, its
// header and how a record gives its value as text, times in loc.
type Field[T any] struct {
	Key, Label string
	Value      func(x *T, loc *time.Location) string
}

// Each walks the records of an export: it calls fn once per record, in
// order, and stops at fn's first error, which it returns.
type Each[T any] func(ctx context.Context, fn func(*T) error) error

// Header returns the labels of fields, the first row of an export.
func Header[T any](fields []Field[T]) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.Label
	}
	return out
}

// Record returns the values of x for fields, times in loc. row is reused
// when it has room, so that writers allocate little per row.
func Record[T any](fields []Field[T], x *T, loc *time.Location, row []string) []string {
	row = row[:0]
	for _, f := range fields {
		row = append(row, f.Value(x, loc))
	}
	return row
}

// Records turns the records src walks into rows of fields, times in loc.
func Records[T any](fields []Field[T], loc *time.Location, src Each[T]) Rows {
	return func(ctx context.Context, emit func([]string) error) error {
		row := make([]string, 0, len(fields))
		return src(ctx, func(x *T) error {
			row = Record(fields, x, loc, row)
			return emit(row)
		})
	}
}
