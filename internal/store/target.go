package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/heraldhq/herald"
)

// Audited actions of targets.
const (
	actionAddTarget    = "Added new target"
	actionChangeTarget = "Changed target"
	actionDeleteTarget = "Deleted target"
)

// targetSelects are the columns scanTarget reads.
const targetSelects = "tg.id, tg.account_id, tg.name, tg.filters, tg.launches, tg.created_at, tg.updated_at"

// scanTarget reads targetSelects, then extra.
func scanTarget(r scanner, extra ...any) (herald.Target, error) {
	var t herald.Target
	var filters string
	err := r.Scan(append([]any{&t.ID, &t.AccountID, &t.Name, &filters, &t.Launches, &t.CreatedAt, &t.UpdatedAt}, extra...)...)
	if err != nil {
		return t, err
	}
	t.CreatedAt, t.UpdatedAt = utc(t.CreatedAt), utc(t.UpdatedAt)
	t.Filters = []herald.Filter{}
	if err := json.Unmarshal([]byte(filters), &t.Filters); err != nil {
		return t, fmt.Errorf("decoding filters of target %d: %w", t.ID, err)
	}
	return t, nil
}

// filtersJSON encodes filters, never as null.
func filtersJSON(fs []herald.Filter) string {
	if fs == nil {
		fs = []herald.Filter{}
	}
	b, _ := json.Marshal(fs) // plain strings always encode
	return string(b)
}

// getTarget reads one target of the account, or ENOTFOUND.
func getTarget(ctx context.Context, q querier, accountID, id int64) (*herald.Target, error) {
	t, err := scanTarget(q.queryRow(ctx, "SELECT "+targetSelects+" FROM targets tg WHERE tg.account_id = $1 AND tg.id = $2", accountID, id))
	if isNoRows(err) {
		return nil, herald.Errorf(herald.ENOTFOUND, "Target not found.")
	} else if err != nil {
		return nil, fmt.Errorf("reading target: %w", err)
	}
	return &t, nil
}

// Target returns one target of the account.
func (s *Store) Target(ctx context.Context, accountID, id int64) (*herald.Target, error) {
	return getTarget(ctx, s.read(), accountID, id)
}

// targetErr maps the errors of saving t.
func targetErr(err error, t *herald.Target) error {
	if isUnique(err, "targets_name_key", "") {
		return taken("name", "A target named %q already exists.", t.Name)
	} else if foreignKeyViolation(err) {
		return herald.Errorf(herald.ENOTFOUND, "Account not found.")
	}
	return fmt.Errorf("saving target: %w", err)
}

// checkTarget validates t against the account's contact columns.
func checkTarget(ctx context.Context, q querier, t *herald.Target) error {
	attrs, err := loadAttrs(ctx, q, t.AccountID)
	if err != nil {
		return err
	}
	return t.Validate(herald.ContactColumns(plainAttrs(attrs)))
}

// insertTarget inserts t and sets its ID and times.
func insertTarget(ctx context.Context, tx *tx, t *herald.Target) error {
	t.CreatedAt, t.UpdatedAt = tx.now, tx.now
	err := tx.queryRow(ctx, `INSERT INTO targets (account_id, name, filters, launches, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`, t.AccountID, t.Name, filtersJSON(t.Filters), t.Launches, tx.now).Scan(&t.ID)
	if err != nil {
		return targetErr(err, t)
	}
	return nil
}

// CreateTarget validates and inserts t.
func (s *Store) CreateTarget(ctx context.Context, t *herald.Target) error {
	return s.inTx(ctx, func(tx *tx) error {
		if err := checkTarget(ctx, tx, t); err != nil {
			return err
		}
		t.Launches = 0
		if err := insertTarget(ctx, tx, t); err != nil {
			return err
		}
		return s.audit(ctx, tx, t.AccountID, actionAddTarget, detail("targets", herald.OpInsert, t.ID, nil, t))
	})
}

// UpdateTarget validates and saves the name and filters of t.
func (s *Store) UpdateTarget(ctx context.Context, t *herald.Target) error {
	return s.inTx(ctx, func(tx *tx) error {
		old, err := getTarget(ctx, tx, t.AccountID, t.ID)
		if err != nil {
			return err
		}
		if err := checkTarget(ctx, tx, t); err != nil {
			return err
		}
		_, err = tx.exec(ctx, `UPDATE targets SET name = $1, filters = $2, updated_at = $3 WHERE account_id = $4 AND id = $5`,
			t.Name, filtersJSON(t.Filters), tx.now, t.AccountID, t.ID)
		if err != nil {
			return targetErr(err, t)
		}
		t.Launches, t.CreatedAt, t.UpdatedAt = old.Launches, old.CreatedAt, tx.now
		return s.audit(ctx, tx, t.AccountID, actionChangeTarget, detail("targets", herald.OpUpdate, t.ID, old, t))
	})
}

