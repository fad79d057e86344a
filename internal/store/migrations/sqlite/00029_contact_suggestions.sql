-- Suggested merges of contacts that scale (issue 14 §6): the keys two
-- accounts are compared on are columns of inbox_authors, computed by the
-- database whenever an account is written (by the inbox's ingestion, an
-- erasure, or anything else) and for every existing row by this migration,
-- and indexed per workspace, so that the suggestions are found by SQL one
-- page of keys at a time instead of reading every account into Go.
--
-- name_key: the display name without surrounding white space, lower-cased.
-- SQLite's lower() folds ASCII only, so the capitals of French (É, À, Ç,
-- Œ…) are folded one by one: "ÉLODIE" and "élodie" match as they do on
-- PostgreSQL, whose lower() folds every script. Other capitals (Ñ, Greek,
-- Cyrillic) are not folded on SQLite: SQLite's parser refuses a deeper
-- nest of replace(), and a function of our own in the schema would make
-- the database unwritable by any other SQLite client.
-- handle_key: the handle's local part — lower-cased, without one leading @,
-- up to the next @ (Mastodon's user@server) or . (a Bluesky domain handle),
-- '' when shorter than 3 bytes (a "jo" would match everyone).
-- internal/contacts/suggest.go says the same in Go (nameKey, handleLocal);
-- its test compares both on the same inputs.
--
-- VIRTUAL: SQLite cannot add a STORED column to an existing table; the
-- indexes below store the values, which is what the suggestions read.

-- +goose Up
ALTER TABLE inbox_authors ADD COLUMN name_key TEXT NOT NULL GENERATED ALWAYS AS (
    replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(lower(trim(display_name, ' ' || char(9) || char(10) || char(11) || char(12) || char(13))), 'À', 'à'), 'Â', 'â'), 'Ä', 'ä'), 'Ç', 'ç'), 'È', 'è'), 'É', 'é'), 'Ê', 'ê'), 'Ë', 'ë'), 'Î', 'î'), 'Ï', 'ï'), 'Ô', 'ô'), 'Ö', 'ö'), 'Ù', 'ù'), 'Û', 'û'), 'Ü', 'ü'), 'Ÿ', 'ÿ'), 'Œ', 'œ'), 'Æ', 'æ')
) VIRTUAL;
ALTER TABLE inbox_authors ADD COLUMN handle_key TEXT NOT NULL GENERATED ALWAYS AS (
    CASE WHEN length(CAST(substr(substr(lower(trim(handle)), 1 + (substr(lower(trim(handle)), 1, 1) = '@')), 1, instr(replace(substr(lower(trim(handle)), 1 + (substr(lower(trim(handle)), 1, 1) = '@')), '.', '@') || '@', '@') - 1) AS BLOB)) >= 3
        THEN substr(substr(lower(trim(handle)), 1 + (substr(lower(trim(handle)), 1, 1) = '@')), 1, instr(replace(substr(lower(trim(handle)), 1 + (substr(lower(trim(handle)), 1, 1) = '@')), '.', '@') || '@', '@') - 1)
        ELSE '' END
) VIRTUAL;
CREATE INDEX inbox_authors_name_key ON inbox_authors (workspace_id, name_key, network) WHERE name_key <> '';
CREATE INDEX inbox_authors_handle_key ON inbox_authors (workspace_id, handle_key, network) WHERE handle_key <> '';

-- +goose Down
DROP INDEX inbox_authors_handle_key;
DROP INDEX inbox_authors_name_key;
ALTER TABLE inbox_authors DROP COLUMN handle_key;
ALTER TABLE inbox_authors DROP COLUMN name_key;
