package sheet

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/heraldhq/herald"
)

var header = []string{"Seq", "Phone number", "Note", "Message ID"}

// generated is n synthetic rows made on the fly (one slice reused), so the
// test itself holds none of them.
func generated(n int) Rows {
	return func(ctx context.Context, emit func([]string) error) error {
		row := make([]string, len(header))
		for i := range n {
			row[0], row[1] = strconv.Itoa(i+1), fmt.Sprintf("+34600%06d", i)
			row[2] = "plain"
			if i%2 == 1 {
				row[2] = "=HYPERLINK(\"x\")"
			}
			row[3] = fmt.Sprintf("01933b7e-269c-7f00-8000-%012d", i)
			if err := emit(row); err != nil {
				return err
			}
		}
		return nil
	}
}

// heapAfter runs fn and returns how much the live heap grew.
func heapAfter(fn func()) int64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.GC()
	runtime.ReadMemStats(&after)
	return int64(after.HeapAlloc) - int64(before.HeapAlloc)
}

// countingWriter counts bytes and keeps the first few kilobytes.
type countingWriter struct {
	n    int64
	head bytes.Buffer
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	if room := 4096 - c.head.Len(); room > 0 {
		c.head.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

func TestCSVStreams200k(t *testing.T) {
	const n = 200_000
	var out countingWriter
	var err error
	var peak uint64
	src := generated(n)
	watched := func(ctx context.Context, emit func([]string) error) error {
		i := 0
		return src(ctx, func(row []string) error {
			if i++; i%20_000 == 0 {
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapAlloc)
			}
			return emit(row)
		})
	}
	grew := heapAfter(func() { err = WriteCSV(context.Background(), &out, header, watched) })
	if err != nil {
		t.Fatalf("WriteCSV: %v", err)
	}
	// 200,000 rows are ~14 MB of CSV; the writer must not hold them.
	if out.n < 12_000_000 {
		t.Errorf("wrote %d bytes, want the whole file", out.n)
	}
	if grew > 4<<20 {
		t.Errorf("heap grew by %d bytes, want < 4 MiB", grew)
	}
	if peak > 64<<20 {
		t.Errorf("heap peaked at %d bytes during the export, want < 64 MiB", peak)
	}
	r := csv.NewReader(bytes.NewReader(out.head.Bytes()))
	var got []string
	for range 3 {
		row, _ := r.Read()
		got = append(got, fmt.Sprint(row))
	}
	want := []string{"[Seq Phone number Note Message ID]", "[1 +34600000000 plain 01933b7e-269c-7f00-8000-000000000000]",
		`[2 +34600000001 '=HYPERLINK("x") 01933b7e-269c-7f00-8000-000000000001]`}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("first lines = %q, want %q", got, want)
	}
}

func TestXLSXStreams100k(t *testing.T) {
	const n = 100_000
	var buf bytes.Buffer
	var err error
	grew := heapAfter(func() { err = WriteXLSX(context.Background(), &buf, "Contacts", header, generated(n)) })
	if err != nil {
		t.Fatalf("WriteXLSX: %v", err)
	}
	// buf holds the compressed file (a few MB); allow for it and no more.
	if limit := int64(buf.Len()) + 24<<20; grew > limit {
		t.Errorf("heap grew by %d bytes, want < %d", grew, limit)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatalf("OpenReader: %v", err)
	}
	defer f.Close()
	rows, err := f.Rows("Contacts")
	if err != nil {
		t.Fatalf("Rows: %v", err)
	}
	count := 0
	var second, last []string
	for rows.Next() {
		count++
		if last, err = rows.Columns(); err != nil {
			t.Fatalf("Columns: %v", err)
		}
		if count == 3 {
			second = last
		}
	}
	if count != n+1 {
		t.Errorf("sheet has %d rows, want %d", count, n+1)
	}
	if want := fmt.Sprintf("+34600%06d", n-1); len(last) != 4 || last[1] != want {
		t.Errorf("last row = %q, want phone %s", last, want)
	}
	if len(second) != 4 || second[2] != `=HYPERLINK("x")` {
		t.Errorf("row 2 = %q; an XLSX cell is a string as it is", second)
	}
	if v, _ := f.GetCellFormula("Contacts", "C3"); v != "" {
		t.Errorf("C3 is the formula %q, want a string", v)
	}
}

func TestWriteStopsOnSourceError(t *testing.T) {
	boom := errors.New("boom")
	src := func(ctx context.Context, emit func([]string) error) error { return boom }
	for _, f := range []string{FormatCSV, FormatXLSX} {
		if err := Write(context.Background(), io.Discard, f, "x", header, src); !errors.Is(err, boom) {
			t.Errorf("Write(%s) = %v, want boom", f, err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := Write(ctx, io.Discard, f, "x", header, generated(10)); !errors.Is(err, context.Canceled) {
			t.Errorf("Write(%s) after cancel = %v, want context.Canceled", f, err)
		}
	}
	if err := Write(context.Background(), io.Discard, "pdf", "x", header, src); herald.ErrorCode(err) != herald.EINVALID {
		t.Errorf("Write(pdf) = %v, want EINVALID", err)
	}
	if ContentType("pdf") != "" || ContentType(FormatCSV) == "" || ContentType(FormatXLSX) == "" {
		t.Error("ContentType knows csv and xlsx only")
	}
}

func TestDefuse(t *testing.T) {
	row := Defuse([]string{"+34600111222", "=HYPERLINK(\"x\")", "+1-call", "plain", "-2", "@SUM(A1)", "", "\tx"})
	if got := fmt.Sprint(row); got != "[+34600111222 '=HYPERLINK(\"x\") '+1-call plain '-2 '@SUM(A1)  '\tx]" {
		t.Errorf("defused = %q", got)
	}
}
