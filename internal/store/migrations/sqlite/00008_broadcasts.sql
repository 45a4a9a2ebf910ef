-- Broadcasts: runs with their recipient snapshots and statistics,
-- broadcast templates with schedules, and the moderation setting.
--
-- Kept in step with ../postgres/00008_broadcasts.sql. A launch copies the
-- recipients into broadcast_recipients (one INSERT ... SELECT), numbered
-- by seq; the runner claims them in seq order, and the transaction that
-- commits a batch's messages also records each recipient's chain, so a
-- crash neither loses a recipient nor sends one twice. The fallback
-- counters live on the broadcast row and the per-channel message counters
-- in broadcast_channel_stats; the engine's status writer adds to both in
-- its own transactions. Due times the runner polls (runner_until) are
-- Unix milliseconds.

-- +goose Up
CREATE TABLE broadcasts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    type TEXT NOT NULL,
    status TEXT NOT NULL,
    recipients TEXT NOT NULL DEFAULT '{}',
    steps TEXT NOT NULL DEFAULT '[]',
    rcs_check BOOLEAN NOT NULL DEFAULT FALSE,
    chatbot_id INTEGER NOT NULL DEFAULT 0,
    scheduled_at TIMESTAMP,
    launch_type TEXT NOT NULL DEFAULT 'manual',
    template_id INTEGER NOT NULL DEFAULT 0,
    parent_id INTEGER NOT NULL DEFAULT 0,
    contacts INTEGER NOT NULL DEFAULT 0,
    launched_at TIMESTAMP,
    finished_at TIMESTAMP,
    initiated INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    succeeded INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    reason TEXT NOT NULL DEFAULT '',
    -- The runner that sends it holds it until runner_until; claimed_seq is the
    -- last recipient seq it committed.
    runner TEXT NOT NULL DEFAULT '',
    runner_until BIGINT NOT NULL DEFAULT 0,
    claimed_seq INTEGER NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX broadcasts_account_idx ON broadcasts (account_id, id);
CREATE INDEX broadcasts_running_idx ON broadcasts (status) WHERE status IN ('in_progress', 'moderation');

CREATE TABLE broadcast_recipients (
    broadcast_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    contact_id INTEGER NOT NULL DEFAULT 0,
    phone TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    attrs TEXT NOT NULL DEFAULT '{}',
    identities TEXT NOT NULL DEFAULT '',
    rcs_capable BOOLEAN,
    state TEXT NOT NULL DEFAULT 'pending',
    reason TEXT NOT NULL DEFAULT '',
    chain_id TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (broadcast_id, seq)
) WITHOUT ROWID;

CREATE TABLE broadcast_channel_stats (
    broadcast_id INTEGER NOT NULL,
    channel INTEGER NOT NULL,
    sent INTEGER NOT NULL DEFAULT 0,
    delivered INTEGER NOT NULL DEFAULT 0,
    seen INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    expired INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (broadcast_id, channel)
) WITHOUT ROWID;

CREATE TABLE broadcast_templates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    type TEXT NOT NULL,
    recipients TEXT NOT NULL DEFAULT '{}',
    steps TEXT NOT NULL DEFAULT '[]',
    rcs_check BOOLEAN NOT NULL DEFAULT FALSE,
    chatbot_id INTEGER NOT NULL DEFAULT 0,
    schedule TEXT NOT NULL DEFAULT '',
    schedule_status TEXT NOT NULL DEFAULT '',
    effective_from TIMESTAMP,
    effective_till TIMESTAMP,
    launches INTEGER NOT NULL DEFAULT 0,
    last_launch_at TIMESTAMP,
    next_launch_at TIMESTAMP,
    created_by TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX broadcast_templates_account_idx ON broadcast_templates (account_id, id);
CREATE INDEX broadcast_templates_due_idx ON broadcast_templates (next_launch_at) WHERE schedule_status = 'active';

CREATE TABLE broadcast_settings (
    account_id INTEGER PRIMARY KEY REFERENCES accounts (id),
    moderation BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at TIMESTAMP NOT NULL
);

-- The broadcast a chain belongs to (0 for API chains), so that the status
-- writer counts its statuses without another lookup.
ALTER TABLE message_chains ADD COLUMN broadcast_id INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE message_chains DROP COLUMN broadcast_id;
DROP TABLE broadcast_settings;
DROP TABLE broadcast_templates;
DROP TABLE broadcast_channel_stats;
DROP TABLE broadcast_recipients;
DROP TABLE broadcasts;
