-- How far each CSV import under way has gone, for the page that polls it
-- while its form is posted. It lives in the database, not in the memory of
-- the node running the import, so a poll answered by any node sees it.
-- The key is made up by the page for each submit and scoped to its user and
-- workspace; a row is deleted when its import ends, and rows left by a node
-- that stopped mid-import are purged once stale (updated_at).

-- +goose Up
CREATE TABLE import_progress (
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key          TEXT NOT NULL,
    stage        TEXT NOT NULL,
    done         BIGINT NOT NULL,
    total        BIGINT NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, user_id, key)
);
CREATE INDEX import_progress_updated_at ON import_progress (updated_at);

-- +goose Down
DROP TABLE import_progress;
