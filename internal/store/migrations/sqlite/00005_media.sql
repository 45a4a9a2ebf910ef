-- The media library: one row per uploaded file. The bytes live in a blob
-- store (a directory in the data dir, or an S3-compatible bucket) under
-- blob_key, a random name that cannot be guessed.
--
-- Kept in step with ../postgres/00005_media.sql.

-- +goose Up
CREATE TABLE media (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    format TEXT NOT NULL,
    mime TEXT NOT NULL,
    size INTEGER NOT NULL,
    width INTEGER NOT NULL DEFAULT 0,
    height INTEGER NOT NULL DEFAULT 0,
    sha256 TEXT NOT NULL,
    blob_key TEXT NOT NULL,
    created_by INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX media_account_idx ON media (account_id, id);
CREATE UNIQUE INDEX media_blob_key ON media (blob_key);

-- +goose Down
DROP TABLE media;
