-- Streams run by Tribune (Mastodon's user stream, any network.Streamer):
-- one stream per channel across the cluster. A node runs a channel's
-- stream only while it holds that channel's lease, which it renews while the
-- stream lives; a node that died stops renewing and another takes the
-- channel over once the lease has run out.
--
-- inbox_poll_state.running_until is set while a poll (periodic or the
-- stream's gap-fill) runs, so that the two never run at once: the periodic
-- claim moves next_poll_at, which alone cannot tell a running poll from a
-- future one.

-- +goose Up
CREATE TABLE inbox_stream_leases (
    channel_id  BIGINT PRIMARY KEY REFERENCES channels (id) ON DELETE CASCADE,
    node_id     TEXT NOT NULL,
    lease_until TIMESTAMPTZ NOT NULL
);
ALTER TABLE inbox_poll_state ADD COLUMN running_until TIMESTAMPTZ;

-- +goose Down
ALTER TABLE inbox_poll_state DROP COLUMN running_until;
DROP TABLE inbox_stream_leases;
