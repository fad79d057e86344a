-- Listening (issue 15): topics and their queries, sources with their cursor
-- and lease, and the pipeline's writes (mentions, their topics, the rollups
-- charts read).

-- name: CreateListenTopic :one
INSERT INTO listen_topics (workspace_id, name, kind, color, created_at)
VALUES (sqlc.arg(workspace_id), sqlc.arg(name), sqlc.arg(kind), sqlc.arg(color), sqlc.arg(created_at))
RETURNING id;

-- name: GetListenTopic :one
SELECT * FROM listen_topics WHERE id = sqlc.arg(id);

-- name: ListListenTopics :many
SELECT * FROM listen_topics WHERE workspace_id = sqlc.arg(workspace_id) ORDER BY name, id;

-- name: UpdateListenTopic :exec
UPDATE listen_topics SET name = sqlc.arg(name), kind = sqlc.arg(kind), color = sqlc.arg(color) WHERE id = sqlc.arg(id);

-- name: DeleteListenTopic :exec
DELETE FROM listen_topics WHERE id = sqlc.arg(id);

-- name: CreateListenQuery :one
INSERT INTO listen_queries (workspace_id, topic_id, name, query, include_own, enabled, created_by, created_at, updated_at)
VALUES (sqlc.arg(workspace_id), sqlc.arg(topic_id), sqlc.arg(name), sqlc.arg(query), sqlc.arg(include_own), sqlc.arg(enabled),
        sqlc.narg(created_by), sqlc.arg(created_at), sqlc.arg(created_at))
RETURNING id;

-- name: GetListenQuery :one
SELECT * FROM listen_queries WHERE id = sqlc.arg(id);

-- name: ListListenQueries :many
SELECT * FROM listen_queries WHERE workspace_id = sqlc.arg(workspace_id) ORDER BY topic_id, name, id;

-- name: UpdateListenQuery :exec
UPDATE listen_queries SET topic_id = sqlc.arg(topic_id), name = sqlc.arg(name), query = sqlc.arg(query),
    include_own = sqlc.arg(include_own), enabled = sqlc.arg(enabled), updated_at = sqlc.arg(updated_at)
WHERE id = sqlc.arg(id);

-- name: DeleteListenQuery :exec
DELETE FROM listen_queries WHERE id = sqlc.arg(id);

-- BumpListenQueriesVersion marks the workspace's queries changed: every
-- node's cached index of them is rebuilt at its next batch.
-- name: BumpListenQueriesVersion :exec
INSERT INTO listen_settings (workspace_id, queries_version) VALUES (sqlc.arg(workspace_id), 1)
ON CONFLICT (workspace_id) DO UPDATE SET queries_version = listen_settings.queries_version + 1;

-- name: GetListenQueriesVersion :one
SELECT queries_version FROM listen_settings WHERE workspace_id = sqlc.arg(workspace_id);

-- name: CreateListenSource :one
INSERT INTO listen_sources (workspace_id, kind, name, config, secret, enabled, created_at, updated_at)
VALUES (sqlc.arg(workspace_id), sqlc.arg(kind), sqlc.arg(name), sqlc.arg(config), sqlc.narg(secret), sqlc.arg(enabled),
        sqlc.arg(created_at), sqlc.arg(created_at))
RETURNING id;

-- name: GetListenSource :one
SELECT * FROM listen_sources WHERE id = sqlc.arg(id);

-- name: ListListenSources :many
SELECT * FROM listen_sources WHERE workspace_id = sqlc.arg(workspace_id) ORDER BY name, id;

-- UpdateListenSource saves an edit: a failed source is tried again.
-- name: UpdateListenSource :exec
UPDATE listen_sources SET name = sqlc.arg(name), config = sqlc.arg(config), secret = sqlc.narg(secret),
    enabled = sqlc.arg(enabled), failed = FALSE, updated_at = sqlc.arg(updated_at)
WHERE id = sqlc.arg(id);

-- name: DeleteListenSource :exec
DELETE FROM listen_sources WHERE id = sqlc.arg(id);

-- ListRunnableListenSources lists the sources a runner should consume:
-- enabled and not failed.
-- name: ListRunnableListenSources :many
SELECT id, workspace_id, kind, updated_at FROM listen_sources WHERE enabled AND NOT failed ORDER BY id;

-- ClaimListenSource takes or renews the source's lease for a node: 1 when
-- the node holds it (it held it, nobody did, or the holder's lease ran
-- out). One UPDATE re-reads the row it locks, so two nodes cannot both
-- get 1.
-- name: ClaimListenSource :execrows
UPDATE listen_sources SET node_id = sqlc.arg(node_id), lease_until = sqlc.arg(lease_until)
WHERE id = sqlc.arg(id) AND enabled AND NOT failed
  AND (node_id = sqlc.arg(node_id) OR lease_until IS NULL OR lease_until <= sqlc.arg(now));

