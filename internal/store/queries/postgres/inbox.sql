-- The community inbox: ingestion (authors, conversations, items stored once
-- per channel and network id), the triage list and its filters, tags,
-- notes, the action audit and each channel's poll state.

-- UpsertInboxAuthors writes the authors of a fetch in one statement and
-- returns each one's id. Rows: store.AuthorRow.
-- name: UpsertInboxAuthors :many
INSERT INTO inbox_authors (workspace_id, network, external_id, handle, display_name, avatar_url, url, updated_at)
SELECT r.workspace_id, r.network, r.external_id, r.handle, r.display_name, r.avatar_url, r.url, r.updated_at
FROM jsonb_to_recordset(sqlc.arg(batch)::text::jsonb)
     AS r(workspace_id bigint, network text, external_id text, handle text, display_name text, avatar_url text, url text,
          updated_at timestamptz)
ON CONFLICT (workspace_id, network, external_id) DO UPDATE
SET handle = excluded.handle, display_name = excluded.display_name, avatar_url = excluded.avatar_url, url = excluded.url,
    updated_at = excluded.updated_at
RETURNING id, external_id;

-- ListInboxAuthorsByExternal reads which authors of a fetch are already
-- stored, with the profile the upsert writes: ingestion writes only the new
-- ones and those whose profile changed (most authors of a fetch comment
-- again, and rewriting an unchanged row costs as much as a new one).
-- The rows read are locked against a change of their key (an erasure
-- renames external_id) until the fetch commits, as the upsert's row lock
-- did: an erasure committed meanwhile is seen, and its author is then
-- written anew instead of an item being added to the erased one.
-- name: ListInboxAuthorsByExternal :many
SELECT id, external_id, handle, display_name, avatar_url, url FROM inbox_authors
WHERE workspace_id = sqlc.arg(workspace_id) AND network = sqlc.arg(network) AND external_id = ANY(sqlc.arg(external_ids)::text[])
FOR KEY SHARE;

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
WHERE p.external_id = ANY(sqlc.arg(external_ids)::text[]) AND v.channel_id = sqlc.arg(channel_id);

-- UpsertInboxConversations writes a fetch's conversations in one statement
-- (one row each) and returns their ids. Rows: store.ConversationRow.
-- name: UpsertInboxConversations :many
INSERT INTO inbox_conversations (workspace_id, channel_id, external_id, kind, post_id, variant_id, last_item_at, created_at)
SELECT r.workspace_id, r.channel_id, r.external_id, r.kind, r.post_id, r.variant_id, r.last_item_at, r.created_at
FROM jsonb_to_recordset(sqlc.arg(batch)::text::jsonb)
     AS r(workspace_id bigint, channel_id bigint, external_id text, kind text, post_id bigint, variant_id bigint, last_item_at timestamptz, created_at timestamptz)
ON CONFLICT (channel_id, external_id) DO UPDATE
SET last_item_at = greatest(inbox_conversations.last_item_at, excluded.last_item_at),
    post_id = coalesce(inbox_conversations.post_id, excluded.post_id),
    variant_id = coalesce(inbox_conversations.variant_id, excluded.variant_id)
RETURNING id, external_id;

-- ListRecentPublishedParts lists the channel's messages published since a
-- time, for networks whose comments are read per post.
-- name: ListRecentPublishedParts :many
SELECT p.external_id, p.external_cid, p.external_url FROM publish_parts p JOIN post_variants v ON v.id = p.variant_id
WHERE v.channel_id = sqlc.arg(channel_id) AND p.state = 'done' AND p.external_id <> '' AND p.done_at >= sqlc.arg(since)
ORDER BY p.done_at DESC
LIMIT sqlc.arg(max_rows)::bigint;

-- name: UpsertInboxConversation :one
INSERT INTO inbox_conversations (workspace_id, channel_id, external_id, kind, post_id, variant_id, last_item_at, created_at)
VALUES (sqlc.arg(workspace_id), sqlc.arg(channel_id), sqlc.arg(external_id), sqlc.arg(kind), sqlc.narg(post_id),
        sqlc.narg(variant_id), sqlc.arg(last_item_at), sqlc.arg(created_at))
