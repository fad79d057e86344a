-- Listening analysis (issue 15): the read side of the listening tables.
-- Every figure of the dashboard comes from the rollups (per topic, per
-- term and per author, by hour, day and month); only the mention list reads
-- mentions.

-- name: ListAnalysisTopics :many
SELECT id, workspace_id, name, kind, color, created_at FROM listen_topics
WHERE workspace_id = sqlc.arg(workspace_id)
ORDER BY name, id;

-- AnalysisHours is one topic's hourly rollups in [since, until).
-- name: ListAnalysisHours :many
SELECT hour, mentions::bigint AS mentions, positive::bigint AS positive, neutral::bigint AS neutral, negative::bigint AS negative, reach FROM mention_rollups
WHERE topic_id = sqlc.arg(topic_id) AND hour >= sqlc.arg(since) AND hour < sqlc.arg(until)
ORDER BY hour;

-- ListAnalysisDays is one topic's daily rollups (UTC days) in [since,
-- until): the series by day or week where the workspace's days are UTC days.
-- name: ListAnalysisDays :many
SELECT start_at, mentions, positive, neutral, negative, reach FROM mention_rollup_spans
WHERE topic_id = sqlc.arg(topic_id) AND grain = 'day' AND start_at >= sqlc.arg(since) AND start_at < sqlc.arg(until)
ORDER BY start_at;

-- The sums over a period read each stretch of it from the coarsest rollup
-- that covers it whole (migration 00027): the hours before its first UTC
-- midnight and after its last from the hourly rows, the days before its
-- first whole UTC month and after its last from the daily rows, and the
-- whole months from the monthly ones. The service cuts the period in
-- since <= days_since <= months_since <= months_until <= days_until <= until
-- (equal bounds where a stretch is empty).

-- ListAnalysisTopicTotals sums each topic of a workspace over [since, until):
-- share of voice and the previous period's KPIs.
-- name: ListAnalysisTopicTotals :many
SELECT topic_id, coalesce(sum(mentions), 0)::bigint AS mentions,
       coalesce(sum(positive), 0)::bigint AS positive,
       coalesce(sum(neutral), 0)::bigint AS neutral,
       coalesce(sum(negative), 0)::bigint AS negative,
       coalesce(sum(reach), 0)::bigint AS reach
FROM (
    SELECT topic_id, mentions, positive, neutral, negative, reach FROM mention_rollups x1 WHERE x1.workspace_id = sqlc.arg(workspace_id) AND x1.hour >= sqlc.arg(since) AND x1.hour < sqlc.arg(days_since)
    UNION ALL
    SELECT topic_id, mentions, positive, neutral, negative, reach FROM mention_rollups x2 WHERE x2.workspace_id = sqlc.arg(workspace_id) AND x2.hour >= sqlc.arg(days_until) AND x2.hour < sqlc.arg(until)
    UNION ALL
    SELECT topic_id, mentions, positive, neutral, negative, reach FROM mention_rollup_spans x3 WHERE x3.workspace_id = sqlc.arg(workspace_id) AND x3.grain = 'day' AND x3.start_at >= sqlc.arg(days_since) AND x3.start_at < sqlc.arg(months_since)
    UNION ALL
    SELECT topic_id, mentions, positive, neutral, negative, reach FROM mention_rollup_spans x4 WHERE x4.workspace_id = sqlc.arg(workspace_id) AND x4.grain = 'day' AND x4.start_at >= sqlc.arg(months_until) AND x4.start_at < sqlc.arg(days_until)
    UNION ALL
    SELECT topic_id, mentions, positive, neutral, negative, reach FROM mention_rollup_spans x5 WHERE x5.workspace_id = sqlc.arg(workspace_id) AND x5.grain = 'month' AND x5.start_at >= sqlc.arg(months_since) AND x5.start_at < sqlc.arg(months_until)
) r
GROUP BY topic_id
ORDER BY topic_id;

-- ListAnalysisTermTotals sums a topic's words and hashtags ('#tag') over
-- [since, until), most mentioned first: one pass over the term rollups
-- gives both rankings (the service keeps the first of each kind).
-- name: ListAnalysisTermTotals :many
SELECT term, sum(mentions)::bigint AS mentions
FROM (
    SELECT term, mentions FROM mention_term_rollups x6 WHERE x6.topic_id = sqlc.arg(topic_id) AND x6.hour >= sqlc.arg(since) AND x6.hour < sqlc.arg(days_since)
    UNION ALL
    SELECT term, mentions FROM mention_term_rollups x7 WHERE x7.topic_id = sqlc.arg(topic_id) AND x7.hour >= sqlc.arg(days_until) AND x7.hour < sqlc.arg(until)
    UNION ALL
    SELECT term, mentions FROM mention_term_spans x8 WHERE x8.topic_id = sqlc.arg(topic_id) AND x8.grain = 'day' AND x8.start_at >= sqlc.arg(days_since) AND x8.start_at < sqlc.arg(months_since)
    UNION ALL
    SELECT term, mentions FROM mention_term_spans x9 WHERE x9.topic_id = sqlc.arg(topic_id) AND x9.grain = 'day' AND x9.start_at >= sqlc.arg(months_until) AND x9.start_at < sqlc.arg(days_until)
    UNION ALL
    SELECT term, mentions FROM mention_term_spans x10 WHERE x10.topic_id = sqlc.arg(topic_id) AND x10.grain = 'month' AND x10.start_at >= sqlc.arg(months_since) AND x10.start_at < sqlc.arg(months_until)
) t
GROUP BY term
ORDER BY mentions DESC, term;

