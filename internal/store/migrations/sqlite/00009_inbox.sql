-- The community inbox (issue 14): what each channel's network lets us read
-- of the conversations around our account, stored once per (channel,
-- network id), grouped into conversations and linked to the Tribune post
-- they answer; the triage state members give it; the poll state of every
-- channel; and an audit of what was done, by whom.
--
-- Authors are rows of their own so that contacts (one person across
-- networks) can grow from them. A reply sent from the inbox will be a
-- publish part (PostRequest with ReplyTo/Root), so it needs no table here.

-- +goose Up
CREATE TABLE inbox_authors (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    network      TEXT NOT NULL,
    -- the network's stable id (Mastodon account id, DID)
    external_id  TEXT NOT NULL,
    handle       TEXT NOT NULL,
    display_name TEXT NOT NULL DEFAULT '',
    avatar_url   TEXT NOT NULL DEFAULT '',
    url          TEXT NOT NULL DEFAULT '',
    updated_at   DATETIME NOT NULL,
    UNIQUE (workspace_id, network, external_id)
);

CREATE TABLE inbox_conversations (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    channel_id   INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    -- the thread's root id, or the network's conversation id for messages
    external_id  TEXT NOT NULL,
    -- thread | direct
    kind         TEXT NOT NULL,
    -- the Tribune post (and its variant on this channel) the thread is under
    post_id      INTEGER REFERENCES posts (id) ON DELETE SET NULL,
    variant_id   INTEGER REFERENCES post_variants (id) ON DELETE SET NULL,
    last_item_at DATETIME NOT NULL,
    created_at   DATETIME NOT NULL,
    UNIQUE (channel_id, external_id)
);
CREATE INDEX inbox_conversations_workspace ON inbox_conversations (workspace_id, last_item_at);

