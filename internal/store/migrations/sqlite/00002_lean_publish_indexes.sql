-- Indexes the publishing path no longer pays for. Every index on a column a
-- publication changes costs an index write at each change, and a post goes
-- scheduled -> publishing -> published (its variant queued -> publishing ->
-- published) with a log line, ten thousand times a minute in a burst:
--
-- * posts (workspace_id, status) served no query that the calendar index
--   (workspace_id, scheduled_at) does not serve as well;
-- * post_variants (state) is only ever searched for held variants (the
--   crisis switch's resume page): a partial index holds just those, and a
--   variant that never is held never enters it;
-- * publish_log (network, outcome, at) is searched for recent errors only
--   (the status page): a partial index on the time of error lines leaves
--   the successful lines out.

-- +goose Up
DROP INDEX posts_status;
DROP INDEX post_variants_state;
CREATE INDEX post_variants_held ON post_variants (post_id) WHERE state = 'held';
DROP INDEX publish_log_errors;
CREATE INDEX publish_log_errors ON publish_log (at) WHERE outcome IN ('retry', 'failed', 'unknown');

-- +goose Down
DROP INDEX publish_log_errors;
CREATE INDEX publish_log_errors ON publish_log (network, outcome, at);
DROP INDEX post_variants_held;
CREATE INDEX post_variants_state ON post_variants (state);
CREATE INDEX posts_status ON posts (workspace_id, status);
