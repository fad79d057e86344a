-- Moderation rules (internal/moderation decides, internal/inbox acts).
-- A rule's conditions and actions are one JSON document (moderation.Rule
-- without its id, order and enabled flag, which are columns so that the
-- list can be ordered and switched without parsing).
-- moderation_rule_sets holds one version per workspace, raised by every
-- change to its rules: each node caches its compiled engine with the
-- version it was built from and compares it at ingestion, so a rule saved
-- on one node is applied by all of them from their next item.
-- inbox_actions gains what an automatic action needs: the rule that did
-- it, how it is undone, the value it replaced (assignee, priority,
-- status) and when it was undone. rule_id has no foreign key: a deleted
-- rule's actions stay in the history under rule_name (and SQLite cannot
-- drop a column that a foreign key uses).

-- +goose Up
CREATE TABLE moderation_rules (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    position     INTEGER NOT NULL,
    enabled      BOOLEAN NOT NULL,
    body         TEXT NOT NULL,
    created_at   DATETIME NOT NULL,
    updated_at   DATETIME NOT NULL
);
CREATE INDEX moderation_rules_workspace ON moderation_rules (workspace_id, position, id);

CREATE TABLE moderation_rule_sets (
    workspace_id INTEGER PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    version      INTEGER NOT NULL
);

-- Saved replies: text with variables ({name}, {post_link}...), checked by
-- moderation.ParseReply when saved.
CREATE TABLE saved_replies (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    body         TEXT NOT NULL,
    created_at   DATETIME NOT NULL,
    updated_at   DATETIME NOT NULL
);
CREATE INDEX saved_replies_workspace ON saved_replies (workspace_id, id);

ALTER TABLE inbox_actions ADD COLUMN rule_id INTEGER;
ALTER TABLE inbox_actions ADD COLUMN rule_name TEXT NOT NULL DEFAULT '';
ALTER TABLE inbox_actions ADD COLUMN undo TEXT NOT NULL DEFAULT '';
ALTER TABLE inbox_actions ADD COLUMN previous TEXT NOT NULL DEFAULT '';
ALTER TABLE inbox_actions ADD COLUMN undone_at DATETIME;

-- +goose Down
ALTER TABLE inbox_actions DROP COLUMN undone_at;
ALTER TABLE inbox_actions DROP COLUMN previous;
ALTER TABLE inbox_actions DROP COLUMN undo;
ALTER TABLE inbox_actions DROP COLUMN rule_name;
ALTER TABLE inbox_actions DROP COLUMN rule_id;
DROP TABLE saved_replies;
DROP TABLE moderation_rule_sets;
DROP TABLE moderation_rules;
