-- Listening analysis (issue 15): covering indexes for the dashboard's sums.
-- A dashboard of 13 months reads about 9,500 hourly rows per topic and
-- tens of thousands of term and author rows; with the summed columns
-- INCLUDEd, PostgreSQL answers by index-only scans (once autovacuum has
-- marked the pages all-visible, which it does for insert-mostly tables).
-- The cost is one more index entry per rollup row the pipeline writes.

-- +goose Up
CREATE INDEX mention_rollups_topic_sums ON mention_rollups (topic_id, hour) INCLUDE (mentions, positive, neutral, negative, reach);
CREATE INDEX mention_rollups_workspace_sums ON mention_rollups (workspace_id, hour) INCLUDE (topic_id, mentions, positive, neutral, negative, reach);
CREATE INDEX mention_term_rollups_sums ON mention_term_rollups (topic_id, hour) INCLUDE (term, mentions);
CREATE INDEX mention_author_rollups_sums ON mention_author_rollups (topic_id, day) INCLUDE (network, author, mentions, followers);

-- +goose Down
DROP INDEX mention_author_rollups_sums;
DROP INDEX mention_term_rollups_sums;
DROP INDEX mention_rollups_workspace_sums;
DROP INDEX mention_rollups_topic_sums;
