package herald

import (
	"context"
	"strings"
	"time"
)

// AccountStatus is whether an account may work.
type AccountStatus string

// Account statuses. A blocked account's users cannot sign in and its API keys
// are refused.
const (
	AccountActive  AccountStatus = "active"
	AccountBlocked AccountStatus = "blocked"
)

// DefaultAccountName is the name of the account created on first start.
const DefaultAccountName = "default"

// Account is a customer company: the tenant that owns every other object.
type Account struct {
	ID        int64         `json:"id"`
	Name      string        `json:"name"`
	Status    AccountStatus `json:"status"`
	TimeZone  string        `json:"timeZone"` // IANA name, such as "Europe/Madrid"
	CreatedAt time.Time     `json:"createdAt"`
	UpdatedAt time.Time     `json:"updatedAt"`
}

// Validate checks the account's fields and fills defaults.
func (a *Account) Validate() error {
	var vs Violations
	a.Name = strings.TrimSpace(a.Name)
	vs.CheckLen("name", a.Name, true, 100)
	if a.Status == "" {
		a.Status = AccountActive
	}
	if a.Status != AccountActive && a.Status != AccountBlocked {
		vs.Add("status", VUnknown, "Status must be active or blocked.")
	}
	if a.TimeZone == "" {
		a.TimeZone = "UTC"
	}
	if _, err := time.LoadLocation(a.TimeZone); err != nil {
		vs.Add("timeZone", VUnknown, "Unknown time zone %q.", a.TimeZone)
	}
	return vs.Err()
}

// AccountColumns are the columns of the system owner's Accounts table.
func AccountColumns() []Column {
	return []Column{
		{Key: "id", Label: "ID", Type: ColNumber, Sortable: true, Filterable: true},
		{Key: "name", Label: "Name", Type: ColText, Sortable: true, Filterable: true},
		{Key: "status", Label: "Status", Type: ColEnum, Options: []string{"active", "blocked"}, Sortable: true, Filterable: true},
		{Key: "timeZone", Label: "Time zone", Type: ColText, Sortable: true, Filterable: true, Hidden: true},
		{Key: "createdAt", Label: "Created", Type: ColTime, Sortable: true, Filterable: true},
		{Key: "updatedAt", Label: "Updated", Type: ColTime, Sortable: true, Filterable: true, Hidden: true},
	}
}

// AccountStore keeps accounts. Only the system owner's area lists them all.
type AccountStore interface {
	// CreateAccount validates a (filling defaults), inserts it and sets its
	// ID and times. In the same
	// transaction it creates the account's system roles and default
	// departments. Returns EINVALID (field "name", code VTaken) when the
	// name is in use.
	CreateAccount(ctx context.Context, a *Account) error
	// Account returns the account with id, or ENOTFOUND.
	Account(ctx context.Context, id int64) (*Account, error)
	// AccountByName returns the account named name (case-insensitive), or ENOTFOUND.
	AccountByName(ctx context.Context, name string) (*Account, error)
	// UpdateAccount validates a and saves name, status and time zone.
	// ENOTFOUND, EINVALID as Create.
	UpdateAccount(ctx context.Context, a *Account) error
	// ListAccounts returns one page of accounts (AccountColumns).
	ListAccounts(ctx context.Context, q ListQuery) (Page[Account], error)
	// CountAccounts returns how many accounts exist.
	CountAccounts(ctx context.Context) (int, error)
}
