package herald

import (
	"context"
	"time"
)

// AuditEntry records one change made through the portal or the API, or one
// security event such as a sign-in.
type AuditEntry struct {
	ID        int64         `json:"id"`
	AccountID int64         `json:"-"`
	Time      time.Time     `json:"time"`
	UserID    int64         `json:"userId"`   // zero for API keys and the system
	Login     string        `json:"user"`     // user login, "api:" + key name, or "system"
	APIKeyID  int64         `json:"apiKeyId"` // zero for portal users and the system
	IP        string        `json:"ip"`
	Action    string        `json:"action"` // "Added new user", "Signed in", ...
	Details   []AuditDetail `json:"details"`
}

// AuditDetail is one row changed by an audited action. Values are JSON with
// secrets left out.
type AuditDetail struct {
	Table     string `json:"table"`
	Operation string `json:"operation"` // Insert, Update or Delete
	ObjectID  string `json:"objectId"`
	OldValue  string `json:"oldValue"`
	NewValue  string `json:"newValue"`
}

// Audit detail operations.
const (
	OpInsert = "Insert"
	OpUpdate = "Update"
	OpDelete = "Delete"
)

// AuditColumns are the columns of the Audit table.
func AuditColumns() []Column {
	return []Column{
		{Key: "id", Label: "ID", Type: ColNumber, Sortable: true, Filterable: true, Hidden: true},
		{Key: "time", Label: "Date & Time", Type: ColTime, Sortable: true, Filterable: true},
		{Key: "user", Label: "User", Type: ColText, Sortable: true, Filterable: true},
		{Key: "ip", Label: "IP Address", Type: ColText, Sortable: true, Filterable: true},
		{Key: "action", Label: "Logged Action", Type: ColText, Sortable: true, Filterable: true},
		{Key: "table", Label: "Table", Type: ColText, Filterable: true, Hidden: true},
	}
}

// AuditStore reads the audit log. Stores write entries themselves, in the
// same transaction as the change, from the Actor in the context.
type AuditStore interface {
	// RecordAudit writes an entry that goes with no stored change (a
	// sign-in, an export). Time, user, key and IP come from the Actor in
	// ctx when e leaves them empty.
	RecordAudit(ctx context.Context, e *AuditEntry) error
	// ListAudit returns one page of entries with their details (AuditColumns),
	// newest first unless sorted otherwise.
	ListAudit(ctx context.Context, accountID int64, q ListQuery) (Page[AuditEntry], error)
	// EachAudit calls fn for every entry matching q.Filters, in q's order,
	// streaming rows so that exports need no memory per row. q.Cursor and
	// q.Limit are ignored. fn's error stops the walk and is returned.
	EachAudit(ctx context.Context, accountID int64, q ListQuery, fn func(*AuditEntry) error) error
}
