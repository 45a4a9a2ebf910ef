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
// transaction: one statement inserts the new contacts (a JSONB batch on
// SQLite, COPY on PostgreSQL) and duplicates are updated by the policy
// one by one. With the skip policy on SQLite the insert itself passes
// over the numbers the account has; otherwise one query finds them
// first. The work that needs no database (folding duplicates, ordering,
// encoding) is prepareRows's, which an import does ahead of the write
// transaction, on another core.

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

// bulkRows is a batch of valid rows made ready to write: rows repeating a
// phone number folded into the first by policy, the others ordered for
// the insert (insertOrder) and, on SQLite, encoded as the JSONB array that
// insertRows reads.
type bulkRows struct {
	policy herald.DuplicatePolicy
	rows   []herald.ImportRow
	folded int     // rows folded into earlier ones
	used   []*attr // the attributes the rows give values of
	jsonb  []byte  // SQLite: the rows as a JSONB array
	ends   []int   // SQLite: where each row's element ends in jsonb
}

// prepareRows folds, orders and encodes rows (all valid) for the
// account's attributes attrs, of which the slots that indexed reports
// have their index. It leaves rows as they are.
func (s *Store) prepareRows(attrs []attr, rows []herald.ImportRow, policy herald.DuplicatePolicy, indexed func(slot string) bool) *bulkRows {
	p := &bulkRows{policy: policy}
	p.rows, p.folded = mergeDuplicates(rows, policy)
	p.used = batchAttrs(attrs, p.rows)
	insertOrder(p.used, p.rows, indexed)
	if s.engine == EngineSQLite {
		p.jsonb, p.ends = rowsJSONB(p.used, p.rows)
	}
	return p
}

// current reports whether p was prepared for policy with attributes that
// attrs still has: the same IDs in the same slots.
func (p *bulkRows) current(attrs []attr, policy herald.DuplicatePolicy) bool {
	if p == nil || p.policy != policy {
		return false
	}
	for _, u := range p.used {
		if a := attrByID(attrs, u.ID); a == nil || a.slot != u.slot {
			return false
		}
	}
	return true
}

// attrByID returns the attribute id of attrs, or nil.
func attrByID(attrs []attr, id int64) *attr {
	for i := range attrs {
		if attrs[i].ID == id {
			return &attrs[i]
		}
	}
	return nil
}

// applyRows writes the prepared rows p of the account and gives every one
// of them the tags tagIDs besides their own.
func (s *Store) applyRows(ctx context.Context, t *tx, attrs []attr, accountID int64, p *bulkRows, tagIDs []int64) (bulkCounts, error) {
	n := bulkCounts{skipped: p.folded}
	if p.policy == herald.DupSkip && s.engine == EngineSQLite {
		created, err := s.insertRows(ctx, t, accountID, p, nil, true)
		if err != nil {
			return n, err
		}
		n.created, n.skipped = created, n.skipped+len(p.rows)-created
		return n, linkRows(ctx, t, s.d, accountID, p.rows, tagIDs)
	}
	found, err := findByPhone(ctx, t, s.d, accountID, p.rows)
	if err != nil {
		return n, err
	}
	fresh := make([]int, 0, len(p.rows))
	for i, r := range p.rows {
		e, ok := found[r.Phone]
		if !ok {
			fresh = append(fresh, i)
			continue
		}
		if p.policy == herald.DupSkip {
			n.skipped++
			continue
		}
		if err := updateDuplicate(ctx, t, attrs, e, r, p.policy); err != nil {
			return n, err
		}
		n.updated++
	}
	if n.created, err = s.insertRows(ctx, t, accountID, p, fresh, false); err != nil {
		return n, err
	}
	return n, linkRows(ctx, t, s.d, accountID, p.rows, tagIDs)
}

// mergeDuplicates folds rows that repeat a phone number of an earlier row
// into it by policy (skip keeps the first) and returns the rows left and
// how many it folded. The rows it changes are copies: rows stay as they
// are.
func mergeDuplicates(rows []herald.ImportRow, policy herald.DuplicatePolicy) ([]herald.ImportRow, int) {
	first := make(map[string]int, len(rows))
	out := make([]herald.ImportRow, 0, len(rows))
	copied := map[int]bool{}
	folded := 0
	for _, r := range rows {
		i, dup := first[r.Phone]
		if !dup {
			first[r.Phone] = len(out)
			out = append(out, r)
			continue
		}
		folded++
		if policy == herald.DupSkip {
			continue
		}
		prev := &out[i]
		if !copied[i] {
			copied[i] = true
			prev.Values, prev.Tags = maps.Clone(prev.Values), slices.Clone(prev.Tags)
			if prev.Values == nil {
				prev.Values = map[int64]herald.Value{}
			}
		}
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
	return out, folded
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

// insertRows inserts the new contacts among p's rows (those of idx, or
// all when idx is nil) in one statement (COPY on PostgreSQL) and returns
// how many it inserted. skipTaken (SQLite only) passes over the rows whose
// phone number the account has already; otherwise they fail the statement.
func (s *Store) insertRows(ctx context.Context, t *tx, accountID int64, p *bulkRows, idx []int, skipTaken bool) (int, error) {
	if len(p.rows) == 0 || (idx != nil && len(idx) == 0) {
		return 0, nil
	}
	if s.engine == EnginePostgres {
		rows := p.rows
		if idx != nil {
			rows = make([]herald.ImportRow, len(idx))
			for i, j := range idx {
				rows[i] = p.rows[j]
			}
		}
		return len(rows), copyRows(ctx, t, p.used, accountID, rows)
	}
	cols := []string{"account_id", "phone", "country", "email", "attrs", "created_at", "updated_at"}
	exprs := []string{"$1", "e.value->>'$[0]'", "e.value->>'$[1]'", "e.value->>'$[2]'", "e.value->>'$[3]'", "$3", "$3"}
	for i, a := range p.used {
		cols, exprs = append(cols, a.slot), append(exprs, "e.value->>'$["+strconv.Itoa(4+i)+"]'")
	}
	// jsonb_each hands out each row as JSONB, which ->> reads without
	// parsing it; a path costs ->> less than an index, which it would
	// turn into a path. "WHERE true" tells SQLite's parser that ON
	// CONFLICT is not a join constraint.
	q := "INSERT INTO contacts (" + strings.Join(cols, ", ") + ") SELECT " + strings.Join(exprs, ", ") + " FROM jsonb_each($2) AS e"
	if skipTaken {
		q += " WHERE true ON CONFLICT (account_id, phone) DO NOTHING"
	}
	n, err := t.exec(ctx, q, accountID, p.subset(idx), t.now)
	if err != nil {
		return 0, contactErr(err, "")
	}
	return int(n), nil
}

// displayJSON is the attrs JSON of r.
func displayJSON(used []*attr, r herald.ImportRow) string {
	return string(appendDisplayJSON(make([]byte, 0, 16*len(used)), used, r))
}

// appendDisplayJSON appends the attrs JSON of r: display values by
// attribute ID.
func appendDisplayJSON(b []byte, used []*attr, r herald.ImportRow) []byte {
	b = append(b, '{')
	first := true
	for _, a := range used {
		v := r.Values[a.ID]
		if v.Display == "" {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, '"')
		b = strconv.AppendInt(b, a.ID, 10)
		b = append(b, '"', ':')
		b = appendJSONString(b, v.Display)
	}
	return append(b, '}')
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