// DeleteTarget removes a target.
func (s *Store) DeleteTarget(ctx context.Context, accountID, id int64) error {
	return s.inTx(ctx, func(tx *tx) error {
		old, err := getTarget(ctx, tx, accountID, id)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM targets WHERE account_id = $1 AND id = $2`, accountID, id); err != nil {
			return fmt.Errorf("deleting target: %w", err)
		}
		return s.audit(ctx, tx, accountID, actionDeleteTarget, detail("targets", herald.OpDelete, id, old, nil))
	})
}

// DuplicateTarget copies a target under the first free name of "X
// (copy)", "X (copy 2)", ...
func (s *Store) DuplicateTarget(ctx context.Context, accountID, id int64) (*herald.Target, error) {
	var dup *herald.Target
	err := s.inTx(ctx, func(tx *tx) error {
		src, err := getTarget(ctx, tx, accountID, id)
		if err != nil {
			return err
		}
		for i := 1; ; i++ {
			name := src.Name + " (copy)"
			if i > 1 {
				name = fmt.Sprintf("%s (copy %d)", src.Name, i)
			}
			var n int
			if err := tx.queryRow(ctx, `SELECT count(*) FROM targets WHERE account_id = $1 AND lower(name) = $2`, accountID, asciiLower(name)).Scan(&n); err != nil {
				return fmt.Errorf("naming target copy: %w", err)
			} else if n == 0 {
				dup = &herald.Target{AccountID: accountID, Name: name, Filters: src.Filters}
				break
			}
		}
		if err := insertTarget(ctx, tx, dup); err != nil {
			return err
		}
		return s.audit(ctx, tx, accountID, actionAddTarget, detail("targets", herald.OpInsert, dup.ID, nil, dup))
	})
	return dup, err
}

// targetSpec is the Targets list.
func targetSpec() *listSpec {
	return &listSpec{
		columns: herald.TargetColumns(),
		cols: map[string]listCol{
			"id":        {expr: "tg.id", typ: herald.ColNumber},
			"name":      {expr: "tg.name", typ: herald.ColText},
			"launches":  {expr: "tg.launches", typ: herald.ColNumber},
			"createdAt": {expr: "tg.created_at", typ: herald.ColTime},
			"updatedAt": {expr: "tg.updated_at", typ: herald.ColTime},
		},
		selects:     targetSelects,
		from:        "targets tg",
		id:          "tg.id",
		newestFirst: true,
	}
}

// ListTargets returns one page of the account's targets.
func (s *Store) ListTargets(ctx context.Context, accountID int64, q herald.ListQuery) (herald.Page[herald.Target], error) {
	p, err := s.buildList(targetSpec(), q, "tg.account_id = $1", accountID)
	if err != nil {
		return herald.Page[herald.Target]{}, err
	}
	return runList(ctx, s.read(), p, scanTarget)
}

// CountTarget counts the contacts the target selects now.
func (s *Store) CountTarget(ctx context.Context, accountID, id int64) (int, error) {
	t, err := s.Target(ctx, accountID, id)
	if err != nil {
		return 0, err
	}
	return s.CountContacts(ctx, accountID, t.Filters)
}

// AddTargetLaunch counts one more broadcast launched to the target.
func (s *Store) AddTargetLaunch(ctx context.Context, accountID, id int64) error {
	n, err := s.write().exec(ctx, `UPDATE targets SET launches = launches + 1 WHERE account_id = $1 AND id = $2`, accountID, id)
	if err != nil {
		return fmt.Errorf("counting target launch: %w", err)
	} else if n == 0 {
		return herald.Errorf(herald.ENOTFOUND, "Target not found.")
	}
	return nil
}

// dropTargetFilters removes the filters on column key from the account's
// targets (the attribute behind it is gone).
func dropTargetFilters(ctx context.Context, tx *tx, accountID int64, key string) error {
	var targets []herald.Target
	err := eachRow(ctx, tx, "SELECT "+targetSelects+" FROM targets tg WHERE tg.account_id = $1", []any{accountID}, func(r scanner) error {
		t, err := scanTarget(r)
		targets = append(targets, t)
		return err
	})
	if err != nil {
		return fmt.Errorf("reading targets: %w", err)
	}
	for _, t := range targets {
		kept := []herald.Filter{}
		for _, f := range t.Filters {
			if f.Field != key {
				kept = append(kept, f)
			}
		}
		if len(kept) == len(t.Filters) {
			continue
		}
		if _, err := tx.exec(ctx, `UPDATE targets SET filters = $1, updated_at = $2 WHERE id = $3`, filtersJSON(kept), tx.now, t.ID); err != nil {
			return fmt.Errorf("updating target filters: %w", err)
		}
	}
	return nil
}
