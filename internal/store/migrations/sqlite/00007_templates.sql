-- Content templates (reference 001 section 12.3) and conversation
-- templates (section 12.5).
--
-- Kept in step with ../postgres/00007_templates.sql. A content template's
-- payload is the channel's content as JSON, checked by package content
-- before it is saved; variables is the JSON array of its placeholders. A
-- conversation template's media_ids is the JSON array of its files' IDs in
-- the media library, files their number (for sorting and filtering).

-- +goose Up
CREATE TABLE templates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    name TEXT NOT NULL,
    channel INTEGER NOT NULL,
    payload TEXT NOT NULL,
    variables TEXT NOT NULL DEFAULT '[]',
    created_by INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX templates_name_key ON templates (account_id, lower(name));

CREATE TABLE conversation_templates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    name TEXT NOT NULL,
    channel INTEGER NOT NULL,
    text TEXT NOT NULL DEFAULT '',
    media_ids TEXT NOT NULL DEFAULT '[]',
    files INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX conversation_templates_name_key ON conversation_templates (account_id, lower(name));

-- +goose Down
DROP TABLE conversation_templates;
DROP TABLE templates;
