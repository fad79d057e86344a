-- Saved inbox views (issue 14, §2): a member's named set of list filters,
-- kept as the list's own query string so a new filter needs no migration.
-- A view is the member's own (shared = false) or the whole workspace's;
-- only its author renames or deletes it.

-- +goose Up
CREATE TABLE inbox_views (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    query        TEXT NOT NULL,
    shared       BOOLEAN NOT NULL DEFAULT FALSE,
    created_at   DATETIME NOT NULL,
    updated_at   DATETIME NOT NULL
);
CREATE INDEX inbox_views_workspace ON inbox_views (workspace_id, user_id);

-- +goose Down
DROP TABLE inbox_views;
