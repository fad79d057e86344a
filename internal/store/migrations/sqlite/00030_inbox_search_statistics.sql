-- Nothing on SQLite: PostgreSQL's 00030 stops ANALYZE from parsing every
-- sampled text for the full-text index's statistics; SQLite's full-text
-- search is an FTS5 table, which ANALYZE does not read that way. The
-- number is kept so that both dialects count their migrations alike.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
