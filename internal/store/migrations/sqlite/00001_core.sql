-- Tribune's core schema: organisations, people, workspaces, channels, media,
-- posts and their publication. Times are stored by the Go driver in UTC.

-- +goose Up
CREATE TABLE organizations (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at DATETIME NOT NULL
);

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations (id),
    email           TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    password_hash   TEXT NOT NULL,
    -- owner: manages the organisation and every workspace; member: only the
    -- workspaces of their memberships.
    org_role        TEXT NOT NULL,
    locale          TEXT NOT NULL DEFAULT 'en',
    -- empty: use the workspace's time zone
    timezone        TEXT NOT NULL DEFAULT '',
    created_at      DATETIME NOT NULL
);

CREATE TABLE workspaces (
    id                     INTEGER PRIMARY KEY,
    organization_id        INTEGER NOT NULL REFERENCES organizations (id),
    name                   TEXT NOT NULL,
    timezone               TEXT NOT NULL,
    require_approval       BOOLEAN NOT NULL DEFAULT FALSE,
    duplicate_window_hours INTEGER NOT NULL DEFAULT 24,
    ical_token             TEXT NOT NULL UNIQUE,
    paused_at              DATETIME,
    paused_by              INTEGER REFERENCES users (id),
    created_at             DATETIME NOT NULL
);

CREATE TABLE memberships (
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role         TEXT NOT NULL,
    created_at   DATETIME NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE invitations (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    email        TEXT NOT NULL,
    role         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    invited_by   INTEGER NOT NULL REFERENCES users (id),
    expires_at   DATETIME NOT NULL,
    accepted_at  DATETIME,
    created_at   DATETIME NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at DATETIME NOT NULL,
    created_at DATETIME NOT NULL
);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   DATETIME NOT NULL,
    last_used_at DATETIME,
    revoked_at   DATETIME
);

