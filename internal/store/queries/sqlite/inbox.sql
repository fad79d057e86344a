-- The community inbox: ingestion (authors, conversations, items stored once
-- per channel and network id), the triage list and its filters, tags,
-- notes, the action audit and each channel's poll state.

-- UpsertInboxAuthors writes the authors of a fetch in one statement and
-- returns each one's id. Rows: store.AuthorRow.
-- name: UpsertInboxAuthors :many
INSERT INTO inbox_authors (workspace_id, network, external_id, handle, display_name, avatar_url, url, updated_at)
SELECT j.value ->> 'workspace_id', j.value ->> 'network', j.value ->> 'external_id', j.value ->> 'handle', j.value ->> 'display_name',
       j.value ->> 'avatar_url', j.value ->> 'url', j.value ->> 'updated_at'
FROM jsonb_each(CAST(sqlc.arg(batch) AS TEXT)) AS j WHERE true
ON CONFLICT (workspace_id, network, external_id) DO UPDATE
SET handle = excluded.handle, display_name = excluded.display_name, avatar_url = excluded.avatar_url, url = excluded.url,
    updated_at = excluded.updated_at
RETURNING id, external_id;

-- ListInboxAuthorsByExternal reads which authors of a fetch are already
-- stored, with the profile the upsert writes: ingestion writes only the new
-- ones and those whose profile changed (most authors of a fetch comment
-- again, and rewriting an unchanged row costs as much as a new one).
-- name: ListInboxAuthorsByExternal :many
SELECT id, external_id, handle, display_name, avatar_url, url FROM inbox_authors
WHERE workspace_id = sqlc.arg(workspace_id) AND network = sqlc.arg(network) AND external_id IN (sqlc.slice(external_ids));

-- name: UpsertInboxAuthor :one
INSERT INTO inbox_authors (workspace_id, network, external_id, handle, display_name, avatar_url, url, updated_at)
VALUES (sqlc.arg(workspace_id), sqlc.arg(network), sqlc.arg(external_id), sqlc.arg(handle), sqlc.arg(display_name),
        sqlc.arg(avatar_url), sqlc.arg(url), sqlc.arg(updated_at))
ON CONFLICT (workspace_id, network, external_id) DO UPDATE
SET handle = excluded.handle, display_name = excluded.display_name, avatar_url = excluded.avatar_url, url = excluded.url,
    updated_at = excluded.updated_at
RETURNING id;

-- FindPublishedPart finds which of our posts on a channel has a message
-- with this network id (the root or parent of an inbox item).
-- name: FindPublishedPart :one
SELECT v.post_id, v.id AS variant_id FROM publish_parts p JOIN post_variants v ON v.id = p.variant_id
WHERE p.external_id = sqlc.arg(external_id) AND v.channel_id = sqlc.arg(channel_id)
LIMIT 1;

-- ListPublishedPartsByExternal finds, in one query, which of a fetch's
-- roots and parents are messages of our posts on the channel.
-- name: ListPublishedPartsByExternal :many
SELECT p.external_id, v.post_id, v.id AS variant_id FROM publish_parts p JOIN post_variants v ON v.id = p.variant_id
WHERE p.external_id IN (sqlc.slice(external_ids)) AND v.channel_id = sqlc.arg(channel_id);

-- UpsertInboxConversations writes a fetch's conversations in one statement
-- (one row each) and returns their ids. Rows: store.ConversationRow.
-- name: UpsertInboxConversations :many
INSERT INTO inbox_conversations (workspace_id, channel_id, external_id, kind, post_id, variant_id, last_item_at, created_at)
SELECT j.value ->> 'workspace_id', j.value ->> 'channel_id', j.value ->> 'external_id', j.value ->> 'kind', j.value ->> 'post_id',
       j.value ->> 'variant_id', j.value ->> 'last_item_at', j.value ->> 'created_at'
