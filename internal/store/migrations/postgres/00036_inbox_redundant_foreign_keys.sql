-- The inbox's hot rows keep only the foreign keys that say something
-- (issue 14's ingestion benchmark). PostgreSQL checks a foreign key of an
-- inserted row with a query of its own, run by a trigger at the end of the
-- statement (a plan started, an index probe, the referenced row locked
-- FOR KEY SHARE): a profile of the ingestion's backends spent 23-30% of
-- their time there, for seven keys checked per item with its audit.
--
-- These four only repeated what another key already says:
-- - an item's channel and workspace are those of its conversation, whose
--   own key to its channel cascades: deleting a channel or a workspace
--   still deletes the channel's conversations, and with them their items
--   (and the items' tags, notes, audit and replies);
-- - an audit row's workspace is its item's, whose key cascades;
-- - a conversation's workspace is its channel's, whose key cascades.
-- TestDeletingAChannelDeletesItsInbox checks the cascades on both
-- dialects. SQLite checks a key with one index probe inside the insert
-- itself, so its schema keeps them (its 00036 changes nothing).

-- +goose Up
ALTER TABLE inbox_items DROP CONSTRAINT inbox_items_workspace_id_fkey;
ALTER TABLE inbox_items DROP CONSTRAINT inbox_items_channel_id_fkey;
ALTER TABLE inbox_actions DROP CONSTRAINT inbox_actions_workspace_id_fkey;
ALTER TABLE inbox_conversations DROP CONSTRAINT inbox_conversations_workspace_id_fkey;

-- +goose Down
ALTER TABLE inbox_conversations ADD CONSTRAINT inbox_conversations_workspace_id_fkey
    FOREIGN KEY (workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE;
ALTER TABLE inbox_actions ADD CONSTRAINT inbox_actions_workspace_id_fkey
    FOREIGN KEY (workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE;
ALTER TABLE inbox_items ADD CONSTRAINT inbox_items_channel_id_fkey
    FOREIGN KEY (channel_id) REFERENCES channels (id) ON DELETE CASCADE;
ALTER TABLE inbox_items ADD CONSTRAINT inbox_items_workspace_id_fkey
    FOREIGN KEY (workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE;
