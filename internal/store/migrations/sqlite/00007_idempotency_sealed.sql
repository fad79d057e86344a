-- Recorded answers to Idempotency-Key requests are sealed with the keyring
-- (an invitation's or a review link's token is part of its answer): key_id
-- names the key that sealed body. The request's hash is sealed inside body
-- too (request_hash stays empty): an unkeyed SHA-256 of a body holding a
-- password would be a fast hash of it. Records written before were kept in plain
-- text; they are deleted (they only replay for a day anyway), so no plain
-- token stays in the database.

-- +goose Up
DELETE FROM idempotency_keys;
ALTER TABLE idempotency_keys ADD COLUMN key_id TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE idempotency_keys DROP COLUMN key_id;
