package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/heraldhq/herald"
)

// A broadcast sends one content to many recipients. Rendering it into
// every recipient's message row would store (and, with each status
// change, rewrite) kilobytes per recipient, so the step's content is
// stored once as a SharedContent and each message refers to it with the
// recipient's values of the placeholders it uses; the message's payload
// column stays empty. Every reader of such a message gets the rendered
// payload back through the PayloadRenderer the Store was given (see
// SetPayloadRenderer), with the contents cached by ID: they never change.

// SharedContent is a content stored once for the messages of a broadcast
// step that refer to it.
type SharedContent struct {
	ID          int64
	AccountID   int64
	BroadcastID int64
	Channel     herald.Channel
	Payload     json.RawMessage   // the content as given, not personalised
	Params      map[string]string // the template's parameters, if any
	CreatedAt   time.Time
}

// PayloadRenderer renders the payload of a message that refers to c with
// the recipient's values (a JSON object, as stored with the message). It
// must return the bytes the message was sent with, and be safe for
// concurrent use.
type PayloadRenderer func(c *SharedContent, values json.RawMessage) (json.RawMessage, error)

// contentCacheSize bounds the contents a Store keeps in memory: a few
// broadcasts' steps at a time.
const contentCacheSize = 256

// contentCache keeps SharedContents by ID.
type contentCache struct {
	mu     sync.Mutex
	byID   map[int64]*SharedContent
	render PayloadRenderer
}

// SetPayloadRenderer gives the Store the function that renders messages
// stored by reference. Call it once, before the Store serves reads; a
// Store without one fails to read such messages.
func (s *Store) SetPayloadRenderer(fn PayloadRenderer) {
	s.contents.mu.Lock()
	defer s.contents.mu.Unlock()
	s.contents.render = fn
}

// InsertContent stores c and sets its ID.
func (x *MessageTx) InsertContent(ctx context.Context, c *SharedContent) error {
	params := ""
	if len(c.Params) > 0 {
		b, err := json.Marshal(c.Params)
		if err != nil {
			return fmt.Errorf("encoding content params: %w", err)
		}
		params = string(b)
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = x.t.now
	}
	c.CreatedAt = c.CreatedAt.UTC().Truncate(time.Microsecond)
	err := x.t.queryRow(ctx, `INSERT INTO message_contents (account_id, broadcast_id, channel, payload, params, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, c.AccountID, c.BroadcastID, c.Channel, string(c.Payload), params,
		c.CreatedAt).Scan(&c.ID)
	if err != nil {
		return fmt.Errorf("inserting message content: %w", err)
	}
	return nil
}

// SharedContent returns the content with id of the account, or ENOTFOUND.
func (s *Store) SharedContent(ctx context.Context, accountID, id int64) (*SharedContent, error) {
	c, err := s.content(ctx, s.read(), id)
	if err == nil && c.AccountID != accountID {
		err = herald.Errorf(herald.ENOTFOUND, "Content not found.")
	}
	return c, err
}

// content returns the content with id through q, from the cache when it
// is there.
func (s *Store) content(ctx context.Context, q querier, id int64) (*SharedContent, error) {
	cc := &s.contents
	cc.mu.Lock()
	c, ok := cc.byID[id]
	cc.mu.Unlock()
	if ok {
		return c, nil
	}
	c = &SharedContent{}
	var payload, params string
	err := q.queryRow(ctx, `SELECT id, account_id, broadcast_id, channel, payload, params, created_at
		FROM message_contents WHERE id = $1`, id).Scan(&c.ID, &c.AccountID, &c.BroadcastID, &c.Channel, &payload, &params, &c.CreatedAt)
	if isNoRows(err) {
		return nil, herald.Errorf(herald.ENOTFOUND, "Content not found.")
	} else if err != nil {
		return nil, fmt.Errorf("reading message content %d: %w", id, err)
	}
	c.Payload, c.CreatedAt = json.RawMessage(payload), utc(c.CreatedAt)
	if params != "" {
		if err := json.Unmarshal([]byte(params), &c.Params); err != nil {
			return nil, fmt.Errorf("decoding params of message content %d: %w", id, err)
		}
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.byID == nil || len(cc.byID) >= contentCacheSize {
		cc.byID = make(map[int64]*SharedContent)
	}
	cc.byID[id] = c
	return c, nil
}

// errNoRenderer is returned for a message stored by reference when the
// Store was given no PayloadRenderer.
var errNoRenderer = errors.New("no payload renderer for messages stored by reference")

// materialize renders the payloads of the rows stored by reference,
// reading their contents through q. Rows read without their reference
// (ContentID 0) are left as they are.
func (s *Store) materialize(ctx context.Context, q querier, rows []MessageRow) error {
	for i := range rows {
		r := &rows[i]
		if r.ContentID == 0 {
			continue
		}
		p, err := s.renderPayload(ctx, q, r.ContentID, r.ContentValues)
		if err != nil {
			return fmt.Errorf("rendering message %s: %w", r.ID, err)
		}
		r.Payload = p
	}
	return nil
}

// renderPayload renders the payload of a message that refers to content
// id with values.
func (s *Store) renderPayload(ctx context.Context, q querier, id int64, values json.RawMessage) (json.RawMessage, error) {
	c, err := s.content(ctx, q, id)
	if err != nil {
		return nil, err
	}
	s.contents.mu.Lock()
	render := s.contents.render
	s.contents.mu.Unlock()
	if render == nil {
		return nil, errNoRenderer
	}
	return render(c, values)
}
