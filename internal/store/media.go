package store

import (
	"context"
	"fmt"

	"github.com/heraldhq/herald"
)

// Audited media library actions.
const (
	actionAddMedia    = "Added new media"
	actionRenameMedia = "Renamed media"
	actionDeleteMedia = "Deleted media"
)

var _ herald.MediaStore = (*Store)(nil)

// mediaSelects are the columns scanMedia reads.
const mediaSelects = "m.id, m.account_id, m.name, m.kind, m.format, m.mime, m.size, m.width, m.height, m.sha256, m.blob_key, m.created_by, m.created_at"

// scanMedia reads mediaSelects, then extra.
func scanMedia(r scanner, extra ...any) (herald.Media, error) {
	var m herald.Media
	err := r.Scan(append([]any{&m.ID, &m.AccountID, &m.Name, &m.Kind, &m.Format, &m.MIME, &m.Size, &m.Width, &m.Height,
		&m.SHA256, &m.Key, &m.CreatedBy, &m.CreatedAt}, extra...)...)
	m.CreatedAt = utc(m.CreatedAt)
	return m, err
}

// CreateMedia validates m's name and inserts m; its bytes are already in
// the blob store under m.Key.
func (s *Store) CreateMedia(ctx context.Context, m *herald.Media) error {
	if err := herald.ValidateMediaName(m.Name); err != nil {
		return err
	}
	return s.inTx(ctx, func(t *tx) error {
		m.CreatedAt = t.now
		err := t.queryRow(ctx, `INSERT INTO media (account_id, name, kind, format, mime, size, width, height, sha256, blob_key, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
			m.AccountID, m.Name, m.Kind, m.Format, m.MIME, m.Size, m.Width, m.Height, m.SHA256, m.Key, m.CreatedBy, t.now).Scan(&m.ID)
		if err != nil {
			return fmt.Errorf("saving media: %w", err)
		}
		return s.audit(ctx, t, m.AccountID, actionAddMedia, detail("media", herald.OpInsert, m.ID, nil, m))
	})
}

// getMedia reads one file of the account, or ENOTFOUND.
func getMedia(ctx context.Context, q querier, accountID, id int64) (*herald.Media, error) {
	m, err := scanMedia(q.queryRow(ctx, "SELECT "+mediaSelects+" FROM media m WHERE m.account_id = $1 AND m.id = $2", accountID, id))
	if isNoRows(err) {
		return nil, herald.Errorf(herald.ENOTFOUND, "Media file not found.")
	} else if err != nil {
		return nil, fmt.Errorf("reading media: %w", err)
	}
	return &m, nil
}

// Media returns one file of the account's library, or ENOTFOUND.
func (s *Store) Media(ctx context.Context, accountID, id int64) (*herald.Media, error) {
	return getMedia(ctx, s.read(), accountID, id)
}

// MediaByID returns the file id in whichever account has it, or
// ENOTFOUND: for public links, whose signature has to be checked against
// the record before anything is served.
func (s *Store) MediaByID(ctx context.Context, id int64) (*herald.Media, error) {
	m, err := scanMedia(s.read().queryRow(ctx, "SELECT "+mediaSelects+" FROM media m WHERE m.id = $1", id))
	if isNoRows(err) {
		return nil, herald.Errorf(herald.ENOTFOUND, "Media file not found.")
	} else if err != nil {
		return nil, fmt.Errorf("reading media: %w", err)
	}
	return &m, nil
}

// RenameMedia validates name and gives it to the account's file id.
func (s *Store) RenameMedia(ctx context.Context, accountID, id int64, name string) error {
	if err := herald.ValidateMediaName(name); err != nil {
		return err
	}
	return s.inTx(ctx, func(t *tx) error {
		old, err := getMedia(ctx, t, accountID, id)
		if err != nil {
			return err
		}
		if _, err := t.exec(ctx, `UPDATE media SET name = $1 WHERE account_id = $2 AND id = $3`, name, accountID, id); err != nil {
			return fmt.Errorf("renaming media: %w", err)
		}
		m := *old
		m.Name = name
		return s.audit(ctx, t, accountID, actionRenameMedia, detail("media", herald.OpUpdate, id, old, &m))
	})
}

// DeleteMedia removes the account's file id and returns its record, so the
// caller can remove the bytes.
func (s *Store) DeleteMedia(ctx context.Context, accountID, id int64) (*herald.Media, error) {
	var old *herald.Media
	err := s.inTx(ctx, func(t *tx) error {
		var err error
		if old, err = getMedia(ctx, t, accountID, id); err != nil {
			return err
		}
		if _, err := t.exec(ctx, `DELETE FROM media WHERE account_id = $1 AND id = $2`, accountID, id); err != nil {
			return fmt.Errorf("deleting media: %w", err)
		}
		return s.audit(ctx, t, accountID, actionDeleteMedia, detail("media", herald.OpDelete, id, old, nil))
	})
	if err != nil {
		return nil, err
	}
	return old, nil
}

// mediaSpec is the media library list, newest first by default.
func mediaSpec() *listSpec {
	return &listSpec{
		columns: herald.MediaColumns(),
		cols: map[string]listCol{
			"name":      {expr: "m.name", typ: herald.ColText},
			"kind":      {expr: "m.kind", typ: herald.ColEnum},
			"format":    {expr: "m.format", typ: herald.ColText},
			"size":      {expr: "m.size", typ: herald.ColNumber},
			"createdAt": {expr: "m.created_at", typ: herald.ColTime},
		},
		selects:     mediaSelects,
		from:        "media m",
		id:          "m.id",
		newestFirst: true,
	}
}

// ListMedia returns one page of the account's media library.
func (s *Store) ListMedia(ctx context.Context, accountID int64, q herald.ListQuery) (herald.Page[herald.Media], error) {
	p, err := s.buildList(mediaSpec(), q, "m.account_id = $1", accountID)
	if err != nil {
		return herald.Page[herald.Media]{}, err
	}
	return runList(ctx, s.read(), p, scanMedia)
}
