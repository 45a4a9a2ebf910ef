package store

import (
	"context"
	"fmt"

	"github.com/heraldhq/herald"
)

// accountSelects are the columns scanAccount reads.
const accountSelects = "a.id, a.name, a.status, a.time_zone, a.created_at, a.updated_at"

// scanAccount reads accountSelects, then extra.
func scanAccount(r scanner, extra ...any) (herald.Account, error) {
	var a herald.Account
	err := r.Scan(append([]any{&a.ID, &a.Name, &a.Status, &a.TimeZone, &a.CreatedAt, &a.UpdatedAt}, extra...)...)
	a.CreatedAt, a.UpdatedAt = utc(a.CreatedAt), utc(a.UpdatedAt)
	return a, err
}

// accountErr maps the errors of saving a.
func accountErr(err error, a *herald.Account) error {
	if isUnique(err, "accounts_name_key", "") {
		return taken("name", "An account named %q already exists.", a.Name)
	}
	return fmt.Errorf("saving account: %w", err)
}

// CreateAccount validates a, filling its defaults (an empty status is
// active, an empty time zone UTC), and inserts it with its system roles,
// default departments and default contact attributes.
func (s *Store) CreateAccount(ctx context.Context, a *herald.Account) error {
	if err := a.Validate(); err != nil {
		return err
	}
	return s.inTx(ctx, func(t *tx) error {
		_, err := s.insertAccount(ctx, t, a)
		return err
	})
}

// CreateAccountWithAdmin creates a as CreateAccount does and, in the same
// transaction, u as its first administrator (the account's Admin role)
// with the password hash, to be changed at the first sign-in. Either both
// are stored or neither: a login taken in the meantime leaves no account
// without its administrator behind.
func (s *Store) CreateAccountWithAdmin(ctx context.Context, a *herald.Account, u *herald.User, passwordHash string) error {
	if err := a.Validate(); err != nil {
		return err
	}
	return s.inTx(ctx, func(t *tx) error {
		admin, err := s.insertAccount(ctx, t, a)
		if err != nil {
			return err
		}
		u.AccountID, u.RoleIDs = a.ID, []int64{admin}
		return s.insertUser(ctx, t, u, passwordHash, true)
	})
}

// insertAccount inserts a with its system roles, default departments and
// attributes, and returns the ID of its Admin role.
func (s *Store) insertAccount(ctx context.Context, t *tx, a *herald.Account) (int64, error) {
	a.CreatedAt, a.UpdatedAt = t.now, t.now
	err := t.queryRow(ctx, `INSERT INTO accounts (name, status, time_zone, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $4) RETURNING id`, a.Name, a.Status, a.TimeZone, t.now).Scan(&a.ID)
	if err != nil {
		return 0, accountErr(err, a)
	}
	details := []herald.AuditDetail{detail("accounts", herald.OpInsert, a.ID, nil, a)}
	var admin int64
	for _, r := range herald.SystemRoles() {
		r.AccountID = a.ID
		if err := insertRole(ctx, t, &r); err != nil {
			return 0, err
		}
		if r.Name == herald.RoleAdmin {
			admin = r.ID
		}
		details = append(details, detail("roles", herald.OpInsert, r.ID, nil, r))
	}
	for _, name := range []string{herald.DepartmentAdmin, herald.DepartmentFirstLine} {
		d, err := insertDepartment(ctx, t, a.ID, name)
		if err != nil {
			return 0, err
		}
		details = append(details, d)
	}
	attrs, err := seedAttributes(ctx, t, a.ID)
	if err != nil {
		return 0, err
	}
	details = append(details, attrs...)
	return admin, s.audit(ctx, t, a.ID, actionAddAccount, details...)
}

// Account returns the account with id, or ENOTFOUND.
func (s *Store) Account(ctx context.Context, id int64) (*herald.Account, error) {
	return getAccount(ctx, s.read(), "a.id = $1", id)
}

// AccountByName returns the account named name, ignoring case, or ENOTFOUND.
func (s *Store) AccountByName(ctx context.Context, name string) (*herald.Account, error) {
	return getAccount(ctx, s.read(), "lower(a.name) = $1", asciiLower(name))
}

// getAccount returns the one account matching where.
func getAccount(ctx context.Context, q querier, where string, args ...any) (*herald.Account, error) {
	a, err := scanAccount(q.queryRow(ctx, "SELECT "+accountSelects+" FROM accounts a WHERE "+where, args...))
	if isNoRows(err) {
		return nil, herald.Errorf(herald.ENOTFOUND, "Account not found.")
	} else if err != nil {
		return nil, fmt.Errorf("reading account: %w", err)
	}
	return &a, nil
}

// UpdateAccount validates a as CreateAccount does and saves its name,
// status and time zone.
func (s *Store) UpdateAccount(ctx context.Context, a *herald.Account) error {
	if err := a.Validate(); err != nil {
		return err
	}
	return s.inTx(ctx, func(t *tx) error {
		old, err := getAccount(ctx, t, "a.id = $1", a.ID)
		if err != nil {
			return err
		}
		_, err = t.exec(ctx, `UPDATE accounts SET name = $1, status = $2, time_zone = $3, updated_at = $4 WHERE id = $5`,
			a.Name, a.Status, a.TimeZone, t.now, a.ID)
		if err != nil {
			return accountErr(err, a)
		}
		a.CreatedAt, a.UpdatedAt = old.CreatedAt, t.now
		return s.audit(ctx, t, a.ID, actionChangeAccount, detail("accounts", herald.OpUpdate, a.ID, old, a))
	})
}

// accountSpec is the system owner's Accounts list.
func accountSpec() *listSpec {
	return &listSpec{
		columns: herald.AccountColumns(),
		cols: map[string]listCol{
			"id":        {expr: "a.id", typ: herald.ColNumber},
			"name":      {expr: "a.name", typ: herald.ColText},
			"status":    {expr: "a.status", typ: herald.ColEnum},
			"timeZone":  {expr: "a.time_zone", typ: herald.ColText},
			"createdAt": {expr: "a.created_at", typ: herald.ColTime},
			"updatedAt": {expr: "a.updated_at", typ: herald.ColTime},
		},
		selects: accountSelects,
		from:    "accounts a",
		id:      "a.id",
	}
}

// ListAccounts returns one page of accounts.
func (s *Store) ListAccounts(ctx context.Context, q herald.ListQuery) (herald.Page[herald.Account], error) {
	p, err := s.buildList(accountSpec(), q, "")
	if err != nil {
		return herald.Page[herald.Account]{}, err
	}
	return runList(ctx, s.read(), p, scanAccount)
}

// CountAccounts returns how many accounts exist.
func (s *Store) CountAccounts(ctx context.Context) (int, error) {
	var n int
	if err := s.read().queryRow(ctx, "SELECT count(*) FROM accounts").Scan(&n); err != nil {
		return 0, fmt.Errorf("counting accounts: %w", err)
	}
	return n, nil
}
