-- ANALYZE no longer reads the full-text index's expression (issue 14's
-- ingestion benchmark). For an expression index, ANALYZE evaluates the
-- expression for every sampled row, up to 30,000: here two to_tsvector
-- parses of each text, about 40 µs a row, so one ANALYZE of inbox_items
-- cost 1.1 s of the server's CPU instead of 0.35 s. Autovacuum analyses a
-- growing table each time a tenth of it changed, so while a channel's
-- backlog is ingested the analyses cost more of the server than the
-- inserts themselves (a profile of the benchmark's backends: 50% in
-- analyze_rel, most of it parsing texts). Without the expression's
-- statistics the planner estimates a match with its default selectivity;
-- the search's plans and times (BenchmarkInboxList) were measured with it,
-- docs/benchmarks.md.

-- +goose Up
ALTER INDEX inbox_items_search ALTER COLUMN 1 SET STATISTICS 0;

-- +goose Down
ALTER INDEX inbox_items_search ALTER COLUMN 1 SET STATISTICS -1;
