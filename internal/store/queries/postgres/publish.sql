-- name: CreatePublishPart :exec
INSERT INTO publish_parts (variant_id, seq, kind, text) VALUES (sqlc.arg(variant_id), sqlc.arg(seq), sqlc.arg(kind), sqlc.arg(text))
ON CONFLICT (variant_id, seq) DO NOTHING;

-- CreatePublishPartInFlight writes a variant's first message already in
-- flight, so that its in-flight mark rides on the commit that creates it; a
-- message that already exists is left as it is (the caller reads it back and
-- sees whose attempt key it holds).
-- name: CreatePublishPartInFlight :exec
INSERT INTO publish_parts (variant_id, seq, kind, text, state, attempt_key, in_flight_at)
VALUES (sqlc.arg(variant_id), sqlc.arg(seq), sqlc.arg(kind), sqlc.arg(text), 'in_flight', sqlc.arg(attempt_key), sqlc.arg(in_flight_at))
ON CONFLICT (variant_id, seq) DO NOTHING;

-- name: ListPublishParts :many
SELECT * FROM publish_parts WHERE variant_id = sqlc.arg(variant_id) ORDER BY seq;

-- ListPublishPartsOf reads the messages of several variants at once (the
-- publishing jobs that start together share one query).
-- name: ListPublishPartsOf :many
SELECT * FROM publish_parts WHERE variant_id = ANY(sqlc.arg(variant_ids)::bigint[]) ORDER BY variant_id, seq;

-- MarkPartInFlight moves a part from pending to in_flight; zero rows means
-- someone else got there first (or the part is not pending).
-- name: MarkPartInFlight :execrows
UPDATE publish_parts SET state = 'in_flight', attempt_key = sqlc.arg(attempt_key), in_flight_at = sqlc.arg(in_flight_at)
WHERE variant_id = sqlc.arg(variant_id) AND seq = sqlc.arg(seq) AND state = 'pending';

-- name: MarkPartDone :exec
UPDATE publish_parts
SET state = 'done', external_id = sqlc.arg(external_id), external_cid = sqlc.arg(external_cid),
    external_url = sqlc.arg(external_url), done_at = sqlc.arg(done_at)
WHERE variant_id = sqlc.arg(variant_id) AND seq = sqlc.arg(seq);

-- name: SetPartState :exec
UPDATE publish_parts SET state = sqlc.arg(state) WHERE variant_id = sqlc.arg(variant_id) AND seq = sqlc.arg(seq);

-- name: DeletePendingParts :exec
DELETE FROM publish_parts WHERE variant_id = sqlc.arg(variant_id) AND state = 'pending';

-- name: AddPublishLog :exec
INSERT INTO publish_log (variant_id, network, at, step, request, response, outcome, http_status, node)
VALUES (sqlc.arg(variant_id), sqlc.arg(network), sqlc.arg(at), sqlc.arg(step), sqlc.arg(request), sqlc.arg(response),
        sqlc.arg(outcome), sqlc.arg(http_status), sqlc.arg(node));

-- name: ListPublishLog :many
SELECT l.* FROM publish_log l JOIN post_variants v ON v.id = l.variant_id
WHERE v.post_id = sqlc.arg(post_id) ORDER BY l.at, l.id;

-- name: LastPublishErrors :many
SELECT l.* FROM publish_log l
WHERE l.outcome IN ('retry', 'failed', 'unknown') AND l.at >= sqlc.arg(since)
ORDER BY l.at DESC, l.id DESC LIMIT sqlc.arg(max_rows)::bigint;

-- name: AddNotification :exec
INSERT INTO notifications (user_id, workspace_id, post_id, kind, title, body, created_at)
VALUES (sqlc.arg(user_id), sqlc.arg(workspace_id), sqlc.narg(post_id), sqlc.arg(kind), sqlc.arg(title), sqlc.arg(body),
        sqlc.arg(created_at));

-- name: ListNotifications :many
SELECT * FROM notifications WHERE user_id = sqlc.arg(user_id) ORDER BY created_at DESC, id DESC LIMIT sqlc.arg(max_rows)::bigint;

