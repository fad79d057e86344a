-- name: CreatePublishPart :exec
INSERT INTO publish_parts (variant_id, seq, kind, text) VALUES (sqlc.arg(variant_id), sqlc.arg(seq), sqlc.arg(kind), sqlc.arg(text))
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

-- The batched writes of the publishing jobs that commit together: one
-- statement per kind of row for the whole group instead of one per job. The
-- rows come as one JSON array of objects (store.Rows), times in the text
-- form SQLite's driver writes and PostgreSQL reads.

-- CreatePublishParts writes messages of several variants and returns the
-- ones it wrote; a message that already exists is left as it is (and not
-- returned). Rows: store.PartRow.
-- name: CreatePublishParts :many
INSERT INTO publish_parts (variant_id, seq, kind, text, state, attempt_key, in_flight_at, in_flight_job)
SELECT r.variant_id, r.seq, r.kind, r.text, r.state, r.attempt_key, r.in_flight_at, r.in_flight_job
FROM jsonb_to_recordset(sqlc.arg(batch)::text::jsonb)
     AS r(variant_id bigint, seq bigint, kind text, text text, state text, attempt_key text, in_flight_at timestamptz,
          in_flight_job bigint)
ON CONFLICT (variant_id, seq) DO NOTHING
RETURNING variant_id, seq, attempt_key;

-- MarkPartsDone records sent messages' network ids. Rows: store.PartDoneRow.
-- The planner guesses 100 rows for any jsonb_to_recordset and, with
-- publish_parts small when the statement is planned (it fills during the
-- burst), picks a hash join over a sequential scan of the table; the variant
-- ids as an array let it look them up by primary key once the table has
-- rows, and the store plans this statement at each execution (planEach), so
-- that a plan made on the empty table is not kept.
-- name: MarkPartsDone :exec
UPDATE publish_parts AS p
SET state = 'done', external_id = r.external_id, external_cid = r.external_cid, external_url = r.external_url, done_at = r.done_at
FROM jsonb_to_recordset(sqlc.arg(batch)::text::jsonb)
     AS r(variant_id bigint, seq bigint, external_id text, external_cid text, external_url text, done_at timestamptz)
WHERE p.variant_id = r.variant_id AND p.seq = r.seq
  AND p.variant_id = ANY (ARRAY(SELECT (e ->> 'variant_id')::bigint FROM jsonb_array_elements(sqlc.arg(batch)::text::jsonb) AS e));

-- AddPublishLogs writes publish log lines (one or many). Rows: store.LogRow.
-- name: AddPublishLogs :exec
INSERT INTO publish_log (variant_id, network, at, step, request, response, outcome, http_status, node)
SELECT r.variant_id, r.network, r.at, r.step, r.request, r.response, r.outcome, r.http_status, r.node
FROM jsonb_to_recordset(sqlc.arg(batch)::text::jsonb)
     AS r(variant_id bigint, network text, at timestamptz, step text, request text, response text, outcome text,
          http_status bigint, node text);

-- MarkVariantsPublished marks variants published, once their messages are
-- done (earlier in the same transaction), with their first message's
-- network id and address.
-- name: MarkVariantsPublished :exec
UPDATE post_variants
SET state = 'published', error = '', published_at = sqlc.arg(published_at), updated_at = sqlc.arg(published_at),
    external_id = (SELECT p.external_id FROM publish_parts AS p WHERE p.variant_id = post_variants.id AND p.seq = 0),
    external_url = (SELECT p.external_url FROM publish_parts AS p WHERE p.variant_id = post_variants.id AND p.seq = 0)
WHERE id = ANY(sqlc.arg(ids)::bigint[]);
