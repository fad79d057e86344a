-- ListAuthorRecentTexts is what the spam condition compares an item with:
-- the same author's earlier items since a time, newest first.
-- name: ListAuthorRecentTexts :many
SELECT text FROM inbox_items
WHERE author_id = sqlc.arg(author_id) AND id < sqlc.arg(before_id) AND network_created_at >= sqlc.arg(since)
  AND deleted_at IS NULL
ORDER BY id DESC
LIMIT sqlc.arg(max_rows);
