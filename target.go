package herald

import (
	"context"
	"strings"
	"time"
)

// Target is a saved, dynamic selection of contacts: every contact that
// matches all of its filters at the time it is counted or used. Filters
// use the contact columns of ContactColumns.
type Target struct {
	ID        int64     `json:"id"`
	AccountID int64     `json:"-"`
	Name      string    `json:"name"`
	Filters   []Filter  `json:"filters"`
	Launches  int       `json:"launches"` // broadcasts launched to it
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// MaxTargetFilters bounds the filters of one target.
const MaxTargetFilters = 20

// Validate checks the name and the filters' shape against cols (the
// account's ContactColumns).
func (t *Target) Validate(cols []Column) error {
	var vs Violations
	t.Name = strings.TrimSpace(t.Name)
	vs.CheckLen("name", t.Name, true, 100)
	if t.Filters == nil {
		t.Filters = []Filter{}
	}
	if len(t.Filters) > MaxTargetFilters {
		vs.Add("filters", VTooLong, "A target can have at most %d filters.", MaxTargetFilters)
	}
	for _, v := range ErrorViolations(ValidateListQuery(ListQuery{Filters: t.Filters}, cols)) {
		v.Field = "filters" + strings.TrimPrefix(v.Field, "filter")
		vs = append(vs, v)
	}
	return vs.Err()
}

// TargetColumns are the columns of the Targets table.
func TargetColumns() []Column {
	return []Column{
		{Key: "id", Label: "ID", Type: ColNumber, Sortable: true, Filterable: true, Hidden: true},
		{Key: "name", Label: "Name", Type: ColText, Sortable: true, Filterable: true},
		{Key: "filters", Label: "Filters", Type: ColText},
		{Key: "launches", Label: "Launches", Type: ColNumber, Sortable: true, Filterable: true},
		{Key: "createdAt", Label: "Created", Type: ColTime, Sortable: true, Filterable: true},
		{Key: "updatedAt", Label: "Updated", Type: ColTime, Sortable: true, Filterable: true},
	}
}

// TargetStore keeps targets. Methods are scoped to accountID.
type TargetStore interface {
	// CreateTarget validates and inserts t. EINVALID with VTaken on
	// "name" when the account has a target of that name.
	CreateTarget(ctx context.Context, t *Target) error
	// Target returns one target, or ENOTFOUND.
	Target(ctx context.Context, accountID, id int64) (*Target, error)
	// UpdateTarget validates and saves the name and filters of t.
	UpdateTarget(ctx context.Context, t *Target) error
	// DeleteTarget removes a target.
	DeleteTarget(ctx context.Context, accountID, id int64) error
	// DuplicateTarget copies a target under a free name ("X (copy)").
	DuplicateTarget(ctx context.Context, accountID, id int64) (*Target, error)
	// ListTargets returns one page of targets (TargetColumns).
	ListTargets(ctx context.Context, accountID int64, q ListQuery) (Page[Target], error)
	// CountTarget counts the contacts the target selects now.
	CountTarget(ctx context.Context, accountID, id int64) (int, error)
	// AddTargetLaunch counts one more broadcast launch to the target.
	AddTargetLaunch(ctx context.Context, accountID, id int64) error
}
