package store

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/heraldhq/herald"
)

// Bulk writes (imports and the bulk upsert API) apply many rows in one
// transaction: one query finds which phone numbers exist, one statement
// inserts the new contacts (a JSON batch on SQLite, COPY on PostgreSQL),
// and duplicates are updated by the policy one by one.

// bulkCounts is what applying rows did.
type bulkCounts struct {
	created, updated, skipped int
}

// existing is a contact found by phone number, with what a duplicate
// policy needs.
type existing struct {
	id     int64
	email  string
	values map[string]string // display values by attribute ID
}

// applyRows writes rows (all valid) of the account by policy and gives
// every one of them the tags tagIDs besides their own.
func (s *Store) applyRows(ctx context.Context, t *tx, attrs []attr, accountID int64, rows []herald.ImportRow,
	policy herald.DuplicatePolicy, tagIDs []int64) (bulkCounts, error) {
	var n bulkCounts
	rows = mergeDuplicates(rows, policy, &n)
	found, err := findByPhone(ctx, t, s.d, accountID, rows)
	if err != nil {
		return n, err
	}
	var fresh []herald.ImportRow
	for _, r := range rows {
		e, ok := found[r.Phone]
		if !ok {
			fresh = append(fresh, r)
			continue
		}
		if policy == herald.DupSkip {
			n.skipped++
			continue
		}
		if err := updateDuplicate(ctx, t, attrs, e, r, policy); err != nil {
			return n, err
		}
		n.updated++
	}
	if err := s.insertRows(ctx, t, attrs, accountID, fresh); err != nil {
		return n, err
	}
	n.created = len(fresh)
	return n, linkRows(ctx, t, s.d, accountID, rows, tagIDs)
}

// mergeDuplicates folds rows that repeat a phone number of an earlier row
// into it by policy (skip keeps the first).
func mergeDuplicates(rows []herald.ImportRow, policy herald.DuplicatePolicy, n *bulkCounts) []herald.ImportRow {
	first := make(map[string]int, len(rows))
	out := rows[:0:0]
	for _, r := range rows {
		i, dup := first[r.Phone]
		if !dup {
			first[r.Phone] = len(out)
			out = append(out, r)
			continue
		}
		n.skipped++
		if policy == herald.DupSkip {
			continue
		}
		prev := &out[i]
		for id, v := range r.Values {
			if policy == herald.DupOverride || prev.Values[id].Display == "" {
				prev.Values[id] = v
			}
		}
		if r.Email != "" && (policy == herald.DupOverride || prev.Email == "") {
			prev.Email = r.Email
		}
		prev.Tags = append(prev.Tags, r.Tags...)
	}
	return out
}

// findByPhone returns the account's contacts with the rows' phone numbers.
func findByPhone(ctx context.Context, q querier, d dialect, accountID int64, rows []herald.ImportRow) (map[string]existing, error) {
	found := map[string]existing{}
	if len(rows) == 0 {
		return found, nil
	}
	phones := make([]string, len(rows))
	for i, r := range rows {
		phones[i] = r.Phone
	}
	list, _ := json.Marshal(phones) // strings always encode
	err := eachRow(ctx, q, `SELECT c.id, c.phone, c.email, c.attrs FROM contacts c WHERE c.account_id = $1 AND c.phone IN (SELECT `+
		d.elemText("e")+` FROM `+d.eachElem("$2", "e")+`)`, []any{accountID, string(list)}, func(r scanner) error {
		var e existing
		var p, attrs string
		if err := r.Scan(&e.id, &p, &e.email, &attrs); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(attrs), &e.values); err != nil {
			return err
		}
		found[p] = e
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("finding existing contacts: %w", err)
	}
	return found, nil
}

// updateDuplicate applies row r to the existing contact e: override sets
// every given value (an empty one clears it), enrich only fills values
// the contact lacks.
func updateDuplicate(ctx context.Context, t *tx, attrs []attr, e existing, r herald.ImportRow, policy herald.DuplicatePolicy) error {
	values := maps.Clone(e.values)
	if values == nil {
		values = map[string]string{}
	}
	for id, v := range r.Values {
		key := strconv.FormatInt(id, 10)
		if policy == herald.DupEnrich && values[key] != "" {
			continue
		}
		if v.Display == "" {
			delete(values, key)
		} else {
			values[key] = v.Display
		}
	}
	email := e.email
	if r.Email != "" && (policy == herald.DupOverride || email == "") {
		email = r.Email
	}
	sets, args := []string{"email = $1", "attrs = $2", "updated_at = $3"}, listArgs{email, mustJSON(values), t.now}
	for _, a := range attrs {
		if _, ok := r.Values[a.ID]; ok {
			sets = append(sets, a.slot+" = "+args.add(slotOf(&a, values[strconv.FormatInt(a.ID, 10)])))
		}
	}
	_, err := t.exec(ctx, "UPDATE contacts SET "+strings.Join(sets, ", ")+" WHERE id = "+args.add(e.id), args...)
	if err != nil {
		return fmt.Errorf("updating contact: %w", err)
	}
	return nil
}

// slotOf is the slot value of a display value, nil for none.
func slotOf(a *attr, display string) any {
	if display == "" {
		return nil
	}
	v, err := a.ParseValue(display)
	if err != nil {
		return nil // stored values are valid; an option removed since is kept as text
	}
	return slotValue(a, v)
}

