package importer

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/jobs"
)

// DefaultMaxSize bounds an uploaded file.
const DefaultMaxSize = 200 << 20

// Store is what the Import wizard needs from the store.
type Store interface {
	herald.ImportStore
	Attributes(ctx context.Context, accountID int64) ([]herald.Attribute, error)
}

// Enqueuer adds a job within a store transaction (jobs.Runner does).
type Enqueuer interface {
	EnqueueTx(ctx context.Context, tx any, args jobs.JobArgs, opts *jobs.InsertOpts) (int64, error)
}

// Service is the Import wizard's logic, shared by the API and the portal:
// upload, preview, start and the failed rows report.
type Service struct {
	Store   Store
	Jobs    Enqueuer
	MaxSize int64 // 0 means DefaultMaxSize
	TempDir string
}

// maxSize returns the upload limit.
func (s *Service) maxSize() int64 {
	if s.MaxSize > 0 {
		return s.MaxSize
	}
	return DefaultMaxSize
}

// Upload stores a file for the wizard: it spools r to a temporary file
// (so the store's transaction does not wait on the network), recognises
// the format and, for CSV, the encoding and delimiter.
func (s *Service) Upload(ctx context.Context, accountID int64, name string, r io.Reader) (*herald.Import, error) {
	tmp, err := os.CreateTemp(s.TempDir, "herald-import-*")
	if err != nil {
		return nil, fmt.Errorf("spooling upload: %w", err)
	}
	defer func() { _ = tmp.Close(); _ = os.Remove(tmp.Name()) }()
	n, err := io.Copy(tmp, io.LimitReader(r, s.maxSize()+1))
	if err != nil {
		return nil, fmt.Errorf("receiving upload: %w", err)
	}
	if n > s.maxSize() {
		return nil, fileViolation("The file is larger than %d MB; split it into smaller files.", s.maxSize()>>20)
	}
	head := make([]byte, SniffSize)
	k, _ := tmp.ReadAt(head, 0)
	kind, err := Detect(head[:k])
	if err != nil {
		return nil, fileViolation("%s", herald.ErrorMessage(err))
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("spooling upload: %w", err)
	}
	im := &herald.Import{AccountID: accountID, FileName: cleanName(name), Format: kind.Format, Encoding: kind.Encoding,
		Delimiter: kind.Delimiter, Size: n, FirstRow: 1, Policy: herald.DupSkip}
	if err := s.Store.CreateImport(ctx, im, tmp); err != nil {
		return nil, err
	}
	return im, nil
}

// fileViolation is EINVALID on the "file" field.
func fileViolation(format string, args ...any) error {
	var vs herald.Violations
	vs.Add("file", herald.VFormat, format, args...)
	return vs.Err()
}

// cleanName keeps the base name of an uploaded file.
func cleanName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	if name == "." || name == "/" || name == "" {
		return "upload"
	}
	if r := []rune(name); len(r) > 200 {
		name = string(r[:200])
	}
	return name
}

// Preview returns up to n rows of an import's file from row from (1 is
// the first), whether more follow, and the widest row's column count.
func (s *Service) Preview(ctx context.Context, im *herald.Import, from, n int) ([][]string, bool, int, error) {
	f, err := s.Store.OpenImportFile(ctx, im.ID)
	if err != nil {
		return nil, false, 0, err
	}
	defer f.Close()
	rd, err := Open(f, Settings{Format: im.Format, Encoding: im.Encoding, Delimiter: im.Delimiter})
	if err != nil {
		return nil, false, 0, fileViolation("%s", herald.ErrorMessage(err))
	}
	defer rd.Close()
	for i := 1; i < from; i++ {
		if _, err := rd.Read(); errors.Is(err, io.EOF) {
			return nil, false, 0, nil
		} else if err != nil {
			return nil, false, 0, fileViolation("The file cannot be read: %v", err)
		}
	}
	rows, more, err := Preview(rd, n)
	if err != nil {
		return nil, false, 0, fileViolation("The file cannot be read: %v", err)
	}
	width := 0
	for _, r := range rows {
		width = max(width, len(r))
	}
	return rows, more, width, nil
}

// Check converts the rows of the preview by the import's mapping: what
// step 5 of the wizard shows before the import starts.
func (s *Service) Check(ctx context.Context, im *herald.Import, n int) ([]herald.ImportRow, error) {
	attrs, err := s.Store.Attributes(ctx, im.AccountID)
	if err != nil {
		return nil, err
	}
	m, err := NewMapper(im.Mapping, attrs, im.Quick)
	if err != nil {
		return nil, err
	}
	rows, _, _, err := s.Preview(ctx, im, im.FirstRow, n)
	if err != nil {
		return nil, err
	}
	out := make([]herald.ImportRow, 0, len(rows))
	for i, cells := range rows {
		if !Blank(cells) {
			out = append(out, m.Row(im.FirstRow+i, cells))
		}
	}
	return out, nil
}

// Start queues the import and its job in one transaction.
func (s *Service) Start(ctx context.Context, accountID, id int64) (*herald.Import, error) {
	return s.Store.StartImport(ctx, accountID, id, func(ctx context.Context, tx any) error {
		_, err := s.Jobs.EnqueueTx(ctx, tx, JobArgs{ImportID: id}, nil)
		return err
	})
}

// WriteFailures writes the failed rows of an import as CSV: the row
// number, the reason, then the row's cells.
func (s *Service) WriteFailures(ctx context.Context, w io.Writer, accountID, id int64) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"row", "reason", "cells"}); err != nil {
		return err
	}
	for after := 0; ; {
		fs, err := s.Store.ImportFailures(ctx, accountID, id, after, 1000)
		if err != nil {
			return err
		}
		for _, f := range fs {
			if err := cw.Write(append([]string{strconv.Itoa(f.Row), f.Reason}, f.Cells...)); err != nil {
				return err
			}
			after = f.Row
		}
		if len(fs) < 1000 {
			break
		}
	}
	cw.Flush()
	return cw.Error()
}
