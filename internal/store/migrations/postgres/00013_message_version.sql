-- A message row's version: every statement that updates a message row
-- adds one, so that the status writer can apply changes to rows it holds
-- in memory and find, by a mismatch, a row that changed meanwhile.

-- +goose Up
ALTER TABLE messages ADD COLUMN version BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE messages DROP COLUMN version;
