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

-- +goose Up
ALTER TABLE inbox_authors ADD COLUMN name_fold TEXT NOT NULL GENERATED ALWAYS AS (
    replace(replace(replace(replace(replace(translate(display_name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZàáâãäåÀÁÂÃÄÅçÇèéêëÈÉÊËìíîïÌÍÎÏñÑòóôõöøÒÓÔÕÖØùúûüÙÚÛÜýÿÝŸ', 'abcdefghijklmnopqrstuvwxyzaaaaaaaaaaaacceeeeeeeeiiiiiiiinnoooooooooooouuuuuuuuyyyy'), 'œ', 'oe'), 'Œ', 'oe'), 'æ', 'ae'), 'Æ', 'ae'), 'ß', 'ss')
) STORED;

-- +goose Down
ALTER TABLE inbox_authors DROP COLUMN name_fold;
