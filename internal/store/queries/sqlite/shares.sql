-- name: UpsertCalendarShare :exec
INSERT INTO calendar_shares (workspace_id, token_hash, show_drafts, created_by, created_at)
VALUES (sqlc.arg(workspace_id), sqlc.arg(token_hash), sqlc.arg(show_drafts), sqlc.arg(created_by), sqlc.arg(created_at))
ON CONFLICT (workspace_id) DO UPDATE SET token_hash = excluded.token_hash, show_drafts = excluded.show_drafts,
    created_by = excluded.created_by, created_at = excluded.created_at;

-- name: GetCalendarShare :one
SELECT * FROM calendar_shares WHERE workspace_id = sqlc.arg(workspace_id);

-- name: GetCalendarShareByTokenHash :one
SELECT * FROM calendar_shares WHERE token_hash = sqlc.arg(token_hash);

-- name: DeleteCalendarShare :exec
DELETE FROM calendar_shares WHERE workspace_id = sqlc.arg(workspace_id);
