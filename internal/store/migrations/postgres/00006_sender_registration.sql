-- Sender ID registration (reference 001 section 12.2): a sender ID has a
-- status, a display name (the Sender ID Name), the system owner's reason
-- and agreement, and the profile of its registration request (JSON);
-- requests have no name (the Sender ID) and no connection until the
-- system owner assigns them, so both become optional. Existing sender IDs
-- are active and keep their connections.
--
-- Kept in step with ../sqlite/00006_sender_registration.sql. The name is
-- unique per account and channel among the live sender IDs only: a
-- canceled or rejected request frees it. Profile images are media library
-- IDs inside the profile JSON, not foreign keys: a file deleted later
-- leaves the request as it was.

-- +goose Up
ALTER TABLE sender_ids ALTER COLUMN name SET DEFAULT '';
ALTER TABLE sender_ids ALTER COLUMN connection_id DROP NOT NULL;
ALTER TABLE sender_ids ADD COLUMN display_name TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE sender_ids ADD COLUMN status TEXT COLLATE "C" NOT NULL DEFAULT 'active';
ALTER TABLE sender_ids ADD COLUMN reason TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE sender_ids ADD COLUMN agreement TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE sender_ids ADD COLUMN profile TEXT COLLATE "C" NOT NULL DEFAULT '{}';
ALTER TABLE sender_ids ADD COLUMN updated_at TIMESTAMPTZ;
UPDATE sender_ids SET updated_at = created_at;
ALTER TABLE sender_ids ALTER COLUMN updated_at SET NOT NULL;
DROP INDEX sender_ids_name_key;
CREATE UNIQUE INDEX sender_ids_name_key ON sender_ids (account_id, channel, lower(name))
    WHERE name <> '' AND status NOT IN ('canceled', 'rejected');
CREATE INDEX sender_ids_account_idx ON sender_ids (account_id, id);
CREATE INDEX sender_ids_connection_idx ON sender_ids (connection_id);

-- +goose Down
DELETE FROM sender_ids WHERE status <> 'active' OR name = '' OR connection_id IS NULL;
DROP INDEX sender_ids_connection_idx;
DROP INDEX sender_ids_account_idx;
DROP INDEX sender_ids_name_key;
CREATE UNIQUE INDEX sender_ids_name_key ON sender_ids (account_id, channel, lower(name));
ALTER TABLE sender_ids DROP COLUMN updated_at;
ALTER TABLE sender_ids DROP COLUMN profile;
ALTER TABLE sender_ids DROP COLUMN agreement;
ALTER TABLE sender_ids DROP COLUMN reason;
ALTER TABLE sender_ids DROP COLUMN status;
ALTER TABLE sender_ids DROP COLUMN display_name;
ALTER TABLE sender_ids ALTER COLUMN connection_id SET NOT NULL;
ALTER TABLE sender_ids ALTER COLUMN name DROP DEFAULT;
