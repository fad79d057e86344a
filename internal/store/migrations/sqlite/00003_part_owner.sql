-- The River job that put a message in flight. River never runs two
-- attempts of one job at once (the next starts after the last returned, or
-- after the rescuer gave up on a silent one, long after any call it made
-- was over): so a job that finds its own message in flight knows that
-- call ended, and asks the network at once instead of waiting one network
-- time-out for a run that may still be sending it. 0: not known (written
-- before this column, or outside a job).

-- +goose Up
ALTER TABLE publish_parts ADD COLUMN in_flight_job INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE publish_parts DROP COLUMN in_flight_job;
