-- Listening runner (issue 15 §1–§2): a source the network refused for good
-- (a feed that is not a feed, credentials refused) stays failed, with its
-- error shown, until someone edits it; and each workspace's queries carry a
-- version raised by every change, so that every node rebuilds its compiled
-- index of the workspace's queries at its next batch, whichever node saved
-- the query.

-- PostgreSQL: the counters of 00019 become BIGINT, as every other count
-- of the schema, so that both dialects hand the same Go types to the store.

-- +goose Up
ALTER TABLE mention_rollups ALTER COLUMN mentions TYPE BIGINT, ALTER COLUMN positive TYPE BIGINT,
    ALTER COLUMN neutral TYPE BIGINT, ALTER COLUMN negative TYPE BIGINT;
ALTER TABLE mention_term_rollups ALTER COLUMN mentions TYPE BIGINT;
ALTER TABLE mention_author_rollups ALTER COLUMN mentions TYPE BIGINT;
ALTER TABLE listen_settings ALTER COLUMN retention_months TYPE BIGINT;
ALTER TABLE listen_sources ADD COLUMN failed BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE listen_settings ADD COLUMN queries_version BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE listen_settings DROP COLUMN queries_version;
ALTER TABLE listen_sources DROP COLUMN failed;
ALTER TABLE listen_settings ALTER COLUMN retention_months TYPE INTEGER;
ALTER TABLE mention_author_rollups ALTER COLUMN mentions TYPE INTEGER;
ALTER TABLE mention_term_rollups ALTER COLUMN mentions TYPE INTEGER;
ALTER TABLE mention_rollups ALTER COLUMN mentions TYPE INTEGER, ALTER COLUMN positive TYPE INTEGER,
    ALTER COLUMN neutral TYPE INTEGER, ALTER COLUMN negative TYPE INTEGER;
