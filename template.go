package herald

import (
	"context"
	"encoding/json"
	"time"
)

// Template is a content template (reference 001 section 12.3): a named,
// saved message of one channel, made in the message constructor and sent
// by ID through the Omni API, broadcasts and chatbots. Its payload is the
// channel's content (package content) with {{attribute.name}} and
// {{variable}} placeholders, filled from the contact and the request's
// params when it is sent.
type Template struct {
	ID        int64           `json:"id"`
	AccountID int64           `json:"-"`
	Name      string          `json:"name"`
	Channel   Channel         `json:"channel"`
	Payload   json.RawMessage `json:"payload"`
	// Variables are the placeholders the payload uses, such as
	// "attribute.name" or "code", in order of first use; filled on save.
	Variables []string  `json:"variables"`
	CreatedBy int64     `json:"-"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// MaxTemplateName is the longest template name.
const MaxTemplateName = 100

// TemplateSource resolves content templates for sending.
type TemplateSource interface {
	// Template returns the account's template id, or ENOTFOUND.
	Template(ctx context.Context, accountID, id int64) (*Template, error)
}

// TemplateStore keeps content templates. Methods are scoped to accountID.
// Create and Update expect a payload the caller has already decoded and
// checked for its channel, and Variables filled.
type TemplateStore interface {
	TemplateSource
	// CreateTemplate inserts t. EINVALID (name, VTaken) when the account
	// has a template of that name already.
	CreateTemplate(ctx context.Context, t *Template) error
	// UpdateTemplate saves t's name, channel, payload and variables.
	// ENOTFOUND; EINVALID as CreateTemplate.
	UpdateTemplate(ctx context.Context, t *Template) error
	// DeleteTemplate removes a template; messages sent from it keep their
	// content. ENOTFOUND.
	DeleteTemplate(ctx context.Context, accountID, id int64) error
	// ListTemplates returns one page of the account's templates
	// (TemplateColumns).
	ListTemplates(ctx context.Context, accountID int64, q ListQuery) (Page[Template], error)
}

// TemplateColumns are the columns of the content templates table.
func TemplateColumns() []Column {
	return []Column{
		{Key: "id", Label: "ID", Type: ColNumber, Sortable: true, Filterable: true},
		{Key: "name", Label: "Template Name", Type: ColText, Sortable: true, Filterable: true},
		{Key: "channel", Label: "Channel", Type: ColEnum, Options: channelNames()[1:], Sortable: true, Filterable: true},
		{Key: "updatedAt", Label: "Last Modified", Type: ColTime, Sortable: true, Filterable: true},
	}
}

// ConversationTemplate is a canned reply for human agents (reference 001
// section 12.5): a name, a channel, text with {{attribute.name}}
// placeholders and files from the media library.
type ConversationTemplate struct {
	ID        int64     `json:"id"`
	AccountID int64     `json:"-"`
	Name      string    `json:"name"`
	Channel   Channel   `json:"channel"`
	Text      string    `json:"text"`
	MediaIDs  []int64   `json:"mediaIds"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// ConversationTemplateStore keeps conversation templates, scoped to
// accountID, with the same errors as TemplateStore.
type ConversationTemplateStore interface {
	CreateConversationTemplate(ctx context.Context, t *ConversationTemplate) error
	ConversationTemplate(ctx context.Context, accountID, id int64) (*ConversationTemplate, error)
	UpdateConversationTemplate(ctx context.Context, t *ConversationTemplate) error
	DeleteConversationTemplate(ctx context.Context, accountID, id int64) error
	ListConversationTemplates(ctx context.Context, accountID int64, q ListQuery) (Page[ConversationTemplate], error)
}