-- name: ReleaseListenSource :exec
UPDATE listen_sources SET node_id = '', lease_until = NULL WHERE id = sqlc.arg(id) AND node_id = sqlc.arg(node_id);

-- SetListenSourceError records a failure the runner recovers from (shown
-- on the sources page); failed marks one it does not.
-- name: SetListenSourceError :exec
UPDATE listen_sources SET last_error = sqlc.arg(last_error), last_error_at = sqlc.narg(last_error_at), failed = sqlc.arg(failed)
WHERE id = sqlc.arg(id);

-- AdvanceListenSource stores the cursor after a batch and counts what it
-- saw and matched, in the batch's transaction.
-- name: AdvanceListenSource :exec
UPDATE listen_sources SET cursor = sqlc.arg(cursor), cursor_at = sqlc.arg(cursor_at),
    seen = seen + sqlc.arg(seen), matched = matched + sqlc.arg(matched)
WHERE id = sqlc.arg(id);

-- ListRecentMentions reads the newest mentions posted since a time (the
-- query editor's preview).
-- name: ListRecentMentions :many
SELECT id, network, external_id, url, author, text, lang, posted_at FROM mentions
WHERE workspace_id = sqlc.arg(workspace_id) AND posted_at >= sqlc.arg(since)
ORDER BY posted_at DESC, id DESC LIMIT sqlc.arg(lim);

-- name: CountMentions :one
SELECT COUNT(*) FROM mentions WHERE workspace_id = sqlc.arg(workspace_id);

-- ListTopicRollups reads a topic's hourly rollups in a window.
-- name: ListTopicRollups :many
SELECT * FROM mention_rollups WHERE topic_id = sqlc.arg(topic_id) AND hour >= sqlc.arg(since) ORDER BY hour;

-- name: ListTopicTermRollups :many
SELECT * FROM mention_term_rollups WHERE topic_id = sqlc.arg(topic_id) AND hour >= sqlc.arg(since) ORDER BY hour, term;

-- name: ListTopicAuthorRollups :many
SELECT * FROM mention_author_rollups WHERE topic_id = sqlc.arg(topic_id) AND day >= sqlc.arg(since) ORDER BY day, network, author;

-- ListListenRetention gives each workspace with listening data its
-- retention in months (13 by default).
-- name: ListListenRetention :many
SELECT w.id AS workspace_id, CAST(COALESCE(s.retention_months, 13) AS INTEGER) AS retention_months
FROM workspaces w LEFT JOIN listen_settings s ON s.workspace_id = w.id
WHERE EXISTS (SELECT 1 FROM listen_topics t WHERE t.workspace_id = w.id)
ORDER BY w.id;

-- GetListenRetention is the workspace's retention in months: the
-- saved one, or 13 when it never set one.
-- name: GetListenRetention :one
SELECT CAST(COALESCE((SELECT s.retention_months FROM listen_settings s WHERE s.workspace_id = sqlc.arg(workspace_id)), 13) AS INTEGER) AS retention_months;

-- name: SetListenRetention :exec
INSERT INTO listen_settings (workspace_id, retention_months) VALUES (sqlc.arg(workspace_id), sqlc.arg(retention_months))
ON CONFLICT (workspace_id) DO UPDATE SET retention_months = excluded.retention_months;

-- name: DeleteMentionsBefore :execrows
DELETE FROM mentions WHERE workspace_id = sqlc.arg(workspace_id) AND posted_at < sqlc.arg(before);

-- name: DeleteMentionRollupsBefore :exec
DELETE FROM mention_rollups WHERE workspace_id = sqlc.arg(workspace_id) AND hour < sqlc.arg(before);

-- name: DeleteMentionTermRollupsBefore :exec
DELETE FROM mention_term_rollups WHERE workspace_id = sqlc.arg(workspace_id) AND hour < sqlc.arg(before);

-- name: DeleteMentionAuthorRollupsBefore :exec
DELETE FROM mention_author_rollups WHERE workspace_id = sqlc.arg(workspace_id) AND day < sqlc.arg(before);

-- The coarser rollups before the retention's cut (a UTC midnight): days
-- before it go; the month it falls in is trimmed, rebuilt from its days
-- that stay (TrimMention*Month, after the days went), so that a month read
-- whole counts exactly what the retention kept. No ON CONFLICT: should a
-- concurrent batch write that month's row between the delete and the
-- rebuild (PostgreSQL), the retention fails and runs again next time
-- rather than overwrite a count it may not have seen.
-- name: DeleteMentionRollupSpansBefore :exec
DELETE FROM mention_rollup_spans WHERE workspace_id = sqlc.arg(workspace_id) AND start_at < sqlc.arg(before);

-- name: TrimMentionRollupMonth :exec
INSERT INTO mention_rollup_spans (workspace_id, topic_id, grain, start_at, mentions, positive, neutral, negative, reach)
SELECT d.workspace_id, d.topic_id, 'month', sqlc.arg(month), sum(mentions), sum(positive), sum(neutral), sum(negative), sum(reach)
FROM mention_rollup_spans d
WHERE d.workspace_id = sqlc.arg(workspace_id) AND d.grain = 'day' AND d.start_at >= sqlc.arg(before) AND d.start_at < sqlc.arg(month_end)
GROUP BY d.workspace_id, d.topic_id;

-- name: DeleteMentionTermSpansBefore :exec
DELETE FROM mention_term_spans WHERE workspace_id = sqlc.arg(workspace_id) AND start_at < sqlc.arg(before);

-- name: TrimMentionTermMonth :exec
INSERT INTO mention_term_spans (workspace_id, topic_id, grain, start_at, term, mentions)
SELECT d.workspace_id, d.topic_id, 'month', sqlc.arg(month), term, sum(mentions)
FROM mention_term_spans d
WHERE d.workspace_id = sqlc.arg(workspace_id) AND d.grain = 'day' AND d.start_at >= sqlc.arg(before) AND d.start_at < sqlc.arg(month_end)
GROUP BY d.workspace_id, d.topic_id, d.term;

-- name: DeleteMentionAuthorMonthsBefore :exec
DELETE FROM mention_author_months WHERE workspace_id = sqlc.arg(workspace_id) AND month < sqlc.arg(before);

-- name: TrimMentionAuthorMonth :exec
INSERT INTO mention_author_months (workspace_id, topic_id, month, network, author, mentions, followers, reach)
SELECT d.workspace_id, d.topic_id, sqlc.arg(month), d.network, d.author, sum(mentions), max(followers), sum(reach)
FROM mention_author_rollups d
WHERE d.workspace_id = sqlc.arg(workspace_id) AND d.day >= sqlc.arg(before) AND d.day < sqlc.arg(month_end)
GROUP BY d.workspace_id, d.topic_id, d.network, d.author;

-- The pipeline's batched writes: a batch's rows travel as one JSON array
-- (store.Rows), so that a batch costs a handful of statements whatever its
-- size. Rows: store.MentionRow; a mention already stored (a replay,
-- another source) is not returned.
-- name: InsertMentions :many
INSERT INTO mentions (workspace_id, source_id, network, external_id, url, author, author_name, author_followers, text, lang,
                      sentiment, sentiment_score, posted_at, received_at)
SELECT j.value ->> 'workspace_id', j.value ->> 'source_id', j.value ->> 'network', j.value ->> 'external_id', j.value ->> 'url',
       j.value ->> 'author', j.value ->> 'author_name', j.value ->> 'author_followers', j.value ->> 'text', j.value ->> 'lang',
       j.value ->> 'sentiment', j.value ->> 'sentiment_score', j.value ->> 'posted_at', j.value ->> 'received_at'
FROM jsonb_each(CAST(sqlc.arg(batch) AS TEXT)) AS j WHERE true
ON CONFLICT (workspace_id, network, external_id) DO NOTHING
RETURNING id, network, external_id;

-- Rows: store.MentionTopicRow.
-- name: InsertMentionTopics :exec
INSERT INTO mention_topics (mention_id, topic_id, query_id, workspace_id, posted_at)
SELECT j.value ->> 'mention_id', j.value ->> 'topic_id', j.value ->> 'query_id', j.value ->> 'workspace_id', j.value ->> 'posted_at'
FROM jsonb_each(CAST(sqlc.arg(batch) AS TEXT)) AS j WHERE true
ON CONFLICT (mention_id, topic_id) DO NOTHING;

-- Rows: store.MentionRollupRow, one per (topic, hour).
-- name: AddMentionRollups :exec
INSERT INTO mention_rollups (workspace_id, topic_id, hour, mentions, positive, neutral, negative, reach)
SELECT j.value ->> 'workspace_id', j.value ->> 'topic_id', j.value ->> 'hour', j.value ->> 'mentions', j.value ->> 'positive',
       j.value ->> 'neutral', j.value ->> 'negative', j.value ->> 'reach'
FROM jsonb_each(CAST(sqlc.arg(batch) AS TEXT)) AS j WHERE true
ON CONFLICT (topic_id, hour) DO UPDATE SET mentions = mention_rollups.mentions + excluded.mentions,
    positive = mention_rollups.positive + excluded.positive, neutral = mention_rollups.neutral + excluded.neutral,
    negative = mention_rollups.negative + excluded.negative, reach = mention_rollups.reach + excluded.reach;

-- Rows: store.TermRollupRow, one per (topic, hour, term).
-- name: AddMentionTermRollups :exec
INSERT INTO mention_term_rollups (workspace_id, topic_id, hour, term, mentions)
SELECT j.value ->> 'workspace_id', j.value ->> 'topic_id', j.value ->> 'hour', j.value ->> 'term', j.value ->> 'mentions'
FROM jsonb_each(CAST(sqlc.arg(batch) AS TEXT)) AS j WHERE true
ON CONFLICT (topic_id, hour, term) DO UPDATE SET mentions = mention_term_rollups.mentions + excluded.mentions;

-- Rows: store.AuthorRollupRow, one per (topic, day, network, author).
-- name: AddMentionAuthorRollups :exec
INSERT INTO mention_author_rollups (workspace_id, topic_id, day, network, author, mentions, followers, reach)
SELECT j.value ->> 'workspace_id', j.value ->> 'topic_id', j.value ->> 'day', j.value ->> 'network', j.value ->> 'author',
       j.value ->> 'mentions', j.value ->> 'followers', j.value ->> 'reach'
FROM jsonb_each(CAST(sqlc.arg(batch) AS TEXT)) AS j WHERE true
ON CONFLICT (topic_id, day, network, author) DO UPDATE SET mentions = mention_author_rollups.mentions + excluded.mentions,
    followers = max(mention_author_rollups.followers, excluded.followers), reach = mention_author_rollups.reach + excluded.reach;

-- The coarser rollups (migration 00027), kept in the same transaction so
-- that the dashboard reads whole months and days where it can.
-- Rows: store.RollupSpanRow, one per (topic, grain, start).
-- name: AddMentionRollupSpans :exec
INSERT INTO mention_rollup_spans (workspace_id, topic_id, grain, start_at, mentions, positive, neutral, negative, reach)
SELECT j.value ->> 'workspace_id', j.value ->> 'topic_id', j.value ->> 'grain', j.value ->> 'start_at', j.value ->> 'mentions',
       j.value ->> 'positive', j.value ->> 'neutral', j.value ->> 'negative', j.value ->> 'reach'
FROM jsonb_each(CAST(sqlc.arg(batch) AS TEXT)) AS j WHERE true
ON CONFLICT (topic_id, grain, start_at) DO UPDATE SET mentions = mention_rollup_spans.mentions + excluded.mentions,
    positive = mention_rollup_spans.positive + excluded.positive, neutral = mention_rollup_spans.neutral + excluded.neutral,
    negative = mention_rollup_spans.negative + excluded.negative, reach = mention_rollup_spans.reach + excluded.reach;

-- Rows: store.TermSpanRow, one per (topic, grain, start, term).
-- name: AddMentionTermSpans :exec
INSERT INTO mention_term_spans (workspace_id, topic_id, grain, start_at, term, mentions)
SELECT j.value ->> 'workspace_id', j.value ->> 'topic_id', j.value ->> 'grain', j.value ->> 'start_at', j.value ->> 'term', j.value ->> 'mentions'
FROM jsonb_each(CAST(sqlc.arg(batch) AS TEXT)) AS j WHERE true
ON CONFLICT (topic_id, grain, start_at, term) DO UPDATE SET mentions = mention_term_spans.mentions + excluded.mentions;

-- Rows: store.AuthorRollupRow with Day the month, one per (topic, month,
-- network, author).
-- name: AddMentionAuthorMonths :exec
INSERT INTO mention_author_months (workspace_id, topic_id, month, network, author, mentions, followers, reach)
SELECT j.value ->> 'workspace_id', j.value ->> 'topic_id', j.value ->> 'day', j.value ->> 'network', j.value ->> 'author',
       j.value ->> 'mentions', j.value ->> 'followers', j.value ->> 'reach'
FROM jsonb_each(CAST(sqlc.arg(batch) AS TEXT)) AS j WHERE true
ON CONFLICT (topic_id, month, network, author) DO UPDATE SET mentions = mention_author_months.mentions + excluded.mentions,
    followers = max(mention_author_months.followers, excluded.followers), reach = mention_author_months.reach + excluded.reach;
