-- Contacts search ignores case and accents the same way on both dialects
-- (issue 14: "Élodie" was not found by "élodie" nor "elodie" on SQLite,
-- whose lower() folds ASCII only). name_fold is the display name with
-- ASCII capitals lower-cased and the accented Latin letters below, either
-- case, replaced by their base letter (œ, æ by oe, ae; ß by ss); every
-- other character is kept as written, on PostgreSQL too (translate, not
-- lower(), whose folding depends on the server's locale), so both dialects
-- find the same contacts. internal/contacts/search.go says the same in Go
-- (searchFold) for what is typed; its storage test compares both on every
-- letter of the table.
--
-- Only the name is folded: handles are ASCII on the networks Tribune reads
-- (Mastodon, Bluesky), and lower() folds them the same on both dialects.
--
-- VIRTUAL: SQLite cannot add a STORED column to an existing table. A search
-- reads every account of the workspace anyway (a substring matches
-- anywhere), so there is no index to feed.

-- +goose Up
ALTER TABLE inbox_authors ADD COLUMN name_fold TEXT NOT NULL GENERATED ALWAYS AS (
    replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(lower(display_name), 'à', 'a'), 'á', 'a'), 'â', 'a'), 'ã', 'a'), 'ä', 'a'), 'å', 'a'), 'À', 'a'), 'Á', 'a'), 'Â', 'a'), 'Ã', 'a'), 'Ä', 'a'), 'Å', 'a'), 'ç', 'c'), 'Ç', 'c'), 'è', 'e'), 'é', 'e'), 'ê', 'e'), 'ë', 'e'), 'È', 'e'), 'É', 'e'), 'Ê', 'e'), 'Ë', 'e'), 'ì', 'i'), 'í', 'i'), 'î', 'i'), 'ï', 'i'), 'Ì', 'i'), 'Í', 'i'), 'Î', 'i'), 'Ï', 'i'), 'ñ', 'n'), 'Ñ', 'n'), 'ò', 'o'), 'ó', 'o'), 'ô', 'o'), 'õ', 'o'), 'ö', 'o'), 'ø', 'o'), 'Ò', 'o'), 'Ó', 'o'), 'Ô', 'o'), 'Õ', 'o'), 'Ö', 'o'), 'Ø', 'o'), 'ù', 'u'), 'ú', 'u'), 'û', 'u'), 'ü', 'u'), 'Ù', 'u'), 'Ú', 'u'), 'Û', 'u'), 'Ü', 'u'), 'ý', 'y'), 'ÿ', 'y'), 'Ý', 'y'), 'Ÿ', 'y'), 'œ', 'oe'), 'Œ', 'oe'), 'æ', 'ae'), 'Æ', 'ae'), 'ß', 'ss')
) VIRTUAL;

-- +goose Down
ALTER TABLE inbox_authors DROP COLUMN name_fold;
