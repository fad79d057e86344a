-- name: CreatePublishPart :exec
INSERT INTO publish_parts (variant_id, seq, kind, text) VALUES (sqlc.arg(variant_id), sqlc.arg(seq), sqlc.arg(kind), sqlc.arg(text))
ON CONFLICT (variant_id, seq) DO NOTHING;

-- name: ListPublishParts :many
SELECT * FROM publish_parts WHERE variant_id = sqlc.arg(variant_id) ORDER BY seq;

-- ListPublishPartsOf reads the messages of several variants at once (the
-- publishing jobs that start together share one query).
-- name: ListPublishPartsOf :many
SELECT * FROM publish_parts WHERE variant_id IN (sqlc.slice(variant_ids)) ORDER BY variant_id, seq;

-- MarkPartInFlight moves a part from pending to in_flight; zero rows means
-- someone else got there first (or the part is not pending).
-- name: MarkPartInFlight :execrows
UPDATE publish_parts SET state = 'in_flight', attempt_key = sqlc.arg(attempt_key), in_flight_at = sqlc.arg(in_flight_at),
    in_flight_job = sqlc.arg(in_flight_job)
WHERE variant_id = sqlc.arg(variant_id) AND seq = sqlc.arg(seq) AND state = 'pending';

-- name: SetPartState :exec
UPDATE publish_parts SET state = sqlc.arg(state) WHERE variant_id = sqlc.arg(variant_id) AND seq = sqlc.arg(seq);

-- name: DeletePendingParts :exec
DELETE FROM publish_parts WHERE variant_id = sqlc.arg(variant_id) AND state = 'pending';

-- name: ListPublishLog :many
SELECT l.* FROM publish_log l JOIN post_variants v ON v.id = l.variant_id
WHERE v.post_id = sqlc.arg(post_id) ORDER BY l.at, l.id;

-- name: LastPublishErrors :many
SELECT l.* FROM publish_log l
WHERE l.outcome IN ('retry', 'failed', 'unknown') AND l.at >= sqlc.arg(since)
ORDER BY l.at DESC, l.id DESC LIMIT sqlc.arg(max_rows);

-- name: AddNotification :exec
INSERT INTO notifications (user_id, workspace_id, post_id, kind, title, body, created_at)
VALUES (sqlc.arg(user_id), sqlc.arg(workspace_id), sqlc.narg(post_id), sqlc.arg(kind), sqlc.arg(title), sqlc.arg(body),
        sqlc.arg(created_at));

-- name: ListNotifications :many
SELECT * FROM notifications WHERE user_id = sqlc.arg(user_id) ORDER BY created_at DESC, id DESC LIMIT sqlc.arg(max_rows);

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
WHERE v.id IN (sqlc.slice(ids));

-- StartVariants marks variants publishing and MarkPostsPublishing their
-- posts (the cheap update for the moment a variant starts, without reading
-- the variants); the publishing jobs committed together write them once for
-- all their variants and posts.
-- name: StartVariants :exec
UPDATE post_variants SET state = 'publishing', error = '', updated_at = sqlc.arg(updated_at)
WHERE id IN (sqlc.slice(ids));

-- name: MarkPostsPublishing :exec
UPDATE posts SET status = 'publishing', updated_at = sqlc.arg(updated_at)
WHERE id IN (sqlc.slice(ids)) AND status IN ('scheduled', 'published', 'failed');

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
WHERE posts.id IN (sqlc.slice(ids)) AND posts.status IN ('scheduled', 'publishing', 'published', 'failed');

-- The batched writes of the publishing jobs that commit together: one
-- statement per kind of row for the whole group instead of one per job. The
-- rows come as one JSON array of objects (store.Rows), times in the text
-- form SQLite's driver writes and PostgreSQL reads.

-- CreatePublishParts writes messages of several variants and returns the
-- ones it wrote; a message that already exists is left as it is (and not
-- returned). Rows: store.PartRow.
-- name: CreatePublishParts :many
INSERT INTO publish_parts (variant_id, seq, kind, text, state, attempt_key, in_flight_at, in_flight_job)
SELECT j.value ->> 'variant_id', j.value ->> 'seq', j.value ->> 'kind', j.value ->> 'text', j.value ->> 'state',
       j.value ->> 'attempt_key', j.value ->> 'in_flight_at', j.value ->> 'in_flight_job'
FROM jsonb_each(CAST(sqlc.arg(batch) AS TEXT)) AS j WHERE true
ON CONFLICT (variant_id, seq) DO NOTHING
RETURNING variant_id, seq, attempt_key;

-- MarkPartsDone records sent messages' network ids. Rows: store.PartDoneRow.
-- sqlc's SQLite grammar has no UPDATE ... FROM, so this is that update written
-- as an upsert of rows read from the table itself: every row conflicts and
-- is updated, none is inserted, and a message that no longer exists is
-- skipped (the plan looks each one up by its primary key).
-- name: MarkPartsDone :exec
INSERT INTO publish_parts (variant_id, seq, kind, text, state, external_id, external_cid, external_url, done_at)
SELECT p.variant_id, p.seq, p.kind, p.text, 'done', j.value ->> 'external_id', j.value ->> 'external_cid',
       j.value ->> 'external_url', j.value ->> 'done_at'
FROM jsonb_each(CAST(sqlc.arg(batch) AS TEXT)) AS j
JOIN publish_parts AS p ON p.variant_id = j.value ->> 'variant_id' AND p.seq = j.value ->> 'seq'
WHERE true
ON CONFLICT (variant_id, seq) DO UPDATE SET state = 'done', external_id = excluded.external_id,
    external_cid = excluded.external_cid, external_url = excluded.external_url, done_at = excluded.done_at;

-- AddPublishLogs writes publish log lines (one or many). Rows: store.LogRow.
-- name: AddPublishLogs :exec
INSERT INTO publish_log (variant_id, network, at, step, request, response, outcome, http_status, node)
SELECT j.value ->> 'variant_id', j.value ->> 'network', j.value ->> 'at', j.value ->> 'step', j.value ->> 'request',
       j.value ->> 'response', j.value ->> 'outcome', j.value ->> 'http_status', j.value ->> 'node'
FROM jsonb_each(CAST(sqlc.arg(batch) AS TEXT)) AS j;

-- MarkVariantsPublished marks variants published, once their messages are
-- done (earlier in the same transaction), with their first message's
-- network id and address.
-- name: MarkVariantsPublished :exec
UPDATE post_variants
SET state = 'published', error = '', published_at = sqlc.arg(published_at), updated_at = sqlc.arg(published_at),
    external_id = (SELECT p.external_id FROM publish_parts AS p WHERE p.variant_id = post_variants.id AND p.seq = 0),
    external_url = (SELECT p.external_url FROM publish_parts AS p WHERE p.variant_id = post_variants.id AND p.seq = 0)
WHERE id IN (sqlc.slice(ids));
