-- Automatic replies (issue 14): a moderation rule answers an item with a
-- saved reply, sent through the same never-twice path as a member's reply.
-- Such a reply has no author among the members (user_id NULL) and names the
-- rule that wrote it (rule_id, rule_name kept when the rule is deleted, as
-- in inbox_actions). The unique index is the guarantee that an item is
-- auto-replied at most once per rule, even when it is ingested again or
-- two nodes run the rules on it at once. SQLite cannot drop a NOT NULL, so
-- the table is rebuilt; no table references it.

-- +goose Up
CREATE TABLE inbox_replies_new (
    id              INTEGER PRIMARY KEY,
    workspace_id    INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    channel_id      INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    item_id         INTEGER NOT NULL REFERENCES inbox_items (id) ON DELETE CASCADE,
    conversation_id INTEGER NOT NULL REFERENCES inbox_conversations (id) ON DELETE CASCADE,
    user_id         INTEGER REFERENCES users (id),
    text            TEXT NOT NULL,
    visibility      TEXT NOT NULL DEFAULT '',
    state           TEXT NOT NULL,
    attempt_key     TEXT NOT NULL DEFAULT '',
    in_flight_at    DATETIME,
    external_id     TEXT NOT NULL DEFAULT '',
    external_cid    TEXT NOT NULL DEFAULT '',
    external_url    TEXT NOT NULL DEFAULT '',
    error           TEXT NOT NULL DEFAULT '',
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL,
    rule_id         INTEGER,
    rule_name       TEXT NOT NULL DEFAULT ''
);
INSERT INTO inbox_replies_new (id, workspace_id, channel_id, item_id, conversation_id, user_id, text, visibility, state, attempt_key,
    in_flight_at, external_id, external_cid, external_url, error, created_at, updated_at)
SELECT id, workspace_id, channel_id, item_id, conversation_id, user_id, text, visibility, state, attempt_key,
    in_flight_at, external_id, external_cid, external_url, error, created_at, updated_at FROM inbox_replies;
DROP TABLE inbox_replies;
ALTER TABLE inbox_replies_new RENAME TO inbox_replies;
CREATE INDEX inbox_replies_conversation ON inbox_replies (conversation_id, id);
CREATE INDEX inbox_replies_external ON inbox_replies (channel_id, external_id) WHERE external_id <> '';
CREATE UNIQUE INDEX inbox_replies_rule ON inbox_replies (item_id, rule_id) WHERE rule_id IS NOT NULL;

-- +goose Down
DROP INDEX inbox_replies_rule;
DELETE FROM inbox_replies WHERE user_id IS NULL;
ALTER TABLE inbox_replies DROP COLUMN rule_name;
ALTER TABLE inbox_replies DROP COLUMN rule_id;
