-- Sentiment corrections counted (issue 14, §5: "correctable by hand, the
-- correction is kept and counted"): a correction is an inbox_actions row
-- (action 'sentiment', detail "from → to"); the index lets a workspace's
-- count read only those rows.
--
-- Replies by contributors need approval first (issue 14, §3), when the
-- workspace says so (no row: off). A contributor's reply is stored
-- pending_approval without a job; approving it (decided_by, decided_at)
-- queues it and its job in one commit, and it goes through the same
-- never-twice path; rejecting it keeps it, rejected, with the comment.

-- +goose Up
CREATE INDEX inbox_actions_sentiment ON inbox_actions (workspace_id, created_at) WHERE action = 'sentiment';
CREATE TABLE inbox_reply_approval (
    workspace_id BIGINT PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    enabled      BOOLEAN NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
ALTER TABLE inbox_replies ADD COLUMN decided_by BIGINT REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE inbox_replies ADD COLUMN decided_at TIMESTAMPTZ;
ALTER TABLE inbox_replies ADD COLUMN decision_comment TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE inbox_replies DROP COLUMN decision_comment;
ALTER TABLE inbox_replies DROP COLUMN decided_at;
ALTER TABLE inbox_replies DROP COLUMN decided_by;
DROP TABLE inbox_reply_approval;
DROP INDEX inbox_actions_sentiment;
