-- A launch no longer copies every recipient in its own transaction: it
-- counts them and notes the largest contact ID they may have
-- (snap_until); the runner then copies them in chunks in contact ID
-- order, each chunk in one transaction with the cursor (snap_cursor, the
-- last contact ID copied; snap_count, the recipients copied), so the
-- first messages leave while the rest is copied and a crash resumes
-- where the last chunk ended. snap_pending is true until the last chunk
-- (with the typed numbers that are no contact's) is copied.

-- +goose Up
ALTER TABLE broadcasts ADD COLUMN snap_pending BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE broadcasts ADD COLUMN snap_until BIGINT NOT NULL DEFAULT 0;
ALTER TABLE broadcasts ADD COLUMN snap_cursor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE broadcasts ADD COLUMN snap_count BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE broadcasts DROP COLUMN snap_count;
ALTER TABLE broadcasts DROP COLUMN snap_cursor;
ALTER TABLE broadcasts DROP COLUMN snap_until;
ALTER TABLE broadcasts DROP COLUMN snap_pending;
