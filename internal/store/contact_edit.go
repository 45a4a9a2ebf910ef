package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/heraldhq/herald"
)

// MaxBulkContacts bounds one bulk upsert.
const MaxBulkContacts = 1000

// actionUpsertContacts is the audited action of a bulk upsert.
const actionUpsertContacts = "Upserted contacts"

// bulkSummary is how the audit log records a bulk change.
type bulkSummary struct {
	Selection *herald.ContactSelection `json:"selection,omitempty"`
	Edit      *herald.ContactEdit      `json:"edit,omitempty"`
	Policy    herald.DuplicatePolicy   `json:"policy,omitempty"`
	Contacts  int                      `json:"contacts"`
	Created   int                      `json:"created,omitempty"`
	Updated   int                      `json:"updated,omitempty"`
}

// importRow turns c into a bulk row: phone normalised, values checked.
func importRow(c *herald.Contact, attrs []attr) (herald.ImportRow, error) {
	var vs herald.Violations
	normalizePhone(c, &vs)
	vs = append(vs, herald.ErrorViolations(c.Validate())...)
	r := herald.ImportRow{Phone: c.Phone, Country: c.Country, Email: c.Email, Identities: c.Identities,
		Tags: c.Tags, Values: map[int64]herald.Value{}}
	for name, raw := range c.Attributes {
		a := findAttr(attrs, name)
		if a == nil {
			vs.Add("attributes."+name, herald.VUnknown, "There is no attribute %q.", name)
			continue
		}
		v, err := a.ParseValue(raw)
		if err != nil {
			vs.Add("attributes."+name, herald.VFormat, "%s", herald.ErrorMessage(err))
		}
		r.Values[a.ID] = v
	}
	return r, vs.Err()
}

// UpsertContacts creates new contacts and treats existing ones (by phone
// number) by policy. Invalid contacts are reported by index; the others
// are applied in one transaction.
func (s *Store) UpsertContacts(ctx context.Context, accountID int64, cs []herald.Contact, policy herald.DuplicatePolicy) (herald.BulkResult, error) {
	res := herald.BulkResult{Errors: []herald.BulkError{}}
	var vs herald.Violations
	if !policy.Valid() {
		vs.Add("policy", herald.VUnknown, "Policy must be skip, override or enrich.")
	}
	if len(cs) == 0 || len(cs) > MaxBulkContacts {
		vs.Add("contacts", herald.VRange, "Send from 1 to %d contacts.", MaxBulkContacts)
	}
	if err := vs.Err(); err != nil {
		return res, err
	}
	err := s.inTx(ctx, func(t *tx) error {
		attrs, err := loadAttrs(ctx, t, accountID)
		if err != nil {
			return err
		}
		var rows []herald.ImportRow
		for i := range cs {
			r, err := importRow(&cs[i], attrs)
			if err != nil {
				res.Errors = append(res.Errors, herald.BulkError{Index: i, Message: herald.ErrorMessage(err), Violations: herald.ErrorViolations(err)})
				continue
			}
			rows = append(rows, r)
		}
		n, err := s.applyRows(ctx, t, attrs, accountID, s.prepareRows(attrs, rows, policy, indexedSlot), nil)
		if err != nil {
			return err
		}
		res.Created, res.Updated, res.Skipped = n.created, n.updated, n.skipped
		sum := bulkSummary{Policy: policy, Contacts: len(cs), Created: n.created, Updated: n.updated}
		return s.audit(ctx, t, accountID, actionUpsertContacts, detail("contacts", herald.OpInsert, 0, nil, sum))
	})
	return res, err
}

// selectionWhere returns the WHERE clause of the account's contacts in sel.
func selectionWhere(attrs []attr, accountID int64, sel herald.ContactSelection) (string, []any, error) {
	if sel.All {
		return contactWhere(attrs, accountID, sel.Filters)
	}
	if len(sel.IDs) == 0 || len(sel.IDs) > herald.MaxPageSize*20 {
		return "", nil, herald.Violations{{Field: "ids", Code: herald.VRange,
			Message: fmt.Sprintf("Select from 1 to %d contacts, or all that match.", herald.MaxPageSize*20)}}.Err()
	}
	args := listArgs{accountID}
	ids := make([]string, len(sel.IDs))
	for i, id := range sel.IDs {
		ids[i] = args.add(id)
	}
	return "c.account_id = $1 AND c.id IN (" + strings.Join(ids, ", ") + ")", args, nil
}

// EditContacts sets and clears attribute values and adds and removes tags
// of the selected contacts.
func (s *Store) EditContacts(ctx context.Context, accountID int64, sel herald.ContactSelection, e herald.ContactEdit) (int, error) {
	var n int
	err := s.inTx(ctx, func(t *tx) error {
		attrs, err := loadAttrs(ctx, t, accountID)
		if err != nil {
			return err
		}
		where, args, err := selectionWhere(attrs, accountID, sel)
		if err != nil {
			return err
		}
		if err := t.queryRow(ctx, "SELECT count(*) FROM contacts c WHERE "+where, args...).Scan(&n); err != nil {
			return fmt.Errorf("counting contacts: %w", err)
		}
		if err := s.editValues(ctx, t, attrs, e, where, args); err != nil {
			return err
		}
		if err := editTags(ctx, t, accountID, e, where, args); err != nil {
			return err
		}
		sum := bulkSummary{Selection: &sel, Edit: &e, Contacts: n}
		return s.audit(ctx, t, accountID, actionEditContacts, detail("contacts", herald.OpUpdate, 0, nil, sum))
	})
	return n, err
}