-- name: CountUnreadNotifications :one
SELECT count(*) FROM notifications WHERE user_id = sqlc.arg(user_id) AND read_at IS NULL;

-- name: MarkNotificationsRead :exec
UPDATE notifications SET read_at = sqlc.arg(read_at) WHERE user_id = sqlc.arg(user_id) AND read_at IS NULL;

-- name: UpsertHeartbeat :exec
INSERT INTO node_heartbeats (node_id, hostname, pid, roles, version, started_at, seen_at, scheduler_at)
VALUES (sqlc.arg(node_id), sqlc.arg(hostname), sqlc.arg(pid), sqlc.arg(roles), sqlc.arg(version), sqlc.arg(started_at),
        sqlc.arg(seen_at), sqlc.narg(scheduler_at))
ON CONFLICT (node_id) DO UPDATE SET seen_at = excluded.seen_at, scheduler_at = excluded.scheduler_at;

-- name: ListHeartbeats :many
SELECT * FROM node_heartbeats ORDER BY started_at DESC;

-- name: DeleteHeartbeatsBefore :exec
DELETE FROM node_heartbeats WHERE seen_at < sqlc.arg(before);

-- name: CountVariantsByState :many
SELECT v.state, count(*) AS n FROM post_variants v GROUP BY v.state ORDER BY v.state;

-- OldestOverdue finds the earliest post due before now whose variants have not all gone out.
-- name: OldestOverdue :one
SELECT p.id, p.workspace_id, p.scheduled_at FROM posts p
WHERE p.scheduled_at < sqlc.arg(before) AND p.status IN ('scheduled', 'publishing')
ORDER BY p.scheduled_at LIMIT 1;

-- GetPublishTargets reads in one query what publishing jobs start from:
-- the variant, its post, the post's workspace and the variant's channel, for
-- all the jobs starting together.
-- name: GetPublishTargets :many
SELECT sqlc.embed(v), sqlc.embed(p), sqlc.embed(w), sqlc.embed(c)
FROM post_variants v
JOIN posts p ON p.id = v.post_id
JOIN workspaces w ON w.id = p.workspace_id
JOIN channels c ON c.id = v.channel_id
WHERE v.id = ANY(sqlc.arg(ids)::bigint[]);

-- StartVariants marks variants publishing and MarkPostsPublishing their
-- posts (the cheap update for the moment a variant starts, without reading
-- the variants); the publishing jobs committed together write them once for
-- all their variants and posts.
-- name: StartVariants :exec
UPDATE post_variants SET state = 'publishing', error = '', updated_at = sqlc.arg(updated_at)
WHERE id = ANY(sqlc.arg(ids)::bigint[]);

-- name: MarkPostsPublishing :exec
UPDATE posts SET status = 'publishing', updated_at = sqlc.arg(updated_at)
WHERE id = ANY(sqlc.arg(ids)::bigint[]) AND status IN ('scheduled', 'published', 'failed');

-- RefreshPostsStatus derives posts' status from their variants once
-- publishing has started: one statement, so two variants finishing together
-- cannot leave a stale status behind.
-- name: RefreshPostsStatus :exec
UPDATE posts SET status = CASE
    WHEN NOT EXISTS (SELECT 1 FROM post_variants v WHERE v.post_id = posts.id AND v.state NOT IN ('published', 'deleted'))
        THEN 'published'
    WHEN EXISTS (SELECT 1 FROM post_variants v WHERE v.post_id = posts.id AND v.state = 'publishing')
        THEN 'publishing'
    WHEN EXISTS (SELECT 1 FROM post_variants v WHERE v.post_id = posts.id AND v.state IN ('failed', 'unknown'))
         AND NOT EXISTS (SELECT 1 FROM post_variants v WHERE v.post_id = posts.id AND v.state IN ('queued', 'publishing'))
        THEN 'failed'
    ELSE status END,
    updated_at = sqlc.arg(updated_at)
WHERE posts.id = ANY(sqlc.arg(ids)::bigint[]) AND posts.status IN ('scheduled', 'publishing', 'published', 'failed');
