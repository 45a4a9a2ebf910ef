-- Sender ID registration (reference 001 section 12.2): a sender ID has a
-- status, a display name (the Sender ID Name), the system owner's reason
-- and agreement, and the profile of its registration request (JSON);
-- requests have no name (the Sender ID) and no connection until the
-- system owner assigns them, so both become optional. Existing sender IDs
-- are active and keep their connections.
--
-- Kept in step with ../postgres/00006_sender_registration.sql. SQLite
-- cannot drop a NOT NULL constraint, so the table is rebuilt; no other
-- table refers to it. The name is unique per account and channel among
-- the live sender IDs only: a canceled or rejected request frees it.
-- Profile images are media library IDs inside the profile JSON, not
-- foreign keys: a file deleted later leaves the request as it was.

-- +goose Up
CREATE TABLE sender_ids_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    name TEXT NOT NULL DEFAULT '',
    display_name TEXT NOT NULL DEFAULT '',
    channel INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'active',
    reason TEXT NOT NULL DEFAULT '',
    agreement TEXT NOT NULL DEFAULT '',
    connection_id INTEGER REFERENCES connections (id),
    profile TEXT NOT NULL DEFAULT '{}',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
INSERT INTO sender_ids_new (id, account_id, name, channel, status, connection_id, created_at, updated_at)
    SELECT id, account_id, name, channel, 'active', connection_id, created_at, created_at FROM sender_ids;
DROP TABLE sender_ids;
ALTER TABLE sender_ids_new RENAME TO sender_ids;
CREATE UNIQUE INDEX sender_ids_name_key ON sender_ids (account_id, channel, lower(name))
    WHERE name <> '' AND status NOT IN ('canceled', 'rejected');
CREATE INDEX sender_ids_account_idx ON sender_ids (account_id, id);
CREATE INDEX sender_ids_connection_idx ON sender_ids (connection_id);

-- +goose Down
CREATE TABLE sender_ids_old (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    name TEXT NOT NULL,
    channel INTEGER NOT NULL,
    connection_id INTEGER NOT NULL REFERENCES connections (id),
    created_at TIMESTAMP NOT NULL
);
INSERT INTO sender_ids_old (id, account_id, name, channel, connection_id, created_at)
    SELECT id, account_id, name, channel, connection_id, created_at FROM sender_ids
    WHERE status = 'active' AND name <> '' AND connection_id IS NOT NULL;
DROP TABLE sender_ids;
ALTER TABLE sender_ids_old RENAME TO sender_ids;
CREATE UNIQUE INDEX sender_ids_name_key ON sender_ids (account_id, channel, lower(name));
