-- Listening analysis (issue 15): covering indexes for the dashboard's sums.
-- A dashboard of 13 months reads about 9,500 hourly rows per topic and
-- tens of thousands of term and author rows; read from these indexes alone
-- (every column the sums need is in the index), SQLite never jumps from an
-- index entry to the table row, which was most of the time. The cost is one
-- more index entry per rollup row the pipeline writes.

-- +goose Up
CREATE INDEX mention_rollups_topic_sums ON mention_rollups (topic_id, hour, mentions, positive, neutral, negative, reach);
CREATE INDEX mention_rollups_workspace_sums ON mention_rollups (workspace_id, hour, topic_id, mentions, positive, neutral, negative, reach);
CREATE INDEX mention_term_rollups_sums ON mention_term_rollups (topic_id, hour, term, mentions);
CREATE INDEX mention_author_rollups_sums ON mention_author_rollups (topic_id, day, network, author, mentions, followers);

-- +goose Down
DROP INDEX mention_author_rollups_sums;
DROP INDEX mention_term_rollups_sums;
DROP INDEX mention_rollups_workspace_sums;
DROP INDEX mention_rollups_topic_sums;
