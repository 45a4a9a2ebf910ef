-- Contacts: attributes, contacts with their channel identities, tags,
-- opt-outs, opt-out words, targets and imports.
--
-- Kept in step with ../postgres/00002_contacts.sql: same tables, columns,
-- index names and meaning.
--
-- Attribute values live in typed slot columns of contacts: t01..t32 hold
-- the folded search key of text, e-mail and list attributes, n01..n16 the
-- number, date (days since 1970-01-01) or yes/no (0/1) of the others. Each
-- attribute owns one slot of its account (attributes.slot). Every slot but
-- the free-text ones has a partial index on (account_id, slot) WHERE slot IS
-- NOT NULL, so a target's filters become plain column conditions that the
-- planner answers from the most selective index (PostgreSQL can AND several
-- as bitmaps), and a row pays only for the slots it fills. The values as
-- entered, for display, are in attrs, a JSON object keyed by attribute ID. See
-- docs/decisions/0007-contact-attribute-slots.md for the measurements.

-- +goose Up
CREATE TABLE attributes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    options TEXT NOT NULL DEFAULT '[]',
    show_in_profile BOOLEAN NOT NULL DEFAULT FALSE,
    slot TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX attributes_name_key ON attributes (account_id, lower(name));
CREATE UNIQUE INDEX attributes_slot_key ON attributes (account_id, slot);

-- Name and Surname exist by default in every account.
INSERT INTO attributes (account_id, name, type, options, show_in_profile, slot, created_at, updated_at)
    SELECT id, 'Name', 'text', '[]', TRUE, 't01', created_at, created_at FROM accounts;
INSERT INTO attributes (account_id, name, type, options, show_in_profile, slot, created_at, updated_at)
    SELECT id, 'Surname', 'text', '[]', TRUE, 't02', created_at, created_at FROM accounts;

