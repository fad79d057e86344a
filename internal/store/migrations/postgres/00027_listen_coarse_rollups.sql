-- Listening dashboard over 13 months (issue 15 §3, p95 < 150 ms): coarser
-- rollups, kept by the pipeline in the same transaction as the hourly ones.
-- Summed at request time from hourly term rows and daily author rows, 13
-- months of a busy topic read 570,000 term rows and 792,000 author rows;
-- from whole months with only the ragged edges from days and hours, a few
-- thousand. Every row is per UTC hour, day or month (grain 'day' or
-- 'month' starting at start_at), like the hourly rollups.
--
-- The author reach becomes a sum over the mentions (the followers each
-- mention's author had, when known), as the hourly reach is, so that it
-- adds up from days to months exactly; the rows already written keep the
-- value the dashboard used to compute (mentions × the day's followers).

-- +goose Up
ALTER TABLE mention_author_rollups ADD COLUMN reach BIGINT NOT NULL DEFAULT 0;
UPDATE mention_author_rollups SET reach = mentions * followers WHERE followers > 0;

CREATE TABLE mention_rollup_spans (
    workspace_id BIGINT NOT NULL,
    topic_id     BIGINT NOT NULL REFERENCES listen_topics (id) ON DELETE CASCADE,
    -- day | month
    grain        TEXT NOT NULL,
    start_at     TIMESTAMPTZ NOT NULL,
    mentions     BIGINT NOT NULL DEFAULT 0,
    positive     BIGINT NOT NULL DEFAULT 0,
    neutral      BIGINT NOT NULL DEFAULT 0,
    negative     BIGINT NOT NULL DEFAULT 0,
    reach        BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (topic_id, grain, start_at)
);
CREATE INDEX mention_rollup_spans_workspace ON mention_rollup_spans (workspace_id, grain, start_at) INCLUDE (topic_id, mentions, positive, neutral, negative, reach);

CREATE TABLE mention_term_spans (
    workspace_id BIGINT NOT NULL,
    topic_id     BIGINT NOT NULL REFERENCES listen_topics (id) ON DELETE CASCADE,
    grain        TEXT NOT NULL,
    start_at     TIMESTAMPTZ NOT NULL,
    term         TEXT NOT NULL,
    mentions     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (topic_id, grain, start_at, term)
);
CREATE INDEX mention_term_spans_workspace ON mention_term_spans (workspace_id, grain, start_at);

CREATE TABLE mention_author_months (
    workspace_id BIGINT NOT NULL,
    topic_id     BIGINT NOT NULL REFERENCES listen_topics (id) ON DELETE CASCADE,
    month        TIMESTAMPTZ NOT NULL,
    network      TEXT NOT NULL,
    author       TEXT NOT NULL,
    mentions     BIGINT NOT NULL DEFAULT 0,
    followers    BIGINT NOT NULL DEFAULT -1,
    reach        BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (topic_id, month, network, author)
);
CREATE INDEX mention_author_months_workspace ON mention_author_months (workspace_id, month);

-- The listening data already stored, rolled up the same way, by
-- UTC days and months, as the pipeline cuts them.
INSERT INTO mention_rollup_spans (workspace_id, topic_id, grain, start_at, mentions, positive, neutral, negative, reach)
SELECT workspace_id, topic_id, 'day', date_trunc('day', hour AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', sum(mentions), sum(positive), sum(neutral), sum(negative), sum(reach)
FROM mention_rollups GROUP BY workspace_id, topic_id, date_trunc('day', hour AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
INSERT INTO mention_rollup_spans (workspace_id, topic_id, grain, start_at, mentions, positive, neutral, negative, reach)
SELECT workspace_id, topic_id, 'month', date_trunc('month', hour AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', sum(mentions), sum(positive), sum(neutral), sum(negative), sum(reach)
FROM mention_rollups GROUP BY workspace_id, topic_id, date_trunc('month', hour AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
INSERT INTO mention_term_spans (workspace_id, topic_id, grain, start_at, term, mentions)
SELECT workspace_id, topic_id, 'day', date_trunc('day', hour AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', term, sum(mentions)
FROM mention_term_rollups GROUP BY workspace_id, topic_id, date_trunc('day', hour AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', term;
INSERT INTO mention_term_spans (workspace_id, topic_id, grain, start_at, term, mentions)
SELECT workspace_id, topic_id, 'month', date_trunc('month', hour AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', term, sum(mentions)
FROM mention_term_rollups GROUP BY workspace_id, topic_id, date_trunc('month', hour AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', term;
INSERT INTO mention_author_months (workspace_id, topic_id, month, network, author, mentions, followers, reach)
SELECT workspace_id, topic_id, date_trunc('month', day AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', network, author, sum(mentions), max(followers), sum(reach)
FROM mention_author_rollups GROUP BY workspace_id, topic_id, date_trunc('month', day AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', network, author;

-- +goose Down
DROP TABLE mention_author_months;
DROP TABLE mention_term_spans;
DROP TABLE mention_rollup_spans;
ALTER TABLE mention_author_rollups DROP COLUMN reach;
