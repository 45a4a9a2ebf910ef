package edr

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
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/heraldhq/herald"
)

// generated is a Source of n synthetic messages made on the fly, so the
// test itself holds no rows.
func generated(n int) Source {
	base := time.Date(2024, 11, 17, 20, 59, 3, 0, time.UTC)
	return func(ctx context.Context, fn func(*herald.Message) error) error {
		var m herald.Message
		for i := range n {
			at := base.Add(time.Duration(i) * time.Second)
			sent := at.Add(time.Second)
			m = herald.Message{ID: fmt.Sprintf("01933b7e-269c-7f00-8000-%012d", i), Direction: herald.MT,
				Channel: herald.ChannelSMS, SenderID: "sandbox", Destination: "+4915112345678",
				Status: herald.StatusUndelivered, AcceptedAt: at, SentAt: &sent, Segments: 1}
			if i%2 == 0 {
				m.Status, m.DeliveredAt = herald.StatusDelivered, &sent
			}
			if err := fn(&m); err != nil {
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

func TestCSVStreams100k(t *testing.T) {
	const n = 100_000
	var out countingWriter
	var err error
	var peak uint64
	src := generated(n)
	watched := func(ctx context.Context, fn func(*herald.Message) error) error {
		i := 0
		return src(ctx, func(m *herald.Message) error {
			if i++; i%20_000 == 0 {
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapAlloc)
			}
			return fn(m)
		})
	}
	grew := heapAfter(func() { err = WriteCSV(context.Background(), &out, time.UTC, watched) })
	if err != nil {
		t.Fatalf("WriteCSV: %v", err)
	}
	// 100,000 rows are ~15 MB of CSV; the writer must not hold them.
	if out.n < 10_000_000 {
		t.Errorf("wrote %d bytes, want the whole file", out.n)
	}
	if grew > 4<<20 {
		t.Errorf("heap grew by %d bytes, want < 4 MiB", grew)
	}
	if peak > 64<<20 {
		t.Errorf("heap peaked at %d bytes during the export, want < 64 MiB", peak)
	}
	r := csv.NewReader(bytes.NewReader(out.head.Bytes()))
	head, _ := r.Read()
	row, _ := r.Read()
	if got, want := head[0]+"|"+head[8]+"|"+head[11], "Time|MDN Status|Delivered"; got != want {
		t.Errorf("header = %q, want %q", got, want)
	}
	if got, want := row[0]+"|"+row[1]+"|"+row[7]+"|"+row[8]+"|"+row[10]+"|"+row[11], "17.11.2024 20:59:03|17.11.2024 20:59:04|MT|DELIVRD|true|true"; got != want {
		t.Errorf("first row = %q, want %q", got, want)
	}
}

func TestXLSXStreams100k(t *testing.T) {
	const n = 100_000
	var buf bytes.Buffer
	var err error
	grew := heapAfter(func() { err = WriteXLSX(context.Background(), &buf, time.UTC, generated(n)) })
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
	rows, err := f.Rows(sheet)
	if err != nil {
		t.Fatalf("Rows: %v", err)
	}
	count := 0
	var last []string
	for rows.Next() {
		count++
		if last, err = rows.Columns(); err != nil {
			t.Fatalf("Columns: %v", err)
		}
	}
	if count != n+1 {
		t.Errorf("sheet has %d rows, want %d", count, n+1)
	}
	if want := fmt.Sprintf("01933b7e-269c-7f00-8000-%012d", n-1); len(last) < 5 || last[4] != want {
		t.Errorf("last row = %q, want message ID %s", last, want)
	}
}

func TestWriteStopsOnSourceError(t *testing.T) {
	boom := errors.New("boom")
	src := func(ctx context.Context, fn func(*herald.Message) error) error { return boom }
	for _, f := range []string{FormatCSV, FormatXLSX} {
		if err := Write(context.Background(), io.Discard, f, time.UTC, src); !errors.Is(err, boom) {
			t.Errorf("Write(%s) = %v, want boom", f, err)
		}
	}
	if err := Write(context.Background(), io.Discard, "pdf", time.UTC, src); herald.ErrorCode(err) != herald.EINVALID {
		t.Errorf("Write(pdf) = %v, want EINVALID", err)
	}
}

func TestRecordMO(t *testing.T) {
	m := &herald.Message{ID: "x", Direction: herald.MO, Channel: herald.ChannelSMS, Status: herald.StatusReceived,
		Error: "=cmd", AcceptedAt: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}
	row := defuse(Record(Columns(), m, time.UTC, nil))
	got := row[7] + "|" + row[8] + "|" + row[9] + "|" + row[10] + "|" + row[11]
	if want := "MO||'=cmd|true|true"; got != want {
		t.Errorf("MO record = %q, want %q", got, want)
	}
	if got := strconv.Itoa(len(Header())); got != strconv.Itoa(len(ListColumns())) {
		t.Errorf("header and list columns differ")
	}
}
