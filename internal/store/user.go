package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/heraldhq/herald"
)

// userSelects are the columns scanUser reads.
const userSelects = "u.id, u.account_id, u.first_name, u.middle_name, u.last_name, u.login, u.email, u.phone, " +
	"u.department, u.language, u.active, u.system_owner, u.totp_enabled, u.last_login_at, u.created_at, u.updated_at"

// scanUser reads userSelects, then extra. Roles come from loadRoles.
func scanUser(r scanner, extra ...any) (herald.User, error) {
	var u herald.User
	err := r.Scan(append([]any{&u.ID, &u.AccountID, &u.FirstName, &u.MiddleName, &u.LastName, &u.Login, &u.Email,
		&u.Phone, &u.Department, &u.Language, &u.Active, &u.SystemOwner, &u.TwoFactor, &u.LastLoginAt,
		&u.CreatedAt, &u.UpdatedAt}, extra...)...)
	u.LastLoginAt, u.CreatedAt, u.UpdatedAt = utcPtr(u.LastLoginAt), utc(u.CreatedAt), utc(u.UpdatedAt)
	return u, err
}

// loadRoles fills RoleIDs, Admin and Permissions of users with one query.
func loadRoles(ctx context.Context, q querier, users []*herald.User) error {
	if len(users) == 0 {
		return nil
	}
	byID := make(map[int64]*herald.User, len(users))
	args := make([]any, len(users))
	for i, u := range users {
		u.RoleIDs, u.Permissions, u.Admin = []int64{}, herald.PermissionSet{}, false
		byID[u.ID], args[i] = u, u.ID
	}
	rs, err := q.query(ctx, `SELECT ur.user_id, r.id, r.name, r.system, r.permissions
		FROM user_roles ur JOIN roles r ON r.id = ur.role_id
		WHERE ur.user_id IN (`+placeholders(1, len(args))+`) ORDER BY ur.user_id, r.id`, args...)
	if err != nil {
		return fmt.Errorf("reading user roles: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		if err := addRole(rs, byID); err != nil {
			return err
		}
	}
	if err := rs.Err(); err != nil {
		return fmt.Errorf("reading user roles: %w", err)
	}
	return nil
}

// addRole reads one row of loadRoles into its user.
func addRole(r scanner, byID map[int64]*herald.User) error {
	var userID, roleID int64
	var name, perms string
	var system bool
	if err := r.Scan(&userID, &roleID, &name, &system, &perms); err != nil {
		return fmt.Errorf("reading user roles: %w", err)
	}
	var ps []herald.Permission
	if err := json.Unmarshal([]byte(perms), &ps); err != nil {
		return fmt.Errorf("decoding permissions of role %d: %w", roleID, err)
	}
	u := byID[userID]
	u.RoleIDs = append(u.RoleIDs, roleID)
	u.Admin = u.Admin || (system && name == herald.RoleAdmin)
	for _, p := range ps {
		u.Permissions[p] = true
	}
	return nil
}

// getUser reads the one user matching where, with roles, or ENOTFOUND.
func getUser(ctx context.Context, q querier, where string, args ...any) (*herald.User, error) {
	u, err := scanUser(q.queryRow(ctx, "SELECT "+userSelects+" FROM users u WHERE "+where, args...))
	if isNoRows(err) {
		return nil, herald.Errorf(herald.ENOTFOUND, "User not found.")
	} else if err != nil {
		return nil, fmt.Errorf("reading user: %w", err)
	}
	return &u, loadRoles(ctx, q, []*herald.User{&u})
}

// User returns one user of the account with roles, permissions and the
// admin flag.
func (s *Store) User(ctx context.Context, accountID, id int64) (*herald.User, error) {
	return getUser(ctx, s.read(), "u.account_id = $1 AND u.id = $2", accountID, id)
}

// UserByID returns a user of any account.
func (s *Store) UserByID(ctx context.Context, id int64) (*herald.User, error) {
	return getUser(ctx, s.read(), "u.id = $1", id)
}

// UserByLogin returns the user with login, ignoring case, in any account.
func (s *Store) UserByLogin(ctx context.Context, login string) (*herald.User, error) {
	return getUser(ctx, s.read(), "lower(u.login) = $1", asciiLower(login))
}

