-- Suggested merges of contacts that scale (issue 14 §6): the keys two
-- accounts are compared on are columns of inbox_authors, computed by the
-- database whenever an account is written (by the inbox's ingestion, an
-- erasure, or anything else) and for every existing row by this migration,
-- and indexed per workspace, so that the suggestions are found by SQL one
-- page of keys at a time instead of reading every account into Go.
--
-- name_key: the display name without surrounding white space, lower-cased.
-- handle_key: the handle's local part — lower-cased, without one leading @,
-- up to the next @ (Mastodon's user@server) or . (a Bluesky domain handle),
-- '' when shorter than 3 bytes (a "jo" would match everyone).
-- internal/contacts/suggest.go says the same in Go (nameKey, handleLocal);
-- its test compares both on the same inputs. The index carries id so that
-- the join to contact_authors is read from the index alone. COLLATE "C":
-- keys are ordered and paged by their bytes, as SQLite and Go order them,
-- whatever the database's locale.

-- +goose Up
ALTER TABLE inbox_authors ADD COLUMN name_key TEXT COLLATE "C" NOT NULL GENERATED ALWAYS AS (
    lower(btrim(display_name, ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)))
) STORED;
ALTER TABLE inbox_authors ADD COLUMN handle_key TEXT COLLATE "C" NOT NULL GENERATED ALWAYS AS (
    CASE WHEN octet_length(split_part(split_part(substr(lower(btrim(handle)), 1 + (left(lower(btrim(handle)), 1) = '@')::int), '@', 1), '.', 1)) >= 3
        THEN split_part(split_part(substr(lower(btrim(handle)), 1 + (left(lower(btrim(handle)), 1) = '@')::int), '@', 1), '.', 1)
        ELSE '' END
) STORED;
CREATE INDEX inbox_authors_name_key ON inbox_authors (workspace_id, name_key, network, id) WHERE name_key <> '';
CREATE INDEX inbox_authors_handle_key ON inbox_authors (workspace_id, handle_key, network, id) WHERE handle_key <> '';

-- +goose Down
DROP INDEX inbox_authors_handle_key;
DROP INDEX inbox_authors_name_key;
ALTER TABLE inbox_authors DROP COLUMN handle_key;
ALTER TABLE inbox_authors DROP COLUMN name_key;
