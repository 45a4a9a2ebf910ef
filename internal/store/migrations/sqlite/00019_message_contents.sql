-- A broadcast step's content is stored once (message_contents) instead of
-- rendered into every recipient's message: such a message has payload ''
-- and refers to the content (content_id) with the recipient's values of
-- the placeholders it uses (content_values, a JSON object). Readers render
-- the payload from the two. A status change then rewrites a small row,
-- not kilobytes of e-mail per recipient.

-- +goose Up
CREATE TABLE message_contents (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL,
    broadcast_id INTEGER NOT NULL DEFAULT 0,
    channel INTEGER NOT NULL,
    payload TEXT NOT NULL,
    params TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX message_contents_account_idx ON message_contents (account_id, id);
ALTER TABLE messages ADD COLUMN content_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN content_values TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE messages DROP COLUMN content_values;
ALTER TABLE messages DROP COLUMN content_id;
DROP TABLE message_contents;
