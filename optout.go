package herald

import (
	"context"
	"strings"
	"time"
)

// Who set an opt-out, as OptOut.By reads: a user's login after "user:",
// the matched word after "word:", or one of these.
const (
	OptOutByChatbot = "chatbot"
	OptOutByAPI     = "api"
)

// OptOutByUser is OptOut.By for an opt-out set by a portal user.
func OptOutByUser(login string) string { return "user:" + login }

// OptOutByWord is OptOut.By for an opt-out set by an MO message that
// matched an opt-out word.
func OptOutByWord(word string) string { return "word:" + word }

// OptOutWord is a word that opts a contact out when it arrives alone in an
// MO message on Channel (from SenderID, or any sender when SenderID is
// ""), between From and Till (either may be open).
type OptOutWord struct {
	ID        int64      `json:"id"`
	AccountID int64      `json:"-"`
	Word      string     `json:"word"`
	Channel   Channel    `json:"channel"`
	SenderID  string     `json:"senderId"` // "" for the whole channel
	From      *time.Time `json:"effectiveFrom"`
	Till      *time.Time `json:"effectiveTill"`
	CreatedAt time.Time  `json:"createdAt"`
	UpdatedAt time.Time  `json:"updatedAt"`
}

// Validate checks the word's fields.
func (w *OptOutWord) Validate() error {
	var vs Violations
	w.Word = strings.TrimSpace(w.Word)
	vs.CheckLen("word", w.Word, true, 64)
	if !w.Channel.Valid() {
		vs.Add("channel", VUnknown, "Choose a channel.")
	}
	w.SenderID = strings.TrimSpace(w.SenderID)
	vs.CheckLen("senderId", w.SenderID, false, 64)
	if w.From != nil && w.Till != nil && !w.Till.After(*w.From) {
		vs.Add("effectiveTill", VRange, "Effective till must be after effective from.")
	}
	return vs.Err()
}

// Active reports whether the word is in effect at t.
func (w *OptOutWord) Active(t time.Time) bool {
	return (w.From == nil || !t.Before(*w.From)) && (w.Till == nil || t.Before(*w.Till))
}

// OptOutWordColumns are the columns of the Opt-out words table.
func OptOutWordColumns() []Column {
	var channels []string
	for _, ch := range AllChannels() {
		channels = append(channels, ch.String())
	}
	return []Column{
		{Key: "word", Label: "Opt-out word", Type: ColText, Sortable: true, Filterable: true},
		{Key: "channel", Label: "Channel", Type: ColEnum, Options: channels, Sortable: true, Filterable: true},
		{Key: "senderId", Label: "Sender ID Name", Type: ColText, Sortable: true, Filterable: true},
		{Key: "effectiveFrom", Label: "Effective from", Type: ColTime, Sortable: true, Filterable: true},
		{Key: "effectiveTill", Label: "Effective till", Type: ColTime, Sortable: true, Filterable: true},
		{Key: "createdAt", Label: "Created", Type: ColTime, Sortable: true, Filterable: true, Hidden: true},
	}
}

// OptOutWordStore keeps opt-out words. Methods are scoped to accountID.
type OptOutWordStore interface {
	// CreateOptOutWord validates and inserts w.
	CreateOptOutWord(ctx context.Context, w *OptOutWord) error
	// OptOutWord returns one word, or ENOTFOUND.
	OptOutWord(ctx context.Context, accountID, id int64) (*OptOutWord, error)
	// UpdateOptOutWord validates and saves w.
	UpdateOptOutWord(ctx context.Context, w *OptOutWord) error
	// DeleteOptOutWord removes a word.
	DeleteOptOutWord(ctx context.Context, accountID, id int64) error
	// ListOptOutWords returns one page of words (OptOutWordColumns).
	ListOptOutWords(ctx context.Context, accountID int64, q ListQuery) (Page[OptOutWord], error)
}
