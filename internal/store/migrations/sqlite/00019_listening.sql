-- Listening (issue 15): topics group boolean queries (the brand, a product,
-- a competitor, the industry); sources are long-lived consumers of public
-- posts (a Bluesky firehose, a Mastodon public stream, an RSS feed…) that
-- keep a cursor so a restart resumes where they stopped; a mention is a
-- public post that matched at least one query, stored once per workspace
-- and (network, network id) whatever the number of sources and queries that
-- saw it, and linked to each topic it matched.
--
-- Charts never scan mentions: the rollups below are kept in the same
-- transaction as the mention that moves them (hourly volume, sentiment and
-- reach per topic; hourly term and hashtag counts for "top terms" and weak
-- signals; daily author counts for "top authors").

-- +goose Up
CREATE TABLE listen_topics (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    -- brand | product | competitor | industry | other
    kind         TEXT NOT NULL DEFAULT 'brand',
    color        TEXT NOT NULL DEFAULT '',
    created_at   DATETIME NOT NULL,
    UNIQUE (workspace_id, name)
);

CREATE TABLE listen_queries (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    topic_id     INTEGER NOT NULL REFERENCES listen_topics (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    -- the query language of internal/listen/query, as the user wrote it
    query        TEXT NOT NULL,
    -- our own accounts are excluded unless the query says otherwise
    include_own  BOOLEAN NOT NULL DEFAULT FALSE,
    enabled      BOOLEAN NOT NULL DEFAULT TRUE,
    created_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at   DATETIME NOT NULL,
    updated_at   DATETIME NOT NULL
);
CREATE INDEX listen_queries_workspace ON listen_queries (workspace_id, enabled);

CREATE TABLE listen_sources (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    -- jetstream | firehose | mastodon | rss | reddit | x | sandbox
    kind          TEXT NOT NULL,
    name          TEXT NOT NULL,
    -- the kind's settings (URL, instance, hashtags, subreddit…), JSON
    config        TEXT NOT NULL DEFAULT '{}',
    -- sealed credentials when the source needs them (AES-GCM, as channels)
    secret        BLOB,
    enabled       BOOLEAN NOT NULL DEFAULT TRUE,
    -- where to resume: the source's own cursor (a time_us, a seq, an ETag…)
    cursor        TEXT NOT NULL DEFAULT '',
    cursor_at     DATETIME,
    -- the node running it and until when (one consumer per source across nodes)
    node_id       TEXT NOT NULL DEFAULT '',
    lease_until   DATETIME,
    last_error    TEXT NOT NULL DEFAULT '',
    last_error_at DATETIME,
    seen          INTEGER NOT NULL DEFAULT 0,
    matched       INTEGER NOT NULL DEFAULT 0,
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL
);
CREATE INDEX listen_sources_workspace ON listen_sources (workspace_id);

CREATE TABLE mentions (
    id               INTEGER PRIMARY KEY,
    workspace_id     INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    source_id        INTEGER REFERENCES listen_sources (id) ON DELETE SET NULL,
    network          TEXT NOT NULL,
    -- the network's id of the post (at:// URI, status URI, feed item id)
    external_id      TEXT NOT NULL,
    url              TEXT NOT NULL DEFAULT '',
    author           TEXT NOT NULL DEFAULT '',
    author_name      TEXT NOT NULL DEFAULT '',
    -- followers where the source says; -1 unknown
    author_followers INTEGER NOT NULL DEFAULT -1,
    text             TEXT NOT NULL,
    -- fr | en | other
    lang             TEXT NOT NULL DEFAULT '',
    -- positive | neutral | negative, score in [-1, 1]
    sentiment        TEXT NOT NULL DEFAULT 'neutral',
    sentiment_score  REAL NOT NULL DEFAULT 0,
    posted_at        DATETIME NOT NULL,
    received_at      DATETIME NOT NULL,
    UNIQUE (workspace_id, network, external_id)
);
CREATE INDEX mentions_workspace_posted ON mentions (workspace_id, posted_at);

CREATE TABLE mention_topics (
    mention_id   INTEGER NOT NULL REFERENCES mentions (id) ON DELETE CASCADE,
    topic_id     INTEGER NOT NULL REFERENCES listen_topics (id) ON DELETE CASCADE,
    -- the first query of the topic that matched
    query_id     INTEGER REFERENCES listen_queries (id) ON DELETE SET NULL,
    workspace_id INTEGER NOT NULL,
    posted_at    DATETIME NOT NULL,
    PRIMARY KEY (mention_id, topic_id)
);
CREATE INDEX mention_topics_topic ON mention_topics (topic_id, posted_at);

-- hour: the UTC hour the mention was posted in (truncated timestamp)
CREATE TABLE mention_rollups (
    workspace_id INTEGER NOT NULL,
    topic_id     INTEGER NOT NULL REFERENCES listen_topics (id) ON DELETE CASCADE,
    hour         DATETIME NOT NULL,
    mentions     INTEGER NOT NULL DEFAULT 0,
    positive     INTEGER NOT NULL DEFAULT 0,
    neutral      INTEGER NOT NULL DEFAULT 0,
    negative     INTEGER NOT NULL DEFAULT 0,
    -- sum of known author_followers
    reach        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (topic_id, hour)
);
CREATE INDEX mention_rollups_workspace ON mention_rollups (workspace_id, hour);

-- term: a normalised word (accents folded, lower case) or a #hashtag
CREATE TABLE mention_term_rollups (
    workspace_id INTEGER NOT NULL,
    topic_id     INTEGER NOT NULL REFERENCES listen_topics (id) ON DELETE CASCADE,
    hour         DATETIME NOT NULL,
    term         TEXT NOT NULL,
    mentions     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (topic_id, hour, term)
);
CREATE INDEX mention_term_rollups_workspace ON mention_term_rollups (workspace_id, hour);

CREATE TABLE mention_author_rollups (
    workspace_id INTEGER NOT NULL,
    topic_id     INTEGER NOT NULL REFERENCES listen_topics (id) ON DELETE CASCADE,
    day          DATETIME NOT NULL,
    network      TEXT NOT NULL,
    author       TEXT NOT NULL,
    mentions     INTEGER NOT NULL DEFAULT 0,
    followers    INTEGER NOT NULL DEFAULT -1,
    PRIMARY KEY (topic_id, day, network, author)
);

CREATE TABLE listen_settings (
    workspace_id     INTEGER PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    retention_months INTEGER NOT NULL DEFAULT 13
);

-- +goose Down
DROP TABLE listen_settings;
DROP TABLE mention_author_rollups;
DROP TABLE mention_term_rollups;
DROP TABLE mention_rollups;
DROP TABLE mention_topics;
DROP TABLE mentions;
DROP TABLE listen_sources;
DROP TABLE listen_queries;
DROP TABLE listen_topics;
