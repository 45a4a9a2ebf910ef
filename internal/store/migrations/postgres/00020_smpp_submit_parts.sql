-- +goose Up
-- The parts of long messages that customers submit to the SMPP server in
-- segments (UDH or SAR): each part is answered with its own message_id
-- (id) once stored here, and the message is made of them all when the last
-- arrives; the transaction that commits it sets message_id on its parts,
-- so a part sent again later is answered without sending the message
-- twice. set_key names the set: system_id, addresses, reference, total.
CREATE TABLE smpp_submit_parts (
    id TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL,
    set_key TEXT NOT NULL,
    seq INTEGER NOT NULL,
    total INTEGER NOT NULL,
    text TEXT NOT NULL,
    request TEXT NOT NULL,
    message_id TEXT NOT NULL DEFAULT '',
    received_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX smpp_submit_parts_set_key ON smpp_submit_parts (set_key, seq);
CREATE INDEX smpp_submit_parts_received_idx ON smpp_submit_parts (received_at);

-- +goose Down
DROP TABLE smpp_submit_parts;
