package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/heraldhq/herald"
)

// Audited actions of conversation templates.
const (
	actionAddConversationTemplate    = "Added new conversation template"
	actionChangeConversationTemplate = "Changed conversation template"
	actionDeleteConversationTemplate = "Deleted conversation template"
)

// convTemplateSelects are the columns scanConvTemplate reads.
const convTemplateSelects = "ct.id, ct.account_id, ct.name, ct.channel, ct.text, ct.media_ids, ct.created_at, ct.updated_at"

// scanConvTemplate reads convTemplateSelects, then extra.
func scanConvTemplate(r scanner, extra ...any) (herald.ConversationTemplate, error) {
	var t herald.ConversationTemplate
	var media string
	err := r.Scan(append([]any{&t.ID, &t.AccountID, &t.Name, &t.Channel, &t.Text, &media, &t.CreatedAt, &t.UpdatedAt}, extra...)...)
	if err != nil {
		return t, err
	}
	t.CreatedAt, t.UpdatedAt = utc(t.CreatedAt), utc(t.UpdatedAt)
	t.MediaIDs = []int64{}
	if err := json.Unmarshal([]byte(media), &t.MediaIDs); err != nil {
		return t, fmt.Errorf("decoding files of conversation template %d: %w", t.ID, err)
	}
	return t, nil
}

// idsJSON encodes a list of IDs, never as null.
func idsJSON(ids []int64) string {
	if ids == nil {
		ids = []int64{}
	}
	b, _ := json.Marshal(ids) // integers always encode
	return string(b)
}

// convTemplateErr maps the errors of saving t.
func convTemplateErr(err error, name string) error {
	if isUnique(err, "conversation_templates_name_key", "") {
		return taken("name", "A conversation template named %q already exists.", name)
	} else if foreignKeyViolation(err) {
		return herald.Errorf(herald.ENOTFOUND, "Account not found.")
	}
	return fmt.Errorf("saving conversation template: %w", err)
}

// getConvTemplate reads one conversation template of the account, or
// ENOTFOUND.
func getConvTemplate(ctx context.Context, q querier, accountID, id int64) (*herald.ConversationTemplate, error) {
	t, err := scanConvTemplate(q.queryRow(ctx, "SELECT "+convTemplateSelects+" FROM conversation_templates ct WHERE ct.account_id = $1 AND ct.id = $2", accountID, id))
	if isNoRows(err) {
		return nil, herald.Errorf(herald.ENOTFOUND, "Conversation template not found.")
	} else if err != nil {
		return nil, fmt.Errorf("reading conversation template: %w", err)
	}
	return &t, nil
}

// ConversationTemplate returns one conversation template of the account,
// or ENOTFOUND.
func (s *Store) ConversationTemplate(ctx context.Context, accountID, id int64) (*herald.ConversationTemplate, error) {
	return getConvTemplate(ctx, s.read(), accountID, id)
}

// CreateConversationTemplate validates and inserts t. Whether its files
// are in the media library is the caller's check.
func (s *Store) CreateConversationTemplate(ctx context.Context, t *herald.ConversationTemplate) error {
	if err := t.Validate(); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *tx) error {
		t.CreatedAt, t.UpdatedAt = tx.now, tx.now
		err := tx.queryRow(ctx, `INSERT INTO conversation_templates (account_id, name, channel, text, media_ids, files, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`,
			t.AccountID, t.Name, t.Channel, t.Text, idsJSON(t.MediaIDs), len(t.MediaIDs), tx.now).Scan(&t.ID)
		if err != nil {
			return convTemplateErr(err, t.Name)
		}
		return s.audit(ctx, tx, t.AccountID, actionAddConversationTemplate, detail("conversation_templates", herald.OpInsert, t.ID, nil, t))
	})
}

// UpdateConversationTemplate validates t and saves its name, channel,
// text and files.
func (s *Store) UpdateConversationTemplate(ctx context.Context, t *herald.ConversationTemplate) error {
	if err := t.Validate(); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *tx) error {
		old, err := getConvTemplate(ctx, tx, t.AccountID, t.ID)
		if err != nil {
			return err
		}
		_, err = tx.exec(ctx, `UPDATE conversation_templates SET name = $1, channel = $2, text = $3, media_ids = $4, files = $5, updated_at = $6
			WHERE account_id = $7 AND id = $8`,
			t.Name, t.Channel, t.Text, idsJSON(t.MediaIDs), len(t.MediaIDs), tx.now, t.AccountID, t.ID)
		if err != nil {
			return convTemplateErr(err, t.Name)
		}
		t.CreatedAt, t.UpdatedAt = old.CreatedAt, tx.now
		return s.audit(ctx, tx, t.AccountID, actionChangeConversationTemplate, detail("conversation_templates", herald.OpUpdate, t.ID, old, t))
	})
}

// DeleteConversationTemplate removes a conversation template; its files
// stay in the media library.
func (s *Store) DeleteConversationTemplate(ctx context.Context, accountID, id int64) error {
	return s.inTx(ctx, func(tx *tx) error {
		old, err := getConvTemplate(ctx, tx, accountID, id)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM conversation_templates WHERE account_id = $1 AND id = $2`, accountID, id); err != nil {
			return fmt.Errorf("deleting conversation template: %w", err)
		}
		return s.audit(ctx, tx, accountID, actionDeleteConversationTemplate, detail("conversation_templates", herald.OpDelete, id, old, nil))
	})
}

// convTemplateSpec is the conversation templates list.
func convTemplateSpec() *listSpec {
	return &listSpec{
		columns: herald.ConversationTemplateColumns(),
		cols: map[string]listCol{
			"name":      {expr: "ct.name", typ: herald.ColText},
			"text":      {expr: "ct.text", typ: herald.ColText},
			"channel":   {expr: channelNameSQL("ct.channel"), typ: herald.ColEnum},
			"files":     {expr: "ct.files", typ: herald.ColNumber},
			"createdAt": {expr: "ct.created_at", typ: herald.ColTime},
			"updatedAt": {expr: "ct.updated_at", typ: herald.ColTime},
		},
		selects:     convTemplateSelects,
		from:        "conversation_templates ct",
		id:          "ct.id",
		newestFirst: true,
	}
}

// ListConversationTemplates returns one page of the account's
// conversation templates, newest first unless q sorts otherwise.
func (s *Store) ListConversationTemplates(ctx context.Context, accountID int64, q herald.ListQuery) (herald.Page[herald.ConversationTemplate], error) {
	p, err := s.buildList(convTemplateSpec(), q, "ct.account_id = $1", accountID)
	if err != nil {
		return herald.Page[herald.ConversationTemplate]{}, err
	}
	return runList(ctx, s.read(), p, scanConvTemplate)
}

var (
	_ herald.TemplateStore             = (*Store)(nil)
	_ herald.ConversationTemplateStore = (*Store)(nil)
)
