package importer

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/heraldhq/herald"
)

// DefaultBatch is how many rows one transaction applies. Each commit
// writes every page the batch changed, and a batch of many rows shares
// pages among more of them; 20,000 rows hold SQLite's write lock for about
// half a second.
const DefaultBatch = 20000

// deferBatches is how many batches make an import large enough to defer
// the indexes it fills (store DeferImportIndexes): 100,000 rows at the
// default batch. Building an index again reads the whole table, so a
// small import into a large table would pay more than it saves.
const deferBatches = 5

// RunStore is what running an import needs from the store.
type RunStore interface {
	Attributes(ctx context.Context, accountID int64) ([]herald.Attribute, error)
	BeginImportRun(ctx context.Context, id int64) (*herald.Import, error)
	OpenImportFile(ctx context.Context, id int64) (io.ReadCloser, error)
	PrepareImportBatch(ctx context.Context, im *herald.Import, b *herald.ImportBatch) error
	ApplyImportBatch(ctx context.Context, id int64, b herald.ImportBatch) (*herald.Import, error)
	FinishImport(ctx context.Context, id int64, msg string) (*herald.Import, error)
	DeferImportIndexes(ctx context.Context, id, minRows int64) (bool, error)
}

// Run applies import id from its checkpoint on. Rows are read, converted
// and prepared for the store (PrepareImportBatch) by one goroutine while
// batches are written by the caller's, so the two cores of a small
// machine both work; at most two batches are in memory, the one being
// written and the next. A file of deferBatches batches or more that
// outnumbers the contacts already stored is written with the indexes it
// fills deferred to its end. Problems of the file (it cannot be read, the
// mapping is wrong) finish the import as failed and Run returns nil;
// database errors and a cancelled ctx are returned, and a later Run goes
// on from the last applied batch.
func Run(ctx context.Context, s RunStore, id int64, batch int) (*herald.Import, error) {
	im, err := s.BeginImportRun(ctx, id)
	if err != nil || im.Status != herald.ImportRunning {
		return im, err
	}
	attrs, err := s.Attributes(ctx, im.AccountID)
	if err != nil {
		return im, err
	}
	m, err := NewMapper(im.Mapping, attrs, im.Quick)
	if err != nil {
		return s.FinishImport(ctx, id, herald.ErrorMessage(err))
	}
	f, err := s.OpenImportFile(ctx, id)
	if err != nil {
		return im, err
	}
	defer f.Close()
	rd, err := Open(f, Settings{Format: im.Format, Encoding: im.Encoding, Delimiter: im.Delimiter})
	if err != nil {
		return s.FinishImport(ctx, id, "The file cannot be read: "+herald.ErrorMessage(err))
	}
	defer rd.Close()
	batch = max(1, batch)
	if _, err := s.DeferImportIndexes(ctx, id, int64(deferBatches*batch)); err != nil {
		return im, err
	}
	return apply(ctx, s, im, m, rd, batch)
}

// batchOrErr is one batch read, or why reading stopped.
type batchOrErr struct {
	b   herald.ImportBatch
	err error
}

// apply writes the batches that read produces.
func apply(ctx context.Context, s RunStore, im *herald.Import, m *Mapper, rd Reader, size int) (*herald.Import, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := make(chan batchOrErr) // the next batch waits in read: two in memory
	go read(ctx, s, im, m, rd, size, ch)
	for item := range ch {
		if item.err != nil {
			if ctx.Err() != nil {
				return im, ctx.Err()
			}
			return s.FinishImport(ctx, im.ID, herald.ErrorMessage(item.err))
		}
		next, err := s.ApplyImportBatch(ctx, im.ID, item.b)
		if err != nil {
			return im, fmt.Errorf("applying import %d: %w", im.ID, err)
		}
		im = next
	}
	if err := ctx.Err(); err != nil {
		return im, err
	}
	return s.FinishImport(ctx, im.ID, "")
}

// read skips the rows before the first row and those applied already,
// then sends the rest in batches and closes ch. A reading error is sent
// last.
func read(ctx context.Context, s RunStore, im *herald.Import, m *Mapper, rd Reader, size int, ch chan<- batchOrErr) {
	defer close(ch)
	send := func(it batchOrErr) bool {
		if it.err == nil && s.PrepareImportBatch(ctx, im, &it.b) != nil {
			it.b.Prepared = nil // ApplyImportBatch prepares it
		}
		select {
		case ch <- it:
			return true
		case <-ctx.Done():
			return false
		}
	}
	skip := int64(im.FirstRow-1) + im.RowsDone
	for i := int64(0); i < skip; i++ {
		if _, err := rd.Read(); err != nil {
			if !errors.Is(err, io.EOF) {
				send(batchOrErr{err: herald.Errorf(herald.EINVALID, "The file cannot be read at row %d: %v", i+1, err)})
			}
			return
		}
	}
	done := im.RowsDone
	b := herald.ImportBatch{Rows: make([]herald.ImportRow, 0, size), From: done}
	for {
		cells, err := rd.Read()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			send(batchOrErr{err: herald.Errorf(herald.EINVALID, "The file cannot be read at row %d: %v", int64(im.FirstRow)+done, err)})
			return
		}
		row := int(int64(im.FirstRow) + done)
		done++
		if !Blank(cells) {
			b.Rows = append(b.Rows, m.Row(row, cells))
		}
		if len(b.Rows) == size {
			b.RowsDone = done
			if !send(batchOrErr{b: b}) {
				return
			}
			b = herald.ImportBatch{Rows: make([]herald.ImportRow, 0, size), From: done}
		}
	}
	if done > im.RowsDone {
		b.RowsDone = done
		send(batchOrErr{b: b})
	}
}
