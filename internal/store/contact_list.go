package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/phone"
)

// Contact lists and targets share one translation of filters into
// conditions on contacts c. Attribute filters become conditions on slot
// columns, which the slots' partial indexes answer; text is compared
// folded (herald.Fold) because the slots hold folded text. Tags, opt-outs
// and identities are semi-joins on their tables.

// contactSpec is the Contacts list of an account with attributes attrs.
func contactSpec(attrs []attr) *listSpec {
	cols := map[string]listCol{
		"id":                   {expr: "c.id", typ: herald.ColNumber},
		herald.ColPhone:        {expr: "c.phone", typ: herald.ColText},
		herald.ColEmail:        {expr: "c.email", typ: herald.ColText},
		herald.ColCountry:      {expr: "c.country", typ: herald.ColText},
		herald.ColRCSCapable:   {expr: "c.rcs_capable", typ: herald.ColBool, nullable: true},
		herald.ColRCSCheckedAt: {expr: "c.rcs_checked_at", typ: herald.ColTime, nullable: true},
		"createdAt":            {expr: "c.created_at", typ: herald.ColTime},
		"updatedAt":            {expr: "c.updated_at", typ: herald.ColTime},
	}
	for i := range attrs {
		a := &attrs[i]
		typ := a.ColumnType()
		if typ == herald.ColTime || typ == herald.ColBool {
			typ = herald.ColNumber // dates are days and yes/no 0 or 1 in their slots
		}
		cols[a.ColumnKey()] = listCol{expr: "c." + a.slot, typ: typ, nullable: true}
	}
	return &listSpec{
		columns: herald.ContactColumns(plainAttrs(attrs)),
		cols:    cols,
		selects: contactSelects,
		from:    "contacts c",
		id:      "c.id",
	}
}

// contactConds returns the conditions of filters on contacts c, adding
// their arguments to args. The filters must have passed
// ValidateListQuery against the account's columns.
func contactConds(attrs []attr, accountID int64, filters []herald.Filter, args *listArgs) ([]string, error) {
	spec := contactSpec(attrs)
	var conds []string
	for _, f := range filters {
		cond, err := contactCond(attrs, spec, accountID, f, args)
		if err != nil {
			return nil, err
		}
		conds = append(conds, cond)
	}
	return conds, nil
}

// contactCond returns the condition of one filter.
func contactCond(attrs []attr, spec *listSpec, accountID int64, f herald.Filter, args *listArgs) (string, error) {
	switch {
	case strings.HasPrefix(f.Field, herald.AttrKeyPrefix):
		for i := range attrs {
			if attrs[i].ColumnKey() == f.Field {
				return attrCond(&attrs[i], f, args)
			}
		}
	case f.Field == herald.ColTags:
		return tagCond(accountID, f, args), nil
	case f.Field == herald.ColOptOut:
		return optOutCond(f, args)
	case strings.HasPrefix(f.Field, herald.ColIdentity):
		return identityCond(strings.TrimPrefix(f.Field, herald.ColIdentity), f, args), nil
	case f.Field == herald.ColPhone && f.Op == herald.OpEq:
		if n, err := phone.Parse(f.Value); err == nil {
			return "c.phone = " + args.add(n.E164), nil
		}
	}
	c, ok := spec.cols[f.Field]
	if !ok {
		return "", fmt.Errorf("listing contacts: no SQL for filter column %q", f.Field)
	}
	return valueFilter(c.expr, c.typ, f, args)
}

// attrCond is a filter on an attribute's slot.
func attrCond(a *attr, f herald.Filter, args *listArgs) (string, error) {
	col := "c." + a.slot
	switch f.Op {
	case herald.OpEmpty:
		return col + " IS NULL", nil
	case herald.OpNonEmpty:
		return col + " IS NOT NULL", nil
	case herald.OpContains:
		return col + " LIKE " + args.add("%"+escapeLike(herald.Fold(f.Value))+"%") + ` ESCAPE '\'`, nil
	case herald.OpRange:
		var conds []string
		if f.Min != "" {
			v, err := a.ParseValue(f.Min)
			if err != nil {
				return "", badFilter(f.Field, "%s", herald.ErrorMessage(err))
			}
			conds = append(conds, col+" >= "+args.add(v.Num))
		}
		if f.Max != "" {
			v, err := a.ParseValue(f.Max)
			if err != nil {
				return "", badFilter(f.Field, "%s", herald.ErrorMessage(err))
			}
			conds = append(conds, col+" <= "+args.add(v.Num))
		}
		return "(" + strings.Join(conds, " AND ") + ")", nil
	}
	if a.Type.Textual() {
		return col + " = " + args.add(herald.Fold(f.Value)), nil // a list value need not be an option to be looked for
	}
	v, err := a.ParseValue(f.Value)
	if err != nil {
		return "", badFilter(f.Field, "%s", herald.ErrorMessage(err))
	}
	return col + " = " + args.add(v.Num), nil
}