-- ListAnalysisTopAuthors ranks a topic's authors over the whole UTC days
-- in [days_since, days_until) (author rollups have no hours) by mentions
-- and, apart, by reach (the followers of the author of each mention, where
-- known, summed as the hourly reach is): one pass over the author rollups
-- feeds both rankings, told apart by by_reach.
-- name: ListAnalysisTopAuthors :many
WITH a AS MATERIALIZED (
    SELECT network, author, sum(mentions)::bigint AS mentions, max(followers)::bigint AS followers, sum(reach)::bigint AS reach
    FROM (
        SELECT network, author, mentions, followers, reach FROM mention_author_rollups x11 WHERE x11.topic_id = sqlc.arg(topic_id) AND x11.day >= sqlc.arg(days_since) AND x11.day < sqlc.arg(months_since)
        UNION ALL
        SELECT network, author, mentions, followers, reach FROM mention_author_rollups x12 WHERE x12.topic_id = sqlc.arg(topic_id) AND x12.day >= sqlc.arg(months_until) AND x12.day < sqlc.arg(days_until)
        UNION ALL
        SELECT network, author, mentions, followers, reach FROM mention_author_months x13 WHERE x13.topic_id = sqlc.arg(topic_id) AND x13.month >= sqlc.arg(months_since) AND x13.month < sqlc.arg(months_until)
    ) d
    GROUP BY network, author
)
SELECT * FROM (SELECT network, author, mentions, followers, reach, 0::bigint AS by_reach FROM a ORDER BY mentions DESC, network, author LIMIT sqlc.arg(max_rows)::bigint) m
UNION ALL
SELECT * FROM (SELECT network, author, mentions, followers, reach, 1::bigint AS by_reach FROM a WHERE reach > 0 ORDER BY reach DESC, network, author LIMIT sqlc.arg(max_rows)::bigint) r;

-- ListAnalysisMentions is the mention list, newest first, one page after
-- the keyset (before_at, before_id); each filter applies when its argument
-- is not NULL. query is found in the text, case-insensitively.
-- name: ListAnalysisMentions :many
SELECT m.id, m.network, m.external_id, m.url, m.author, m.author_name, m.author_followers, m.text, m.lang,
       m.sentiment, m.sentiment_score, m.posted_at
FROM mentions m
WHERE m.workspace_id = sqlc.arg(workspace_id)
  AND (m.posted_at < sqlc.arg(before_at)::timestamptz OR (m.posted_at = sqlc.arg(before_at)::timestamptz AND m.id < sqlc.arg(before_id)::bigint))
  AND (sqlc.narg(topic_id)::bigint IS NULL OR EXISTS (
        SELECT 1 FROM mention_topics t WHERE t.mention_id = m.id AND t.topic_id = sqlc.narg(topic_id)::bigint))
  AND (sqlc.narg(network)::text IS NULL OR m.network = sqlc.narg(network)::text)
  AND (sqlc.narg(sentiment)::text IS NULL OR m.sentiment = sqlc.narg(sentiment)::text)
  AND (sqlc.narg(lang)::text IS NULL OR m.lang = sqlc.narg(lang)::text)
  AND (sqlc.narg(author)::text IS NULL OR m.author = sqlc.narg(author)::text)
  AND (sqlc.narg(since)::timestamptz IS NULL OR m.posted_at >= sqlc.narg(since)::timestamptz)
  AND (sqlc.narg(until)::timestamptz IS NULL OR m.posted_at < sqlc.narg(until)::timestamptz)
  AND (sqlc.narg(query)::text IS NULL OR strpos(lower(m.text), lower(sqlc.narg(query)::text)) > 0)
ORDER BY m.posted_at DESC, m.id DESC
LIMIT sqlc.arg(max_rows)::bigint;

-- The Seed operations write listening rows directly, for tests and
-- benchmarks of the read side; the rollups are written by listen.Rollups,
-- the pipeline's own code, in tests too (analysistest).

-- name: SeedListenTopic :one
INSERT INTO listen_topics (workspace_id, name, kind, color, created_at)
VALUES (sqlc.arg(workspace_id), sqlc.arg(name), sqlc.arg(kind), '', sqlc.arg(created_at))
RETURNING id;

-- name: SeedMention :one
INSERT INTO mentions (workspace_id, network, external_id, url, author, author_name, author_followers, text, lang,
                      sentiment, sentiment_score, posted_at, received_at)
VALUES (sqlc.arg(workspace_id), sqlc.arg(network), sqlc.arg(external_id), sqlc.arg(url), sqlc.arg(author), sqlc.arg(author_name),
        sqlc.arg(author_followers), sqlc.arg(text), sqlc.arg(lang), sqlc.arg(sentiment), sqlc.arg(sentiment_score),
        sqlc.arg(posted_at), sqlc.arg(posted_at))
RETURNING id;

-- name: SeedMentionTopic :exec
INSERT INTO mention_topics (mention_id, topic_id, workspace_id, posted_at)
VALUES (sqlc.arg(mention_id), sqlc.arg(topic_id), sqlc.arg(workspace_id), sqlc.arg(posted_at));
