-- The inbox's hot rows keep only the foreign keys whose check pays
-- (issue 14's ingestion benchmark). PostgreSQL checks a foreign key of an
-- inserted row with a query of its own, run by a trigger at the end of the
-- statement (a plan started, an index probe, the referenced row locked
-- FOR KEY SHARE and the lock written to the log): a profile of the
-- ingestion's backends spent 23-30% of their time there, for seven or
-- more keys checked per item (its own four, and one for each tag and each
-- audit row its moderation rules write, two to four an item).
--
-- Four keys only repeated what another key already says:
-- - an item's channel and workspace are those of its conversation, whose
--   own key to its channel cascades: deleting a channel or a workspace
--   still deletes the channel's conversations, and with them their items;
-- - an audit row's workspace is its item's;
-- - a conversation's workspace is its channel's, whose key cascades.
--
-- Two are replaced by a trigger: tags and audit rows are written only for
-- items their transaction has just stored or read, so checking each
-- against its item paid for nothing but the cascade of a deleted item's
-- tags and audit, which the statement trigger below does once per DELETE
-- (an item's own, or a conversation's cascade) instead of a check per row
-- inserted. A tag a member adds at the very moment the item's channel is
-- deleted can outlive it, unreachable: no page or query reads a tag or an
-- audit row but through its item.
--
-- TestDeletingAChannelDeletesItsInbox checks the cascades on both
-- dialects. SQLite checks a key with one index probe inside the insert
-- itself, so its schema keeps them all (its 00036 changes nothing).

-- +goose Up
ALTER TABLE inbox_items DROP CONSTRAINT inbox_items_workspace_id_fkey;
ALTER TABLE inbox_items DROP CONSTRAINT inbox_items_channel_id_fkey;
ALTER TABLE inbox_actions DROP CONSTRAINT inbox_actions_workspace_id_fkey;
ALTER TABLE inbox_conversations DROP CONSTRAINT inbox_conversations_workspace_id_fkey;
ALTER TABLE inbox_item_tags DROP CONSTRAINT inbox_item_tags_item_id_fkey;
ALTER TABLE inbox_actions DROP CONSTRAINT inbox_actions_item_id_fkey;

-- +goose StatementBegin
CREATE FUNCTION inbox_items_deleted() RETURNS trigger AS $$
BEGIN
    DELETE FROM inbox_item_tags WHERE item_id IN (SELECT id FROM gone);
    DELETE FROM inbox_actions WHERE item_id IN (SELECT id FROM gone);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER inbox_items_deleted AFTER DELETE ON inbox_items
REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION inbox_items_deleted();

-- +goose Down
DROP TRIGGER inbox_items_deleted ON inbox_items;
DROP FUNCTION inbox_items_deleted();
-- Rows a deletion without the keys left behind would refuse the keys.
DELETE FROM inbox_item_tags t WHERE NOT EXISTS (SELECT 1 FROM inbox_items i WHERE i.id = t.item_id);
DELETE FROM inbox_actions a WHERE NOT EXISTS (SELECT 1 FROM inbox_items i WHERE i.id = a.item_id);
ALTER TABLE inbox_actions ADD CONSTRAINT inbox_actions_item_id_fkey
    FOREIGN KEY (item_id) REFERENCES inbox_items (id) ON DELETE CASCADE;
ALTER TABLE inbox_item_tags ADD CONSTRAINT inbox_item_tags_item_id_fkey
    FOREIGN KEY (item_id) REFERENCES inbox_items (id) ON DELETE CASCADE;
ALTER TABLE inbox_conversations ADD CONSTRAINT inbox_conversations_workspace_id_fkey
    FOREIGN KEY (workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE;
ALTER TABLE inbox_actions ADD CONSTRAINT inbox_actions_workspace_id_fkey
    FOREIGN KEY (workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE;
ALTER TABLE inbox_items ADD CONSTRAINT inbox_items_channel_id_fkey
    FOREIGN KEY (channel_id) REFERENCES channels (id) ON DELETE CASCADE;
ALTER TABLE inbox_items ADD CONSTRAINT inbox_items_workspace_id_fkey
    FOREIGN KEY (workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE;