// editValues runs the UPDATE of a mass edit's attribute values.
func (s *Store) editValues(ctx context.Context, t *tx, attrs []attr, e herald.ContactEdit, where string, args []any) error {
	la := listArgs(args)
	var sets []string
	attrsExpr := "attrs"
	var vs herald.Violations
	for name, raw := range e.Set {
		a := findAttr(attrs, name)
		if a == nil {
			vs.Add("set."+name, herald.VUnknown, "There is no attribute %q.", name)
			continue
		}
		v, err := a.ParseValue(raw)
		if err != nil || v.Display == "" {
			vs.Add("set."+name, herald.VFormat, "%s", strings.TrimSpace(herald.ErrorMessage(err)+" Give a value, or clear the attribute instead."))
			continue
		}
		sets = append(sets, a.slot+" = "+la.add(slotValue(a, v)))
		attrsExpr = s.jsonWith(attrsExpr, strconv.FormatInt(a.ID, 10), la.add(v.Display))
	}
	for _, name := range e.Clear {
		a := findAttr(attrs, name)
		if a == nil {
			vs.Add("clear", herald.VUnknown, "There is no attribute %q.", name)
			continue
		}
		sets = append(sets, a.slot+" = NULL")
		attrsExpr = s.jsonWithout(attrsExpr, strconv.FormatInt(a.ID, 10))
	}
	if err := vs.Err(); err != nil || len(sets) == 0 {
		return err
	}
	sets = append(sets, "attrs = "+attrsExpr, "updated_at = "+la.add(t.now))
	_, err := t.exec(ctx, "UPDATE contacts SET "+strings.Join(sets, ", ")+" WHERE id IN (SELECT c.id FROM contacts c WHERE "+where+")", la...)
	if err != nil {
		return fmt.Errorf("editing contacts: %w", err)
	}
	return nil
}

// jsonWith returns the SQL of the JSON object expr with key (a decimal
// attribute ID) set to the text in placeholder ph.
func (s *Store) jsonWith(expr, key, ph string) string {
	if s.engine == EnginePostgres {
		return "(" + expr + "::jsonb || jsonb_build_object('" + key + "', CAST(" + ph + " AS TEXT)))::text"
	}
	return "json_set(" + expr + `, '$."` + key + `"', ` + ph + ")"
}

// editTags adds and removes the tags of a mass edit.
func editTags(ctx context.Context, t *tx, accountID int64, e herald.ContactEdit, where string, args []any) error {
	add, err := ensureTags(ctx, t, accountID, e.AddTags)
	if err != nil {
		return err
	}
	for _, id := range add {
		la := listArgs(args)
		_, err := t.exec(ctx, "INSERT INTO contact_tags (contact_id, tag_id) SELECT c.id, "+la.add(id)+
			" FROM contacts c WHERE "+where+" ON CONFLICT (contact_id, tag_id) DO NOTHING", la...)
		if err != nil {
			return fmt.Errorf("tagging contacts: %w", err)
		}
	}
	for _, name := range e.RemoveTags {
		id, err := tagID(ctx, t, accountID, name)
		if herald.IsNotFound(err) {
			continue
		} else if err != nil {
			return fmt.Errorf("reading tag: %w", err)
		}
		la := listArgs(args)
		_, err = t.exec(ctx, "DELETE FROM contact_tags WHERE tag_id = "+la.add(id)+
			" AND contact_id IN (SELECT c.id FROM contacts c WHERE "+where+")", la...)
		if err != nil {
			return fmt.Errorf("untagging contacts: %w", err)
		}
	}
	return nil
}

// DeleteContacts deletes the selected contacts, unless they are every
// contact of the account.
func (s *Store) DeleteContacts(ctx context.Context, accountID int64, sel herald.ContactSelection) (int, error) {
	var n int
	err := s.inTx(ctx, func(t *tx) error {
		attrs, err := loadAttrs(ctx, t, accountID)
		if err != nil {
			return err
		}
		where, args, err := selectionWhere(attrs, accountID, sel)
		if err != nil {
			return err
		}
		var total int
		if err := t.queryRow(ctx, "SELECT count(*) FROM contacts c WHERE "+where, args...).Scan(&n); err != nil {
			return fmt.Errorf("counting contacts: %w", err)
		}
		if err := t.queryRow(ctx, "SELECT count(*) FROM contacts WHERE account_id = $1", accountID).Scan(&total); err != nil {
			return fmt.Errorf("counting contacts: %w", err)
		}
		if n == total && n > 0 {
			return herald.Errorf(herald.EFORBIDDEN, "Deleting every contact of the account is not allowed; narrow the selection.")
		}
		if _, err := t.exec(ctx, "DELETE FROM contacts WHERE id IN (SELECT c.id FROM contacts c WHERE "+where+")", args...); err != nil {
			return fmt.Errorf("deleting contacts: %w", err)
		}
		sum := bulkSummary{Selection: &sel, Contacts: n}
		return s.audit(ctx, t, accountID, actionDeleteContacts, detail("contacts", herald.OpDelete, 0, sum, nil))
	})
	return n, err
}
