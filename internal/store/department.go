package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/heraldhq/herald"
)

// department is how a department appears in audit details.
type department struct {
	Name string `json:"name"`
}

// Departments returns the account's department names in name order.
func (s *Store) Departments(ctx context.Context, accountID int64) ([]string, error) {
	rs, err := s.read().query(ctx, `SELECT name FROM departments WHERE account_id = $1 ORDER BY lower(name), id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("listing departments: %w", err)
	}
	defer rs.Close()
	names := []string{}
	for rs.Next() {
		var name string
		if err := rs.Scan(&name); err != nil {
			return nil, fmt.Errorf("listing departments: %w", err)
		}
		names = append(names, name)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("listing departments: %w", err)
	}
	return names, nil
}

// CreateDepartment adds a department to the account. EINVALID with VTaken
// on "name" when one of that name (ignoring case) exists, ENOTFOUND when
// the account does not.
func (s *Store) CreateDepartment(ctx context.Context, accountID int64, name string) error {
	name = strings.TrimSpace(name)
	var vs herald.Violations
	vs.CheckLen("name", name, true, 64)
	if err := vs.Err(); err != nil {
		return err
	}
	return s.inTx(ctx, func(t *tx) error {
		d, err := insertDepartment(ctx, t, accountID, name)
		if err != nil {
			return err
		}
		return s.audit(ctx, t, accountID, actionAddDepartment, d)
	})
}

// insertDepartment adds a department and returns its audit detail.
func insertDepartment(ctx context.Context, t *tx, accountID int64, name string) (herald.AuditDetail, error) {
	var id int64
	err := t.queryRow(ctx, `INSERT INTO departments (account_id, name, created_at) VALUES ($1, $2, $3) RETURNING id`,
		accountID, name, t.now).Scan(&id)
	if isUnique(err, "departments_name_key", "") {
		return herald.AuditDetail{}, taken("name", "The department %q already exists.", name)
	} else if foreignKeyViolation(err) {
		return herald.AuditDetail{}, herald.Errorf(herald.ENOTFOUND, "Account not found.")
	} else if err != nil {
		return herald.AuditDetail{}, fmt.Errorf("adding department: %w", err)
	}
	return detail("departments", herald.OpInsert, id, nil, department{Name: name}), nil
}

// departmentName returns the stored spelling of the account's department
// name, or "" when the account has none of that name.
func departmentName(ctx context.Context, q querier, accountID int64, name string) (string, error) {
	var stored string
	err := q.queryRow(ctx, `SELECT name FROM departments WHERE account_id = $1 AND lower(name) = $2`,
		accountID, asciiLower(strings.TrimSpace(name))).Scan(&stored)
	if isNoRows(err) {
		return "", nil
	} else if err != nil {
		return "", fmt.Errorf("reading department: %w", err)
	}
	return stored, nil
}