// mustJSON encodes a map of strings.
func mustJSON(m map[string]string) string {
	b, _ := json.Marshal(m) // strings always encode
	return string(b)
}

// batchAttrs returns the attributes that rows give values of.
func batchAttrs(attrs []attr, rows []herald.ImportRow) []*attr {
	used := map[int64]bool{}
	for _, r := range rows {
		for id := range r.Values {
			used[id] = true
		}
	}
	var out []*attr
	for i := range attrs {
		if used[attrs[i].ID] {
			out = append(out, &attrs[i])
		}
	}
	return out
}

// insertRows inserts new contacts in one statement (COPY on PostgreSQL).
func (s *Store) insertRows(ctx context.Context, t *tx, attrs []attr, accountID int64, rows []herald.ImportRow) error {
	if len(rows) == 0 {
		return nil
	}
	used := batchAttrs(attrs, rows)
	if s.engine == EnginePostgres {
		return copyRows(ctx, t, used, accountID, rows)
	}
	cols := []string{"account_id", "phone", "country", "email", "attrs", "created_at", "updated_at"}
	exprs := []string{"$1", "e.value->>0", "e.value->>1", "e.value->>2", "e.value->>3", "$3", "$3"}
	for i, a := range used {
		cols, exprs = append(cols, a.slot), append(exprs, "e.value->>"+strconv.Itoa(4+i))
	}
	// jsonb_each hands out each row as JSONB, which ->> reads without
	// parsing it again.
	_, err := t.exec(ctx, "INSERT INTO contacts ("+strings.Join(cols, ", ")+") SELECT "+strings.Join(exprs, ", ")+
		" FROM jsonb_each($2) AS e", accountID, rowsJSON(used, rows), t.now)
	if err != nil {
		return contactErr(err, "")
	}
	return nil
}

// rowsJSON encodes rows as the JSON array of arrays that insertRows reads:
// phone, country, email, attrs JSON, then the used attributes' slot values.
func rowsJSON(used []*attr, rows []herald.ImportRow) string {
	b := make([]byte, 0, len(rows)*(64+24*len(used)))
	b = append(b, '[')
	for i, r := range rows {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		b = strconv.AppendQuote(b, r.Phone)
		b = append(b, ',')
		b = strconv.AppendQuote(b, r.Country)
		b = append(b, ',')
		b = appendJSONString(b, r.Email)
		b = append(b, ',')
		b = appendJSONString(b, displayJSON(used, r))
		for _, a := range used {
			b = append(b, ',')
			b = appendSlotJSON(b, a, r.Values[a.ID])
		}
		b = append(b, ']')
	}
	return string(append(b, ']'))
}

// displayJSON is the attrs JSON of r.
func displayJSON(used []*attr, r herald.ImportRow) string {
	b := make([]byte, 0, 16*len(used))
	b = append(b, '{')
	for _, a := range used {
		v := r.Values[a.ID]
		if v.Display == "" {
			continue
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = strconv.AppendInt(b, a.ID, 10)
		b = append(b, '"', ':')
		b = appendJSONString(b, v.Display)
	}
	return string(append(b, '}'))
}

// appendSlotJSON appends the slot value of v as JSON: null, a string or a
// number.
func appendSlotJSON(b []byte, a *attr, v herald.Value) []byte {
	switch {
	case v.Display == "":
		return append(b, "null"...)
	case a.Type.Textual():
		return appendJSONString(b, v.Text)
	}
	return strconv.AppendFloat(b, v.Num, 'g', -1, 64)
}

// appendJSONString appends s as a JSON string.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x7f {
			q, _ := json.Marshal(s) // the slow path, for the rare string that needs escapes
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// linkRows writes the rows' identities and tags, and gives tagIDs to all
// of them.
func linkRows(ctx context.Context, t *tx, d dialect, accountID int64, rows []herald.ImportRow, tagIDs []int64) error {
	needIDs := len(tagIDs) > 0
	for _, r := range rows {
		needIDs = needIDs || len(r.Tags) > 0 || len(r.Identities) > 0
	}
	if !needIDs {
		return nil
	}
	found, err := findByPhone(ctx, t, d, accountID, rows)
	if err != nil {
		return err
	}
	all := make([]int64, 0, len(rows))
	for _, r := range rows {
		id := found[r.Phone].id
		all = append(all, id)
		if err := linkRow(ctx, t, accountID, id, r); err != nil {
			return err
		}
	}
	return tagContacts(ctx, t, tagIDs, all)
}

// linkRow adds the identities and tags of one row to contact id. An
// identity that another contact has is left to it.
func linkRow(ctx context.Context, t *tx, accountID, id int64, r herald.ImportRow) error {
	for _, kind := range slices.Sorted(maps.Keys(r.Identities)) {
		_, err := t.exec(ctx, `INSERT INTO contact_identities (account_id, kind, value, contact_id) VALUES ($1, $2, $3, $4)
			ON CONFLICT (account_id, kind, value) DO NOTHING`, accountID, kind, r.Identities[kind], id)
		if err != nil {
			return fmt.Errorf("saving contact identities: %w", err)
		}
	}
	if len(r.Tags) == 0 {
		return nil
	}
	tags, err := ensureTags(ctx, t, accountID, r.Tags)
	if err != nil {
		return err
	}
	return tagContacts(ctx, t, tags, []int64{id})
}
