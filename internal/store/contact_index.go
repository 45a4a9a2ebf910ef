package store

import (
	"bytes"
	"context"
	"fmt"

	"github.com/heraldhq/herald"
)

// A large import defers the secondary indexes of contacts that its rows
// fill: it drops them before its first batch and FinishImport builds them
// again. Building an index sorts its keys once, where a million rows
// inserted with the index present are a million b-tree descents to random
// pages, each batch dirtying most of the index's pages again (see
// docs/decisions/0007-contact-attribute-slots.md).
//
// Only indexes that no write relies on for correctness are deferred: the
// slot indexes and the e-mail index. The unique index on the phone number
// stays, so duplicates are found and concurrent writes stay correct.
// Readers see the same rows either way; while an index is missing, counts
// and lists that would start from it scan the account's contacts.

// contactIndex is one deferrable index of contacts.
type contactIndex struct {
	name, ddl string
}

// emailIndex is the name of the index on contacts' e-mail addresses.
const emailIndex = "contacts_email_idx"

// slotIndex returns the name of the index of an indexed slot.
func slotIndex(slot string) string { return "contacts_" + slot + "_idx" }

// contactIndexes returns every deferrable index of contacts as the
// 00002_contacts migration creates it. IF NOT EXISTS lets two processes
// restore them at once.
func contactIndexes() []contactIndex {
	out := []contactIndex{{emailIndex, "CREATE INDEX IF NOT EXISTS " + emailIndex + " ON contacts (account_id, email) WHERE email <> ''"}}
	for _, slot := range allSlots() {
		if indexedSlot(slot) {
			out = append(out, contactIndex{slotIndex(slot),
				"CREATE INDEX IF NOT EXISTS " + slotIndex(slot) + " ON contacts (account_id, " + slot + ") WHERE " + slot + " IS NOT NULL"})
		}
	}
	return out
}

// presentIndexes returns the names of the indexes contacts has.
func (s *Store) presentIndexes(ctx context.Context, q querier) (map[string]bool, error) {
	query := "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'contacts'"
	if s.engine == EnginePostgres {
		query = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'contacts'"
	}
	out := map[string]bool{}
	err := eachRow(ctx, q, query, nil, func(r scanner) error {
		var name string
		err := r.Scan(&name)
		out[name] = true
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("listing indexes of contacts: %w", err)
	}
	return out, nil
}

// slotIndexed returns whether each indexed slot's index is present.
func (s *Store) slotIndexed(ctx context.Context, q querier) (func(slot string) bool, error) {
	present, err := s.presentIndexes(ctx, q)
	if err != nil {
		return nil, err
	}
	return func(slot string) bool { return indexedSlot(slot) && present[slotIndex(slot)] }, nil
}

// DeferImportIndexes drops the indexes of contacts that the running
// import id fills (the slot indexes of its mapped attributes, the e-mail
// index when it maps e-mail addresses) when the rows left in its file
// are at least minRows and at least the contacts the table holds besides
// those the import wrote: building the indexes again afterwards then
// costs less than inserting into them. It reports whether it dropped
// any. The rows of a CSV file are estimated from its first chunk; other
// formats are not deferred.
func (s *Store) DeferImportIndexes(ctx context.Context, id, minRows int64) (bool, error) {
	dropped := false
	err := s.inTx(ctx, func(t *tx) error {
		im, err := s.getImport(ctx, t, true, "i.id = $1", id)
		if err != nil {
			return err
		}
		left, err := estimateRows(ctx, t, im)
		if err != nil || im.Status != herald.ImportRunning || left-im.RowsDone < max(minRows, 1) {
			return err
		}
		var others int64
		if err := t.queryRow(ctx, "SELECT count(*) FROM contacts").Scan(&others); err != nil {
			return fmt.Errorf("counting contacts: %w", err)
		}
		if left-im.RowsDone < others-im.Imported {
			return nil
		}
		names, err := s.importIndexes(ctx, t, im)
		if err != nil {
			return err
		}
		for _, name := range names {
			if _, err := t.exec(ctx, "DROP INDEX "+name); err != nil {
				return fmt.Errorf("deferring index %s: %w", name, err)
			}
			dropped = true
		}
		return nil
	})
	return dropped, err
}

// importIndexes returns the present deferrable indexes that im's mapping
// fills.
func (s *Store) importIndexes(ctx context.Context, t *tx, im *herald.Import) ([]string, error) {
	attrs, err := loadAttrs(ctx, t, im.AccountID)
	if err != nil {
		return nil, err
	}
	present, err := s.presentIndexes(ctx, t)
	if err != nil {
		return nil, err
	}
	var out []string
	add := func(name string) {
		if present[name] {
			out = append(out, name)
			delete(present, name)
		}
	}
	for _, m := range im.Mapping {
		if m.Field == herald.FieldEmail {
			add(emailIndex)
		}
		for i := range attrs {
			if attrs[i].ColumnKey() == m.Field && indexedSlot(attrs[i].slot) {
				add(slotIndex(attrs[i].slot))
			}
		}
	}
	return out, nil
}

// estimateRows estimates the rows of im's CSV file from the lines of its
// first chunk; it returns 0 for other formats.
func estimateRows(ctx context.Context, q querier, im *herald.Import) (int64, error) {
	if im.Format != herald.FormatCSV || im.Size == 0 {
		return 0, nil
	}
	var first []byte
	err := q.queryRow(ctx, `SELECT data FROM import_chunks WHERE import_id = $1 AND seq = 0`, im.ID).Scan(&first)
	if isNoRows(err) || len(first) == 0 {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("reading import file: %w", err)
	}
	lines := int64(bytes.Count(first, []byte{'\n'}))
	return im.Size*lines/int64(len(first)) - int64(im.FirstRow-1), nil
}

// RestoreContactIndexes builds the indexes of contacts that an import
// deferred, if any are missing. Imports call it when they finish; Migrate
// calls it too, for an import that never will.
func (s *Store) RestoreContactIndexes(ctx context.Context) error {
	present, err := s.presentIndexes(ctx, s.write())
	if err != nil {
		return err
	}
	for _, ix := range contactIndexes() {
		if present[ix.name] {
			continue
		}
		if _, err := s.write().exec(ctx, ix.ddl); err != nil {
			return fmt.Errorf("building index %s: %w", ix.name, err)
		}
	}
	return nil
}
