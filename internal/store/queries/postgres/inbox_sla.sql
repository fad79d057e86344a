-- name: GetInboxSLA :one
SELECT * FROM inbox_sla WHERE workspace_id = sqlc.arg(workspace_id);

-- name: UpsertInboxSLA :exec
INSERT INTO inbox_sla (workspace_id, target_minutes, days, open_minute, close_minute, french_holidays, updated_at)
VALUES (sqlc.arg(workspace_id), sqlc.arg(target_minutes), sqlc.arg(days), sqlc.arg(open_minute), sqlc.arg(close_minute),
        sqlc.arg(french_holidays), sqlc.arg(updated_at))
ON CONFLICT (workspace_id) DO UPDATE SET target_minutes = excluded.target_minutes, days = excluded.days,
    open_minute = excluded.open_minute, close_minute = excluded.close_minute,
    french_holidays = excluded.french_holidays, updated_at = excluded.updated_at;

-- name: DeleteInboxSLA :exec
DELETE FROM inbox_sla WHERE workspace_id = sqlc.arg(workspace_id);

-- ListInboxArrivals lists the items that arrived in [since, until): the
-- population of the response-time report.
-- name: ListInboxArrivals :many
SELECT id, channel_id, network_created_at, status FROM inbox_items
WHERE workspace_id = sqlc.arg(workspace_id) AND network_created_at >= sqlc.arg(since) AND network_created_at < sqlc.arg(until)
ORDER BY id;

-- ListInboxOverdue lists, newest first, the items still waiting for the
-- team (new or open, not deleted, never answered by a member) that arrived
-- at or before cutoff: the latest arrival past the target, computed in Go
-- from the business hours (sla.Hours.LatestPast). "Answered" is
-- inbox.Responds, written again here: keep the two together.
-- name: ListInboxOverdue :many
SELECT i.id FROM inbox_items i
WHERE i.workspace_id = sqlc.arg(workspace_id) AND i.status IN ('new', 'open') AND i.deleted_at IS NULL
  AND i.network_created_at <= sqlc.arg(cutoff)
  AND NOT EXISTS (SELECT 1 FROM inbox_actions a WHERE a.item_id = i.id AND a.user_id IS NOT NULL AND a.result = 'ok'
                  AND (a.action IN ('reply', 'responded') OR (a.action = 'status' AND a.detail IN ('pending', 'done'))))
ORDER BY i.id DESC;

-- ListInboxResponseCandidates lists the members' successful actions on the
-- items that may be responses (the rule picking them is in Go), oldest
-- first per item.
-- name: ListInboxResponseCandidates :many
SELECT a.item_id, a.user_id, coalesce(u.name, '') AS user_name, a.action, a.detail, a.created_at
FROM inbox_actions a LEFT JOIN users u ON u.id = a.user_id
WHERE a.item_id = ANY(sqlc.arg(ids)::bigint[]) AND a.user_id IS NOT NULL AND a.result = 'ok'
  AND a.action IN ('status', 'responded', 'reply')
ORDER BY a.item_id, a.id;