CREATE TABLE contacts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    phone TEXT NOT NULL,
    country TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    attrs TEXT NOT NULL DEFAULT '{}',
    rcs_capable BOOLEAN,
    rcs_checked_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    t01 TEXT,
    t02 TEXT,
    t03 TEXT,
    t04 TEXT,
    t05 TEXT,
    t06 TEXT,
    t07 TEXT,
    t08 TEXT,
    t09 TEXT,
    t10 TEXT,
    t11 TEXT,
    t12 TEXT,
    t13 TEXT,
    t14 TEXT,
    t15 TEXT,
    t16 TEXT,
    t17 TEXT,
    t18 TEXT,
    t19 TEXT,
    t20 TEXT,
    t21 TEXT,
    t22 TEXT,
    t23 TEXT,
    t24 TEXT,
    t25 TEXT,
    t26 TEXT,
    t27 TEXT,
    t28 TEXT,
    t29 TEXT,
    t30 TEXT,
    t31 TEXT,
    t32 TEXT,
    n01 DOUBLE PRECISION,
    n02 DOUBLE PRECISION,
    n03 DOUBLE PRECISION,
    n04 DOUBLE PRECISION,
    n05 DOUBLE PRECISION,
    n06 DOUBLE PRECISION,
    n07 DOUBLE PRECISION,
    n08 DOUBLE PRECISION,
    n09 DOUBLE PRECISION,
    n10 DOUBLE PRECISION,
    n11 DOUBLE PRECISION,
    n12 DOUBLE PRECISION,
    n13 DOUBLE PRECISION,
    n14 DOUBLE PRECISION,
    n15 DOUBLE PRECISION,
    n16 DOUBLE PRECISION
);
-- The phone number's unique index also serves every scan of one account's
-- contacts (lists are by phone number unless sorted otherwise).
CREATE UNIQUE INDEX contacts_phone_key ON contacts (account_id, phone);
CREATE INDEX contacts_email_idx ON contacts (account_id, email) WHERE email <> '';
-- t01..t08 are free-text slots without an index (such as Name and Surname:
-- nearly unique values cost the most to index and are searched with
-- "contains", which no index serves); the other slots are indexed.
CREATE INDEX contacts_t09_idx ON contacts (account_id, t09) WHERE t09 IS NOT NULL;
CREATE INDEX contacts_t10_idx ON contacts (account_id, t10) WHERE t10 IS NOT NULL;
CREATE INDEX contacts_t11_idx ON contacts (account_id, t11) WHERE t11 IS NOT NULL;
CREATE INDEX contacts_t12_idx ON contacts (account_id, t12) WHERE t12 IS NOT NULL;
CREATE INDEX contacts_t13_idx ON contacts (account_id, t13) WHERE t13 IS NOT NULL;
CREATE INDEX contacts_t14_idx ON contacts (account_id, t14) WHERE t14 IS NOT NULL;
CREATE INDEX contacts_t15_idx ON contacts (account_id, t15) WHERE t15 IS NOT NULL;
CREATE INDEX contacts_t16_idx ON contacts (account_id, t16) WHERE t16 IS NOT NULL;
CREATE INDEX contacts_t17_idx ON contacts (account_id, t17) WHERE t17 IS NOT NULL;
CREATE INDEX contacts_t18_idx ON contacts (account_id, t18) WHERE t18 IS NOT NULL;
CREATE INDEX contacts_t19_idx ON contacts (account_id, t19) WHERE t19 IS NOT NULL;
CREATE INDEX contacts_t20_idx ON contacts (account_id, t20) WHERE t20 IS NOT NULL;
CREATE INDEX contacts_t21_idx ON contacts (account_id, t21) WHERE t21 IS NOT NULL;
CREATE INDEX contacts_t22_idx ON contacts (account_id, t22) WHERE t22 IS NOT NULL;
CREATE INDEX contacts_t23_idx ON contacts (account_id, t23) WHERE t23 IS NOT NULL;
CREATE INDEX contacts_t24_idx ON contacts (account_id, t24) WHERE t24 IS NOT NULL;
CREATE INDEX contacts_t25_idx ON contacts (account_id, t25) WHERE t25 IS NOT NULL;
CREATE INDEX contacts_t26_idx ON contacts (account_id, t26) WHERE t26 IS NOT NULL;
CREATE INDEX contacts_t27_idx ON contacts (account_id, t27) WHERE t27 IS NOT NULL;
CREATE INDEX contacts_t28_idx ON contacts (account_id, t28) WHERE t28 IS NOT NULL;
CREATE INDEX contacts_t29_idx ON contacts (account_id, t29) WHERE t29 IS NOT NULL;
CREATE INDEX contacts_t30_idx ON contacts (account_id, t30) WHERE t30 IS NOT NULL;
CREATE INDEX contacts_t31_idx ON contacts (account_id, t31) WHERE t31 IS NOT NULL;
CREATE INDEX contacts_t32_idx ON contacts (account_id, t32) WHERE t32 IS NOT NULL;
CREATE INDEX contacts_n01_idx ON contacts (account_id, n01) WHERE n01 IS NOT NULL;
CREATE INDEX contacts_n02_idx ON contacts (account_id, n02) WHERE n02 IS NOT NULL;
CREATE INDEX contacts_n03_idx ON contacts (account_id, n03) WHERE n03 IS NOT NULL;
CREATE INDEX contacts_n04_idx ON contacts (account_id, n04) WHERE n04 IS NOT NULL;
CREATE INDEX contacts_n05_idx ON contacts (account_id, n05) WHERE n05 IS NOT NULL;
CREATE INDEX contacts_n06_idx ON contacts (account_id, n06) WHERE n06 IS NOT NULL;
CREATE INDEX contacts_n07_idx ON contacts (account_id, n07) WHERE n07 IS NOT NULL;
CREATE INDEX contacts_n08_idx ON contacts (account_id, n08) WHERE n08 IS NOT NULL;
CREATE INDEX contacts_n09_idx ON contacts (account_id, n09) WHERE n09 IS NOT NULL;
CREATE INDEX contacts_n10_idx ON contacts (account_id, n10) WHERE n10 IS NOT NULL;
CREATE INDEX contacts_n11_idx ON contacts (account_id, n11) WHERE n11 IS NOT NULL;
CREATE INDEX contacts_n12_idx ON contacts (account_id, n12) WHERE n12 IS NOT NULL;
CREATE INDEX contacts_n13_idx ON contacts (account_id, n13) WHERE n13 IS NOT NULL;
CREATE INDEX contacts_n14_idx ON contacts (account_id, n14) WHERE n14 IS NOT NULL;
CREATE INDEX contacts_n15_idx ON contacts (account_id, n15) WHERE n15 IS NOT NULL;
CREATE INDEX contacts_n16_idx ON contacts (account_id, n16) WHERE n16 IS NOT NULL;

