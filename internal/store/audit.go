package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// Audited actions, written by the store with each change.
const (
	actionAddAccount    = "Added new account"
	actionChangeAccount = "Changed account"
	actionAddUser       = "Added new user"
	actionChangeUser    = "Changed user"
	actionDeleteUser    = "Deleted user"
	actionChangePass    = "Changed password"
	actionAddRole       = "Added new role"
	actionChangeRole    = "Changed role"
	actionDeleteRole    = "Deleted role"
	actionAddAPIKey     = "Added new API key"
	actionChangeAPIKey  = "Changed API key"
	actionDeleteAPIKey  = "Deleted API key"
	actionAddSMPP       = "Added new SMPP account"
	actionChangeSMPP    = "Changed SMPP account"
	actionDeleteSMPP    = "Deleted SMPP account"
	actionAddDepartment = "Added new department"
	actionEnable2FA     = "Enabled two-factor authentication"
	actionDisable2FA    = "Disabled two-factor authentication"
)

// auditBatch is how many entries EachAudit loads details for at once.
const auditBatch = 200

// detail describes one changed row. before and after are domain values,
// encoded as JSON; nil leaves the value empty. Domain types carry no
// secrets (no password hash, TOTP secret or key hash), so their JSON is
// safe to keep.
func detail(table, op string, id int64, before, after any) herald.AuditDetail {
	return herald.AuditDetail{
		Table: table, Operation: op, ObjectID: strconv.FormatInt(id, 10),
		OldValue: auditJSON(before), NewValue: auditJSON(after),
	}
}

// auditJSON encodes v for an audit detail.
func auditJSON(v any) string {
	if v == nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf(`{"error":%q}`, err.Error())
	}
	return string(b)
}

// audit writes the entry of a change made in t by the actor in ctx.
// accountID is the account of the changed object.
func (s *Store) audit(ctx context.Context, t *tx, accountID int64, action string, details ...herald.AuditDetail) error {
	for _, d := range details {
		if isAuthTable(d.Table) {
			t.authChanged = true
		}
	}
	a := herald.ActorFrom(ctx)
	e := herald.AuditEntry{
		AccountID: accountID, Time: t.now, UserID: a.UserID, Login: actorLogin(a),
		APIKeyID: a.APIKeyID, IP: a.IP, Action: action, Details: details,
	}
	return insertAudit(ctx, t, &e)
}

// actorLogin is how the audit log names an actor: the user's login,
// "api:" and the key's name, or "system".
func actorLogin(a herald.Actor) string {
	switch {
	case a.APIKeyID != 0 && !strings.HasPrefix(a.Login, "api:"):
		return "api:" + a.Login
	case a.Login == "":
		return "system"
	}
	return a.Login
}

