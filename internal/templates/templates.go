package templates

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/content"
	"github.com/heraldhq/herald/internal/render"
)

// Store is where templates are kept.
type Store interface {
	herald.TemplateStore
	herald.ConversationTemplateStore
}

// Service keeps templates in a Store after checking them. Its methods are
// safe for concurrent use.
type Service struct {
	store Store
	media herald.MediaStore
}

// New returns a Service over store. media is the media library that
// conversation templates attach files from; nil when there is none, and
// then a template that attaches a file is refused.
func New(store Store, media herald.MediaStore) *Service {
	return &Service{store: store, media: media}
}

var (
	_ herald.TemplateStore             = (*Service)(nil)
	_ herald.ConversationTemplateStore = (*Service)(nil)
)

// Prepare checks t for saving: its name and channel, and its payload by the
// channel's rules (violations name payload.* fields). It compacts the
// payload and sets Variables to the placeholders the payload uses, each
// once, in order of first use.
func Prepare(t *herald.Template) error {
	vs := herald.Violations(herald.ErrorViolations(t.Validate()))
	if vs.Has("channel") || vs.Has("payload") {
		return vs.Err()
	}
	c, err := content.Decode(t.Channel, t.Payload)
	if err != nil {
		return join(vs, err)
	}
	vars, err := Variables(c)
	if err != nil {
		return join(vs, err)
	}
	if err := vs.Err(); err != nil {
		return err
	}
	var b bytes.Buffer
	if err := json.Compact(&b, t.Payload); err != nil {
		return fmt.Errorf("compacting payload: %w", err)
	}
	t.Payload, t.Variables = b.Bytes(), vars
	return nil
}

// join returns vs with err's violations added, or err itself when it has
// none.
func join(vs herald.Violations, err error) error {
	more := herald.ErrorViolations(err)
	if len(more) == 0 {
		return err
	}
	return append(vs, more...).Err()
}

// Variables returns the placeholders c's fields use, each once in order of
// first use: "attribute.<name>" for a contact attribute (names compared
// regardless of case, under their first spelling) and the parameter's name
// for a variable.
func Variables(c content.Content) ([]string, error) {
	vars := []string{}
	seen := map[string]bool{}
	collect := func(text string) (string, error) {
		t, err := render.Parse(text)
		if err != nil {
			return "", err
		}
		for _, v := range t.Variables() {
			key := v.String()
			if v.Attribute {
				key = "attribute." + strings.ToLower(v.Name)
			}
			if !seen[key] {
				seen[key] = true
				vars = append(vars, v.String())
			}
		}
		return text, nil
	}
	if _, err := content.Personalize(c, collect, collect); err != nil {
		return nil, fmt.Errorf("reading placeholders: %w", err)
	}
	return vars, nil
}

// Template returns one content template of the account, or ENOTFOUND.
func (s *Service) Template(ctx context.Context, accountID, id int64) (*herald.Template, error) {
	return s.store.Template(ctx, accountID, id)
}

// CreateTemplate checks t (Prepare) and saves it.
func (s *Service) CreateTemplate(ctx context.Context, t *herald.Template) error {
	if err := Prepare(t); err != nil {
		return err
	}
	return s.store.CreateTemplate(ctx, t)
}

// UpdateTemplate checks t (Prepare) and saves it. ENOTFOUND.
func (s *Service) UpdateTemplate(ctx context.Context, t *herald.Template) error {
	if err := Prepare(t); err != nil {
		return err
	}
	return s.store.UpdateTemplate(ctx, t)
}

// DeleteTemplate removes a content template. ENOTFOUND.
func (s *Service) DeleteTemplate(ctx context.Context, accountID, id int64) error {
	return s.store.DeleteTemplate(ctx, accountID, id)
}

// ListTemplates returns one page of the account's content templates.
func (s *Service) ListTemplates(ctx context.Context, accountID int64, q herald.ListQuery) (herald.Page[herald.Template], error) {
	return s.store.ListTemplates(ctx, accountID, q)
}
