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
-- Written by triggers, not a generated column: the 61 replace() nested in
-- one expression overflow the parser stack of SQLite builds before 3.45
-- (the sqlite3 shell of Debian 12 among them), which could then not open
-- the database at all. Three steps of at most 21, chained through
-- subqueries (allowed in a trigger, unlike in a generated column), stay
-- well inside it. The update trigger runs only when the name changes (an
-- ingestion writes the same name again on every fetch), or for a row not
-- folded yet, which is how this migration fills the existing rows.

-- +goose Up
ALTER TABLE inbox_authors ADD COLUMN name_fold TEXT NOT NULL DEFAULT '';

-- +goose StatementBegin
CREATE TRIGGER inbox_authors_name_fold_insert AFTER INSERT ON inbox_authors
BEGIN
    UPDATE inbox_authors SET name_fold = (SELECT replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(v2, 'Ô', 'o'), 'Õ', 'o'), 'Ö', 'o'), 'Ø', 'o'), 'ù', 'u'), 'ú', 'u'), 'û', 'u'), 'ü', 'u'), 'Ù', 'u'), 'Ú', 'u'), 'Û', 'u'), 'Ü', 'u'), 'ý', 'y'), 'ÿ', 'y'), 'Ý', 'y'), 'Ÿ', 'y'), 'œ', 'oe'), 'Œ', 'oe'), 'æ', 'ae'), 'Æ', 'ae'), 'ß', 'ss')
         FROM (SELECT replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(v1, 'Ê', 'e'), 'Ë', 'e'), 'ì', 'i'), 'í', 'i'), 'î', 'i'), 'ï', 'i'), 'Ì', 'i'), 'Í', 'i'), 'Î', 'i'), 'Ï', 'i'), 'ñ', 'n'), 'Ñ', 'n'), 'ò', 'o'), 'ó', 'o'), 'ô', 'o'), 'õ', 'o'), 'ö', 'o'), 'ø', 'o'), 'Ò', 'o'), 'Ó', 'o') AS v2
               FROM (SELECT replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(lower(new.display_name), 'à', 'a'), 'á', 'a'), 'â', 'a'), 'ã', 'a'), 'ä', 'a'), 'å', 'a'), 'À', 'a'), 'Á', 'a'), 'Â', 'a'), 'Ã', 'a'), 'Ä', 'a'), 'Å', 'a'), 'ç', 'c'), 'Ç', 'c'), 'è', 'e'), 'é', 'e'), 'ê', 'e'), 'ë', 'e'), 'È', 'e'), 'É', 'e') AS v1)))
    WHERE id = new.id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER inbox_authors_name_fold_update AFTER UPDATE OF display_name ON inbox_authors
WHEN new.display_name IS NOT old.display_name OR (new.name_fold = '' AND new.display_name <> '')
BEGIN
    UPDATE inbox_authors SET name_fold = (SELECT replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(v2, 'Ô', 'o'), 'Õ', 'o'), 'Ö', 'o'), 'Ø', 'o'), 'ù', 'u'), 'ú', 'u'), 'û', 'u'), 'ü', 'u'), 'Ù', 'u'), 'Ú', 'u'), 'Û', 'u'), 'Ü', 'u'), 'ý', 'y'), 'ÿ', 'y'), 'Ý', 'y'), 'Ÿ', 'y'), 'œ', 'oe'), 'Œ', 'oe'), 'æ', 'ae'), 'Æ', 'ae'), 'ß', 'ss')
         FROM (SELECT replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(v1, 'Ê', 'e'), 'Ë', 'e'), 'ì', 'i'), 'í', 'i'), 'î', 'i'), 'ï', 'i'), 'Ì', 'i'), 'Í', 'i'), 'Î', 'i'), 'Ï', 'i'), 'ñ', 'n'), 'Ñ', 'n'), 'ò', 'o'), 'ó', 'o'), 'ô', 'o'), 'õ', 'o'), 'ö', 'o'), 'ø', 'o'), 'Ò', 'o'), 'Ó', 'o') AS v2
               FROM (SELECT replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(lower(new.display_name), 'à', 'a'), 'á', 'a'), 'â', 'a'), 'ã', 'a'), 'ä', 'a'), 'å', 'a'), 'À', 'a'), 'Á', 'a'), 'Â', 'a'), 'Ã', 'a'), 'Ä', 'a'), 'Å', 'a'), 'ç', 'c'), 'Ç', 'c'), 'è', 'e'), 'é', 'e'), 'ê', 'e'), 'ë', 'e'), 'È', 'e'), 'É', 'e') AS v1)))
    WHERE id = new.id;
END;
-- +goose StatementEnd

UPDATE inbox_authors SET display_name = display_name WHERE display_name <> '';

-- +goose Down
DROP TRIGGER inbox_authors_name_fold_update;
DROP TRIGGER inbox_authors_name_fold_insert;
ALTER TABLE inbox_authors DROP COLUMN name_fold;
