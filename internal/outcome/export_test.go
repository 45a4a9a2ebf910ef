package outcome

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/heraldhq/herald"
)

// generated is a Source of n synthetic recipients made on the fly, so the
// test itself holds no rows: a quarter each successful, unsuccessful on
// the second step, in progress and not initiated.
func generated(n int) Source {
	at := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	return func(ctx context.Context, fn func(*herald.BroadcastRecipient) error) error {
		var x herald.BroadcastRecipient
		for i := range n {
			x = herald.BroadcastRecipient{Seq: int64(i + 1), ContactID: int64(i + 1), Phone: fmt.Sprintf("+34600%06d", i),
				State: herald.RecipientInitiated, ChainID: fmt.Sprintf("chain-%d", i), Channel: herald.ChannelSMS,
				MessageID: fmt.Sprintf("01933b7e-269c-7f00-8000-%012d", i), Status: herald.StatusDelivered, Outcome: herald.ChainSucceeded, UpdatedAt: &at}
			switch i % 4 {
			case 1:
				x.Step, x.Channel, x.Status, x.Outcome = 1, herald.ChannelViber, herald.StatusExpired, herald.ChainFailed
			case 2:
				x.Status, x.Outcome = herald.StatusSent, herald.ChainRunning
			case 3:
				x = herald.BroadcastRecipient{Seq: int64(i + 1), Phone: fmt.Sprintf("+34600%06d", i), State: herald.RecipientPending}
			}
			x.Result = herald.ResultOf(&x)
			if err := fn(&x); err != nil {
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
	watched := func(ctx context.Context, fn func(*herald.BroadcastRecipient) error) error {
		i := 0
		return src(ctx, func(x *herald.BroadcastRecipient) error {
			if i++; i%20_000 == 0 {
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapAlloc)
			}
			return fn(x)
		})
	}
	grew := heapAfter(func() { err = WriteCSV(context.Background(), &out, time.UTC, watched) })
	if err != nil {
		t.Fatalf("WriteCSV: %v", err)
	}
	// 200,000 rows are ~20 MB of CSV; the writer must not hold them.
	if out.n < 15_000_000 {
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
	var rows [][]string
	for range 4 {
		row, _ := r.Read()
		rows = append(rows, row)
	}
	if got, want := head[1]+"|"+head[4]+"|"+head[5]+"|"+head[6]+"|"+head[8], "Phone number|Chain outcome|Step|Channel|Time"; got != want {
		t.Errorf("header = %q, want %q", got, want)
	}
	want := []string{"+34600000000|Successful|1|SMS|delivered|01.03.2026 09:30:00", "+34600000001|Unsuccessful|2|Viber|expired|01.03.2026 09:30:00",
		"+34600000002|In progress|1|SMS|sent|01.03.2026 09:30:00", "+34600000003|Not initiated||||"}
	for i, row := range rows {
		if got := row[1] + "|" + row[4] + "|" + row[5] + "|" + row[6] + "|" + row[7] + "|" + row[8]; got != want[i] {
			t.Errorf("row %d = %q, want %q", i+1, got, want[i])
		}
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
	if want := fmt.Sprintf("+34600%06d", n-1); len(last) < 5 || last[1] != want || last[4] != "Not initiated" {
		t.Errorf("last row = %q, want %s not initiated", last, want)
	}
}

func TestWriteStopsOnSourceError(t *testing.T) {
	boom := errors.New("boom")
	src := func(ctx context.Context, fn func(*herald.BroadcastRecipient) error) error { return boom }
	for _, f := range []string{FormatCSV, FormatXLSX} {
		if err := Write(context.Background(), io.Discard, f, time.UTC, src); !errors.Is(err, boom) {
			t.Errorf("Write(%s) = %v, want boom", f, err)
		}
	}
	if err := Write(context.Background(), io.Discard, "pdf", time.UTC, src); herald.ErrorCode(err) != herald.EINVALID {
		t.Errorf("Write(pdf) = %v, want EINVALID", err)
	}
}

func TestDefuse(t *testing.T) {
	row := defuse([]string{"+34600111222", "=HYPERLINK(\"x\")", "+1-call", "plain"})
	if got := fmt.Sprint(row); got != `[+34600111222 '=HYPERLINK("x") '+1-call plain]` {
		t.Errorf("defused = %s", got)
	}
}
