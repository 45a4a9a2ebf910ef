package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/heraldhq/herald"
)

// roleSelects are the columns scanRole reads; the last counts holders.
const roleSelects = "r.id, r.account_id, r.name, r.description, r.system, r.permissions, r.created_at, r.updated_at, " +
	"(SELECT count(*) FROM user_roles ur WHERE ur.role_id = r.id)"

// scanRole reads roleSelects, then extra.
func scanRole(r scanner, extra ...any) (herald.Role, error) {
	var role herald.Role
	var perms string
	err := r.Scan(append([]any{&role.ID, &role.AccountID, &role.Name, &role.Description, &role.System, &perms,
		&role.CreatedAt, &role.UpdatedAt, &role.Users}, extra...)...)
	if err != nil {
		return role, err
	}
	role.CreatedAt, role.UpdatedAt = utc(role.CreatedAt), utc(role.UpdatedAt)
	role.Permissions = []herald.Permission{}
	if err := json.Unmarshal([]byte(perms), &role.Permissions); err != nil {
		return role, fmt.Errorf("decoding permissions of role %d: %w", role.ID, err)
	}
	return role, nil
}

// roleErr maps the errors of saving r.
func roleErr(err error, r *herald.Role) error {
	if isUnique(err, "roles_name_key", "") {
		return taken("name", "A role named %q already exists.", r.Name)
	} else if foreignKeyViolation(err) {
		return herald.Errorf(herald.ENOTFOUND, "Account not found.")
	}
	return fmt.Errorf("saving role: %w", err)
}

// permissionsJSON encodes a permission list, never as null.
func permissionsJSON(ps []herald.Permission) string {
	if ps == nil {
		ps = []herald.Permission{}
	}
	b, _ := json.Marshal(ps) // a []string always encodes
	return string(b)
}

// insertRole inserts r and sets its ID and times.
func insertRole(ctx context.Context, t *tx, r *herald.Role) error {
	if r.Permissions == nil {
		r.Permissions = []herald.Permission{}
	}
	r.CreatedAt, r.UpdatedAt, r.Users = t.now, t.now, 0
	err := t.queryRow(ctx, `INSERT INTO roles (account_id, name, description, system, permissions, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`,
		r.AccountID, r.Name, r.Description, r.System, permissionsJSON(r.Permissions), t.now).Scan(&r.ID)
	if err != nil {
		return roleErr(err, r)
	}
	return nil
}

// CreateRole inserts the custom role r; system roles come only with
// their account.
func (s *Store) CreateRole(ctx context.Context, r *herald.Role) error {
	r.System = false
	return s.inTx(ctx, func(t *tx) error {
		if err := insertRole(ctx, t, r); err != nil {
			return err
		}
		return s.audit(ctx, t, r.AccountID, actionAddRole, detail("roles", herald.OpInsert, r.ID, nil, r))
	})
}

// Role returns one role of the account, with the count of its holders.
func (s *Store) Role(ctx context.Context, accountID, id int64) (*herald.Role, error) {
	return getRole(ctx, s.read(), accountID, id)
}

// getRole reads one role of the account, or ENOTFOUND.
func getRole(ctx context.Context, q querier, accountID, id int64) (*herald.Role, error) {
	r, err := scanRole(q.queryRow(ctx, "SELECT "+roleSelects+" FROM roles r WHERE r.account_id = $1 AND r.id = $2", accountID, id))
	if isNoRows(err) {
		return nil, herald.Errorf(herald.ENOTFOUND, "Role not found.")
	} else if err != nil {
		return nil, fmt.Errorf("reading role: %w", err)
	}
	return &r, nil
}

// changeableRole reads a role for changing it: ENOTFOUND, or EFORBIDDEN
// for a system role.
func changeableRole(ctx context.Context, t *tx, accountID, id int64) (*herald.Role, error) {
	r, err := getRole(ctx, t, accountID, id)
	if err != nil {
		return nil, err
	}
	if r.System {
		return nil, herald.Errorf(herald.EFORBIDDEN, "System roles cannot be changed.")
	}
	return r, nil
}

