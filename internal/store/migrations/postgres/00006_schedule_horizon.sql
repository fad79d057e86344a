-- How far ahead a workspace may schedule, in days (two years by default): a
-- date typed a century ahead by mistake, or a flood of far-future posts, is
-- refused by the use case instead of sitting in the queue forever.

-- +goose Up
ALTER TABLE workspaces ADD COLUMN schedule_horizon_days BIGINT NOT NULL DEFAULT 730;

-- +goose Down
ALTER TABLE workspaces DROP COLUMN schedule_horizon_days;