// The condition of contacts having a tag starts with tagSetPrefix: a set
// the planner may start from, built whole before the first row (the IN
// list). perContact turns every such condition of a where clause into the
// same condition checked contact by contact, which yields its first rows
// at once when the contacts are read in ID order over a short range.
const (
	tagSetPrefix     = "c.id IN (SELECT ct.contact_id FROM contact_tags ct WHERE "
	tagPerContactPre = "EXISTS (SELECT 1 FROM contact_tags ct WHERE ct.contact_id = c.id AND "
)

// perContact returns where with its tag sets checked contact by contact.
func perContact(where string) string {
	return strings.ReplaceAll(where, tagSetPrefix, tagPerContactPre)
}

// tagCond is a filter on the contact's tags. An equal tag is a set of
// contacts the planner may start from: its ID, one at most (tag names are
// unique in an account), is compared with "=" so that the set is read
// from contact_tags_tag_idx, not by scanning every account's tags.
func tagCond(accountID int64, f herald.Filter, args *listArgs) string {
	switch f.Op {
	case herald.OpEmpty:
		return "NOT EXISTS (SELECT 1 FROM contact_tags ct WHERE ct.contact_id = c.id)"
	case herald.OpNonEmpty:
		return "EXISTS (SELECT 1 FROM contact_tags ct WHERE ct.contact_id = c.id)"
	case herald.OpContains:
		return `EXISTS (SELECT 1 FROM contact_tags ct JOIN tags tg ON tg.id = ct.tag_id WHERE ct.contact_id = c.id AND lower(tg.name) LIKE ` +
			args.add("%"+escapeLike(asciiLower(f.Value))+"%") + ` ESCAPE '\')`
	}
	return tagSetPrefix + "ct.tag_id = (SELECT tg.id FROM tags tg WHERE tg.account_id = " +
		args.add(accountID) + " AND lower(tg.name) = " + args.add(asciiLower(strings.TrimSpace(f.Value))) + "))"
}

// optOutCond is a filter on opt-outs: eq names a channel.
func optOutCond(f herald.Filter, args *listArgs) (string, error) {
	switch f.Op {
	case herald.OpEmpty:
		return "NOT EXISTS (SELECT 1 FROM contact_optouts o WHERE o.contact_id = c.id)", nil
	case herald.OpNonEmpty:
		return "EXISTS (SELECT 1 FROM contact_optouts o WHERE o.contact_id = c.id)", nil
	}
	ch, err := herald.ParseChannel(f.Value)
	if err != nil {
		return "", badFilter(f.Field, "%s", herald.ErrorMessage(err))
	}
	return "EXISTS (SELECT 1 FROM contact_optouts o WHERE o.contact_id = c.id AND o.channel = " + args.add(int(ch)) + ")", nil
}

// identityCond is a filter on one identity kind.
func identityCond(kind string, f herald.Filter, args *listArgs) string {
	sub := "SELECT 1 FROM contact_identities i WHERE i.contact_id = c.id AND i.kind = " + args.add(kind)
	switch f.Op {
	case herald.OpEmpty:
		return "NOT EXISTS (" + sub + ")"
	case herald.OpNonEmpty:
		return "EXISTS (" + sub + ")"
	case herald.OpContains:
		return "EXISTS (" + sub + " AND lower(i.value) LIKE " + args.add("%"+escapeLike(asciiLower(f.Value))+"%") + ` ESCAPE '\')`
	}
	return "EXISTS (" + sub + " AND i.value = " + args.add(strings.TrimSpace(f.Value)) + ")"
}

// ContactColumns returns the Contacts columns of the account's attributes.
func (s *Store) ContactColumns(ctx context.Context, accountID int64) ([]herald.Column, error) {
	attrs, err := loadAttrs(ctx, s.read(), accountID)
	if err != nil {
		return nil, err
	}
	return herald.ContactColumns(plainAttrs(attrs)), nil
}

// ListContacts returns one page of the account's contacts, by phone
// number unless q sorts otherwise.
func (s *Store) ListContacts(ctx context.Context, accountID int64, q herald.ListQuery) (herald.Page[herald.Contact], error) {
	var none herald.Page[herald.Contact]
	db := s.read()
	attrs, err := loadAttrs(ctx, db, accountID)
	if err != nil {
		return none, err
	}
	spec := contactSpec(attrs)
	if err := herald.ValidateListQuery(q, spec.columns); err != nil {
		return none, err
	}
	filters := q.Filters
	q.Filters = nil
	if q.Sort == "" {
		q.Sort = herald.ColPhone // the unique index (account_id, phone) serves it
	}
	p, err := s.buildList(spec, q, "c.account_id = $1", accountID)
	if err != nil {
		return none, err
	}
	conds, err := contactConds(attrs, accountID, filters, &p.args)
	if err != nil {
		return none, err
	}
	p.where = append(p.where, conds...)
	rows, err := runList(ctx, db, p, scanContact)
	if err != nil {
		return none, fmt.Errorf("listing contacts: %w", err)
	}
	page := herald.Page[herald.Contact]{Items: make([]herald.Contact, len(rows.Items)), Next: rows.Next, Prev: rows.Prev}
	ptrs := make([]*herald.Contact, len(rows.Items))
	for i := range rows.Items {
		page.Items[i] = rows.Items[i].finish(attrs)
		ptrs[i] = &page.Items[i]
	}
	return page, loadContactExtras(ctx, db, ptrs)
}