// insertAudit writes e and its details and sets e.ID.
func insertAudit(ctx context.Context, q querier, e *herald.AuditEntry) error {
	err := q.queryRow(ctx, `INSERT INTO audit_entries (account_id, logged_at, user_id, login, api_key_id, ip, action)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		e.AccountID, e.Time, e.UserID, e.Login, e.APIKeyID, e.IP, e.Action).Scan(&e.ID)
	if err != nil {
		return fmt.Errorf("writing audit entry: %w", err)
	}
	if len(e.Details) == 0 {
		return nil
	}
	var args listArgs
	values := make([]string, len(e.Details))
	for i, d := range e.Details {
		values[i] = "(" + args.add(e.ID) + ", " + args.add(d.Table) + ", " + args.add(d.Operation) + ", " +
			args.add(d.ObjectID) + ", " + args.add(d.OldValue) + ", " + args.add(d.NewValue) + ")"
	}
	_, err = q.exec(ctx, `INSERT INTO audit_details (entry_id, table_name, operation, object_id, old_value, new_value)
		VALUES `+strings.Join(values, ", "), args...)
	if err != nil {
		return fmt.Errorf("writing audit details: %w", err)
	}
	return nil
}

// RecordAudit writes an entry that goes with no stored change. Time, user,
// API key and IP come from the actor in ctx when e leaves them empty.
func (s *Store) RecordAudit(ctx context.Context, e *herald.AuditEntry) error {
	return s.inTx(ctx, func(t *tx) error {
		if e.Time.IsZero() {
			e.Time = t.now
		}
		e.Time = e.Time.UTC().Truncate(time.Microsecond)
		a := herald.ActorFrom(ctx)
		if e.UserID == 0 && e.Login == "" {
			e.UserID, e.Login = a.UserID, actorLogin(a)
		}
		if e.APIKeyID == 0 {
			e.APIKeyID = a.APIKeyID
		}
		if e.IP == "" {
			e.IP = a.IP
		}
		return insertAudit(ctx, t, e)
	})
}

// auditSpec is the Audit list.
func auditSpec() *listSpec {
	return &listSpec{
		columns: herald.AuditColumns(),
		cols: map[string]listCol{
			"id":     {expr: "e.id", typ: herald.ColNumber},
			"time":   {expr: "e.logged_at", typ: herald.ColTime},
			"user":   {expr: "e.login", typ: herald.ColText},
			"ip":     {expr: "e.ip", typ: herald.ColText},
			"action": {expr: "e.action", typ: herald.ColText},
			"table":  {expr: "d.table_name", typ: herald.ColText, each: "audit_details d", on: "d.entry_id = e.id"},
		},
		selects:     "e.id, e.account_id, e.logged_at, e.user_id, e.login, e.api_key_id, e.ip, e.action",
		from:        "audit_entries e",
		id:          "e.id",
		newestFirst: true,
	}
}

// scanAudit reads the columns of auditSpec.selects, then extra.
func scanAudit(r scanner, extra ...any) (herald.AuditEntry, error) {
	var e herald.AuditEntry
	err := r.Scan(append([]any{&e.ID, &e.AccountID, &e.Time, &e.UserID, &e.Login, &e.APIKeyID, &e.IP, &e.Action}, extra...)...)
	e.Time = utc(e.Time)
	return e, err
}

// ListAudit returns one page of the account's audit entries with their
// details, newest first unless q sorts otherwise.
func (s *Store) ListAudit(ctx context.Context, accountID int64, q herald.ListQuery) (herald.Page[herald.AuditEntry], error) {
	p, err := s.buildList(auditSpec(), q, "e.account_id = $1", accountID)
	if err != nil {
		return herald.Page[herald.AuditEntry]{}, err
	}
	page, err := runList(ctx, s.read(), p, scanAudit)
	if err != nil {
		return page, fmt.Errorf("listing audit: %w", err)
	}
	entries := make([]*herald.AuditEntry, len(page.Items))
	for i := range page.Items {
		entries[i] = &page.Items[i]
	}
	return page, loadAuditDetails(ctx, s.read(), entries)
}

// EachAudit calls fn for every entry matching q.Filters in q's order. It
// streams the entries and loads their details in batches, so memory does
// not grow with the log.
func (s *Store) EachAudit(ctx context.Context, accountID int64, q herald.ListQuery, fn func(*herald.AuditEntry) error) error {
	q.Cursor = ""
	p, err := s.buildList(auditSpec(), q, "e.account_id = $1", accountID)
	if err != nil {
		return err
	}
	rs, err := s.read().query(ctx, p.sql(-1), p.args...)
	if err != nil {
		return fmt.Errorf("reading audit: %w", err)
	}
	defer rs.Close()
	batch := make([]*herald.AuditEntry, 0, auditBatch)
	for rs.Next() {
		var key any
		var id int64
		e, err := scanAudit(rs, &key, &id)
		if err != nil {
			return fmt.Errorf("reading audit: %w", err)
		}
		if batch = append(batch, &e); len(batch) == auditBatch {
			if err := s.flushAudit(ctx, batch, fn); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	if err := rs.Err(); err != nil {
		return fmt.Errorf("reading audit: %w", err)
	}
	return s.flushAudit(ctx, batch, fn)
}

// flushAudit loads the details of batch and hands each entry to fn.
func (s *Store) flushAudit(ctx context.Context, batch []*herald.AuditEntry, fn func(*herald.AuditEntry) error) error {
	if err := loadAuditDetails(ctx, s.read(), batch); err != nil {
		return err
	}
	for _, e := range batch {
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

// loadAuditDetails fills the details of entries with one query.
func loadAuditDetails(ctx context.Context, q querier, entries []*herald.AuditEntry) error {
	if len(entries) == 0 {
		return nil
	}
	byID := make(map[int64]*herald.AuditEntry, len(entries))
	args := make([]any, len(entries))
	for i, e := range entries {
		e.Details = []herald.AuditDetail{}
		byID[e.ID], args[i] = e, e.ID
	}
	rs, err := q.query(ctx, `SELECT entry_id, table_name, operation, object_id, old_value, new_value
		FROM audit_details WHERE entry_id IN (`+placeholders(1, len(args))+`) ORDER BY entry_id, id`, args...)
	if err != nil {
		return fmt.Errorf("reading audit details: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		var id int64
		var d herald.AuditDetail
		if err := rs.Scan(&id, &d.Table, &d.Operation, &d.ObjectID, &d.OldValue, &d.NewValue); err != nil {
			return fmt.Errorf("reading audit details: %w", err)
		}
		byID[id].Details = append(byID[id].Details, d)
	}
	if err := rs.Err(); err != nil {
		return fmt.Errorf("reading audit details: %w", err)
	}
	return nil
}