CREATE TABLE inbox_items (
    id                  INTEGER PRIMARY KEY,
    workspace_id        INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    channel_id          INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    network             TEXT NOT NULL,
    -- the network's id of the item: a repeated fetch finds it and adds nothing
    external_id         TEXT NOT NULL,
    -- comment | mention | quote | message | review (network.ItemKind)
    kind                TEXT NOT NULL,
    conversation_id     INTEGER NOT NULL REFERENCES inbox_conversations (id) ON DELETE CASCADE,
    -- how to act on and reply to the item (network.Ref) and its thread's root
    ref_id              TEXT NOT NULL DEFAULT '',
    ref_cid             TEXT NOT NULL DEFAULT '',
    ref_url             TEXT NOT NULL DEFAULT '',
    root_id             TEXT NOT NULL DEFAULT '',
    root_cid            TEXT NOT NULL DEFAULT '',
    root_url            TEXT NOT NULL DEFAULT '',
    parent_id           TEXT NOT NULL DEFAULT '',
    -- the Tribune post and variant the item answers (its root or parent is
    -- one of our published parts)
    post_id             INTEGER REFERENCES posts (id) ON DELETE SET NULL,
    variant_id          INTEGER REFERENCES post_variants (id) ON DELETE SET NULL,
    author_id           INTEGER NOT NULL REFERENCES inbox_authors (id),
    text                TEXT NOT NULL,
    -- declared_lang: what the network said; lang: what Tribune detected (fr | en | other)
    declared_lang       TEXT NOT NULL DEFAULT '',
    lang                TEXT NOT NULL DEFAULT '',
    rating              INTEGER NOT NULL DEFAULT 0,
    -- positive | neutral | negative, score in [-1, 1]; corrected: set by a
    -- member, never overwritten by a later fetch
    sentiment           TEXT NOT NULL DEFAULT '',
    sentiment_score     REAL NOT NULL DEFAULT 0,
    sentiment_corrected BOOLEAN NOT NULL DEFAULT FALSE,
    network_created_at  DATETIME NOT NULL,
    edited_at           DATETIME,
    deleted_at          DATETIME,
    hidden              BOOLEAN NOT NULL DEFAULT FALSE,
    -- new | open | pending | done
    status              TEXT NOT NULL DEFAULT 'new',
    assignee_id         INTEGER REFERENCES users (id) ON DELETE SET NULL,
    -- 0 low, 1 normal, 2 high, 3 urgent
    priority            INTEGER NOT NULL DEFAULT 1,
    created_at          DATETIME NOT NULL,
    updated_at          DATETIME NOT NULL,
    UNIQUE (channel_id, external_id)
);
-- The inbox list, newest first, filtered by status and assignee (the
-- benchmark's query), or by nothing.
CREATE INDEX inbox_items_status ON inbox_items (workspace_id, status, assignee_id, id);
CREATE INDEX inbox_items_status_only ON inbox_items (workspace_id, status, id);
CREATE INDEX inbox_items_workspace ON inbox_items (workspace_id, id);
CREATE INDEX inbox_items_conversation ON inbox_items (conversation_id, network_created_at);
CREATE INDEX inbox_items_author ON inbox_items (author_id);

-- Finding the post an item answers: our published parts by network id.
CREATE INDEX publish_parts_external ON publish_parts (external_id) WHERE external_id <> '';

-- Full-text search: an FTS5 index over inbox_items.text that reads the text
-- from inbox_items (external content, no second copy), kept in step by the
-- triggers below. unicode61 with remove_diacritics so "cafe" finds "café".
CREATE VIRTUAL TABLE inbox_items_fts USING fts5 (text, content='inbox_items', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2');

-- +goose StatementBegin
CREATE TRIGGER inbox_items_fts_insert AFTER INSERT ON inbox_items BEGIN
    INSERT INTO inbox_items_fts (rowid, text) VALUES (new.id, new.text);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER inbox_items_fts_delete AFTER DELETE ON inbox_items BEGIN
    INSERT INTO inbox_items_fts (inbox_items_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER inbox_items_fts_update AFTER UPDATE OF text ON inbox_items BEGIN
    INSERT INTO inbox_items_fts (inbox_items_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO inbox_items_fts (rowid, text) VALUES (new.id, new.text);
END;
-- +goose StatementEnd

CREATE TABLE inbox_item_tags (
    item_id INTEGER NOT NULL REFERENCES inbox_items (id) ON DELETE CASCADE,
    tag     TEXT NOT NULL,
    PRIMARY KEY (item_id, tag)
);
CREATE INDEX inbox_item_tags_tag ON inbox_item_tags (tag, item_id);

CREATE TABLE inbox_notes (
    id         INTEGER PRIMARY KEY,
    item_id    INTEGER NOT NULL REFERENCES inbox_items (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    body       TEXT NOT NULL,
    created_at DATETIME NOT NULL
);
CREATE INDEX inbox_notes_item ON inbox_notes (item_id, created_at);

-- Who did what to an item: triage changes and network actions, by a member
-- (user_id) or automatically (user_id NULL: rules, later). result is ok,
-- refused (the network does not allow it) or failed (the call failed).
CREATE TABLE inbox_actions (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    item_id      INTEGER NOT NULL REFERENCES inbox_items (id) ON DELETE CASCADE,
    user_id      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    action       TEXT NOT NULL,
    detail       TEXT NOT NULL DEFAULT '',
    result       TEXT NOT NULL,
    error        TEXT NOT NULL DEFAULT '',
    created_at   DATETIME NOT NULL
);
CREATE INDEX inbox_actions_item ON inbox_actions (item_id, id);

-- Each channel's polling: the connector's cursor, when the next poll is
-- due (spaced by the network's rate limits, pushed back on errors), the
-- last error; stopped when the network refused the credentials (the
-- channel is then marked for reconnection, and reconnecting resumes polling).
CREATE TABLE inbox_poll_state (
    channel_id   INTEGER PRIMARY KEY REFERENCES channels (id) ON DELETE CASCADE,
    cursor       TEXT NOT NULL DEFAULT '',
    next_poll_at DATETIME NOT NULL,
    last_poll_at DATETIME,
    last_error   TEXT NOT NULL DEFAULT '',
    failures     INTEGER NOT NULL DEFAULT 0,
    stopped      BOOLEAN NOT NULL DEFAULT FALSE
);

-- +goose Down
DROP TABLE inbox_poll_state;
DROP TABLE inbox_actions;
DROP TABLE inbox_notes;
DROP TABLE inbox_item_tags;
DROP TRIGGER inbox_items_fts_update;
DROP TRIGGER inbox_items_fts_delete;
DROP TRIGGER inbox_items_fts_insert;
DROP TABLE inbox_items_fts;
DROP INDEX publish_parts_external;
DROP TABLE inbox_items;
DROP TABLE inbox_conversations;
DROP TABLE inbox_authors;
