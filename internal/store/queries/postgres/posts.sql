-- name: CreatePost :one
INSERT INTO posts (workspace_id, author_id, status, scheduled_at, scheduled_local, timezone, tags, version,
                   schedule_rev, duplicate_of, created_at, updated_at)
VALUES (sqlc.arg(workspace_id), sqlc.arg(author_id), sqlc.arg(status), sqlc.narg(scheduled_at),
        sqlc.arg(scheduled_local), sqlc.arg(timezone), sqlc.arg(tags), 1, 0, sqlc.narg(duplicate_of),
        sqlc.arg(created_at), sqlc.arg(created_at))
RETURNING *;

-- name: GetPost :one
SELECT * FROM posts WHERE id = sqlc.arg(id);

-- name: UpdatePost :exec
UPDATE posts
SET status = sqlc.arg(status), scheduled_at = sqlc.narg(scheduled_at), scheduled_local = sqlc.arg(scheduled_local),
    timezone = sqlc.arg(timezone), tags = sqlc.arg(tags), version = sqlc.arg(version),
    schedule_rev = sqlc.arg(schedule_rev), duplicate_of = sqlc.narg(duplicate_of), updated_at = sqlc.arg(updated_at)
WHERE id = sqlc.arg(id);

-- name: SetPostStatus :exec
UPDATE posts SET status = sqlc.arg(status), updated_at = sqlc.arg(updated_at) WHERE id = sqlc.arg(id);

-- name: DeletePost :exec
DELETE FROM posts WHERE id = sqlc.arg(id);

