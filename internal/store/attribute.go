package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/heraldhq/herald"
)

// Attribute values are stored in slot columns of contacts (see the
// 00002_contacts migration): textual attributes in t01..t32, the others in
// n01..n16. An attribute owns its slot while it exists.
const (
	textSlots = 32
	freeSlots = 8 // t01..t08 have no index: free text (see the migration)
	numSlots  = 16
)

// Audited actions of attributes.
const (
	actionAddAttribute    = "Added new attribute"
	actionChangeAttribute = "Changed attribute"
	actionDeleteAttribute = "Deleted attribute"
)

// attr is an attribute with the slot column that holds its values.
type attr struct {
	herald.Attribute
	slot string // such as "t03" or "n01"
}

// allSlots returns every slot column name, text slots first.
func allSlots() []string {
	out := make([]string, 0, textSlots+numSlots)
	for i := 1; i <= textSlots; i++ {
		out = append(out, fmt.Sprintf("t%02d", i))
	}
	for i := 1; i <= numSlots; i++ {
		out = append(out, fmt.Sprintf("n%02d", i))
	}
	return out
}

// indexedSlot reports whether slot has an index.
func indexedSlot(slot string) bool {
	if slot[0] != 't' {
		return true
	}
	n, _ := strconv.Atoi(slot[1:])
	return n > freeSlots
}

// attrSelects are the columns scanAttr reads.
const attrSelects = "a.id, a.account_id, a.name, a.type, a.options, a.show_in_profile, a.slot, a.created_at, a.updated_at"

// scanAttr reads attrSelects.
func scanAttr(r scanner) (attr, error) {
	var a attr
	var opts string
	err := r.Scan(&a.ID, &a.AccountID, &a.Name, &a.Type, &opts, &a.ShowInProfile, &a.slot, &a.CreatedAt, &a.UpdatedAt)
	if err != nil {
		return a, err
	}
	a.CreatedAt, a.UpdatedAt = utc(a.CreatedAt), utc(a.UpdatedAt)
	a.FreeText = !indexedSlot(a.slot)
	a.Options = []string{}
	if err := json.Unmarshal([]byte(opts), &a.Options); err != nil {
		return a, fmt.Errorf("decoding options of attribute %d: %w", a.ID, err)
	}
	return a, nil
}

// loadAttrs returns the account's attributes in the order they were made.
func loadAttrs(ctx context.Context, q querier, accountID int64) ([]attr, error) {
	rs, err := q.query(ctx, "SELECT "+attrSelects+" FROM attributes a WHERE a.account_id = $1 ORDER BY a.id", accountID)
	if err != nil {
		return nil, fmt.Errorf("reading attributes: %w", err)
	}
	defer rs.Close()
	out := []attr{}
	for rs.Next() {
		a, err := scanAttr(rs)
		if err != nil {
			return nil, fmt.Errorf("reading attributes: %w", err)
		}
		out = append(out, a)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("reading attributes: %w", err)
	}
	return out, nil
}

// getAttr returns one attribute of the account, or ENOTFOUND.
func getAttr(ctx context.Context, q querier, accountID, id int64) (*attr, error) {
	a, err := scanAttr(q.queryRow(ctx, "SELECT "+attrSelects+" FROM attributes a WHERE a.account_id = $1 AND a.id = $2", accountID, id))
	if isNoRows(err) {
		return nil, herald.Errorf(herald.ENOTFOUND, "Attribute not found.")
	} else if err != nil {
		return nil, fmt.Errorf("reading attribute: %w", err)
	}
	return &a, nil
}

// plainAttrs returns the domain values of attrs.
func plainAttrs(attrs []attr) []herald.Attribute {
	out := make([]herald.Attribute, len(attrs))
	for i, a := range attrs {
		out[i] = a.Attribute
	}
	return out
}

// Attributes returns the account's attributes in the order they were made.
func (s *Store) Attributes(ctx context.Context, accountID int64) ([]herald.Attribute, error) {
	attrs, err := loadAttrs(ctx, s.read(), accountID)
	return plainAttrs(attrs), err
}

// Attribute returns one attribute of the account.
func (s *Store) Attribute(ctx context.Context, accountID, id int64) (*herald.Attribute, error) {
	a, err := getAttr(ctx, s.read(), accountID, id)
	if err != nil {
		return nil, err
	}
	return &a.Attribute, nil
}