-- Identities on channels that do not address by phone number: push
-- tokens, chat IDs. One value belongs to one contact of the account.
CREATE TABLE contact_identities (
    account_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    PRIMARY KEY (account_id, kind, value)
);
CREATE INDEX contact_identities_contact_idx ON contact_identities (contact_id);

CREATE TABLE tags (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX tags_name_key ON tags (account_id, lower(name));

CREATE TABLE contact_tags (
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    tag_id INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (contact_id, tag_id)
);
CREATE INDEX contact_tags_tag_idx ON contact_tags (tag_id, contact_id);

-- sender_id '' is the whole channel.
CREATE TABLE contact_optouts (
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL,
    channel INTEGER NOT NULL,
    sender_id TEXT NOT NULL DEFAULT '',
    opted_out_at TIMESTAMP NOT NULL,
    set_by TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (contact_id, channel, sender_id)
);
CREATE INDEX contact_optouts_account_idx ON contact_optouts (account_id, channel);

-- word_key is the word folded as inbound text is before matching.
CREATE TABLE optout_words (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    word TEXT NOT NULL,
    word_key TEXT NOT NULL,
    channel INTEGER NOT NULL,
    sender_id TEXT NOT NULL DEFAULT '',
    effective_from TIMESTAMP,
    effective_till TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX optout_words_match_idx ON optout_words (account_id, word_key);
CREATE INDEX optout_words_account_idx ON optout_words (account_id, id);

CREATE TABLE targets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    name TEXT NOT NULL,
    filters TEXT NOT NULL DEFAULT '[]',
    launches INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX targets_name_key ON targets (account_id, lower(name));

-- An import's file is kept in chunks, so that the job streams it with
-- memory bounded by a chunk. rows_done is the checkpoint: the rows of the
-- file (after first_row) already applied, written in the transaction
-- that applies them.
CREATE TABLE imports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    file_name TEXT NOT NULL,
    format TEXT NOT NULL,
    encoding TEXT NOT NULL DEFAULT '',
    delimiter TEXT NOT NULL DEFAULT '',
    size INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    first_row INTEGER NOT NULL DEFAULT 1,
    mapping TEXT NOT NULL DEFAULT '[]',
    policy TEXT NOT NULL DEFAULT 'skip',
    tag TEXT NOT NULL DEFAULT '',
    quick BOOLEAN NOT NULL DEFAULT FALSE,
    rows_done INTEGER NOT NULL DEFAULT 0,
    imported INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    error TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    started_at TIMESTAMP,
    finished_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX imports_account_idx ON imports (account_id, id);

CREATE TABLE import_chunks (
    import_id INTEGER NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (import_id, seq)
);

CREATE TABLE import_failures (
    import_id INTEGER NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    row_number INTEGER NOT NULL,
    reason TEXT NOT NULL,
    data TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (import_id, row_number)
);

-- A preset remembers a mapping: column header -> field.
CREATE TABLE import_presets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    name TEXT NOT NULL,
    mapping TEXT NOT NULL DEFAULT '{}',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX import_presets_name_key ON import_presets (account_id, lower(name));

-- +goose Down
DROP TABLE import_presets;
DROP TABLE import_failures;
DROP TABLE import_chunks;
DROP TABLE imports;
DROP TABLE targets;
DROP TABLE optout_words;
DROP TABLE contact_optouts;
DROP TABLE contact_tags;
DROP TABLE tags;
DROP TABLE contact_identities;
DROP TABLE contacts;
DROP TABLE attributes;