-- ListPostsInRange serves the calendar: posts of a workspace whose instant
-- falls in [from, to), with optional filters (NULL: no filter). after_id is
-- a keyset cursor for reading a range page by page: with range_from set to
-- the last page's last instant, it skips the posts of that instant already
-- read (0 skips nothing).
-- ListPostHeadsInRange is ListPostsInRange for the calendar's views: only
-- what they show of a post (reading every time column of 5,000 rows was a
-- third of the month view's time on SQLite).
-- name: ListPostHeadsInRange :many
SELECT p.id, p.status, p.scheduled_at FROM posts p
WHERE p.workspace_id = sqlc.arg(workspace_id)
  AND p.scheduled_at >= sqlc.arg(range_from) AND p.scheduled_at < sqlc.arg(range_to)
  AND (p.scheduled_at > sqlc.arg(range_from) OR p.id > sqlc.arg(after_id)::bigint)
  AND (sqlc.narg(status)::text IS NULL OR p.status = sqlc.narg(status)::text)
  AND (sqlc.narg(author_id)::bigint IS NULL OR p.author_id = sqlc.narg(author_id)::bigint)
  AND (sqlc.narg(tag)::text IS NULL OR p.tags::jsonb @> jsonb_build_array(sqlc.narg(tag)::text))
  AND (sqlc.narg(channel_id)::bigint IS NULL OR EXISTS (
        SELECT 1 FROM post_variants v WHERE v.post_id = p.id AND v.channel_id = sqlc.narg(channel_id)::bigint))
ORDER BY p.scheduled_at, p.id
LIMIT sqlc.arg(max_rows)::bigint;

-- name: ListPostsInRange :many
SELECT * FROM posts p
WHERE p.workspace_id = sqlc.arg(workspace_id)
  AND p.scheduled_at >= sqlc.arg(range_from) AND p.scheduled_at < sqlc.arg(range_to)
  AND (p.scheduled_at > sqlc.arg(range_from) OR p.id > sqlc.arg(after_id)::bigint)
  AND (sqlc.narg(status)::text IS NULL OR p.status = sqlc.narg(status)::text)
  AND (sqlc.narg(author_id)::bigint IS NULL OR p.author_id = sqlc.narg(author_id)::bigint)
  AND (sqlc.narg(tag)::text IS NULL OR p.tags::jsonb @> jsonb_build_array(sqlc.narg(tag)::text))
  AND (sqlc.narg(channel_id)::bigint IS NULL OR EXISTS (
        SELECT 1 FROM post_variants v WHERE v.post_id = p.id AND v.channel_id = sqlc.narg(channel_id)::bigint))
ORDER BY p.scheduled_at, p.id
LIMIT sqlc.arg(max_rows)::bigint;

-- name: ListUnscheduledPosts :many
SELECT * FROM posts
WHERE workspace_id = sqlc.arg(workspace_id) AND scheduled_at IS NULL
ORDER BY updated_at DESC, id DESC
LIMIT sqlc.arg(max_rows)::bigint;

-- name: ListPostsByStatus :many
SELECT * FROM posts
WHERE workspace_id = sqlc.arg(workspace_id) AND status = sqlc.arg(status)
ORDER BY updated_at DESC, id DESC
LIMIT sqlc.arg(max_rows)::bigint;

-- name: CreateVariant :one
INSERT INTO post_variants (post_id, channel_id, text, link, first_comment, thread, media_ids, visibility, state, content_hash, updated_at)
VALUES (sqlc.arg(post_id), sqlc.arg(channel_id), sqlc.arg(text), sqlc.arg(link), sqlc.arg(first_comment),
        sqlc.arg(thread), sqlc.arg(media_ids), sqlc.arg(visibility), sqlc.arg(state), sqlc.arg(content_hash), sqlc.arg(updated_at))
RETURNING *;

-- name: UpdateVariantContent :exec
UPDATE post_variants
SET text = sqlc.arg(text), link = sqlc.arg(link), first_comment = sqlc.arg(first_comment), thread = sqlc.arg(thread),
    media_ids = sqlc.arg(media_ids), visibility = sqlc.arg(visibility), content_hash = sqlc.arg(content_hash),
    updated_at = sqlc.arg(updated_at)
WHERE id = sqlc.arg(id);

-- name: DeleteVariant :exec
DELETE FROM post_variants WHERE id = sqlc.arg(id);

-- name: GetVariant :one
SELECT * FROM post_variants WHERE id = sqlc.arg(id);

-- name: ListVariantsByPost :many
SELECT * FROM post_variants WHERE post_id = sqlc.arg(post_id) ORDER BY id;

-- name: ListVariantsByPosts :many
SELECT * FROM post_variants WHERE post_id = ANY(sqlc.arg(post_ids)::bigint[]) ORDER BY post_id, id;

-- name: SetVariantState :exec
UPDATE post_variants SET state = sqlc.arg(state), error = sqlc.arg(error), updated_at = sqlc.arg(updated_at)
WHERE id = sqlc.arg(id);

-- name: SetVariantJob :exec
UPDATE post_variants SET river_job_id = sqlc.narg(river_job_id), state = sqlc.arg(state), error = '', updated_at = sqlc.arg(updated_at)
WHERE id = sqlc.arg(id);

-- name: SetVariantUploadedMedia :exec
UPDATE post_variants SET uploaded_media = sqlc.arg(uploaded_media), updated_at = sqlc.arg(updated_at) WHERE id = sqlc.arg(id);

-- FindDuplicateVariant looks for the same text on the same channel, scheduled
-- or published within the window, in another post.
-- name: FindDuplicateVariant :one
SELECT v.post_id FROM post_variants v JOIN posts p ON p.id = v.post_id
WHERE v.channel_id = sqlc.arg(channel_id) AND v.content_hash = sqlc.arg(content_hash) AND v.post_id <> sqlc.arg(post_id)
  AND v.state NOT IN ('failed', 'deleted')
  AND p.status IN ('scheduled', 'publishing', 'published', 'approved', 'needs_approval')
  AND COALESCE(v.published_at, p.scheduled_at) >= sqlc.arg(window_from)
  AND COALESCE(v.published_at, p.scheduled_at) <= sqlc.arg(window_to)
LIMIT 1;

-- ListHeldVariants lists a workspace's variants held by the crisis switch
-- (the literal state lets the partial index post_variants_held serve it).
-- name: ListHeldVariants :many
SELECT v.* FROM post_variants v JOIN posts p ON p.id = v.post_id
WHERE p.workspace_id = sqlc.arg(workspace_id) AND v.state = 'held'
ORDER BY p.scheduled_at, v.id;

-- name: AddPostVersion :exec
INSERT INTO post_versions (post_id, version, author_id, snapshot, created_at)
VALUES (sqlc.arg(post_id), sqlc.arg(version), sqlc.narg(author_id), sqlc.arg(snapshot), sqlc.arg(created_at));

-- name: ListPostVersions :many
SELECT * FROM post_versions WHERE post_id = sqlc.arg(post_id) ORDER BY version DESC;

-- name: AddComment :one
INSERT INTO post_comments (post_id, user_id, author_name, body, created_at)
VALUES (sqlc.arg(post_id), sqlc.narg(user_id), sqlc.arg(author_name), sqlc.arg(body), sqlc.arg(created_at))
RETURNING *;

-- name: ListComments :many
SELECT * FROM post_comments WHERE post_id = sqlc.arg(post_id) ORDER BY created_at, id;

-- name: CreateApprovalLink :one
INSERT INTO approval_links (post_id, token_hash, reviewer_name, created_by, expires_at, created_at)
VALUES (sqlc.arg(post_id), sqlc.arg(token_hash), sqlc.arg(reviewer_name), sqlc.arg(created_by), sqlc.arg(expires_at),
        sqlc.arg(created_at))
RETURNING *;

-- name: GetApprovalLinkByHash :one
SELECT * FROM approval_links WHERE token_hash = sqlc.arg(token_hash);

-- name: DecideApprovalLink :execrows
UPDATE approval_links SET decision = sqlc.arg(decision), reason = sqlc.arg(reason), decided_at = sqlc.arg(decided_at)
WHERE id = sqlc.arg(id) AND decision = '';

-- name: ListApprovalLinks :many
SELECT * FROM approval_links WHERE post_id = sqlc.arg(post_id) ORDER BY created_at DESC;

-- name: ListChannelScheduledTimes :many
SELECT p.scheduled_at FROM posts p JOIN post_variants v ON v.post_id = p.id
WHERE v.channel_id = sqlc.arg(channel_id) AND p.scheduled_at >= sqlc.arg(range_from) AND p.scheduled_at < sqlc.arg(range_to)
ORDER BY p.scheduled_at;

-- name: ListVariantHeadsByPosts :many
-- What the calendar shows of each variant: far less to read than the whole row.
SELECT id, post_id, channel_id, state, left(text, 200)::text AS text_head, external_url
FROM post_variants WHERE post_id = ANY(sqlc.arg(post_ids)::bigint[]) ORDER BY post_id, id;
