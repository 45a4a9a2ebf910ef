package outcome_test

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/outcome"
	"github.com/heraldhq/herald/internal/sheet"
	"github.com/heraldhq/herald/internal/store"
)

// BenchmarkExportSQLite exports the outcome per contact of a broadcast of
// 100,000 recipients from a SQLite store, as CSV and as XLSX, and reports
// rows per second and the peak live heap seen while exporting:
//
//	go test ./internal/outcome -run '^$' -bench ExportSQLite -benchtime 1x
func BenchmarkExportSQLite(b *testing.B) {
	const n = 100_000
	ctx := herald.WithActor(context.Background(), herald.Actor{Login: "bench"})
	s, err := store.Open(ctx, "", b.TempDir(), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	acc := &herald.Account{Name: "bench"}
	if err := s.CreateAccount(ctx, acc); err != nil {
		b.Fatal(err)
	}
	cs := make([]herald.Contact, 0, 1000)
	for i := range n {
		cs = append(cs, herald.Contact{AccountID: acc.ID, Phone: fmt.Sprintf("+3462%07d", i), Tags: []string{"all"}})
		if len(cs) == cap(cs) {
			if _, err := s.UpsertContacts(ctx, acc.ID, cs, herald.DupSkip); err != nil {
				b.Fatal(err)
			}
			cs = cs[:0]
		}
	}
	bc := &herald.Broadcast{AccountID: acc.ID, Name: "bench", Recipients: herald.Recipients{Tags: []string{"all"}}}
	if err := s.CreateBroadcast(ctx, bc); err != nil {
		b.Fatal(err)
	}
	if _, err := s.ChangeBroadcast(ctx, acc.ID, bc.ID, store.BroadcastChange{From: []herald.BroadcastStatus{herald.BroadcastDraft},
		To: herald.BroadcastInProgress, Launch: true, Action: "bench"}); err != nil {
		b.Fatal(err)
	}
	for _, format := range []string{sheet.FormatCSV, sheet.FormatXLSX} {
		b.Run(format, func(b *testing.B) {
			for range b.N {
				var peak uint64
				rows := 0
				src := func(ctx context.Context, fn func(*herald.BroadcastRecipient) error) error {
					return s.EachBroadcastRecipient(ctx, acc.ID, bc.ID, herald.ListQuery{Sort: "seq"}, func(x *herald.BroadcastRecipient) error {
						if rows++; rows%10_000 == 0 {
							var ms runtime.MemStats
							runtime.ReadMemStats(&ms)
							peak = max(peak, ms.HeapAlloc)
						}
						return fn(x)
					})
				}
				runtime.GC()
				start := time.Now()
				if err := outcome.Write(ctx, io.Discard, format, time.UTC, src); err != nil {
					b.Fatal(err)
				}
				if rows != n {
					b.Fatalf("exported %d rows, want %d", rows, n)
				}
				b.ReportMetric(float64(n)/time.Since(start).Seconds(), "rows/s")
				b.ReportMetric(float64(peak)/(1<<20), "peak_heap_MB")
			}
		})
	}
}
