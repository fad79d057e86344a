-- SetImportProgress records how far an import under way has gone.
-- name: SetImportProgress :exec
INSERT INTO import_progress (workspace_id, user_id, key, stage, done, total, updated_at)
VALUES (sqlc.arg(workspace_id), sqlc.arg(user_id), sqlc.arg(key), sqlc.arg(stage), sqlc.arg(done), sqlc.arg(total), sqlc.arg(updated_at))
ON CONFLICT (workspace_id, user_id, key) DO UPDATE SET stage = excluded.stage, done = excluded.done,
    total = excluded.total, updated_at = excluded.updated_at;

-- name: GetImportProgress :one
SELECT * FROM import_progress
WHERE workspace_id = sqlc.arg(workspace_id) AND user_id = sqlc.arg(user_id) AND key = sqlc.arg(key);

-- name: DeleteImportProgress :exec
DELETE FROM import_progress
WHERE workspace_id = sqlc.arg(workspace_id) AND user_id = sqlc.arg(user_id) AND key = sqlc.arg(key);

-- DeleteImportProgressBefore purges the rows of imports whose node stopped
-- before it could delete them.
-- name: DeleteImportProgressBefore :execrows
DELETE FROM import_progress WHERE updated_at < sqlc.arg(before);
