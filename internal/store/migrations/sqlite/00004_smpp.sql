-- SMPP: receipts from SMSCs that matched no message, customers' SMPP
-- credentials for Herald's SMPP server, and the SMPP outbox of receipts
-- and MO messages waiting for a customer's receiving bind.
--
-- Kept in step with ../postgres/00004_smpp.sql. The outbox is filled from
-- message_events and messages by a poller whose cursors (smpp_cursors)
-- move in the same transaction as the rows it inserts.

-- +goose Up
CREATE TABLE smpp_unmatched_receipts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    connection_id INTEGER NOT NULL,
    provider_id TEXT NOT NULL DEFAULT '',
    stat TEXT NOT NULL DEFAULT '',
    err TEXT NOT NULL DEFAULT '',
    raw TEXT NOT NULL DEFAULT '',
    received_at TIMESTAMP NOT NULL
);
CREATE INDEX smpp_unmatched_receipts_conn_idx ON smpp_unmatched_receipts (connection_id, id);

CREATE TABLE smpp_credentials (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    system_id TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    allowed_ips TEXT NOT NULL DEFAULT '',
    throughput INTEGER NOT NULL DEFAULT 0,
    max_binds INTEGER NOT NULL DEFAULT 0,
    sender_id TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX smpp_credentials_system_id_key ON smpp_credentials (lower(system_id));
CREATE INDEX smpp_credentials_account_idx ON smpp_credentials (account_id);

CREATE TABLE smpp_deliveries (
    -- AUTOINCREMENT: the server offers a system_id's deliveries past the
    -- highest ID it offered, so an ID must never be reused after a delete.
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL,
    system_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    message_id TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT '',
    provider_code TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    dest TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL DEFAULT '',
    registered_delivery INTEGER NOT NULL DEFAULT 0,
    submitted_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX smpp_deliveries_system_idx ON smpp_deliveries (lower(system_id), id);

CREATE TABLE smpp_cursors (
    name TEXT PRIMARY KEY,
    position INTEGER NOT NULL
);

-- +goose Down
DROP TABLE smpp_cursors;
DROP TABLE smpp_deliveries;
DROP TABLE smpp_credentials;
DROP TABLE smpp_unmatched_receipts;
