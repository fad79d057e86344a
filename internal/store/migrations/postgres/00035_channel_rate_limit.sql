-- One account's rate budget is shared by publishing and inbox polling
-- (issue 14 §1): when either side hears the network's rate limit (429 and
-- its Retry-After or reset time), the channel is "rate limited until" that
-- time, so the other side waits too instead of spending what is left of
-- the account's budget on refusals. On the channel itself: publishing's
-- joined read of its target and the channels page already read the row.

-- +goose Up
ALTER TABLE channels ADD COLUMN rate_limited_until TIMESTAMPTZ;

-- +goose Down
ALTER TABLE channels DROP COLUMN rate_limited_until;
