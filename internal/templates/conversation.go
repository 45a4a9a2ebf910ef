package templates

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/content"
)

// textField returns a payload of channel ch that holds text, and the path
// of the field that holds it: the text rules of a conversation template
// are those of that field. The payload has nothing else (an e-mail no
// subject, a mobile push no header): the faults of other fields are not
// the text's, and nothing else counts towards a size limit.
func textField(ch herald.Channel, text string) (json.RawMessage, string) {
	payload, field := map[string]any{"text": text}, "text"
	if ch == herald.ChannelPush || ch == herald.ChannelMobilePush {
		payload, field = map[string]any{"body": text}, "body"
	}
	raw, _ := json.Marshal(payload) // strings always encode
	return raw, "payload." + field
}

// CheckConversationText returns the violations of text as the text of a
// conversation template on ch, named "text": too long for the channel, or
// a malformed placeholder. An empty text has none.
func CheckConversationText(ch herald.Channel, text string) herald.Violations {
	if strings.TrimSpace(text) == "" || !herald.IsTemplateChannel(ch) {
		return nil
	}
	raw, field := textField(ch, text)
	_, err := content.Decode(ch, raw)
	var vs herald.Violations
	for _, v := range herald.ErrorViolations(err) {
		if v.Field == field {
			vs.Add("text", v.Code, "%s", strings.Replace(v.Message, "Body", "Text", 1))
		}
	}
	return vs
}

// checkConversation checks t: its fields, its text by its channel's
// rules, and that each file is in the account's media library.
func (s *Service) checkConversation(ctx context.Context, t *herald.ConversationTemplate) error {
	vs := herald.Violations(herald.ErrorViolations(t.Validate()))
	if !vs.Has("text") {
		vs = append(vs, CheckConversationText(t.Channel, t.Text)...)
	}
	for i, id := range t.MediaIDs {
		field := fmt.Sprintf("mediaIds[%d]", i)
		if id <= 0 || vs.Has(field) {
			continue
		}
		if s.media == nil {
			vs.Add(field, herald.VUnknown, "The media library is not available; remove file %d.", id)
			continue
		}
		_, err := s.media.Media(ctx, t.AccountID, id)
		switch {
		case herald.IsNotFound(err):
			vs.Add(field, herald.VUnknown, "No file with ID %d in the media library.", id)
		case err != nil:
			return fmt.Errorf("reading file %d: %w", id, err)
		}
	}
	return vs.Err()
}

// ConversationTemplate returns one conversation template of the account,
// or ENOTFOUND.
func (s *Service) ConversationTemplate(ctx context.Context, accountID, id int64) (*herald.ConversationTemplate, error) {
	return s.store.ConversationTemplate(ctx, accountID, id)
}

// CreateConversationTemplate checks t and saves it.
func (s *Service) CreateConversationTemplate(ctx context.Context, t *herald.ConversationTemplate) error {
	if err := s.checkConversation(ctx, t); err != nil {
		return err
	}
	return s.store.CreateConversationTemplate(ctx, t)
}

// UpdateConversationTemplate checks t and saves it. ENOTFOUND.
func (s *Service) UpdateConversationTemplate(ctx context.Context, t *herald.ConversationTemplate) error {
	if err := s.checkConversation(ctx, t); err != nil {
		return err
	}
	return s.store.UpdateConversationTemplate(ctx, t)
}

// DeleteConversationTemplate removes a conversation template. ENOTFOUND.
func (s *Service) DeleteConversationTemplate(ctx context.Context, accountID, id int64) error {
	return s.store.DeleteConversationTemplate(ctx, accountID, id)
}

// ListConversationTemplates returns one page of the account's
// conversation templates.
func (s *Service) ListConversationTemplates(ctx context.Context, accountID int64, q herald.ListQuery) (herald.Page[herald.ConversationTemplate], error) {
	return s.store.ListConversationTemplates(ctx, accountID, q)
}
