package herald

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
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

// TemplateChannels returns the channels content and conversation templates
// are made for, in the order the portal offers them (reference 001 section
// 12.3): SMS, RCS, Viber, WhatsApp, Email, Push, TTS and Mobile Push.
func TemplateChannels() []Channel {
	return []Channel{ChannelSMS, ChannelRCS, ChannelViber, ChannelWhatsApp, ChannelEmail, ChannelPush, ChannelTTS, ChannelMobilePush}
}

// IsTemplateChannel reports whether templates can be made for ch.
func IsTemplateChannel(ch Channel) bool {
	for _, c := range TemplateChannels() {
		if c == ch {
			return true
		}
	}
	return false
}

// templateChannelNames are the API names of TemplateChannels.
func templateChannelNames() []string {
	var out []string
	for _, ch := range TemplateChannels() {
		out = append(out, ch.String())
	}
	return out
}

// checkTemplateChannel adds a violation of "channel" unless ch is one of
// TemplateChannels.
func checkTemplateChannel(vs *Violations, ch Channel) {
	switch {
	case ch == 0:
		vs.Add("channel", VRequired, "Choose the channel: SMS, RCS, Viber, WhatsApp, Email, Push, TTS or Mobile Push.")
	case !ch.Valid():
		vs.Add("channel", VUnknown, "Unknown channel %d.", int(ch))
	case !IsTemplateChannel(ch):
		vs.Add("channel", VUnknown, "Templates are made for SMS, RCS, Viber, WhatsApp, Email, Push, TTS and Mobile Push, not %s.", ch.Label())
	}
}

// Validate checks the template's name and channel and trims the name. The
// payload's rules are the channel's (package content); the templates
// service checks them and fills Variables before a store saves t.
func (t *Template) Validate() error {
	var vs Violations
	t.Name = strings.TrimSpace(t.Name)
	vs.CheckLen("name", t.Name, true, MaxTemplateName)
	checkTemplateChannel(&vs, t.Channel)
	if len(t.Payload) == 0 && !vs.Has("channel") {
		vs.Add("payload", VRequired, "Payload is required: the message the template sends.")
	}
	return vs.Err()
}

// TemplateSource resolves content templates for sending.
type TemplateSource interface {
	// Template returns the account's template id, or ENOTFOUND.
	Template(ctx context.Context, accountID, id int64) (*Template, error)
}

// TemplateStore keeps content templates. Methods are scoped to accountID.
// Create and Update expect a payload the caller has already decoded and
// checked for its channel, and Variables filled (the templates service does
// both); they validate the name and channel themselves.
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
		{Key: "channel", Label: "Channel", Type: ColEnum, Options: templateChannelNames(), Sortable: true, Filterable: true},
		{Key: "updatedAt", Label: "Last Modified", Type: ColTime, Sortable: true, Filterable: true},
		{Key: "createdAt", Label: "Created", Type: ColTime, Sortable: true, Filterable: true, Hidden: true},
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

// Conversation template limits. The text's channel may allow less (an SMS
// of at most 10 parts, Viber 1000 characters...); MaxConversationText
// bounds the channels that state no limit, such as e-mail.
const (
	MaxConversationMedia = 10
	MaxConversationText  = 10000
)

// Validate checks the conversation template's name, channel, that it has
// text or files, and its list of media IDs (each positive and given once);
// it trims the name and never leaves MediaIDs nil. The text's length rules
// are the channel's (package content), and whether each file is in the
// account's library needs a MediaStore: the templates service checks both.
func (t *ConversationTemplate) Validate() error {
	var vs Violations
	t.Name = strings.TrimSpace(t.Name)
	vs.CheckLen("name", t.Name, true, MaxTemplateName)
	checkTemplateChannel(&vs, t.Channel)
	if t.MediaIDs == nil {
		t.MediaIDs = []int64{}
	}
	if strings.TrimSpace(t.Text) == "" && len(t.MediaIDs) == 0 {
		vs.Add("text", VRequired, "Write the text or attach a file.")
	}
	vs.CheckLen("text", t.Text, false, MaxConversationText)
	if len(t.MediaIDs) > MaxConversationMedia {
		vs.Add("mediaIds", VTooLong, "A template attaches at most %d files (it has %d).", MaxConversationMedia, len(t.MediaIDs))
	}
	seen := map[int64]bool{}
	for i, id := range t.MediaIDs {
		switch {
		case id <= 0:
			vs.Add(indexField("mediaIds", i), VUnknown, "No file with ID %d in the media library.", id)
		case seen[id]:
			vs.Add(indexField("mediaIds", i), VFormat, "File %d is attached twice.", id)
		}
		seen[id] = true
	}
	return vs.Err()
}

// indexField returns the field name of item i of list field, such as
// "mediaIds[2]".
func indexField(field string, i int) string {
	return field + "[" + strconv.Itoa(i) + "]"
}

// ConversationTemplateStore keeps conversation templates, scoped to
// accountID, with the same errors as TemplateStore. Create and Update
// validate (ConversationTemplate.Validate); whether the files are in the
// media library is the caller's check (the templates service does it).
type ConversationTemplateStore interface {
	CreateConversationTemplate(ctx context.Context, t *ConversationTemplate) error
	ConversationTemplate(ctx context.Context, accountID, id int64) (*ConversationTemplate, error)
	UpdateConversationTemplate(ctx context.Context, t *ConversationTemplate) error
	DeleteConversationTemplate(ctx context.Context, accountID, id int64) error
	ListConversationTemplates(ctx context.Context, accountID int64, q ListQuery) (Page[ConversationTemplate], error)
}

// ConversationTemplateColumns are the columns of the conversation templates
// table (reference 001 section 12.5).
func ConversationTemplateColumns() []Column {
	return []Column{
		{Key: "name", Label: "Name", Type: ColText, Sortable: true, Filterable: true},
		{Key: "text", Label: "Text", Type: ColText, Sortable: true, Filterable: true},
		{Key: "channel", Label: "Channel", Type: ColEnum, Options: templateChannelNames(), Sortable: true, Filterable: true},
		{Key: "files", Label: "Files", Type: ColNumber, Sortable: true, Filterable: true},
		{Key: "createdAt", Label: "Created", Type: ColTime, Sortable: true, Filterable: true},
		{Key: "updatedAt", Label: "Last Modified", Type: ColTime, Sortable: true, Filterable: true, Hidden: true},
	}
}
