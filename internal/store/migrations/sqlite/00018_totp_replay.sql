-- +goose Up
-- The time step of the last TOTP code a user signed in with: a code is
-- taken once, so one seen over a shoulder or a proxy cannot sign in again
-- within its 30-second window.
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE users DROP COLUMN totp_last_step;