FROM jsonb_each(CAST(sqlc.arg(batch) AS TEXT)) AS j WHERE true
ON CONFLICT (channel_id, external_id) DO UPDATE
SET last_item_at = max(inbox_conversations.last_item_at, excluded.last_item_at),
    post_id = coalesce(inbox_conversations.post_id, excluded.post_id),
    variant_id = coalesce(inbox_conversations.variant_id, excluded.variant_id)
RETURNING id, external_id;

-- ListRecentPublishedParts lists the channel's messages published since a
-- time, for networks whose comments are read per post.
-- name: ListRecentPublishedParts :many
SELECT p.external_id, p.external_cid, p.external_url FROM publish_parts p JOIN post_variants v ON v.id = p.variant_id
WHERE v.channel_id = sqlc.arg(channel_id) AND p.state = 'done' AND p.external_id <> '' AND p.done_at >= sqlc.arg(since)
ORDER BY p.done_at DESC
LIMIT sqlc.arg(max_rows);

-- name: UpsertInboxConversation :one
INSERT INTO inbox_conversations (workspace_id, channel_id, external_id, kind, post_id, variant_id, last_item_at, created_at)
VALUES (sqlc.arg(workspace_id), sqlc.arg(channel_id), sqlc.arg(external_id), sqlc.arg(kind), sqlc.narg(post_id),
        sqlc.narg(variant_id), sqlc.arg(last_item_at), sqlc.arg(created_at))
ON CONFLICT (channel_id, external_id) DO UPDATE
SET last_item_at = max(inbox_conversations.last_item_at, excluded.last_item_at),
    post_id = coalesce(inbox_conversations.post_id, excluded.post_id),
    variant_id = coalesce(inbox_conversations.variant_id, excluded.variant_id)
RETURNING id;

-- InsertInboxItems adds the new items of a fetch in one statement, with
-- the assignee and priority the moderation rules gave them (priority 1,
-- normal, when the row says none), and returns those it added; one already stored (another writer was first)
-- is left as it is and not returned. Rows: store.InboxItemRow.
-- name: InsertInboxItems :many
INSERT INTO inbox_items (workspace_id, channel_id, network, external_id, kind, conversation_id, ref_id, ref_cid, ref_url, root_id, root_cid, root_url, parent_id, post_id, variant_id, author_id, text, declared_lang, lang, rating, sentiment, sentiment_score, network_created_at, edited_at, deleted_at, hidden, status, assignee_id, priority, created_at, updated_at)
SELECT j.value ->> 'workspace_id', j.value ->> 'channel_id', j.value ->> 'network', j.value ->> 'external_id', j.value ->> 'kind', j.value ->> 'conversation_id', j.value ->> 'ref_id', j.value ->> 'ref_cid', j.value ->> 'ref_url', j.value ->> 'root_id', j.value ->> 'root_cid', j.value ->> 'root_url', j.value ->> 'parent_id', j.value ->> 'post_id', j.value ->> 'variant_id', j.value ->> 'author_id', j.value ->> 'text', j.value ->> 'declared_lang', j.value ->> 'lang', j.value ->> 'rating', j.value ->> 'sentiment', j.value ->> 'sentiment_score', j.value ->> 'network_created_at', j.value ->> 'edited_at', j.value ->> 'deleted_at', j.value ->> 'hidden', j.value ->> 'status', j.value ->> 'assignee_id', COALESCE(j.value ->> 'priority', 1), j.value ->> 'created_at', j.value ->> 'created_at'
FROM jsonb_each(CAST(sqlc.arg(batch) AS TEXT)) AS j WHERE true
ON CONFLICT (channel_id, external_id) DO NOTHING
RETURNING id, external_id;

-- InsertInboxItem adds an item seen for the first time; an item already
-- stored (a repeated or overlapping fetch) returns no row.
-- name: InsertInboxItem :one
INSERT INTO inbox_items (workspace_id, channel_id, network, external_id, kind, conversation_id, ref_id, ref_cid, ref_url,
                         root_id, root_cid, root_url, parent_id, post_id, variant_id, author_id, text, declared_lang, lang,
                         rating, sentiment, sentiment_score, network_created_at, edited_at, deleted_at, hidden, status,
                         created_at, updated_at)
