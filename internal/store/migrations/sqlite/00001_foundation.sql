-- Foundation: accounts, users, roles, API keys, audit, sessions.
--
-- Kept in step with ../postgres/00001_foundation.sql: same tables, columns,
-- index names and meaning. SQLite specifics: AUTOINCREMENT so that IDs are
-- never reused (PostgreSQL identities are not either); TIMESTAMP columns
-- hold UTC text that the driver reads back as time.Time; BOOLEAN holds 0/1.
-- Lists (scopes, sender IDs, allowed IPs, permissions) are JSON arrays in
-- TEXT columns in both engines.

-- +goose Up
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX accounts_name_key ON accounts (lower(name));

CREATE TABLE departments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX departments_name_key ON departments (account_id, lower(name));

CREATE TABLE roles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    system BOOLEAN NOT NULL DEFAULT FALSE,
    permissions TEXT NOT NULL DEFAULT '[]',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX roles_name_key ON roles (account_id, lower(name));

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    first_name TEXT NOT NULL DEFAULT '',
    middle_name TEXT NOT NULL DEFAULT '',
    last_name TEXT NOT NULL DEFAULT '',
    login TEXT NOT NULL,
    email TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    department TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL DEFAULT 'en',
    active BOOLEAN NOT NULL DEFAULT TRUE,
    system_owner BOOLEAN NOT NULL DEFAULT FALSE,
    password_hash TEXT NOT NULL,
    password_changed_at TIMESTAMP NOT NULL,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    totp_secret BLOB,
    totp_enabled BOOLEAN NOT NULL DEFAULT FALSE,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until TIMESTAMP,
    last_login_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX users_login_key ON users (lower(login));
CREATE INDEX users_account_idx ON users (account_id, id);

CREATE TABLE user_roles (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role_id INTEGER NOT NULL REFERENCES roles (id),
    PRIMARY KEY (user_id, role_id)
);
CREATE INDEX user_roles_role_idx ON user_roles (role_id);

CREATE TABLE password_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX password_history_user_idx ON password_history (user_id, id);

CREATE TABLE user_prefs (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (user_id, key)
);

CREATE TABLE api_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    scopes TEXT NOT NULL DEFAULT '[]',
    sender_ids TEXT NOT NULL DEFAULT '[]',
    webhook_url TEXT NOT NULL DEFAULT '',
    allowed_ips TEXT NOT NULL DEFAULT '[]',
    created_by INTEGER NOT NULL DEFAULT 0,
    last_used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX api_keys_prefix_key ON api_keys (prefix);
CREATE INDEX api_keys_account_idx ON api_keys (account_id, id);

-- Audit grows to tens of millions of rows: every list is by account and
-- either ID (the default, newest first) or time. account_id has no foreign
-- key so that events outside any account (account 0) can be kept too.
CREATE TABLE audit_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL,
    logged_at TIMESTAMP NOT NULL,
    user_id INTEGER NOT NULL DEFAULT 0,
    login TEXT NOT NULL DEFAULT '',
    api_key_id INTEGER NOT NULL DEFAULT 0,
    ip TEXT NOT NULL DEFAULT '',
    action TEXT NOT NULL
);
CREATE INDEX audit_entries_account_id_idx ON audit_entries (account_id, id);
CREATE INDEX audit_entries_account_time_idx ON audit_entries (account_id, logged_at, id);

CREATE TABLE audit_details (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    entry_id INTEGER NOT NULL REFERENCES audit_entries (id) ON DELETE CASCADE,
    table_name TEXT NOT NULL,
    operation TEXT NOT NULL,
    object_id TEXT NOT NULL DEFAULT '',
    old_value TEXT NOT NULL DEFAULT '',
    new_value TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_details_entry_idx ON audit_details (entry_id, id);

-- Portal sessions, keyed by the SHA-256 (hex) of the token.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    data BLOB NOT NULL,
    expiry TIMESTAMP NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

CREATE TABLE idempotency_results (
    account_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status INTEGER NOT NULL,
    body BLOB NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (account_id, key)
);
CREATE INDEX idempotency_results_created_idx ON idempotency_results (created_at);

-- +goose Down
DROP TABLE idempotency_results;
DROP TABLE sessions;
DROP TABLE audit_details;
DROP TABLE audit_entries;
DROP TABLE api_keys;
DROP TABLE user_prefs;
DROP TABLE password_history;
DROP TABLE user_roles;
DROP TABLE users;
DROP TABLE roles;
DROP TABLE departments;
DROP TABLE accounts;