// CountContacts counts the account's contacts that match every filter.
func (s *Store) CountContacts(ctx context.Context, accountID int64, filters []herald.Filter) (int, error) {
	db := s.read()
	attrs, err := loadAttrs(ctx, db, accountID)
	if err != nil {
		return 0, err
	}
	return s.countContacts(ctx, db, attrs, accountID, filters)
}

// countContacts counts with attributes already loaded. On SQLite it picks
// the index to start from itself (see driverIndex); PostgreSQL's planner
// combines the slot indexes as bitmaps and needs no help.
func (s *Store) countContacts(ctx context.Context, q querier, attrs []attr, accountID int64, filters []herald.Filter) (int, error) {
	where, args, err := contactWhere(attrs, accountID, filters)
	if err != nil {
		return 0, err
	}
	if s.engine != EngineSQLite {
		return countWhere(ctx, q, "contacts c", where, args)
	}
	n, err := s.countSQLite(ctx, q, attrs, accountID, filters, where, args)
	if err != nil {
		// A large import may have dropped the index chosen between the
		// choice and the count (DeferImportIndexes): choose again once.
		n, err = s.countSQLite(ctx, q, attrs, accountID, filters, where, args)
	}
	return n, err
}

// countSQLite counts the contacts matching where on SQLite, starting from
// the index driverIndex picks among those present.
func (s *Store) countSQLite(ctx context.Context, q querier, attrs []attr, accountID int64, filters []herald.Filter, where string, args []any) (int, error) {
	indexed, err := s.slotIndexed(ctx, q)
	if err != nil {
		return 0, err
	}
	idx, err := driverIndex(ctx, q, attrs, accountID, filters, indexed)
	if err != nil {
		return 0, err
	}
	from := "contacts c"
	if idx != "" {
		from += " INDEXED BY " + idx
	}
	return countWhere(ctx, q, from, where, args)
}

// countWhere counts the rows of from that match where.
func countWhere(ctx context.Context, q querier, from, where string, args []any) (int, error) {
	var n int
	if err := q.queryRow(ctx, "SELECT count(*) FROM "+from+" WHERE "+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("counting contacts: %w", err)
	}
	return n, nil
}

// estimateCap bounds the index-only count that estimates a filter's rows.
const estimateCap = 100000

// driverIndex returns the slot index whose filter selects the fewest
// contacts, or "" when no filter uses one. SQLite's planner has no
// per-value statistics for a bound parameter, and picking the wrong one
// of several filters costs ten times more (a million contacts: 300 ms
// from an age range instead of 30 ms from a city), so each indexed filter
// is counted from its index alone, which reads only index pages: a few
// milliseconds each, capped at estimateCap rows.
func driverIndex(ctx context.Context, q querier, attrs []attr, accountID int64, filters []herald.Filter, indexed func(slot string) bool) (string, error) {
	best, fewest := "", estimateCap+1
	for _, f := range filters {
		a := filterAttr(attrs, f)
		if a == nil || !indexed(a.slot) || f.Op == herald.OpEmpty || f.Op == herald.OpContains {
			continue
		}
		args := listArgs{accountID}
		cond, err := attrCond(a, f, &args)
		if err != nil {
			return "", err
		}
		idx := slotIndex(a.slot)
		var n int
		err = q.queryRow(ctx, "SELECT count(*) FROM (SELECT 1 FROM contacts c INDEXED BY "+idx+" WHERE c.account_id = $1 AND "+
			cond+" LIMIT "+fmt.Sprint(estimateCap)+")", args...).Scan(&n)
		if err != nil {
			return "", fmt.Errorf("estimating a filter: %w", err)
		}
		if n < fewest {
			best, fewest = idx, n
		}
	}
	return best, nil
}

// filterAttr returns the attribute that filter f is on, or nil.
func filterAttr(attrs []attr, f herald.Filter) *attr {
	for i := range attrs {
		if attrs[i].ColumnKey() == f.Field {
			return &attrs[i]
		}
	}
	return nil
}

// contactWhere validates filters and returns the WHERE clause that selects
// the account's contacts matching them.
func contactWhere(attrs []attr, accountID int64, filters []herald.Filter) (string, []any, error) {
	if err := herald.ValidateListQuery(herald.ListQuery{Filters: filters}, herald.ContactColumns(plainAttrs(attrs))); err != nil {
		return "", nil, err
	}
	args := listArgs{accountID}
	conds, err := contactConds(attrs, accountID, filters, &args)
	if err != nil {
		return "", nil, err
	}
	return strings.Join(append([]string{"c.account_id = $1"}, conds...), " AND "), args, nil
}
