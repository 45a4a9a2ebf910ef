-- The segments of multi-part SMS sent over SMPP, so that the receipt of
-- each segment folds into one message status even across a restart: the
-- SMSC answers every segment with its own message ID and reports each.

-- +goose Up
CREATE TABLE smpp_segments (
    connection_id BIGINT NOT NULL,
    provider_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    part INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT '',
    sent_at TIMESTAMP NOT NULL,
    PRIMARY KEY (connection_id, provider_id)
);
CREATE INDEX smpp_segments_message_idx ON smpp_segments (message_id, part);
CREATE INDEX smpp_segments_sent_idx ON smpp_segments (sent_at);

-- +goose Down
DROP TABLE smpp_segments;