// UpdateRole saves the name, description and permissions of a custom role.
func (s *Store) UpdateRole(ctx context.Context, r *herald.Role) error {
	return s.inTx(ctx, func(t *tx) error {
		old, err := changeableRole(ctx, t, r.AccountID, r.ID)
		if err != nil {
			return err
		}
		if r.Permissions == nil {
			r.Permissions = []herald.Permission{}
		}
		_, err = t.exec(ctx, `UPDATE roles SET name = $1, description = $2, permissions = $3, updated_at = $4
			WHERE account_id = $5 AND id = $6`, r.Name, r.Description, permissionsJSON(r.Permissions), t.now, r.AccountID, r.ID)
		if err != nil {
			return roleErr(err, r)
		}
		r.System, r.Users, r.CreatedAt, r.UpdatedAt = false, old.Users, old.CreatedAt, t.now
		return s.audit(ctx, t, r.AccountID, actionChangeRole, detail("roles", herald.OpUpdate, r.ID, old, r))
	})
}

// DeleteRole removes a custom role that nobody holds.
func (s *Store) DeleteRole(ctx context.Context, accountID, id int64) error {
	return s.inTx(ctx, func(t *tx) error {
		old, err := changeableRole(ctx, t, accountID, id)
		if err != nil {
			return err
		}
		if old.Users > 0 {
			return roleInUse(old.Users)
		}
		_, err = t.exec(ctx, `DELETE FROM roles WHERE account_id = $1 AND id = $2`, accountID, id)
		if foreignKeyViolation(err) {
			return roleInUse(1) // assigned since we counted
		} else if err != nil {
			return fmt.Errorf("deleting role: %w", err)
		}
		return s.audit(ctx, t, accountID, actionDeleteRole, detail("roles", herald.OpDelete, id, old, nil))
	})
}

// roleInUse is the ECONFLICT of deleting a role that n users hold.
func roleInUse(n int) error {
	if n == 1 {
		return herald.Errorf(herald.ECONFLICT, "The role is assigned to 1 user; take it away first.")
	}
	return herald.Errorf(herald.ECONFLICT, "The role is assigned to %d users; take it away from them first.", n)
}

// roleSpec is the Roles list.
func roleSpec() *listSpec {
	return &listSpec{
		columns: herald.RoleColumns(),
		cols: map[string]listCol{
			"id":          {expr: "r.id", typ: herald.ColNumber},
			"name":        {expr: "r.name", typ: herald.ColText},
			"description": {expr: "r.description", typ: herald.ColText},
			"system":      {expr: "r.system", typ: herald.ColBool},
			"createdAt":   {expr: "r.created_at", typ: herald.ColTime},
			"updatedAt":   {expr: "r.updated_at", typ: herald.ColTime},
		},
		selects: roleSelects,
		from:    "roles r",
		id:      "r.id",
	}
}

// ListRoles returns one page of the account's roles with holder counts.
func (s *Store) ListRoles(ctx context.Context, accountID int64, q herald.ListQuery) (herald.Page[herald.Role], error) {
	p, err := s.buildList(roleSpec(), q, "r.account_id = $1", accountID)
	if err != nil {
		return herald.Page[herald.Role]{}, err
	}
	return runList(ctx, s.read(), p, scanRole)
}

// AllRoles returns every role of the account: system roles first, then
// by name.
func (s *Store) AllRoles(ctx context.Context, accountID int64) ([]herald.Role, error) {
	rs, err := s.read().query(ctx, "SELECT "+roleSelects+" FROM roles r WHERE r.account_id = $1 ORDER BY r.system DESC, lower(r.name), r.id", accountID)
	if err != nil {
		return nil, fmt.Errorf("listing roles: %w", err)
	}
	defer rs.Close()
	roles := []herald.Role{}
	for rs.Next() {
		r, err := scanRole(rs)
		if err != nil {
			return nil, fmt.Errorf("listing roles: %w", err)
		}
		roles = append(roles, r)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("listing roles: %w", err)
	}
	return roles, nil
}
