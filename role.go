package herald

import (
	"context"
	"strings"
	"time"
)

// Role is a named set of permissions in one account. System roles exist in
// every account and cannot be changed; custom roles start from a template role.
type Role struct {
	ID          int64        `json:"id"`
	AccountID   int64        `json:"-"`
	Name        string       `json:"name"`
	Description string       `json:"description"`
	System      bool         `json:"system"`
	Permissions []Permission `json:"permissions"`
	Users       int          `json:"users"` // how many users hold it; filled by lists
	CreatedAt   time.Time    `json:"createdAt"`
	UpdatedAt   time.Time    `json:"updatedAt"`
}

// Validate checks a role's fields: a name of at most 40 characters, a
// description of at most 255, and at least one known permission.
func (r *Role) Validate() error {
	var vs Violations
	r.Name = strings.TrimSpace(r.Name)
	vs.CheckLen("name", r.Name, true, 40)
	vs.CheckLen("description", r.Description, false, 255)
	if len(r.Permissions) == 0 {
		vs.Add("permissions", VRequired, "Select at least one permission.")
	}
	seen := PermissionSet{}
	for _, p := range r.Permissions {
		if !KnownPermission(p) {
			vs.Add("permissions", VUnknown, "Unknown permission %q.", p)
		}
		seen[p] = true
	}
	r.Permissions = seen.Sorted()
	return vs.Err()
}

// RoleColumns are the columns of the Roles table.
func RoleColumns() []Column {
	return []Column{
		{Key: "id", Label: "ID", Type: ColNumber, Sortable: true, Filterable: true, Hidden: true},
		{Key: "name", Label: "Name", Type: ColText, Sortable: true, Filterable: true},
		{Key: "description", Label: "Description", Type: ColText, Sortable: true, Filterable: true, Hidden: true},
		{Key: "system", Label: "System", Type: ColBool, Sortable: true, Filterable: true},
		{Key: "permissions", Label: "Permissions", Type: ColText},
		{Key: "createdAt", Label: "Created", Type: ColTime, Sortable: true, Filterable: true, Hidden: true},
		{Key: "updatedAt", Label: "Updated", Type: ColTime, Sortable: true, Filterable: true, Hidden: true},
	}
}

// RoleStore keeps roles. Every method is scoped to accountID; a role of
// another account is ENOTFOUND.
type RoleStore interface {
	// CreateRole inserts r (r.AccountID set) and sets its ID and times.
	// EINVALID with field "name" and VTaken when the name is in use.
	CreateRole(ctx context.Context, r *Role) error
	// Role returns one role with its permissions, or ENOTFOUND.
	Role(ctx context.Context, accountID, id int64) (*Role, error)
	// UpdateRole saves name, description and permissions. EFORBIDDEN for a
	// system role.
	UpdateRole(ctx context.Context, r *Role) error
	// DeleteRole removes a custom role. EFORBIDDEN for a system role,
	// ECONFLICT while users hold it.
	DeleteRole(ctx context.Context, accountID, id int64) error
	// ListRoles returns one page of roles (RoleColumns).
	ListRoles(ctx context.Context, accountID int64, q ListQuery) (Page[Role], error)
	// AllRoles returns every role of the account, system roles first, for forms.
	AllRoles(ctx context.Context, accountID int64) ([]Role, error)
}
