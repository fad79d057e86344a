-- name: CreateInboxReply :one
INSERT INTO inbox_replies (workspace_id, channel_id, item_id, conversation_id, user_id, text, visibility, state, created_at, updated_at)
VALUES (sqlc.arg(workspace_id), sqlc.arg(channel_id), sqlc.arg(item_id), sqlc.arg(conversation_id), sqlc.arg(user_id), sqlc.arg(text),
    sqlc.arg(visibility), 'queued', sqlc.arg(created_at), sqlc.arg(created_at))
RETURNING *;

-- name: GetInboxReply :one
SELECT * FROM inbox_replies WHERE id = sqlc.arg(id);

-- name: ListInboxRepliesOfConversation :many
SELECT * FROM inbox_replies WHERE conversation_id = sqlc.arg(conversation_id) ORDER BY id;

-- MarkInboxReplyInFlight moves a reply from queued to in_flight under an
-- attempt key; zero rows means another run got there first.
-- name: MarkInboxReplyInFlight :execrows
UPDATE inbox_replies SET state = 'in_flight', attempt_key = sqlc.arg(attempt_key), in_flight_at = sqlc.arg(in_flight_at), updated_at = sqlc.arg(in_flight_at)
WHERE id = sqlc.arg(id) AND state = 'queued';

-- name: FinishInboxReply :exec
UPDATE inbox_replies SET state = sqlc.arg(state), external_id = sqlc.arg(external_id), external_cid = sqlc.arg(external_cid),
    external_url = sqlc.arg(external_url), error = sqlc.arg(error), updated_at = sqlc.arg(updated_at)
WHERE id = sqlc.arg(id);

-- OurRepliesAmong reads which ids of a fetch are replies we sent: they
-- are ours, not new items from the community.
-- name: OurRepliesAmong :many
SELECT external_id FROM inbox_replies WHERE channel_id = sqlc.arg(channel_id) AND external_id <> '' AND external_id IN (sqlc.slice(external_ids));

-- ForgetOurReplyItem removes an item that is one of our own replies,
-- ingested by a fetch that ran between the network's answer and the
-- reply's commit (the later fetches skip it; see OurRepliesAmong).
-- name: ForgetOurReplyItem :exec
DELETE FROM inbox_items WHERE channel_id = sqlc.arg(channel_id) AND external_id = sqlc.arg(external_id);

-- CreateRuleReply queues a rule's automatic reply; it returns no row when
-- the rule already answered the item (inbox_replies_rule).
-- name: CreateRuleReply :many
INSERT INTO inbox_replies (workspace_id, channel_id, item_id, conversation_id, rule_id, rule_name, text, visibility, state, created_at, updated_at)
VALUES (sqlc.arg(workspace_id), sqlc.arg(channel_id), sqlc.arg(item_id), sqlc.arg(conversation_id), sqlc.arg(rule_id), sqlc.arg(rule_name),
    sqlc.arg(text), sqlc.arg(visibility), 'queued', sqlc.arg(created_at), sqlc.arg(created_at))
ON CONFLICT (item_id, rule_id) WHERE rule_id IS NOT NULL DO NOTHING
RETURNING *;
