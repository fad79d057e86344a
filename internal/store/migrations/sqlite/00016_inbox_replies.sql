-- Replies sent from the inbox (issue 14, E3). A reply is sent with the
-- publisher's never-twice pattern: written queued, marked in_flight with an
-- attempt key in its own commit BEFORE the network call, then sent with its
-- network id; a run that finds it in flight asks the network (Recover), and
-- unknown means the network cannot tell: a person checks before re-sending.
-- It is its own table rather than a publish part because a reply has no
-- Tribune post or variant (publish_parts hang off a variant).

-- +goose Up
CREATE TABLE inbox_replies (
    id              INTEGER PRIMARY KEY,
    workspace_id    INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    channel_id      INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    item_id         INTEGER NOT NULL REFERENCES inbox_items (id) ON DELETE CASCADE,
    conversation_id INTEGER NOT NULL REFERENCES inbox_conversations (id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL REFERENCES users (id),
    text            TEXT NOT NULL,
    visibility      TEXT NOT NULL DEFAULT '',
    -- queued | in_flight | sent | failed | unknown
    state           TEXT NOT NULL,
    attempt_key     TEXT NOT NULL DEFAULT '',
    in_flight_at    DATETIME,
    -- the network's id of the sent reply: a later fetch that sees it skips it
    external_id     TEXT NOT NULL DEFAULT '',
    external_cid    TEXT NOT NULL DEFAULT '',
    external_url    TEXT NOT NULL DEFAULT '',
    -- the network's own words when it refused, or why the outcome is unknown
    error           TEXT NOT NULL DEFAULT '',
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL
);
CREATE INDEX inbox_replies_conversation ON inbox_replies (conversation_id, id);
CREATE INDEX inbox_replies_external ON inbox_replies (channel_id, external_id) WHERE external_id <> '';

-- +goose Down
DROP TABLE inbox_replies;
