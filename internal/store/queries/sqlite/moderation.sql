-- name: ListModerationRules :many
SELECT * FROM moderation_rules WHERE workspace_id = sqlc.arg(workspace_id) ORDER BY position, id;

-- name: GetModerationRule :one
SELECT * FROM moderation_rules WHERE id = sqlc.arg(id);

-- name: InsertModerationRule :one
INSERT INTO moderation_rules (workspace_id, name, position, enabled, body, created_at, updated_at)
VALUES (sqlc.arg(workspace_id), sqlc.arg(name), sqlc.arg(position), sqlc.arg(enabled), sqlc.arg(body), sqlc.arg(now), sqlc.arg(now))
RETURNING id;

-- name: UpdateModerationRule :exec
UPDATE moderation_rules SET name = sqlc.arg(name), position = sqlc.arg(position), enabled = sqlc.arg(enabled),
    body = sqlc.arg(body), updated_at = sqlc.arg(updated_at)
WHERE id = sqlc.arg(id);

-- name: DeleteModerationRule :exec
DELETE FROM moderation_rules WHERE id = sqlc.arg(id);

-- BumpModerationRuleSet raises the workspace's rules version: every node's
-- cached engine built from an older one is rebuilt at its next item.
-- name: BumpModerationRuleSet :exec
INSERT INTO moderation_rule_sets (workspace_id, version) VALUES (sqlc.arg(workspace_id), 1)
ON CONFLICT (workspace_id) DO UPDATE SET version = moderation_rule_sets.version + 1;

-- name: GetModerationRuleSetVersion :many
SELECT version FROM moderation_rule_sets WHERE workspace_id = sqlc.arg(workspace_id);

-- name: ListSavedReplies :many
SELECT * FROM saved_replies WHERE workspace_id = sqlc.arg(workspace_id) ORDER BY name, id;

-- name: GetSavedReply :one
SELECT * FROM saved_replies WHERE id = sqlc.arg(id);

-- name: InsertSavedReply :one
INSERT INTO saved_replies (workspace_id, name, body, created_at, updated_at)
VALUES (sqlc.arg(workspace_id), sqlc.arg(name), sqlc.arg(body), sqlc.arg(now), sqlc.arg(now))
RETURNING id;

-- name: UpdateSavedReply :exec
UPDATE saved_replies SET name = sqlc.arg(name), body = sqlc.arg(body), updated_at = sqlc.arg(updated_at) WHERE id = sqlc.arg(id);

-- name: DeleteSavedReply :exec
DELETE FROM saved_replies WHERE id = sqlc.arg(id);

-- name: AddInboxRuleAction :one
INSERT INTO inbox_actions (workspace_id, item_id, user_id, action, detail, result, error, created_at, rule_id, rule_name, undo, previous)
VALUES (sqlc.arg(workspace_id), sqlc.arg(item_id), NULL, sqlc.arg(action), sqlc.arg(detail), sqlc.arg(result), sqlc.arg(error),
        sqlc.arg(created_at), sqlc.narg(rule_id), sqlc.arg(rule_name), sqlc.arg(undo), sqlc.arg(previous))
RETURNING id;

-- AddInboxRuleActions audits the automatic actions of a fetch's items in
-- one statement, in the rows' order. Rows: store.RuleActionRow.
-- name: AddInboxRuleActions :many
INSERT INTO inbox_actions (workspace_id, item_id, user_id, action, detail, result, error, created_at, rule_id, rule_name, undo, previous)
SELECT j.value ->> 'workspace_id', j.value ->> 'item_id', NULL, j.value ->> 'action', j.value ->> 'detail', j.value ->> 'result',
       j.value ->> 'error', j.value ->> 'created_at', j.value ->> 'rule_id', j.value ->> 'rule_name', j.value ->> 'undo', j.value ->> 'previous'
FROM jsonb_each(CAST(sqlc.arg(batch) AS TEXT)) AS j WHERE true
ORDER BY j.key
RETURNING id, item_id, action, rule_id;

-- AddInboxItemTags tags the items of a fetch in one statement; a tag an
-- item has is left as it is. Rows: store.TagRow.
-- name: AddInboxItemTags :exec
INSERT INTO inbox_item_tags (item_id, tag)
SELECT j.value ->> 'item_id', j.value ->> 'tag' FROM jsonb_each(CAST(sqlc.arg(batch) AS TEXT)) AS j WHERE true
ON CONFLICT DO NOTHING;

-- ClaimInboxRuleAction takes a queued network action of a rule for the job
-- that performs it: of two runs of the job, only one calls the network.
-- name: ClaimInboxRuleAction :execrows
UPDATE inbox_actions SET result = 'in_flight' WHERE id = sqlc.arg(id) AND result = 'queued';

-- FinishInboxRuleAction records how a claimed network action ended.
-- name: FinishInboxRuleAction :exec
UPDATE inbox_actions SET result = sqlc.arg(result), error = sqlc.arg(error), undo = sqlc.arg(undo) WHERE id = sqlc.arg(id);

-- name: ListInboxRuleActions :many
SELECT * FROM inbox_actions WHERE item_id = sqlc.arg(item_id) AND rule_name <> '' ORDER BY id;

-- name: GetInboxAction :one
SELECT * FROM inbox_actions WHERE id = sqlc.arg(id);

-- MarkInboxActionUndone claims the undo: only one of two clicks does it.
-- name: MarkInboxActionUndone :execrows
UPDATE inbox_actions SET undone_at = sqlc.arg(undone_at) WHERE id = sqlc.arg(id) AND undone_at IS NULL;

-- name: UnmarkInboxActionUndone :exec
UPDATE inbox_actions SET undone_at = NULL WHERE id = sqlc.arg(id);

-- ListRecentInboxItemsForRules is what "Try this rule" runs over: the
-- workspace's items since a date, newest first, with their author.
-- name: ListRecentInboxItemsForRules :many
SELECT i.id, i.external_id, i.network, i.kind, i.text, i.lang, i.declared_lang, i.sentiment, i.sentiment_score,
       a.external_id AS author_external_id, a.handle AS author_handle
FROM inbox_items i JOIN inbox_authors a ON a.id = i.author_id
WHERE i.workspace_id = sqlc.arg(workspace_id) AND i.network_created_at >= sqlc.arg(since)
ORDER BY i.id DESC
LIMIT sqlc.arg(max_rows);