ON CONFLICT (channel_id, external_id) DO UPDATE
SET last_item_at = greatest(inbox_conversations.last_item_at, excluded.last_item_at),
    post_id = coalesce(inbox_conversations.post_id, excluded.post_id),
    variant_id = coalesce(inbox_conversations.variant_id, excluded.variant_id)
RETURNING id;

-- InsertInboxItems adds the new items of a fetch in one statement, with
-- the assignee and priority the moderation rules gave them (priority 1,
-- normal, when the row says none), and returns those it added; one already stored (another writer was first)
-- is left as it is and not returned. Rows: store.InboxItemRow.
-- name: InsertInboxItems :many
INSERT INTO inbox_items (workspace_id, channel_id, network, external_id, kind, conversation_id, ref_id, ref_cid, ref_url, root_id, root_cid, root_url, parent_id, post_id, variant_id, author_id, text, declared_lang, lang, rating, sentiment, sentiment_score, network_created_at, edited_at, deleted_at, hidden, status, assignee_id, priority, created_at, updated_at)
SELECT r.workspace_id, r.channel_id, r.network, r.external_id, r.kind, r.conversation_id, r.ref_id, r.ref_cid, r.ref_url, r.root_id, r.root_cid, r.root_url, r.parent_id, r.post_id, r.variant_id, r.author_id, r.text, r.declared_lang, r.lang, r.rating, r.sentiment, r.sentiment_score, r.network_created_at, r.edited_at, r.deleted_at, r.hidden, r.status, r.assignee_id, COALESCE(r.priority, 1), r.created_at, r.created_at
FROM jsonb_to_recordset(sqlc.arg(batch)::text::jsonb)
     AS r(workspace_id bigint, channel_id bigint, network text, external_id text, kind text, conversation_id bigint, ref_id text, ref_cid text, ref_url text, root_id text, root_cid text, root_url text, parent_id text, post_id bigint, variant_id bigint, author_id bigint, text text, declared_lang text, lang text, rating bigint, sentiment text, sentiment_score double precision, network_created_at timestamptz, edited_at timestamptz, deleted_at timestamptz, hidden boolean, status text, assignee_id bigint, priority bigint, created_at timestamptz)
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
SELECT * FROM inbox_items WHERE channel_id = sqlc.arg(channel_id) AND external_id = ANY(sqlc.arg(external_ids)::text[]);

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
SELECT * FROM inbox_authors WHERE id = ANY(sqlc.arg(ids)::bigint[]);

-- name: GetInboxConversation :one
SELECT * FROM inbox_conversations WHERE id = sqlc.arg(id);

-- name: ListInboxConversationItems :many
SELECT * FROM inbox_items WHERE conversation_id = sqlc.arg(conversation_id)
ORDER BY network_created_at, id
LIMIT sqlc.arg(max_rows)::bigint;

-- ListInboxItems is the inbox list, newest first, one page before
-- before_id; each filter applies when its argument is not NULL. query is
-- the words typed, read by websearch_to_tsquery in French or in English.
-- name: ListInboxItems :many
SELECT * FROM inbox_items i
WHERE i.workspace_id = sqlc.arg(workspace_id) AND i.id < sqlc.arg(before_id)::bigint
  AND (sqlc.narg(status)::text IS NULL OR i.status = sqlc.narg(status)::text)
  AND (sqlc.narg(assignee_id)::bigint IS NULL OR i.assignee_id = sqlc.narg(assignee_id)::bigint
       OR (sqlc.narg(assignee_id)::bigint = 0 AND i.assignee_id IS NULL))
  AND (sqlc.narg(channel_id)::bigint IS NULL OR i.channel_id = sqlc.narg(channel_id)::bigint)
  AND (sqlc.narg(network)::text IS NULL OR i.network = sqlc.narg(network)::text)
  AND (sqlc.narg(kind)::text IS NULL OR i.kind = sqlc.narg(kind)::text)
  AND (sqlc.narg(sentiment)::text IS NULL OR i.sentiment = sqlc.narg(sentiment)::text)
  AND (sqlc.narg(lang)::text IS NULL OR i.lang = sqlc.narg(lang)::text)
  AND (sqlc.narg(since)::timestamptz IS NULL OR i.network_created_at >= sqlc.narg(since)::timestamptz)
  AND (sqlc.narg(until)::timestamptz IS NULL OR i.network_created_at < sqlc.narg(until)::timestamptz)
  AND (sqlc.narg(tag)::text IS NULL OR EXISTS (
        SELECT 1 FROM inbox_item_tags t WHERE t.item_id = i.id AND t.tag = sqlc.narg(tag)::text))
  AND (sqlc.narg(query)::text IS NULL OR (to_tsvector('french', i.text) || to_tsvector('english', i.text))
        @@ (websearch_to_tsquery('french', sqlc.narg(query)::text) || websearch_to_tsquery('english', sqlc.narg(query)::text)))
