package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/heraldhq/herald"
)

// Audited actions of imports.
const (
	actionUploadImport = "Uploaded contact file"
	actionStartImport  = "Started contact import"
)

// importChunk is the size of one stored piece of an import's file.
const importChunk = 1 << 20

// importSelects are the columns scanImport reads.
const importSelects = "i.id, i.account_id, i.file_name, i.format, i.encoding, i.delimiter, i.size, i.status, i.first_row, " +
	"i.mapping, i.policy, i.tag, i.quick, i.rows_done, i.imported, i.updated, i.skipped, i.failed, i.error, i.created_by, " +
	"i.created_at, i.started_at, i.finished_at, i.updated_at"

// scanImport reads importSelects.
func scanImport(r scanner) (herald.Import, error) {
	var im herald.Import
	var mapping string
	err := r.Scan(&im.ID, &im.AccountID, &im.FileName, &im.Format, &im.Encoding, &im.Delimiter, &im.Size, &im.Status,
		&im.FirstRow, &mapping, &im.Policy, &im.Tag, &im.Quick, &im.RowsDone, &im.Imported, &im.Updated, &im.Skipped,
		&im.Failed, &im.Error, &im.CreatedBy, &im.CreatedAt, &im.StartedAt, &im.FinishedAt, &im.UpdatedAt)
	if err != nil {
		return im, err
	}
	im.CreatedAt, im.UpdatedAt, im.StartedAt, im.FinishedAt = utc(im.CreatedAt), utc(im.UpdatedAt), utcPtr(im.StartedAt), utcPtr(im.FinishedAt)
	im.Mapping = []herald.ColumnMapping{}
	if err := json.Unmarshal([]byte(mapping), &im.Mapping); err != nil {
		return im, fmt.Errorf("decoding mapping of import %d: %w", im.ID, err)
	}
	return im, nil
}

// getImport reads the import matching where, or ENOTFOUND; lock takes a
// row lock on PostgreSQL.
func (s *Store) getImport(ctx context.Context, q querier, lock bool, where string, args ...any) (*herald.Import, error) {
	query := "SELECT " + importSelects + " FROM imports i WHERE " + where
	if lock && s.engine == EnginePostgres {
		query += " FOR UPDATE"
	}
	im, err := scanImport(q.queryRow(ctx, query, args...))
	if isNoRows(err) {
		return nil, herald.Errorf(herald.ENOTFOUND, "Import not found.")
	} else if err != nil {
		return nil, fmt.Errorf("reading import: %w", err)
	}
	return &im, nil
}

// Import returns one import of the account.
func (s *Store) Import(ctx context.Context, accountID, id int64) (*herald.Import, error) {
	return s.getImport(ctx, s.read(), false, "i.account_id = $1 AND i.id = $2", accountID, id)
}

// ImportByID returns an import of any account.
func (s *Store) ImportByID(ctx context.Context, id int64) (*herald.Import, error) {
	return s.getImport(ctx, s.read(), false, "i.id = $1", id)
}

