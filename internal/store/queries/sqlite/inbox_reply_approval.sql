-- name: GetInboxReplyApproval :one
SELECT enabled FROM inbox_reply_approval WHERE workspace_id = sqlc.arg(workspace_id);

-- name: SetInboxReplyApproval :exec
INSERT INTO inbox_reply_approval (workspace_id, enabled, updated_at)
VALUES (sqlc.arg(workspace_id), sqlc.arg(enabled), sqlc.arg(updated_at))
ON CONFLICT (workspace_id) DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at;

-- CreatePendingInboxReply stores a contributor's reply awaiting approval:
-- no job, and MarkInboxReplyInFlight only moves queued replies.
-- name: CreatePendingInboxReply :one
INSERT INTO inbox_replies (workspace_id, channel_id, item_id, conversation_id, user_id, text, visibility, state, created_at, updated_at)
VALUES (sqlc.arg(workspace_id), sqlc.arg(channel_id), sqlc.arg(item_id), sqlc.arg(conversation_id), sqlc.arg(user_id), sqlc.arg(text),
    sqlc.arg(visibility), 'pending_approval', sqlc.arg(created_at), sqlc.arg(created_at))
RETURNING *;

-- DecideInboxReply approves (state queued) or rejects (state rejected) a
-- reply awaiting approval, with the text that goes out (an approver may
-- edit it), in one statement: zero rows means it was decided already, so
-- of two approvers at once one wins and the other changed nothing.
-- name: DecideInboxReply :execrows
UPDATE inbox_replies SET state = sqlc.arg(state), decided_by = sqlc.arg(decided_by), decided_at = sqlc.arg(decided_at),
    decision_comment = sqlc.arg(decision_comment), text = sqlc.arg(text), updated_at = sqlc.arg(decided_at)
WHERE id = sqlc.arg(id) AND state = 'pending_approval';