VALUES (sqlc.arg(workspace_id), sqlc.arg(channel_id), sqlc.arg(network), sqlc.arg(external_id), sqlc.arg(kind),
        sqlc.arg(conversation_id), sqlc.arg(ref_id), sqlc.arg(ref_cid), sqlc.arg(ref_url), sqlc.arg(root_id),
        sqlc.arg(root_cid), sqlc.arg(root_url), sqlc.arg(parent_id), sqlc.narg(post_id), sqlc.narg(variant_id),
        sqlc.arg(author_id), sqlc.arg(text), sqlc.arg(declared_lang), sqlc.arg(lang), sqlc.arg(rating), sqlc.arg(sentiment),
        sqlc.arg(sentiment_score), sqlc.arg(network_created_at), sqlc.narg(edited_at), sqlc.narg(deleted_at), sqlc.arg(hidden),
        sqlc.arg(status), sqlc.arg(created_at), sqlc.arg(created_at))
ON CONFLICT (channel_id, external_id) DO NOTHING
RETURNING id;

-- name: GetInboxItemByExternal :one
SELECT * FROM inbox_items WHERE channel_id = sqlc.arg(channel_id) AND external_id = sqlc.arg(external_id);

-- ListInboxItemsByExternal reads, in one query, which items of a fetch
-- are already stored.
-- name: ListInboxItemsByExternal :many
SELECT * FROM inbox_items WHERE channel_id = sqlc.arg(channel_id) AND external_id IN (sqlc.slice(external_ids));

-- UpdateInboxItemFromNetwork writes what a later fetch says of an item
-- (an edit, a deletion, hiding); the caller keeps a corrected sentiment.
-- name: UpdateInboxItemFromNetwork :exec
UPDATE inbox_items
SET text = sqlc.arg(text), declared_lang = sqlc.arg(declared_lang), lang = sqlc.arg(lang), sentiment = sqlc.arg(sentiment),
    sentiment_score = sqlc.arg(sentiment_score), edited_at = sqlc.narg(edited_at), deleted_at = sqlc.narg(deleted_at),
    hidden = sqlc.arg(hidden), updated_at = sqlc.arg(updated_at)
WHERE id = sqlc.arg(id);

-- name: GetInboxItem :one
SELECT * FROM inbox_items WHERE id = sqlc.arg(id);

-- name: GetInboxAuthor :one
SELECT * FROM inbox_authors WHERE id = sqlc.arg(id);

-- name: ListInboxAuthors :many
SELECT * FROM inbox_authors WHERE id IN (sqlc.slice(ids));

-- name: GetInboxConversation :one
SELECT * FROM inbox_conversations WHERE id = sqlc.arg(id);

-- name: ListInboxConversationItems :many
SELECT * FROM inbox_items WHERE conversation_id = sqlc.arg(conversation_id)
ORDER BY network_created_at, id
LIMIT sqlc.arg(max_rows);

