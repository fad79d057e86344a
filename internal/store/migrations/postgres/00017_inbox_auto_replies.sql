-- Automatic replies (issue 14): a moderation rule answers an item with a
-- saved reply, sent through the same never-twice path as a member's reply.
-- Such a reply has no author among the members (user_id NULL) and names the
-- rule that wrote it (rule_id, rule_name kept when the rule is deleted, as
-- in inbox_actions). The unique index is the guarantee that an item is
-- auto-replied at most once per rule, even when it is ingested again or
-- two nodes run the rules on it at once.

-- +goose Up
ALTER TABLE inbox_replies ALTER COLUMN user_id DROP NOT NULL;
ALTER TABLE inbox_replies ADD COLUMN rule_id BIGINT;
ALTER TABLE inbox_replies ADD COLUMN rule_name TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX inbox_replies_rule ON inbox_replies (item_id, rule_id) WHERE rule_id IS NOT NULL;

-- +goose Down
DROP INDEX inbox_replies_rule;
DELETE FROM inbox_replies WHERE user_id IS NULL;
ALTER TABLE inbox_replies DROP COLUMN rule_name;
ALTER TABLE inbox_replies DROP COLUMN rule_id;
ALTER TABLE inbox_replies ALTER COLUMN user_id SET NOT NULL;