// checkUser enforces the rules that need the database: the login is free
// in every account, the department and the roles exist in the user's
// account. It sets u.Department to the department's stored spelling and
// sorts and de-duplicates u.RoleIDs.
func checkUser(ctx context.Context, q querier, u *herald.User) error {
	var vs herald.Violations
	var n int
	err := q.queryRow(ctx, `SELECT count(*) FROM users WHERE lower(login) = $1 AND id <> $2`, asciiLower(u.Login), u.ID).Scan(&n)
	if err != nil {
		return fmt.Errorf("checking login: %w", err)
	} else if n > 0 {
		vs.Add("login", herald.VTaken, "The login %q is taken.", u.Login)
	}
	dep, err := departmentName(ctx, q, u.AccountID, u.Department)
	if err != nil {
		return err
	} else if dep == "" {
		vs.Add("department", herald.VUnknown, "There is no department %q.", u.Department)
	} else {
		u.Department = dep
	}
	if err := checkRoles(ctx, q, u, &vs); err != nil {
		return err
	}
	return vs.Err()
}

// checkRoles adds a violation when a role of u is not one of its account's.
func checkRoles(ctx context.Context, q querier, u *herald.User, vs *herald.Violations) error {
	u.RoleIDs = slices.Compact(slices.Sorted(slices.Values(u.RoleIDs)))
	if len(u.RoleIDs) == 0 {
		return nil
	}
	args := []any{u.AccountID}
	for _, id := range u.RoleIDs {
		args = append(args, id)
	}
	var n int
	err := q.queryRow(ctx, `SELECT count(*) FROM roles WHERE account_id = $1 AND id IN (`+
		placeholders(2, len(u.RoleIDs))+`)`, args...).Scan(&n)
	if err != nil {
		return fmt.Errorf("checking roles: %w", err)
	} else if n != len(u.RoleIDs) {
		vs.Add("roleIds", herald.VUnknown, "Some of the roles do not exist.")
	}
	return nil
}

// userErr maps the errors of saving u.
func userErr(err error, u *herald.User) error {
	if isUnique(err, "users_login_key", "") {
		return taken("login", "The login %q is taken.", u.Login)
	} else if foreignKeyViolation(err) {
		return herald.Errorf(herald.ENOTFOUND, "Account not found.")
	}
	return fmt.Errorf("saving user: %w", err)
}

