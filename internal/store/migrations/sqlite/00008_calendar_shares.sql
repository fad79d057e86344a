-- A workspace's read-only calendar share link for a client: only the
-- SHA-256 of its secret is kept (like the iCal secret), one link per
-- workspace; rotating replaces the hash, revoking deletes the row.
-- show_drafts says whether the shared page lists drafts too.

-- +goose Up
CREATE TABLE calendar_shares (
    workspace_id INTEGER PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    token_hash   TEXT NOT NULL UNIQUE,
    show_drafts  BOOLEAN NOT NULL DEFAULT FALSE,
    created_by   INTEGER NOT NULL REFERENCES users (id),
    created_at   DATETIME NOT NULL
);

-- +goose Down
DROP TABLE calendar_shares;
