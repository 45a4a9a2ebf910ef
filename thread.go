package herald

import (
	"context"
	"time"
)

// Thread is the conversation of an account with one contact on one
// channel. Inbound messages are matched to it; the conversations inbox
// shows it.
type Thread struct {
	ID            int64     `json:"id"`
	AccountID     int64     `json:"-"`
	ContactID     int64     `json:"contactId"`
	Channel       Channel   `json:"channel"`
	LastMessageID string    `json:"lastMessageId"`
	LastMessageAt time.Time `json:"lastMessageAt"`
	CreatedAt     time.Time `json:"createdAt"`
}

// ThreadStore keeps threads. Methods are scoped to accountID.
type ThreadStore interface {
	// Thread returns one thread, or ENOTFOUND.
	Thread(ctx context.Context, accountID, id int64) (*Thread, error)
	// ContactThreads returns a contact's threads, most recent first.
	ContactThreads(ctx context.Context, accountID, contactID int64) ([]Thread, error)
}
