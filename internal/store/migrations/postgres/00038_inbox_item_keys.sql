-- An inbox item's two remaining keys on its hot path, its conversation and
-- its author, only repeated a row lock the ingestion already holds (issue
-- 14's ingestion benchmark; 00036 dropped six others for the same reason).
-- PostgreSQL checked each with a query of its own per inserted item, run by
-- a trigger at the end of the statement, which locked the referenced row
-- FOR KEY SHARE: two such checks an item. Without them the server's CPU
-- time for an ingested item fell by 8% (101 to 93 µs, mean of four runs
-- each; docs/benchmarks.md, "PostgreSQL ingestion, fourth round").
--
-- - The conversation: every item is added in the transaction that has just
--   written its conversation (INSERT … ON CONFLICT DO UPDATE, which locks
--   the row until the commit), so no deletion of the conversation (its
--   channel's or its workspace's cascade, the only ones) can slip between.
--   Its ON DELETE CASCADE becomes the statement trigger below: one DELETE
--   of the conversations' items by the conversation index, instead of a
--   check per item inserted.
-- - The author: every item is added in the transaction that has just read
--   its author FOR KEY SHARE or written it (ListInboxAuthorsByExternal,
--   UpsertInboxAuthors), the same lock the key took. Authors are deleted
--   only with their workspace, whose cascade deletes the items too;
--   an erasure renames its author, and the lock holds it off until the
--   commit, as the key did.
--
-- TestDeletingAChannelDeletesItsInbox checks the cascade on both dialects.
-- SQLite checks a key with one index probe inside the insert itself, so its
-- schema keeps both (its 00038 changes nothing).

-- +goose Up
ALTER TABLE inbox_items DROP CONSTRAINT inbox_items_conversation_id_fkey;
ALTER TABLE inbox_items DROP CONSTRAINT inbox_items_author_id_fkey;

-- +goose StatementBegin
CREATE FUNCTION inbox_conversations_deleted() RETURNS trigger AS $$
BEGIN
    DELETE FROM inbox_items WHERE conversation_id IN (SELECT id FROM gone);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER inbox_conversations_deleted AFTER DELETE ON inbox_conversations
REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION inbox_conversations_deleted();

-- +goose Down
DROP TRIGGER inbox_conversations_deleted ON inbox_conversations;
DROP FUNCTION inbox_conversations_deleted();
-- Rows a deletion without the keys left behind would refuse the keys.
DELETE FROM inbox_items i WHERE NOT EXISTS (SELECT 1 FROM inbox_conversations c WHERE c.id = i.conversation_id);
ALTER TABLE inbox_items ADD CONSTRAINT inbox_items_author_id_fkey
    FOREIGN KEY (author_id) REFERENCES inbox_authors (id);
ALTER TABLE inbox_items ADD CONSTRAINT inbox_items_conversation_id_fkey
    FOREIGN KEY (conversation_id) REFERENCES inbox_conversations (id) ON DELETE CASCADE;
