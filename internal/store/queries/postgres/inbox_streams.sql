-- ListInboxStreamCandidates lists the channels that may have a stream: the
-- active ones (the caller keeps those whose connector streams).
-- name: ListInboxStreamCandidates :many
SELECT c.id, c.network FROM channels c WHERE c.status = 'active' ORDER BY c.id;

-- A channel's stream lease is taken in a transaction: InsertInboxStream
-- (1 when nobody held the channel), else RenewInboxStream (1 when this node
-- holds it or the holder's lease ran out). A concurrent insert of the same
-- channel waits for the other transaction and then inserts nothing, and the
-- update re-reads the row it locks, so two nodes cannot both get 1.
-- name: InsertInboxStream :execrows
INSERT INTO inbox_stream_leases (channel_id, node_id, lease_until)
VALUES (sqlc.arg(channel_id), sqlc.arg(node_id), sqlc.arg(lease_until))
ON CONFLICT (channel_id) DO NOTHING;

-- name: RenewInboxStream :execrows
UPDATE inbox_stream_leases SET node_id = sqlc.arg(node_id), lease_until = sqlc.arg(lease_until)
WHERE channel_id = sqlc.arg(channel_id) AND (node_id = sqlc.arg(node_id) OR lease_until <= sqlc.arg(now));

-- name: ReleaseInboxStream :exec
DELETE FROM inbox_stream_leases WHERE channel_id = sqlc.arg(channel_id) AND node_id = sqlc.arg(node_id);

-- MarkInboxPollRunning records that a claimed periodic poll runs (in the
-- claim's transaction).
-- name: MarkInboxPollRunning :exec
UPDATE inbox_poll_state SET running_until = sqlc.arg(running_until) WHERE channel_id = sqlc.arg(channel_id);

-- ClaimInboxGapFill takes a channel's poll for a stream's gap-fill, due or
-- not, unless a poll runs: it returns 1 when claimed.
-- name: ClaimInboxGapFill :execrows
UPDATE inbox_poll_state SET running_until = sqlc.arg(lease_until), next_poll_at = sqlc.arg(lease_until)
WHERE channel_id = sqlc.arg(channel_id) AND (running_until IS NULL OR running_until <= sqlc.arg(now));

-- name: EndInboxPollRun :exec
UPDATE inbox_poll_state SET running_until = NULL WHERE channel_id = sqlc.arg(channel_id);

-- CountInboxStreamsByNode is how many streams each node runs (live leases),
-- for the status page.
-- name: CountInboxStreamsByNode :many
SELECT node_id, COUNT(*) AS n FROM inbox_stream_leases WHERE lease_until > sqlc.arg(now) GROUP BY node_id ORDER BY node_id;