CREATE TABLE channels (
    id               INTEGER PRIMARY KEY,
    workspace_id     INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    network          TEXT NOT NULL,
    name             TEXT NOT NULL,
    handle           TEXT NOT NULL,
    external_id      TEXT NOT NULL,
    base_url         TEXT NOT NULL,
    -- AES-256-GCM sealed network.Token JSON; token_key_id names the key.
    token_ciphertext BLOB NOT NULL,
    token_key_id     TEXT NOT NULL,
    -- limits read from the network (0: the rules table's default)
    max_chars        INTEGER NOT NULL DEFAULT 0,
    url_length       INTEGER NOT NULL DEFAULT 0,
    -- active | reconnect
    status           TEXT NOT NULL DEFAULT 'active',
    created_at       DATETIME NOT NULL
);
CREATE INDEX channels_workspace ON channels (workspace_id);

-- OAuth authorisations in progress (Mastodon's code flow with PKCE).
CREATE TABLE oauth_states (
    state         TEXT PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    network       TEXT NOT NULL,
    instance_url  TEXT NOT NULL,
    code_verifier TEXT NOT NULL,
    expires_at    DATETIME NOT NULL
);

-- Applications Tribune registered on a network instance (Mastodon registers
-- one app per instance and redirect address).
CREATE TABLE network_apps (
    network              TEXT NOT NULL,
    instance_url         TEXT NOT NULL,
    redirect_uri         TEXT NOT NULL,
    client_id            TEXT NOT NULL,
    secret_ciphertext    BLOB NOT NULL,
    secret_key_id        TEXT NOT NULL,
    created_at           DATETIME NOT NULL,
    PRIMARY KEY (network, instance_url, redirect_uri)
);

CREATE TABLE media (
    id               INTEGER PRIMARY KEY,
    workspace_id     INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    filename         TEXT NOT NULL,
    mime             TEXT NOT NULL,
    size_bytes       INTEGER NOT NULL,
    width            INTEGER NOT NULL DEFAULT 0,
    height           INTEGER NOT NULL DEFAULT 0,
    duration_seconds INTEGER NOT NULL DEFAULT 0,
    alt              TEXT NOT NULL DEFAULT '',
    -- JSON array of strings
    tags             TEXT NOT NULL DEFAULT '[]',
    sha256           TEXT NOT NULL,
    storage_key      TEXT NOT NULL,
    uploaded_by      INTEGER NOT NULL REFERENCES users (id),
    created_at       DATETIME NOT NULL
);
CREATE INDEX media_workspace ON media (workspace_id, created_at);

CREATE TABLE posts (
    id              INTEGER PRIMARY KEY,
    workspace_id    INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    author_id       INTEGER NOT NULL REFERENCES users (id),
    -- draft | needs_approval | approved | scheduled | publishing | published | failed
    status          TEXT NOT NULL,
    -- the instant it goes out (UTC), derived from the wall clock below
    scheduled_at    DATETIME,
    -- the wall-clock time the user picked ("2006-01-02T15:04") and its zone:
    -- the instant is recomputed from these, so a daylight-saving change between
    -- scheduling and publishing cannot move the post.
    scheduled_local TEXT NOT NULL DEFAULT '',
    timezone        TEXT NOT NULL DEFAULT '',
    -- JSON array of strings
    tags            TEXT NOT NULL DEFAULT '[]',
    version         INTEGER NOT NULL DEFAULT 1,
    -- bumped at every (re)schedule: a publish job carrying an older revision does nothing
    schedule_rev    INTEGER NOT NULL DEFAULT 0,
    -- set when the post repeats one already scheduled or published on a channel
    duplicate_of    INTEGER,
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL
);
CREATE INDEX posts_calendar ON posts (workspace_id, scheduled_at);
CREATE INDEX posts_status ON posts (workspace_id, status);

CREATE TABLE post_variants (
    id             INTEGER PRIMARY KEY,
    post_id        INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    channel_id     INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    text           TEXT NOT NULL,
    link           TEXT NOT NULL DEFAULT '',
    first_comment  TEXT NOT NULL DEFAULT '',
    -- JSON array of the thread's further items (texts)
    thread         TEXT NOT NULL DEFAULT '[]',
    -- JSON array of media ids
    media_ids      TEXT NOT NULL DEFAULT '[]',
    -- pending | queued | held | publishing | published | failed | unknown | deleted
    state          TEXT NOT NULL DEFAULT 'pending',
    -- JSON array of network.UploadedMedia, written by the prepare step
    uploaded_media TEXT NOT NULL DEFAULT '[]',
    external_id    TEXT NOT NULL DEFAULT '',
    external_url   TEXT NOT NULL DEFAULT '',
    error          TEXT NOT NULL DEFAULT '',
    -- normalised text hash, for the duplicate check
    content_hash   TEXT NOT NULL DEFAULT '',
    river_job_id   INTEGER,
    published_at   DATETIME,
    updated_at     DATETIME NOT NULL,
    UNIQUE (post_id, channel_id)
);
CREATE INDEX post_variants_channel ON post_variants (channel_id, content_hash);
CREATE INDEX post_variants_state ON post_variants (state);

-- One row per message a variant sends: the post (seq 0), thread items, the
-- first comment. The in-flight mark is written before the network call and
-- the network's id right after it: a part found in_flight after a crash is
-- recovered by asking the network, never sent again blindly.
CREATE TABLE publish_parts (
    variant_id   INTEGER NOT NULL REFERENCES post_variants (id) ON DELETE CASCADE,
    seq          INTEGER NOT NULL,
    -- post | thread | comment
    kind         TEXT NOT NULL,
    text         TEXT NOT NULL,
    -- pending | in_flight | done | unknown
    state        TEXT NOT NULL DEFAULT 'pending',
    attempt_key  TEXT NOT NULL DEFAULT '',
    external_id  TEXT NOT NULL DEFAULT '',
    external_cid TEXT NOT NULL DEFAULT '',
    external_url TEXT NOT NULL DEFAULT '',
    in_flight_at DATETIME,
    done_at      DATETIME,
    PRIMARY KEY (variant_id, seq)
);

CREATE TABLE publish_log (
    id          INTEGER PRIMARY KEY,
    variant_id  INTEGER NOT NULL REFERENCES post_variants (id) ON DELETE CASCADE,
    network     TEXT NOT NULL,
    at          DATETIME NOT NULL,
    step        TEXT NOT NULL,
    request     TEXT NOT NULL,
    response    TEXT NOT NULL,
    -- ok | retry | failed | unknown | recovered | held
    outcome     TEXT NOT NULL,
    http_status INTEGER NOT NULL DEFAULT 0,
    node        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX publish_log_variant ON publish_log (variant_id, at);
CREATE INDEX publish_log_errors ON publish_log (network, outcome, at);

CREATE TABLE post_versions (
    id         INTEGER PRIMARY KEY,
    post_id    INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    author_id  INTEGER REFERENCES users (id),
    -- JSON snapshot of the post and its variants
    snapshot   TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    UNIQUE (post_id, version)
);

CREATE TABLE post_comments (
    id          INTEGER PRIMARY KEY,
    post_id     INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    user_id     INTEGER REFERENCES users (id),
    -- a client reviewer has no account: their name is kept here
    author_name TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  DATETIME NOT NULL
);
CREATE INDEX post_comments_post ON post_comments (post_id, created_at);

CREATE TABLE approval_links (
    id            INTEGER PRIMARY KEY,
    post_id       INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    token_hash    TEXT NOT NULL UNIQUE,
    reviewer_name TEXT NOT NULL,
    created_by    INTEGER NOT NULL REFERENCES users (id),
    expires_at    DATETIME NOT NULL,
    -- approved | rejected | '' while open
    decision      TEXT NOT NULL DEFAULT '',
    reason        TEXT NOT NULL DEFAULT '',
    decided_at    DATETIME,
    created_at    DATETIME NOT NULL
);

CREATE TABLE queue_slots (
    id            INTEGER PRIMARY KEY,
    channel_id    INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    -- 0 Sunday … 6 Saturday, in the workspace's time zone
    weekday       INTEGER NOT NULL,
    minute_of_day INTEGER NOT NULL,
    UNIQUE (channel_id, weekday, minute_of_day)
);

CREATE TABLE notifications (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    post_id      INTEGER REFERENCES posts (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    title        TEXT NOT NULL,
    body         TEXT NOT NULL,
    created_at   DATETIME NOT NULL,
    read_at      DATETIME
);
CREATE INDEX notifications_user ON notifications (user_id, created_at);

-- Answers to API creates, replayed when a client repeats an Idempotency-Key.
CREATE TABLE idempotency_keys (
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL,
    body         BLOB NOT NULL,
    created_at   DATETIME NOT NULL,
    PRIMARY KEY (user_id, key)
);

-- Every Tribune process says it is alive here; the status page reads it.
CREATE TABLE node_heartbeats (
    node_id    TEXT PRIMARY KEY,
    hostname   TEXT NOT NULL,
    pid        INTEGER NOT NULL,
    roles      TEXT NOT NULL,
    version    TEXT NOT NULL,
    started_at DATETIME NOT NULL,
    seen_at    DATETIME NOT NULL,
    -- last time this node's scheduler loop ran (zero if it runs none)
    scheduler_at DATETIME
);

-- +goose Down
DROP TABLE node_heartbeats;
DROP TABLE idempotency_keys;
DROP TABLE notifications;
DROP TABLE queue_slots;
DROP TABLE approval_links;
DROP TABLE post_comments;
DROP TABLE post_versions;
DROP TABLE publish_log;
DROP TABLE publish_parts;
DROP TABLE post_variants;
DROP TABLE posts;
DROP TABLE media;
DROP TABLE network_apps;
DROP TABLE oauth_states;
DROP TABLE channels;
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE invitations;
DROP TABLE memberships;
DROP TABLE workspaces;
DROP TABLE users;
DROP TABLE organizations;