ORDER BY i.id DESC
LIMIT sqlc.arg(max_rows)::bigint;

-- The list's common views, filtered by status and assignee only, each
-- read in id order straight from its index (the general query above
-- cannot use an index for a filter that may be NULL).
-- name: ListInboxItemsByStatus :many
SELECT * FROM inbox_items
WHERE workspace_id = sqlc.arg(workspace_id) AND status = sqlc.arg(status) AND id < sqlc.arg(before_id)::bigint
ORDER BY id DESC
LIMIT sqlc.arg(max_rows)::bigint;

-- name: ListInboxItemsByStatusAssignee :many
SELECT * FROM inbox_items
WHERE workspace_id = sqlc.arg(workspace_id) AND status = sqlc.arg(status) AND assignee_id = sqlc.arg(assignee_id) AND id < sqlc.arg(before_id)::bigint
ORDER BY id DESC
LIMIT sqlc.arg(max_rows)::bigint;

-- name: ListInboxItemsByStatusUnassigned :many
SELECT * FROM inbox_items
WHERE workspace_id = sqlc.arg(workspace_id) AND status = sqlc.arg(status) AND assignee_id IS NULL AND id < sqlc.arg(before_id)::bigint
ORDER BY id DESC
LIMIT sqlc.arg(max_rows)::bigint;

-- name: ListInboxItemsByIDs :many
SELECT * FROM inbox_items WHERE id = ANY(sqlc.arg(ids)::bigint[]) ORDER BY id;

-- name: SetInboxItemsStatus :exec
UPDATE inbox_items SET status = sqlc.arg(status), updated_at = sqlc.arg(updated_at) WHERE id = ANY(sqlc.arg(ids)::bigint[]);

-- name: SetInboxItemsAssignee :exec
UPDATE inbox_items SET assignee_id = sqlc.narg(assignee_id), updated_at = sqlc.arg(updated_at) WHERE id = ANY(sqlc.arg(ids)::bigint[]);

-- name: SetInboxItemsPriority :exec
UPDATE inbox_items SET priority = sqlc.arg(priority), updated_at = sqlc.arg(updated_at) WHERE id = ANY(sqlc.arg(ids)::bigint[]);

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
SELECT item_id, tag FROM inbox_item_tags WHERE item_id = ANY(sqlc.arg(ids)::bigint[]) ORDER BY item_id, tag;

-- name: AddInboxNote :one
INSERT INTO inbox_notes (item_id, user_id, body, created_at)
VALUES (sqlc.arg(item_id), sqlc.arg(user_id), sqlc.arg(body), sqlc.arg(created_at))
RETURNING *;

-- name: ListInboxNotes :many
SELECT n.id, n.item_id, n.user_id, u.name AS user_name, n.body, n.created_at
FROM inbox_notes n JOIN users u ON u.id = n.user_id
WHERE n.item_id = ANY(sqlc.arg(ids)::bigint[])
ORDER BY n.created_at, n.id;

-- name: AddInboxAction :exec
INSERT INTO inbox_actions (workspace_id, item_id, user_id, action, detail, result, error, created_at)
VALUES (sqlc.arg(workspace_id), sqlc.arg(item_id), sqlc.narg(user_id), sqlc.arg(action), sqlc.arg(detail),
        sqlc.arg(result), sqlc.arg(error), sqlc.arg(created_at));

-- name: ListInboxActions :many
SELECT a.id, a.item_id, a.user_id, coalesce(u.name, '') AS user_name, a.action, a.detail, a.result, a.error, a.created_at
FROM inbox_actions a LEFT JOIN users u ON u.id = a.user_id
WHERE a.item_id = ANY(sqlc.arg(ids)::bigint[])
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