// RecentImports returns the account's latest n imports, newest first.
func (s *Store) RecentImports(ctx context.Context, accountID int64, n int) ([]herald.Import, error) {
	out := []herald.Import{}
	err := eachRow(ctx, s.read(), "SELECT "+importSelects+" FROM imports i WHERE i.account_id = $1 ORDER BY i.id DESC LIMIT $2",
		[]any{accountID, n}, func(r scanner) error {
			im, err := scanImport(r)
			out = append(out, im)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("listing imports: %w", err)
	}
	return out, nil
}

// mappingJSON encodes a mapping, never as null.
func mappingJSON(m []herald.ColumnMapping) string {
	if m == nil {
		m = []herald.ColumnMapping{}
	}
	b, _ := json.Marshal(m) // plain values always encode
	return string(b)
}

// CreateImport stores im, uploaded, with its file read from r.
func (s *Store) CreateImport(ctx context.Context, im *herald.Import, r io.Reader) error {
	if im.FirstRow < 1 {
		im.FirstRow = 1
	}
	if im.Policy == "" {
		im.Policy = herald.DupSkip
	}
	im.Status, im.CreatedBy = herald.ImportUploaded, actorLogin(herald.ActorFrom(ctx))
	return s.inTx(ctx, func(t *tx) error {
		im.CreatedAt, im.UpdatedAt = t.now, t.now
		err := t.queryRow(ctx, `INSERT INTO imports (account_id, file_name, format, encoding, delimiter, size, status,
			first_row, mapping, policy, tag, quick, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id`,
			im.AccountID, im.FileName, im.Format, im.Encoding, im.Delimiter, im.Size, im.Status, im.FirstRow,
			mappingJSON(im.Mapping), im.Policy, im.Tag, im.Quick, im.CreatedBy, t.now).Scan(&im.ID)
		if foreignKeyViolation(err) {
			return herald.Errorf(herald.ENOTFOUND, "Account not found.")
		} else if err != nil {
			return fmt.Errorf("saving import: %w", err)
		}
		size, err := storeChunks(ctx, t, im.ID, r)
		if err != nil {
			return err
		}
		im.Size = size
		if _, err := t.exec(ctx, `UPDATE imports SET size = $1 WHERE id = $2`, size, im.ID); err != nil {
			return fmt.Errorf("saving import: %w", err)
		}
		return s.audit(ctx, t, im.AccountID, actionUploadImport, detail("imports", herald.OpInsert, im.ID, nil, im))
	})
}

// storeChunks writes r as the import's chunks and returns its length.
func storeChunks(ctx context.Context, t *tx, id int64, r io.Reader) (int64, error) {
	buf := make([]byte, importChunk)
	var size int64
	for seq := 0; ; seq++ {
		n, err := io.ReadFull(r, buf)
		if n > 0 {
			if _, err := t.exec(ctx, `INSERT INTO import_chunks (import_id, seq, data) VALUES ($1, $2, $3)`, id, seq, buf[:n]); err != nil {
				return 0, fmt.Errorf("saving import file: %w", err)
			}
			size += int64(n)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return size, nil
		} else if err != nil {
			return 0, fmt.Errorf("reading import file: %w", err)
		}
	}
}

// chunkReader reads an import's file one chunk at a time.
type chunkReader struct {
	ctx context.Context
	q   querier
	id  int64
	seq int
	buf []byte
	eof bool
}

// Read implements io.Reader.
func (c *chunkReader) Read(p []byte) (int, error) {
	for len(c.buf) == 0 {
		if c.eof {
			return 0, io.EOF
		}
		err := c.q.queryRow(c.ctx, `SELECT data FROM import_chunks WHERE import_id = $1 AND seq = $2`, c.id, c.seq).Scan(&c.buf)
		if isNoRows(err) {
			c.eof = true
			continue
		} else if err != nil {
			return 0, fmt.Errorf("reading import file: %w", err)
		}
		c.seq++
	}
	n := copy(p, c.buf)
	c.buf = c.buf[n:]
	return n, nil
}

// Close implements io.Closer.
func (c *chunkReader) Close() error { return nil }

// OpenImportFile returns the import's file.
func (s *Store) OpenImportFile(ctx context.Context, id int64) (io.ReadCloser, error) {
	return &chunkReader{ctx: ctx, q: s.read(), id: id}, nil
}

// UpdateImportSettings saves the wizard's choices while the import is
// uploaded.
func (s *Store) UpdateImportSettings(ctx context.Context, im *herald.Import) error {
	return s.inTx(ctx, func(t *tx) error {
		old, err := s.getImport(ctx, t, true, "i.account_id = $1 AND i.id = $2", im.AccountID, im.ID)
		if err != nil {
			return err
		}
		if old.Status != herald.ImportUploaded {
			return herald.Errorf(herald.ECONFLICT, "The import has started; its settings cannot change.")
		}
		if im.FirstRow < 1 {
			im.FirstRow = 1
		}
		_, err = t.exec(ctx, `UPDATE imports SET first_row = $1, mapping = $2, policy = $3, tag = $4, quick = $5,
			encoding = $6, delimiter = $7, updated_at = $8 WHERE id = $9`, im.FirstRow, mappingJSON(im.Mapping),
			im.Policy, strings.TrimSpace(im.Tag), im.Quick, im.Encoding, im.Delimiter, t.now, im.ID)
		if err != nil {
			return fmt.Errorf("saving import: %w", err)
		}
		return nil
	})
}

// checkMapping adds violations for mapped fields that do not exist.
func checkMapping(im *herald.Import, attrs []attr) error {
	var vs herald.Violations
	keys := map[string]bool{herald.FieldPhone: true, herald.FieldEmail: true, herald.FieldTags: true}
	for _, a := range attrs {
		keys[a.ColumnKey()] = true
	}
	for _, k := range herald.IdentityKinds() {
		keys[herald.ColIdentity+k] = true
	}
	for _, m := range im.Mapping {
		if m.Field != "" && !keys[m.Field] {
			vs.Add("mapping", herald.VUnknown, "Column %d is mapped to %q, which is not a contact field.", m.Column+1, m.Field)
		}
	}
	return vs.Err()
}

// StartImport validates the settings, queues the import and lets enqueue
// add its job in the same transaction.
func (s *Store) StartImport(ctx context.Context, accountID, id int64, enqueue func(ctx context.Context, tx any) error) (*herald.Import, error) {
	var im *herald.Import
	err := s.inTx(ctx, func(t *tx) error {
		var err error
		if im, err = s.getImport(ctx, t, true, "i.account_id = $1 AND i.id = $2", accountID, id); err != nil {
			return err
		}
		if im.Status != herald.ImportUploaded {
			return herald.Errorf(herald.ECONFLICT, "The import has started already.")
		}
		attrs, err := loadAttrs(ctx, t, accountID)
		if err != nil {
			return err
		}
		if err := im.ValidateStart(); err != nil {
			return err
		}
		if err := checkMapping(im, attrs); err != nil {
			return err
		}
		im.Status, im.UpdatedAt = herald.ImportQueued, t.now
		if _, err := t.exec(ctx, `UPDATE imports SET status = $1, updated_at = $2 WHERE id = $3`, im.Status, t.now, id); err != nil {
			return fmt.Errorf("starting import: %w", err)
		}
		if err := enqueue(ctx, rawTx(t)); err != nil {
			return err
		}
		return s.audit(ctx, t, accountID, actionStartImport, detail("imports", herald.OpUpdate, id, nil, im))
	})
	return im, err
}

// BeginImportRun marks a queued or running import running.
func (s *Store) BeginImportRun(ctx context.Context, id int64) (*herald.Import, error) {
	var im *herald.Import
	err := s.inTx(ctx, func(t *tx) error {
		var err error
		if im, err = s.getImport(ctx, t, true, "i.id = $1", id); err != nil || im.Status.Final() || im.Status == herald.ImportUploaded {
			return err
		}
		_, err = t.exec(ctx, `UPDATE imports SET status = $1, started_at = COALESCE(started_at, $2), updated_at = $2 WHERE id = $3`,
			herald.ImportRunning, t.now, id)
		if err != nil {
			return fmt.Errorf("starting import run: %w", err)
		}
		im.Status = herald.ImportRunning
		if im.StartedAt == nil {
			now := t.now
			im.StartedAt = &now
		}
		return nil
	})
	return im, err
}

// ApplyImportBatch applies b and moves the checkpoint, in one transaction.
func (s *Store) ApplyImportBatch(ctx context.Context, id int64, b herald.ImportBatch) (*herald.Import, error) {
	var im *herald.Import
	err := s.inTx(ctx, func(t *tx) error {
		var err error
		if im, err = s.getImport(ctx, t, true, "i.id = $1", id); err != nil {
			return err
		}
		if im.Status != herald.ImportRunning {
			return herald.Errorf(herald.ECONFLICT, "Import %d is %s, not running.", id, im.Status)
		}
		if b.RowsDone <= im.RowsDone {
			return nil // applied before a restart
		}
		if b.From != im.RowsDone {
			return herald.Errorf(herald.ECONFLICT, "Import %d is at row %d, not %d: another run is applying it.", id, im.RowsDone, b.From)
		}
		n, failed, err := s.applyImportRows(ctx, t, im, b)
		if err != nil {
			return err
		}
		im.RowsDone, im.UpdatedAt = b.RowsDone, t.now
		im.Imported, im.Updated, im.Skipped, im.Failed = im.Imported+int64(n.created), im.Updated+int64(n.updated), im.Skipped+int64(n.skipped), im.Failed+int64(failed)
		_, err = t.exec(ctx, `UPDATE imports SET rows_done = $1, imported = $2, updated = $3, skipped = $4, failed = $5, updated_at = $6
			WHERE id = $7`, im.RowsDone, im.Imported, im.Updated, im.Skipped, im.Failed, t.now, id)
		if err != nil {
			return fmt.Errorf("saving import progress: %w", err)
		}
		return nil
	})
	return im, err
}

// PrepareImportBatch does the part of applying b that needs no write
// transaction, so that it can run while the previous batch is written:
// the valid rows folded, ordered and encoded (prepareRows). It is an
// optimisation: ApplyImportBatch prepares the rows itself when b is not
// prepared, or was prepared with attributes that have changed since.
func (s *Store) PrepareImportBatch(ctx context.Context, im *herald.Import, b *herald.ImportBatch) error {
	attrs, err := loadAttrs(ctx, s.read(), im.AccountID)
	if err != nil {
		return err
	}
	indexed, err := s.slotIndexed(ctx, s.read())
	if err != nil {
		return err
	}
	good, _ := splitFailed(b.Rows)
	b.Prepared = s.prepareRows(attrs, good, im.Policy, indexed)
	return nil
}

// splitFailed returns the rows without and with an error.
func splitFailed(rows []herald.ImportRow) (good, bad []herald.ImportRow) {
	good = make([]herald.ImportRow, 0, len(rows))
	for _, r := range rows {
		if r.Err != "" {
			bad = append(bad, r)
		} else {
			good = append(good, r)
		}
	}
	return good, bad
}

// applyImportRows writes the valid rows of b by the import's policy and
// tag and records the failed ones.
func (s *Store) applyImportRows(ctx context.Context, t *tx, im *herald.Import, b herald.ImportBatch) (bulkCounts, int, error) {
	attrs, err := loadAttrs(ctx, t, im.AccountID)
	if err != nil {
		return bulkCounts{}, 0, err
	}
	good, bad := splitFailed(b.Rows)
	p, _ := b.Prepared.(*bulkRows)
	if !p.current(attrs, im.Policy) {
		indexed, err := s.slotIndexed(ctx, t)
		if err != nil {
			return bulkCounts{}, 0, err
		}
		p = s.prepareRows(attrs, good, im.Policy, indexed)
	}
	var tags []string
	if im.Tag != "" {
		tags = []string{im.Tag}
	}
	tagIDs, err := ensureTags(ctx, t, im.AccountID, tags)
	if err != nil {
		return bulkCounts{}, 0, err
	}
	n, err := s.applyRows(ctx, t, attrs, im.AccountID, p, tagIDs)
	if err != nil {
		return n, 0, err
	}
	return n, len(bad), saveFailures(ctx, t, im.ID, bad)
}

// saveFailures records failed rows with their cells.
func saveFailures(ctx context.Context, t *tx, id int64, rows []herald.ImportRow) error {
	const per = 1000 // rows per statement: four parameters each
	for lo := 0; lo < len(rows); lo += per {
		var args listArgs
		values := make([]string, 0, per)
		for _, r := range rows[lo:min(lo+per, len(rows))] {
			cells, _ := json.Marshal(r.Cells) // strings always encode
			values = append(values, "("+args.add(id)+", "+args.add(r.Row)+", "+args.add(r.Err)+", "+args.add(string(cells))+")")
		}
		_, err := t.exec(ctx, `INSERT INTO import_failures (import_id, row_number, reason, data) VALUES `+
			strings.Join(values, ", ")+` ON CONFLICT (import_id, row_number) DO NOTHING`, args...)
		if err != nil {
			return fmt.Errorf("saving failed rows: %w", err)
		}
	}
	return nil
}

// FinishImport marks the import done (or failed with msg), builds the
// indexes it deferred (DeferImportIndexes) and refreshes the planner's
// statistics of contacts, which targets' counts rely on.
func (s *Store) FinishImport(ctx context.Context, id int64, msg string) (*herald.Import, error) {
	status := herald.ImportDone
	if msg != "" {
		status = herald.ImportFailed
	}
	// The indexes come back before the import is marked finished, so that
	// a run that fails to build them runs again.
	if err := s.RestoreContactIndexes(ctx); err != nil {
		return nil, err
	}
	now := s.now()
	if _, err := s.write().exec(ctx, `UPDATE imports SET status = $1, error = $2, finished_at = $3, updated_at = $3 WHERE id = $4`,
		status, msg, now, id); err != nil {
		return nil, fmt.Errorf("finishing import: %w", err)
	}
	im, err := s.ImportByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if im.Imported+im.Updated < analyzeAfter {
		return im, nil
	}
	if err := s.AnalyzeContacts(ctx); err != nil {
		return im, err
	}
	if s.engine == EngineSQLite {
		// Building indexes and analyzing leave the writer's cache full
		// of pages that the next writes do not need: give the memory
		// back rather than hold it until they replace them.
		if _, err := s.write().exec(ctx, "PRAGMA shrink_memory"); err != nil {
			return im, fmt.Errorf("releasing memory: %w", err)
		}
	}
	return im, nil
}

// analyzeAfter is how many changed contacts make an import refresh the
// planner's statistics; smaller ones change them little.
const analyzeAfter = 10000

// AnalyzeContacts refreshes the planner's statistics of contacts: about a
// second per million contacts on SQLite. (SQLite's analysis_limit would be
// faster but samples only the start of each index, whose keys are sorted,
// and so misjudges every slot.)
func (s *Store) AnalyzeContacts(ctx context.Context) error {
	_, err := s.write().exec(ctx, "ANALYZE contacts")
	return wrapErr("analyzing contacts", err)
}

// ImportFailures returns failed rows of an import after row after.
func (s *Store) ImportFailures(ctx context.Context, accountID, id int64, after, limit int) ([]herald.ImportFailure, error) {
	if _, err := s.Import(ctx, accountID, id); err != nil {
		return nil, err
	}
	out := []herald.ImportFailure{}
	err := eachRow(ctx, s.read(), `SELECT row_number, reason, data FROM import_failures WHERE import_id = $1 AND row_number > $2
		ORDER BY row_number LIMIT $3`, []any{id, after, limit}, func(r scanner) error {
		var f herald.ImportFailure
		var cells string
		if err := r.Scan(&f.Row, &f.Reason, &cells); err != nil {
			return err
		}
		out = append(out, f)
		return json.Unmarshal([]byte(cells), &out[len(out)-1].Cells)
	})
	if err != nil {
		return nil, fmt.Errorf("reading failed rows: %w", err)
	}
	return out, nil
}

// ImportPresets returns the account's presets by name.
func (s *Store) ImportPresets(ctx context.Context, accountID int64) ([]herald.ImportPreset, error) {
	out := []herald.ImportPreset{}
	err := eachRow(ctx, s.read(), `SELECT id, account_id, name, mapping, created_at, updated_at FROM import_presets
		WHERE account_id = $1 ORDER BY lower(name), id`, []any{accountID}, func(r scanner) error {
		var p herald.ImportPreset
		var m string
		if err := r.Scan(&p.ID, &p.AccountID, &p.Name, &m, &p.CreatedAt, &p.UpdatedAt); err != nil {
			return err
		}
		p.CreatedAt, p.UpdatedAt = utc(p.CreatedAt), utc(p.UpdatedAt)
		out = append(out, p)
		return json.Unmarshal([]byte(m), &out[len(out)-1].Mapping)
	})
	if err != nil {
		return nil, fmt.Errorf("reading presets: %w", err)
	}
	return out, nil
}

// SaveImportPreset creates the preset p.Name or replaces its mapping.
func (s *Store) SaveImportPreset(ctx context.Context, p *herald.ImportPreset) error {
	p.Name = strings.TrimSpace(p.Name)
	var vs herald.Violations
	vs.CheckLen("name", p.Name, true, 64)
	if err := vs.Err(); err != nil {
		return err
	}
	m, _ := json.Marshal(p.Mapping) // strings always encode
	return s.inTx(ctx, func(t *tx) error {
		n, err := t.exec(ctx, `UPDATE import_presets SET mapping = $1, updated_at = $2 WHERE account_id = $3 AND lower(name) = $4`,
			string(m), t.now, p.AccountID, asciiLower(p.Name))
		if err != nil || n > 0 {
			return wrapErr("saving preset", err)
		}
		err = t.queryRow(ctx, `INSERT INTO import_presets (account_id, name, mapping, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $4) RETURNING id`, p.AccountID, p.Name, string(m), t.now).Scan(&p.ID)
		return wrapErr("saving preset", err)
	})
}

// DeleteImportPreset removes a preset.
func (s *Store) DeleteImportPreset(ctx context.Context, accountID, id int64) error {
	n, err := s.write().exec(ctx, `DELETE FROM import_presets WHERE account_id = $1 AND id = $2`, accountID, id)
	if err != nil {
		return fmt.Errorf("deleting preset: %w", err)
	} else if n == 0 {
		return herald.Errorf(herald.ENOTFOUND, "Preset not found.")
	}
	return nil
}
