-- Messaging: connections, sender IDs, messages and their events, fallback
-- chains, threads, webhook settings, deliveries and attempts, the sandbox
-- connector's inboxes, and the engine's process heartbeats.
--
-- Kept in step with ../postgres/00003_messaging.sql. Messages, events,
-- deliveries and attempts are the high-volume tables: they have no foreign
-- keys (like audit_entries) and as few indexes as their queries need.
-- Their row number (seq, id) is a plain INTEGER PRIMARY KEY, the rowid:
-- rows are never deleted from the end, so numbers are not reused in
-- practice, and the insert skips AUTOINCREMENT's sequence table. Due
-- times that workers poll (claim_until, fallback_at, next_attempt_at,
-- heartbeat_at) are Unix milliseconds in BIGINT: cheap to compare and
-- identical on both engines.

-- +goose Up
CREATE TABLE connections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    type TEXT NOT NULL,
    channel INTEGER NOT NULL,
    name TEXT NOT NULL,
    settings TEXT NOT NULL DEFAULT '{}',
    secrets BLOB,
    tps INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX connections_name_key ON connections (lower(name));

CREATE TABLE connection_accounts (
    connection_id INTEGER NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    PRIMARY KEY (connection_id, account_id)
);
CREATE INDEX connection_accounts_account_idx ON connection_accounts (account_id);