// freeSlot returns the first slot of a's kind that no attribute of the
// account holds, or EINVALID when all are taken.
func freeSlot(ctx context.Context, q querier, a *herald.Attribute) (string, error) {
	taken := map[string]bool{}
	rs, err := q.query(ctx, "SELECT slot FROM attributes WHERE account_id = $1", a.AccountID)
	if err != nil {
		return "", fmt.Errorf("reading attribute slots: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		var slot string
		if err := rs.Scan(&slot); err != nil {
			return "", fmt.Errorf("reading attribute slots: %w", err)
		}
		taken[slot] = true
	}
	if err := rs.Err(); err != nil {
		return "", fmt.Errorf("reading attribute slots: %w", err)
	}
	prefix, from, n, kind := "n", 1, numSlots, "number, date and yes/no"
	switch {
	case a.FreeText:
		prefix, n, kind = "t", freeSlots, "free text"
	case a.Type.Textual():
		prefix, from, n, kind = "t", freeSlots+1, textSlots, "indexed text, list and e-mail"
	}
	for i := from; i <= n; i++ {
		if slot := fmt.Sprintf("%s%02d", prefix, i); !taken[slot] {
			return slot, nil
		}
	}
	var vs herald.Violations
	vs.Add("type", herald.VRange, "An account can have at most %d %s attributes; remove one first.", n-from+1, kind)
	return "", vs.Err()
}

// attrErr maps the errors of saving a.
func attrErr(err error, a *herald.Attribute) error {
	if isUnique(err, "attributes_name_key", "") {
		return taken("name", "An attribute named %q already exists.", a.Name)
	} else if isUnique(err, "attributes_slot_key", "attributes.account_id, attributes.slot") {
		return herald.Errorf(herald.ECONFLICT, "Another attribute was created at the same time; try again.")
	} else if foreignKeyViolation(err) {
		return herald.Errorf(herald.ENOTFOUND, "Account not found.")
	}
	return fmt.Errorf("saving attribute: %w", err)
}

// optionsJSON encodes list options, never as null.
func optionsJSON(opts []string) string {
	if opts == nil {
		opts = []string{}
	}
	b, _ := json.Marshal(opts) // a []string always encodes
	return string(b)
}

// insertAttr inserts a in a free slot and sets its ID and times.
func insertAttr(ctx context.Context, t *tx, a *herald.Attribute) error {
	slot, err := freeSlot(ctx, t, a)
	if err != nil {
		return err
	}
	a.CreatedAt, a.UpdatedAt = t.now, t.now
	err = t.queryRow(ctx, `INSERT INTO attributes (account_id, name, type, options, show_in_profile, slot, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`,
		a.AccountID, a.Name, a.Type, optionsJSON(a.Options), a.ShowInProfile, slot, t.now).Scan(&a.ID)
	if err != nil {
		return attrErr(err, a)
	}
	return nil
}

// seedAttributes creates the default attributes of a new account and
// returns their audit details.
func seedAttributes(ctx context.Context, t *tx, accountID int64) ([]herald.AuditDetail, error) {
	var details []herald.AuditDetail
	for _, name := range []string{herald.AttrNameName, herald.AttrNameSurname} {
		// Names are nearly unique and searched with "contains": no index.
		a := &herald.Attribute{AccountID: accountID, Name: name, Type: herald.AttrText, ShowInProfile: true, FreeText: true}
		if err := insertAttr(ctx, t, a); err != nil {
			return nil, err
		}
		details = append(details, detail("attributes", herald.OpInsert, a.ID, nil, a))
	}
	return details, nil
}

// CreateAttribute validates and inserts a in a free slot.
func (s *Store) CreateAttribute(ctx context.Context, a *herald.Attribute) error {
	if err := a.Validate(); err != nil {
		return err
	}
	return s.inTx(ctx, func(t *tx) error {
		if err := insertAttr(ctx, t, a); err != nil {
			return err
		}
		return s.audit(ctx, t, a.AccountID, actionAddAttribute, detail("attributes", herald.OpInsert, a.ID, nil, a))
	})
}

// UpdateAttribute saves the name, profile flag and options of a.
func (s *Store) UpdateAttribute(ctx context.Context, a *herald.Attribute) error {
	if err := a.Validate(); err != nil {
		return err
	}
	return s.inTx(ctx, func(t *tx) error {
		old, err := getAttr(ctx, t, a.AccountID, a.ID)
		if err != nil {
			return err
		}
		a.FreeText = old.FreeText // the slot decides it
		if old.Type != a.Type {
			var vs herald.Violations
			vs.Add("type", herald.VPolicy, "The type of an attribute cannot change; create another attribute instead.")
			return vs.Err()
		}
		_, err = t.exec(ctx, `UPDATE attributes SET name = $1, options = $2, show_in_profile = $3, updated_at = $4
			WHERE account_id = $5 AND id = $6`, a.Name, optionsJSON(a.Options), a.ShowInProfile, t.now, a.AccountID, a.ID)
		if err != nil {
			return attrErr(err, a)
		}
		a.CreatedAt, a.UpdatedAt = old.CreatedAt, t.now
		return s.audit(ctx, t, a.AccountID, actionChangeAttribute, detail("attributes", herald.OpUpdate, a.ID, old.Attribute, a))
	})
}

// DeleteAttribute removes an attribute, every value of it and the target
// filters that use it.
func (s *Store) DeleteAttribute(ctx context.Context, accountID, id int64) error {
	return s.inTx(ctx, func(t *tx) error {
		old, err := getAttr(ctx, t, accountID, id)
		if err != nil {
			return err
		}
		// The partial index of the slot finds exactly the contacts that
		// have a value.
		key := strconv.FormatInt(id, 10)
		_, err = t.exec(ctx, `UPDATE contacts SET `+old.slot+` = NULL, attrs = `+s.jsonWithout("attrs", key)+`
			WHERE account_id = $1 AND `+old.slot+` IS NOT NULL`, accountID)
		if err != nil {
			return fmt.Errorf("deleting attribute values: %w", err)
		}
		if _, err := t.exec(ctx, `DELETE FROM attributes WHERE account_id = $1 AND id = $2`, accountID, id); err != nil {
			return fmt.Errorf("deleting attribute: %w", err)
		}
		if err := dropTargetFilters(ctx, t, accountID, old.ColumnKey()); err != nil {
			return err
		}
		return s.audit(ctx, t, accountID, actionDeleteAttribute, detail("attributes", herald.OpDelete, id, old.Attribute, nil))
	})
}

// jsonWithout returns the SQL of the JSON object in column col without
// key, a decimal attribute ID.
func (s *Store) jsonWithout(col, key string) string {
	if s.engine == EnginePostgres {
		return "(" + col + "::jsonb - '" + key + "')::text"
	}
	return "json_remove(" + col + `, '$."` + key + `"')`
}
