package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/heraldhq/herald"
)

// Audited actions of content templates.
const (
	actionAddTemplate    = "Added new template"
	actionChangeTemplate = "Changed template"
	actionDeleteTemplate = "Deleted template"
)

// templateSelects are the columns scanTemplate reads.
const templateSelects = "tp.id, tp.account_id, tp.name, tp.channel, tp.payload, tp.variables, tp.created_by, tp.created_at, tp.updated_at"

// scanTemplate reads templateSelects, then extra.
func scanTemplate(r scanner, extra ...any) (herald.Template, error) {
	var t herald.Template
	var payload, vars string
	err := r.Scan(append([]any{&t.ID, &t.AccountID, &t.Name, &t.Channel, &payload, &vars, &t.CreatedBy, &t.CreatedAt, &t.UpdatedAt}, extra...)...)
	if err != nil {
		return t, err
	}
	t.CreatedAt, t.UpdatedAt = utc(t.CreatedAt), utc(t.UpdatedAt)
	t.Payload = json.RawMessage(payload)
	t.Variables = []string{}
	if err := json.Unmarshal([]byte(vars), &t.Variables); err != nil {
		return t, fmt.Errorf("decoding variables of template %d: %w", t.ID, err)
	}
	return t, nil
}

// stringsJSON encodes a list of strings, never as null.
func stringsJSON(ss []string) string {
	if ss == nil {
		ss = []string{}
	}
	b, _ := json.Marshal(ss) // strings always encode
	return string(b)
}

// templateErr maps the errors of saving t.
func templateErr(err error, name string) error {
	if isUnique(err, "templates_name_key", "") {
		return taken("name", "A template named %q already exists.", name)
	} else if foreignKeyViolation(err) {
		return herald.Errorf(herald.ENOTFOUND, "Account not found.")
	}
	return fmt.Errorf("saving template: %w", err)
}

// getTemplate reads one content template of the account, or ENOTFOUND.
func getTemplate(ctx context.Context, q querier, accountID, id int64) (*herald.Template, error) {
	t, err := scanTemplate(q.queryRow(ctx, "SELECT "+templateSelects+" FROM templates tp WHERE tp.account_id = $1 AND tp.id = $2", accountID, id))
	if isNoRows(err) {
		return nil, herald.Errorf(herald.ENOTFOUND, "Template not found.")
	} else if err != nil {
		return nil, fmt.Errorf("reading template: %w", err)
	}
	return &t, nil
}

// Template returns one content template of the account, or ENOTFOUND.
func (s *Store) Template(ctx context.Context, accountID, id int64) (*herald.Template, error) {
	return getTemplate(ctx, s.read(), accountID, id)
}

// CreateTemplate validates t's name and channel and inserts it; its
// payload must have been checked for the channel (see the TemplateStore
// contract). The creator is the actor's user.
func (s *Store) CreateTemplate(ctx context.Context, t *herald.Template) error {
	if err := t.Validate(); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *tx) error {
		t.CreatedBy, t.CreatedAt, t.UpdatedAt = herald.ActorFrom(ctx).UserID, tx.now, tx.now
		if t.Variables == nil {
			t.Variables = []string{}
		}
		err := tx.queryRow(ctx, `INSERT INTO templates (account_id, name, channel, payload, variables, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`,
			t.AccountID, t.Name, t.Channel, string(t.Payload), stringsJSON(t.Variables), t.CreatedBy, tx.now).Scan(&t.ID)
		if err != nil {
			return templateErr(err, t.Name)
		}
		return s.audit(ctx, tx, t.AccountID, actionAddTemplate, detail("templates", herald.OpInsert, t.ID, nil, t))
	})
}

// UpdateTemplate validates t's name and channel and saves its name,
// channel, payload and variables.
func (s *Store) UpdateTemplate(ctx context.Context, t *herald.Template) error {
	if err := t.Validate(); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *tx) error {
		old, err := getTemplate(ctx, tx, t.AccountID, t.ID)
		if err != nil {
			return err
		}
		if t.Variables == nil {
			t.Variables = []string{}
		}
		_, err = tx.exec(ctx, `UPDATE templates SET name = $1, channel = $2, payload = $3, variables = $4, updated_at = $5
			WHERE account_id = $6 AND id = $7`,
			t.Name, t.Channel, string(t.Payload), stringsJSON(t.Variables), tx.now, t.AccountID, t.ID)
		if err != nil {
			return templateErr(err, t.Name)
		}
		t.CreatedBy, t.CreatedAt, t.UpdatedAt = old.CreatedBy, old.CreatedAt, tx.now
		return s.audit(ctx, tx, t.AccountID, actionChangeTemplate, detail("templates", herald.OpUpdate, t.ID, old, t))
	})
}

// DeleteTemplate removes a content template. Messages sent from it keep
// their content and their reference to its ID.
func (s *Store) DeleteTemplate(ctx context.Context, accountID, id int64) error {
	return s.inTx(ctx, func(tx *tx) error {
		old, err := getTemplate(ctx, tx, accountID, id)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM templates WHERE account_id = $1 AND id = $2`, accountID, id); err != nil {
			return fmt.Errorf("deleting template: %w", err)
		}
		return s.audit(ctx, tx, accountID, actionDeleteTemplate, detail("templates", herald.OpDelete, id, old, nil))
	})
}

// templateSpec is the content templates list.
func templateSpec() *listSpec {
	return &listSpec{
		columns: herald.TemplateColumns(),
		cols: map[string]listCol{
			"id":        {expr: "tp.id", typ: herald.ColNumber},
			"name":      {expr: "tp.name", typ: herald.ColText},
			"channel":   {expr: channelNameSQL("tp.channel"), typ: herald.ColEnum},
			"updatedAt": {expr: "tp.updated_at", typ: herald.ColTime},
			"createdAt": {expr: "tp.created_at", typ: herald.ColTime},
		},
		selects:     templateSelects,
		from:        "templates tp",
		id:          "tp.id",
		newestFirst: true,
	}
}

// ListTemplates returns one page of the account's content templates,
// newest first unless q sorts otherwise.
func (s *Store) ListTemplates(ctx context.Context, accountID int64, q herald.ListQuery) (herald.Page[herald.Template], error) {
	p, err := s.buildList(templateSpec(), q, "tp.account_id = $1", accountID)
	if err != nil {
		return herald.Page[herald.Template]{}, err
	}
	return runList(ctx, s.read(), p, scanTemplate)
}