// setRoles replaces the roles of a user.
func setRoles(ctx context.Context, t *tx, userID int64, roleIDs []int64) error {
	if _, err := t.exec(ctx, `DELETE FROM user_roles WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("saving user roles: %w", err)
	}
	if len(roleIDs) == 0 {
		return nil
	}
	args := []any{userID}
	values := make([]string, len(roleIDs))
	for i, id := range roleIDs {
		args = append(args, id)
		values[i] = fmt.Sprintf("($1, $%d)", i+2)
	}
	_, err := t.exec(ctx, `INSERT INTO user_roles (user_id, role_id) VALUES `+strings.Join(values, ", "), args...)
	if err != nil {
		return fmt.Errorf("saving user roles: %w", err)
	}
	return nil
}

// CreateUser inserts u with its roles and first password hash, which is
// also the first entry of its password history.
func (s *Store) CreateUser(ctx context.Context, u *herald.User, passwordHash string, mustChange bool) error {
	return s.inTx(ctx, func(t *tx) error { return s.insertUser(ctx, t, u, passwordHash, mustChange) })
}

// insertUser is CreateUser inside the transaction t.
func (s *Store) insertUser(ctx context.Context, t *tx, u *herald.User, passwordHash string, mustChange bool) error {
	u.ID = 0
	if err := checkUser(ctx, t, u); err != nil {
		return err
	}
	err := t.queryRow(ctx, `INSERT INTO users (account_id, first_name, middle_name, last_name, login, email, phone,
		department, language, active, system_owner, password_hash, password_changed_at, must_change_password,
		created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $13, $13) RETURNING id`,
		u.AccountID, u.FirstName, u.MiddleName, u.LastName, u.Login, u.Email, u.Phone, u.Department, u.Language,
		u.Active, u.SystemOwner, passwordHash, t.now, mustChange).Scan(&u.ID)
	if err != nil {
		return userErr(err, u)
	}
	if err := setRoles(ctx, t, u.ID, u.RoleIDs); err != nil {
		return err
	}
	if err := addPasswordHistory(ctx, t, u.ID, passwordHash); err != nil {
		return err
	}
	if err := reloadUser(ctx, t, u); err != nil {
		return err
	}
	return s.audit(ctx, t, u.AccountID, actionAddUser, detail("users", herald.OpInsert, u.ID, nil, u))
}

// reloadUser reads u back so that it carries what the store fills.
func reloadUser(ctx context.Context, t *tx, u *herald.User) error {
	loaded, err := getUser(ctx, t, "u.id = $1", u.ID)
	if err != nil {
		return err
	}
	*u = *loaded
	return nil
}

// UpdateUser saves the profile fields, active flag, roles and system
// owner flag of u.
func (s *Store) UpdateUser(ctx context.Context, u *herald.User) error {
	return s.inTx(ctx, func(t *tx) error {
		old, err := getUser(ctx, t, "u.account_id = $1 AND u.id = $2", u.AccountID, u.ID)
		if err != nil {
			return err
		}
		if err := checkUser(ctx, t, u); err != nil {
			return err
		}
		_, err = t.exec(ctx, `UPDATE users SET first_name = $1, middle_name = $2, last_name = $3, login = $4, email = $5,
			phone = $6, department = $7, language = $8, active = $9, system_owner = $10, updated_at = $11
			WHERE account_id = $12 AND id = $13`,
			u.FirstName, u.MiddleName, u.LastName, u.Login, u.Email, u.Phone, u.Department, u.Language, u.Active,
			u.SystemOwner, t.now, u.AccountID, u.ID)
		if err != nil {
			return userErr(err, u)
		}
		if err := setRoles(ctx, t, u.ID, u.RoleIDs); err != nil {
			return err
		}
		if err := reloadUser(ctx, t, u); err != nil {
			return err
		}
		return s.audit(ctx, t, u.AccountID, actionChangeUser, detail("users", herald.OpUpdate, u.ID, old, u))
	})
}

// DeleteUser removes a user with their roles, password history and
// preferences. Sessions that named the user find no user any more.
func (s *Store) DeleteUser(ctx context.Context, accountID, id int64) error {
	return s.inTx(ctx, func(t *tx) error {
		old, err := getUser(ctx, t, "u.account_id = $1 AND u.id = $2", accountID, id)
		if err != nil {
			return err
		}
		if _, err := t.exec(ctx, `DELETE FROM users WHERE account_id = $1 AND id = $2`, accountID, id); err != nil {
			return fmt.Errorf("deleting user: %w", err)
		}
		return s.audit(ctx, t, accountID, actionDeleteUser, detail("users", herald.OpDelete, id, old, nil))
	})
}

// userSpec is the Users list.
func userSpec() *listSpec {
	return &listSpec{
		columns: herald.UserColumns(),
		cols: map[string]listCol{
			"id":          {expr: "u.id", typ: herald.ColNumber},
			"firstName":   {expr: "u.first_name", typ: herald.ColText},
			"middleName":  {expr: "u.middle_name", typ: herald.ColText},
			"lastName":    {expr: "u.last_name", typ: herald.ColText},
			"login":       {expr: "u.login", typ: herald.ColText},
			"email":       {expr: "u.email", typ: herald.ColText},
			"phone":       {expr: "u.phone", typ: herald.ColText},
			"department":  {expr: "u.department", typ: herald.ColText},
			"active":      {expr: "u.active", typ: herald.ColBool},
			"lastLoginAt": {expr: "u.last_login_at", typ: herald.ColTime, nullable: true},
			"createdAt":   {expr: "u.created_at", typ: herald.ColTime},
			"updatedAt":   {expr: "u.updated_at", typ: herald.ColTime},
		},
		selects: userSelects,
		from:    "users u",
		id:      "u.id",
	}
}

// ListUsers returns one page of the account's users with their roles.
func (s *Store) ListUsers(ctx context.Context, accountID int64, q herald.ListQuery) (herald.Page[herald.User], error) {
	p, err := s.buildList(userSpec(), q, "u.account_id = $1", accountID)
	if err != nil {
		return herald.Page[herald.User]{}, err
	}
	page, err := runList(ctx, s.read(), p, scanUser)
	if err != nil {
		return page, fmt.Errorf("listing users: %w", err)
	}
	users := make([]*herald.User, len(page.Items))
	for i := range page.Items {
		users[i] = &page.Items[i]
	}
	return page, loadRoles(ctx, s.read(), users)
}

// CountActiveAdmins counts the account's active users that hold the
// Admin system role.
func (s *Store) CountActiveAdmins(ctx context.Context, accountID int64) (int, error) {
	var n int
	err := s.read().queryRow(ctx, `SELECT count(DISTINCT u.id) FROM users u
		JOIN user_roles ur ON ur.user_id = u.id JOIN roles r ON r.id = ur.role_id
		WHERE u.account_id = $1 AND u.active AND r.system AND r.name = $2`, accountID, herald.RoleAdmin).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("counting admins: %w", err)
	}
	return n, nil
}