-- ListInboxItems is the inbox list, newest first, one page before
-- before_id; each filter applies when its argument is not NULL. query is
-- an FTS5 expression the service builds from the words typed.
-- name: ListInboxItems :many
SELECT * FROM inbox_items i
WHERE i.workspace_id = sqlc.arg(workspace_id) AND i.id < sqlc.arg(before_id)
  AND (CAST(sqlc.narg(status) AS TEXT) IS NULL OR i.status = sqlc.narg(status))
  AND (CAST(sqlc.narg(assignee_id) AS INTEGER) IS NULL OR i.assignee_id = sqlc.narg(assignee_id)
       OR (sqlc.narg(assignee_id) = 0 AND i.assignee_id IS NULL))
  AND (CAST(sqlc.narg(channel_id) AS INTEGER) IS NULL OR i.channel_id = sqlc.narg(channel_id))
  AND (CAST(sqlc.narg(network) AS TEXT) IS NULL OR i.network = sqlc.narg(network))
  AND (CAST(sqlc.narg(kind) AS TEXT) IS NULL OR i.kind = sqlc.narg(kind))
  AND (CAST(sqlc.narg(sentiment) AS TEXT) IS NULL OR i.sentiment = sqlc.narg(sentiment))
  AND (CAST(sqlc.narg(lang) AS TEXT) IS NULL OR i.lang = sqlc.narg(lang))
  AND (CAST(sqlc.narg(since) AS DATETIME) IS NULL OR i.network_created_at >= sqlc.narg(since))
  AND (CAST(sqlc.narg(until) AS DATETIME) IS NULL OR i.network_created_at < sqlc.narg(until))
  AND (CAST(sqlc.narg(tag) AS TEXT) IS NULL OR EXISTS (
        SELECT 1 FROM inbox_item_tags t WHERE t.item_id = i.id AND t.tag = sqlc.narg(tag)))
  AND (CAST(sqlc.narg(query) AS TEXT) IS NULL OR i.id IN (
        SELECT rowid FROM inbox_items_fts WHERE inbox_items_fts MATCH sqlc.narg(query)))
ORDER BY i.id DESC
LIMIT sqlc.arg(max_rows);

-- The list's common views, filtered by status and assignee only, each
-- read in id order straight from its index (the general query above
-- cannot use an index for a filter that may be NULL).
-- name: ListInboxItemsByStatus :many
SELECT * FROM inbox_items
WHERE workspace_id = sqlc.arg(workspace_id) AND status = sqlc.arg(status) AND id < sqlc.arg(before_id)
ORDER BY id DESC
LIMIT sqlc.arg(max_rows);

-- name: ListInboxItemsByStatusAssignee :many
SELECT * FROM inbox_items
WHERE workspace_id = sqlc.arg(workspace_id) AND status = sqlc.arg(status) AND assignee_id = sqlc.arg(assignee_id) AND id < sqlc.arg(before_id)
ORDER BY id DESC
LIMIT sqlc.arg(max_rows);

-- name: ListInboxItemsByStatusUnassigned :many
SELECT * FROM inbox_items
WHERE workspace_id = sqlc.arg(workspace_id) AND status = sqlc.arg(status) AND assignee_id IS NULL AND id < sqlc.arg(before_id)
ORDER BY id DESC
LIMIT sqlc.arg(max_rows);

-- name: ListInboxItemsByIDs :many
SELECT * FROM inbox_items WHERE id IN (sqlc.slice(ids)) ORDER BY id;

-- name: SetInboxItemsStatus :exec
UPDATE inbox_items SET status = sqlc.arg(status), updated_at = sqlc.arg(updated_at) WHERE id IN (sqlc.slice(ids));

-- name: SetInboxItemsAssignee :exec
UPDATE inbox_items SET assignee_id = sqlc.narg(assignee_id), updated_at = sqlc.arg(updated_at) WHERE id IN (sqlc.slice(ids));

-- name: SetInboxItemsPriority :exec
UPDATE inbox_items SET priority = sqlc.arg(priority), updated_at = sqlc.arg(updated_at) WHERE id IN (sqlc.slice(ids));

-- name: CorrectInboxItemSentiment :exec
UPDATE inbox_items SET sentiment = sqlc.arg(sentiment), sentiment_score = sqlc.arg(sentiment_score), sentiment_corrected = TRUE,
    updated_at = sqlc.arg(updated_at)
WHERE id = sqlc.arg(id);

-- name: SetInboxItemHidden :exec
UPDATE inbox_items SET hidden = sqlc.arg(hidden), updated_at = sqlc.arg(updated_at) WHERE id = sqlc.arg(id);

