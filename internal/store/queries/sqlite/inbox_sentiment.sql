-- CountSentimentCorrections counts a workspace's hand corrections of
-- sentiment from since to until_at (excluded), by their detail (from, to).
-- name: CountSentimentCorrections :many
SELECT a.detail, COUNT(*) AS n FROM inbox_actions a
WHERE a.workspace_id = sqlc.arg(workspace_id) AND a.action = 'sentiment' AND a.result = 'ok'
  AND a.created_at >= sqlc.arg(since) AND a.created_at < sqlc.arg(until_at)
GROUP BY a.detail
ORDER BY a.detail;
