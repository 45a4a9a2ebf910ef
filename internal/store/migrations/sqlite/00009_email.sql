-- E-mail: opens, clicks and unsubscribes of e-mail messages, recorded by
-- the public tracking endpoints (one row each time; the message's status
-- records only the first open as seen).
--
-- Kept in step with ../postgres/00009_email.sql. An append-mostly table
-- without foreign keys, like message_events.

-- +goose Up
CREATE TABLE email_events (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL,
    message_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    url TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT '',
    at TIMESTAMP NOT NULL
);
CREATE INDEX email_events_message_idx ON email_events (account_id, message_id, id);

-- +goose Down
DROP TABLE email_events;
