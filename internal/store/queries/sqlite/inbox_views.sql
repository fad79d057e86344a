-- ListInboxViews lists the views a member sees in a workspace: their own
-- and those shared with the workspace, by name.
-- name: ListInboxViews :many
SELECT v.*, coalesce(u.name, '') AS user_name FROM inbox_views v LEFT JOIN users u ON u.id = v.user_id
WHERE v.workspace_id = sqlc.arg(workspace_id) AND (v.user_id = sqlc.arg(user_id) OR v.shared)
ORDER BY lower(v.name), v.id;

-- name: GetInboxView :one
SELECT * FROM inbox_views WHERE id = sqlc.arg(id);

-- name: CreateInboxView :one
INSERT INTO inbox_views (workspace_id, user_id, name, query, shared, created_at, updated_at)
VALUES (sqlc.arg(workspace_id), sqlc.arg(user_id), sqlc.arg(name), sqlc.arg(query), sqlc.arg(shared), sqlc.arg(created_at), sqlc.arg(created_at))
RETURNING *;

-- name: UpdateInboxView :exec
UPDATE inbox_views SET name = sqlc.arg(name), shared = sqlc.arg(shared), updated_at = sqlc.arg(updated_at) WHERE id = sqlc.arg(id);

-- name: DeleteInboxView :exec
DELETE FROM inbox_views WHERE id = sqlc.arg(id);
