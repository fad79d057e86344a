-- Sentiment corrections counted (issue 14, §5: "correctable by hand, the
-- correction is kept and counted"): a correction is an inbox_actions row
-- (action 'sentiment', detail "from → to"); this index lets a workspace's
-- count read only those rows.

-- +goose Up
CREATE INDEX inbox_actions_sentiment ON inbox_actions (workspace_id, created_at) WHERE action = 'sentiment';

-- +goose Down
DROP INDEX inbox_actions_sentiment;
