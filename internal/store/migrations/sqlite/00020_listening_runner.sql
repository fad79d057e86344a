-- Listening runner (issue 15 §1–§2): a source the network refused for good
-- (a feed that is not a feed, credentials refused) stays failed, with its
-- error shown, until someone edits it; and each workspace's queries carry a
-- version raised by every change, so that every node rebuilds its compiled
-- index of the workspace's queries at its next batch, whichever node saved
-- the query.

-- +goose Up
ALTER TABLE listen_sources ADD COLUMN failed BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE listen_settings ADD COLUMN queries_version INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE listen_settings DROP COLUMN queries_version;
ALTER TABLE listen_sources DROP COLUMN failed;