CREATE TABLE sender_ids (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    name TEXT NOT NULL,
    channel INTEGER NOT NULL,
    connection_id INTEGER NOT NULL REFERENCES connections (id),
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX sender_ids_name_key ON sender_ids (account_id, channel, lower(name));

CREATE TABLE messages (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    account_id INTEGER NOT NULL,
    direction TEXT NOT NULL,
    channel INTEGER NOT NULL,
    sender_id TEXT NOT NULL DEFAULT '',
    connection_id INTEGER NOT NULL DEFAULT 0,
    contact_id INTEGER NOT NULL DEFAULT 0,
    destination TEXT NOT NULL DEFAULT '',
    payload TEXT NOT NULL DEFAULT '{}',
    template TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    detail_code INTEGER NOT NULL DEFAULT 0,
    detail_name TEXT NOT NULL DEFAULT '',
    detail_description TEXT NOT NULL DEFAULT '',
    detail_permanent BOOLEAN NOT NULL DEFAULT FALSE,
    provider_code TEXT NOT NULL DEFAULT '',
    provider_id TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT '',
    encoding TEXT NOT NULL DEFAULT '',
    segments INTEGER NOT NULL DEFAULT 0,
    origin TEXT NOT NULL DEFAULT 'api',
    traffic TEXT NOT NULL DEFAULT 'API',
    correlation_id TEXT NOT NULL DEFAULT '',
    callback_data TEXT NOT NULL DEFAULT '',
    webhook_url TEXT NOT NULL DEFAULT '',
    api_key_id INTEGER NOT NULL DEFAULT 0,
    chain_id TEXT NOT NULL DEFAULT '',
    step INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    send_at TIMESTAMP,
    valid_until TIMESTAMP,
    accepted_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP,
    delivered_at TIMESTAMP,
    seen_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL,
    -- While queued or scheduled: when the message is due (scheduled) or
    -- when this process's lease on it runs out (queued); NULL otherwise.
    claim_until BIGINT,
    claimed_by TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX messages_id_key ON messages (id);
CREATE INDEX messages_account_idx ON messages (account_id, seq);
CREATE INDEX messages_account_time_idx ON messages (account_id, accepted_at, seq);
CREATE INDEX messages_due_idx ON messages (claim_until) WHERE status IN ('queued', 'scheduled');
CREATE INDEX messages_provider_idx ON messages (connection_id, provider_id) WHERE provider_id <> '';

-- The history of each message; "accepted" is not stored (it is the
-- message's accepted_at).
CREATE TABLE message_events (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL,
    message_id TEXT NOT NULL,
    type TEXT NOT NULL,
    status TEXT NOT NULL,
    detail_code INTEGER NOT NULL DEFAULT 0,
    detail_name TEXT NOT NULL DEFAULT '',
    detail_description TEXT NOT NULL DEFAULT '',
    detail_permanent BOOLEAN NOT NULL DEFAULT FALSE,
    provider_code TEXT NOT NULL DEFAULT '',
    applied BOOLEAN NOT NULL DEFAULT TRUE,
    data TEXT NOT NULL DEFAULT '',
    at TIMESTAMP NOT NULL
);
CREATE INDEX message_events_message_idx ON message_events (message_id, id);

-- A fallback chain, keyed by its first message's ID. spec holds the
-- prepared steps; fallback_at is the current step's deadline.
CREATE TABLE message_chains (
    id TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL,
    spec TEXT NOT NULL,
    current_step INTEGER NOT NULL DEFAULT 0,
    current_message_id TEXT NOT NULL,
    fallback_at BIGINT,
    outcome TEXT NOT NULL DEFAULT '',
    final_status TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX message_chains_due_idx ON message_chains (fallback_at) WHERE fallback_at IS NOT NULL;

CREATE TABLE threads (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    contact_id INTEGER NOT NULL,
    channel INTEGER NOT NULL,
    last_message_id TEXT NOT NULL DEFAULT '',
    last_message_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX threads_contact_key ON threads (account_id, contact_id, channel);

CREATE TABLE webhook_settings (
    api_key_id INTEGER PRIMARY KEY REFERENCES api_keys (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL,
    secret BLOB NOT NULL,
    format TEXT NOT NULL DEFAULT 'envelope',
    batch BOOLEAN NOT NULL DEFAULT FALSE,
    batch_size INTEGER NOT NULL DEFAULT 100,
    batch_wait_ms INTEGER NOT NULL DEFAULT 50,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL,
    api_key_id INTEGER NOT NULL DEFAULT 0,
    message_id TEXT NOT NULL DEFAULT '',
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    url TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    -- Pending: when the next attempt is due, or until when the claiming
    -- process holds it.
    next_attempt_at BIGINT NOT NULL,
    claimed_by TEXT NOT NULL DEFAULT '',
    last_status INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    delivered_at TIMESTAMP
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_account_idx ON webhook_deliveries (account_id, id);
CREATE INDEX webhook_deliveries_message_idx ON webhook_deliveries (message_id);

-- One row per HTTP request; a batched request lists every delivery it
-- carried in delivery_ids (",1,2,3,").
CREATE TABLE webhook_attempts (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL,
    delivery_id INTEGER NOT NULL,
    delivery_ids TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL,
    status_code INTEGER NOT NULL DEFAULT 0,
    error TEXT NOT NULL DEFAULT '',
    duration_ms INTEGER NOT NULL DEFAULT 0,
    at TIMESTAMP NOT NULL
);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id);
CREATE INDEX webhook_attempts_account_time_idx ON webhook_attempts (account_id, at);

-- The sandbox connector's simulated devices: one row per message a device
-- received. The key makes a resubmission after a crash a no-op.
CREATE TABLE sandbox_inbox (
    message_id TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL,
    connection_id INTEGER NOT NULL,
    channel INTEGER NOT NULL,
    destination TEXT NOT NULL,
    outcome TEXT NOT NULL,
    received_at TIMESTAMP NOT NULL
) WITHOUT ROWID;
CREATE INDEX sandbox_inbox_device_idx ON sandbox_inbox (account_id, destination, received_at);

-- Processes running the messaging engine; a claim held by a process whose
-- heartbeat stopped is taken over by the others.
CREATE TABLE engine_instances (
    id TEXT PRIMARY KEY,
    started_at TIMESTAMP NOT NULL,
    heartbeat_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE engine_instances;
DROP TABLE sandbox_inbox;
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_settings;
DROP TABLE threads;
DROP TABLE message_chains;
DROP TABLE message_events;
DROP TABLE messages;
DROP TABLE sender_ids;
DROP TABLE connection_accounts;
DROP TABLE connections;