-- name: SetInboxItemDeleted :exec
UPDATE inbox_items SET deleted_at = sqlc.arg(deleted_at), updated_at = sqlc.arg(deleted_at) WHERE id = sqlc.arg(id);

-- name: AddInboxItemTag :exec
INSERT INTO inbox_item_tags (item_id, tag) VALUES (sqlc.arg(item_id), sqlc.arg(tag)) ON CONFLICT DO NOTHING;

-- name: RemoveInboxItemTag :exec
DELETE FROM inbox_item_tags WHERE item_id = sqlc.arg(item_id) AND tag = sqlc.arg(tag);

-- name: ListInboxItemTags :many
SELECT item_id, tag FROM inbox_item_tags WHERE item_id IN (sqlc.slice(ids)) ORDER BY item_id, tag;

-- name: AddInboxNote :one
INSERT INTO inbox_notes (item_id, user_id, body, created_at)
VALUES (sqlc.arg(item_id), sqlc.arg(user_id), sqlc.arg(body), sqlc.arg(created_at))
RETURNING *;

-- name: ListInboxNotes :many
SELECT n.id, n.item_id, n.user_id, u.name AS user_name, n.body, n.created_at
FROM inbox_notes n JOIN users u ON u.id = n.user_id
WHERE n.item_id IN (sqlc.slice(ids))
ORDER BY n.created_at, n.id;

-- name: AddInboxAction :exec
INSERT INTO inbox_actions (workspace_id, item_id, user_id, action, detail, result, error, created_at)
VALUES (sqlc.arg(workspace_id), sqlc.arg(item_id), sqlc.narg(user_id), sqlc.arg(action), sqlc.arg(detail),
        sqlc.arg(result), sqlc.arg(error), sqlc.arg(created_at));

-- name: ListInboxActions :many
SELECT a.id, a.item_id, a.user_id, coalesce(u.name, '') AS user_name, a.action, a.detail, a.result, a.error, a.created_at
FROM inbox_actions a LEFT JOIN users u ON u.id = a.user_id
WHERE a.item_id IN (sqlc.slice(ids))
ORDER BY a.id;

-- ListInboxPollCandidates lists the active channels whose poll is due (or
-- that were never polled); the caller keeps those whose network has an inbox.
-- name: ListInboxPollCandidates :many
SELECT c.id, c.network FROM channels c LEFT JOIN inbox_poll_state s ON s.channel_id = c.id
WHERE c.status = 'active' AND (s.channel_id IS NULL OR s.next_poll_at <= sqlc.arg(now))
ORDER BY c.id;

-- name: EnsureInboxPollState :exec
INSERT INTO inbox_poll_state (channel_id, next_poll_at) VALUES (sqlc.arg(channel_id), sqlc.arg(next_poll_at))
ON CONFLICT (channel_id) DO NOTHING;

-- ClaimInboxPoll takes a due poll for one run: it moves next_poll_at to a
-- lease's end so that no other run (another node, a second job) claims it
-- until this one finishes or its lease runs out. It returns 1 when claimed.
-- name: ClaimInboxPoll :execrows
UPDATE inbox_poll_state SET next_poll_at = sqlc.arg(lease_until)
WHERE channel_id = sqlc.arg(channel_id) AND next_poll_at <= sqlc.arg(now);

-- name: GetInboxPollState :one
SELECT * FROM inbox_poll_state WHERE channel_id = sqlc.arg(channel_id);

-- name: SaveInboxPollCursor :exec
UPDATE inbox_poll_state SET cursor = sqlc.arg(cursor) WHERE channel_id = sqlc.arg(channel_id);

-- name: FinishInboxPoll :exec
UPDATE inbox_poll_state
SET next_poll_at = sqlc.arg(next_poll_at), last_poll_at = sqlc.arg(last_poll_at), last_error = sqlc.arg(last_error),
    failures = sqlc.arg(failures), stopped = sqlc.arg(stopped)
WHERE channel_id = sqlc.arg(channel_id);
