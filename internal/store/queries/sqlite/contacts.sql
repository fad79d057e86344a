-- Contacts: one person across networks, grown from inbox authors (each
-- new author gets a contact of its own from a trigger, migration 00032);
-- merge, split, notes, tags, flags, and the GDPR export and erasure.

-- name: CreateContact :one
INSERT INTO contacts (workspace_id, created_at, updated_at)
VALUES (sqlc.arg(workspace_id), sqlc.arg(created_at), sqlc.arg(created_at))
RETURNING *;

-- LinkContactAuthor puts an author in a contact, moving it out of the one
-- it was in (an author is in at most one contact).
-- name: LinkContactAuthor :exec
INSERT INTO contact_authors (author_id, contact_id) VALUES (sqlc.arg(author_id), sqlc.arg(contact_id))
ON CONFLICT (author_id) DO UPDATE SET contact_id = excluded.contact_id;

-- name: GetContact :one
SELECT * FROM contacts WHERE id = sqlc.arg(id);

-- name: GetContactByAuthor :one
SELECT c.* FROM contacts c JOIN contact_authors ca ON ca.contact_id = c.id WHERE ca.author_id = sqlc.arg(author_id);

-- ListContacts is one page of the workspace's contacts, newest first, with
-- a flag filter ('' for none) and text found in a handle or a name
-- (instr/strpos: what is typed is matched literally, no LIKE wildcards).
-- query is folded as name_fold is (contacts.searchFold, migration 00037),
-- so case and accents do not count, the same on both dialects.
-- name: ListContacts :many
SELECT c.*, (SELECT count(*) FROM inbox_items i JOIN contact_authors ca ON ca.author_id = i.author_id
             WHERE ca.contact_id = c.id) AS item_count
FROM contacts c
WHERE c.workspace_id = sqlc.arg(workspace_id) AND c.id < sqlc.arg(before_id)
  AND (CAST(sqlc.arg(flag) AS TEXT) = '' OR (CAST(sqlc.arg(flag) AS TEXT) = 'vip' AND c.vip) OR (CAST(sqlc.arg(flag) AS TEXT) = 'ambassador' AND c.ambassador)
       OR (CAST(sqlc.arg(flag) AS TEXT) = 'influencer' AND c.influencer))
  AND (CAST(sqlc.arg(query) AS TEXT) = '' OR EXISTS (
        SELECT 1 FROM contact_authors ca JOIN inbox_authors a ON a.id = ca.author_id
        WHERE ca.contact_id = c.id AND (instr(lower(a.handle), CAST(sqlc.arg(query) AS TEXT)) > 0 OR instr(a.name_fold, CAST(sqlc.arg(query) AS TEXT)) > 0)))
ORDER BY c.id DESC
LIMIT sqlc.arg(max_rows);

-- name: ListContactAuthors :many
SELECT ca.contact_id, a.* FROM contact_authors ca JOIN inbox_authors a ON a.id = ca.author_id
WHERE ca.contact_id IN (sqlc.slice(contact_ids))
ORDER BY a.id;

-- ListSuggestNameKeys is one page of the workspace's display-name keys
-- (inbox_authors.name_key) after a key, in byte order, that accounts on two
-- networks in two contacts share: each one gives at least one suggested
-- merge. It walks the inbox_authors_name_key index in order, looks up the
-- contacts only of keys on two networks, and stops at the page's end.
-- name: ListSuggestNameKeys :many
SELECT k.name_key FROM (
    -- Read from the index alone: most keys belong to one account.
    SELECT a.name_key FROM inbox_authors a
    WHERE a.workspace_id = sqlc.arg(workspace_id) AND a.name_key <> '' AND a.name_key > sqlc.arg(after)
    GROUP BY a.name_key
    HAVING min(a.network) <> max(a.network)
) k
WHERE (SELECT count(DISTINCT ca.contact_id) FROM inbox_authors b JOIN contact_authors ca ON ca.author_id = b.id
       WHERE b.workspace_id = sqlc.arg(workspace_id) AND b.name_key <> '' AND b.name_key = k.name_key) > 1
ORDER BY k.name_key
LIMIT sqlc.arg(max_rows);

-- ListSuggestHandleKeys is ListSuggestNameKeys for the handles' local
-- parts (inbox_authors.handle_key).
-- name: ListSuggestHandleKeys :many
SELECT k.handle_key FROM (
    -- Read from the index alone: most keys belong to one account.
    SELECT a.handle_key FROM inbox_authors a
    WHERE a.workspace_id = sqlc.arg(workspace_id) AND a.handle_key <> '' AND a.handle_key > sqlc.arg(after)
    GROUP BY a.handle_key
    HAVING min(a.network) <> max(a.network)
) k
WHERE (SELECT count(DISTINCT ca.contact_id) FROM inbox_authors b JOIN contact_authors ca ON ca.author_id = b.id
       WHERE b.workspace_id = sqlc.arg(workspace_id) AND b.handle_key <> '' AND b.handle_key = k.handle_key) > 1
ORDER BY k.handle_key
LIMIT sqlc.arg(max_rows);

-- ListContactIDsByNameKeys lists the contacts of the workspace's accounts
-- whose display-name key is one of keys.
-- name: ListContactIDsByNameKeys :many
SELECT DISTINCT ca.contact_id FROM inbox_authors a JOIN contact_authors ca ON ca.author_id = a.id
WHERE a.workspace_id = sqlc.arg(workspace_id) AND a.name_key <> '' AND a.name_key IN (sqlc.slice(keys));

-- ListContactIDsByHandleKeys lists the contacts of the workspace's accounts
-- whose handle key is one of keys.
-- name: ListContactIDsByHandleKeys :many
SELECT DISTINCT ca.contact_id FROM inbox_authors a JOIN contact_authors ca ON ca.author_id = a.id
WHERE a.workspace_id = sqlc.arg(workspace_id) AND a.handle_key <> '' AND a.handle_key IN (sqlc.slice(keys));

-- name: ListContactItems :many
SELECT i.* FROM inbox_items i JOIN contact_authors ca ON ca.author_id = i.author_id
WHERE ca.contact_id = sqlc.arg(contact_id)
ORDER BY i.network_created_at DESC, i.id DESC
LIMIT sqlc.arg(max_rows);

-- name: CountContactItems :one
SELECT count(*) FROM inbox_items i JOIN contact_authors ca ON ca.author_id = i.author_id
WHERE ca.contact_id = sqlc.arg(contact_id);

-- name: SetContactFlags :exec
UPDATE contacts SET vip = sqlc.arg(vip), ambassador = sqlc.arg(ambassador), influencer = sqlc.arg(influencer),
    updated_at = sqlc.arg(updated_at)
WHERE id = sqlc.arg(id);

-- name: AddContactTag :exec
INSERT INTO contact_tags (contact_id, tag) VALUES (sqlc.arg(contact_id), sqlc.arg(tag)) ON CONFLICT DO NOTHING;

-- name: RemoveContactTag :exec
DELETE FROM contact_tags WHERE contact_id = sqlc.arg(contact_id) AND tag = sqlc.arg(tag);

-- name: ListContactTags :many
SELECT tag FROM contact_tags WHERE contact_id = sqlc.arg(contact_id) ORDER BY tag;

-- name: AddContactNote :one
INSERT INTO contact_notes (contact_id, user_id, body, created_at)
VALUES (sqlc.arg(contact_id), sqlc.arg(user_id), sqlc.arg(body), sqlc.arg(created_at))
RETURNING *;

-- name: ListContactNotes :many
SELECT n.*, u.name AS user_name FROM contact_notes n JOIN users u ON u.id = n.user_id
WHERE n.contact_id = sqlc.arg(contact_id)
ORDER BY n.id;

-- MergeContactInto moves everything of contact from into contact into:
-- authors, tags (once), notes; the flags of either hold. The caller then
-- deletes from.
-- name: MoveContactAuthors :exec
UPDATE contact_authors SET contact_id = sqlc.arg(into_id) WHERE contact_id = sqlc.arg(from_id);

-- name: CopyContactTags :exec
INSERT INTO contact_tags (contact_id, tag)
SELECT sqlc.arg(into_id), t.tag FROM contact_tags t WHERE t.contact_id = sqlc.arg(from_id)
ON CONFLICT DO NOTHING;

-- name: MoveContactNotes :exec
UPDATE contact_notes SET contact_id = sqlc.arg(into_id) WHERE contact_id = sqlc.arg(from_id);

-- name: DeleteContact :exec
DELETE FROM contacts WHERE id = sqlc.arg(id);

-- name: AddContactAudit :exec
INSERT INTO contact_audit (workspace_id, contact_id, user_id, action, detail, created_at)
VALUES (sqlc.arg(workspace_id), sqlc.narg(contact_id), sqlc.narg(user_id), sqlc.arg(action), sqlc.arg(detail),
        sqlc.arg(created_at));

-- name: ListContactAudit :many
SELECT a.*, coalesce(u.name, '') AS user_name FROM contact_audit a LEFT JOIN users u ON u.id = a.user_id
WHERE a.contact_id = sqlc.arg(contact_id)
ORDER BY a.id;

-- name: ListContactItemNotes :many
SELECT n.* FROM inbox_notes n JOIN inbox_items i ON i.id = n.item_id JOIN contact_authors ca ON ca.author_id = i.author_id
WHERE ca.contact_id = sqlc.arg(contact_id)
ORDER BY n.id;

-- name: ListContactItemActions :many
SELECT x.* FROM inbox_actions x JOIN inbox_items i ON i.id = x.item_id JOIN contact_authors ca ON ca.author_id = i.author_id
WHERE ca.contact_id = sqlc.arg(contact_id)
ORDER BY x.id;

-- EraseContactAuthors removes what names the person on every network: the
-- handle, the name, the avatar, the profile link, and the network's id
-- (replaced by a value that names nobody and stays unique).
-- name: EraseContactAuthors :exec
UPDATE inbox_authors
SET external_id = 'erased-' || id, handle = '', display_name = '', avatar_url = '', url = '', updated_at = sqlc.arg(updated_at)
WHERE id IN (SELECT author_id FROM contact_authors WHERE contact_id = sqlc.arg(contact_id));

-- EraseContactItems replaces the person's words and the links to them;
-- the rows stay (kind, channel, dates, sentiment, status) so reports still
-- count them.
-- name: EraseContactItems :exec
UPDATE inbox_items
SET text = '', ref_url = '', updated_at = sqlc.arg(updated_at)
WHERE author_id IN (SELECT author_id FROM contact_authors WHERE contact_id = sqlc.arg(contact_id));

-- name: DeleteContactItemNotes :exec
DELETE FROM inbox_notes
WHERE item_id IN (SELECT i.id FROM inbox_items i JOIN contact_authors ca ON ca.author_id = i.author_id
                  WHERE ca.contact_id = sqlc.arg(contact_id));

-- name: EraseContact :exec
UPDATE contacts SET vip = FALSE, ambassador = FALSE, influencer = FALSE, erased_at = sqlc.arg(erased_at),
    updated_at = sqlc.arg(erased_at)
WHERE id = sqlc.arg(id);

-- name: DeleteContactNotes :exec
DELETE FROM contact_notes WHERE contact_id = sqlc.arg(contact_id);

-- name: DeleteContactTags :exec
DELETE FROM contact_tags WHERE contact_id = sqlc.arg(contact_id);

-- EraseContactNotifications blanks the body of the inbox notifications
-- that quote the person or a reply to them, keeping the rows (who was told,
-- when, of what kind). Each is matched by the exact form the inbox writes,
-- so another person's notification is left alone: an escalation is the
-- item's text (its first 500 characters, then an ellipsis) and its link after a
-- blank line; the approver's notice is "member: reply", as the contributor
-- wrote it (kept in the approval's audit after an edit); the contributor's
-- notice of an edit is the text sent. (A rejection notice is the
-- reviewer's comment alone, which names no item: it is left as written.)
-- It must run before the items, replies and audit are erased: their text
-- is what it looks for.
-- name: EraseContactNotifications :exec
UPDATE notifications SET body = '[erased]'
WHERE notifications.workspace_id = (SELECT c.workspace_id FROM contacts c WHERE c.id = sqlc.arg(contact_id))
  AND notifications.body <> '[erased]'
  AND ((notifications.kind = 'inbox_escalated' AND EXISTS (
          SELECT 1 FROM inbox_items i JOIN contact_authors ca ON ca.author_id = i.author_id
          WHERE ca.contact_id = sqlc.arg(contact_id) AND i.workspace_id = notifications.workspace_id
            AND (notifications.body = substr(i.text, 1, 500) || char(10) || char(10) || i.ref_url
              OR notifications.body = substr(i.text, 1, 500) || char(8230) || char(10) || char(10) || i.ref_url)))
    OR (notifications.kind = 'inbox_reply_to_approve' AND EXISTS (
          SELECT 1 FROM inbox_replies r JOIN inbox_items i ON i.id = r.item_id JOIN contact_authors ca ON ca.author_id = i.author_id
          WHERE ca.contact_id = sqlc.arg(contact_id) AND r.workspace_id = notifications.workspace_id AND r.text <> ''
            AND substr(notifications.body, -(length(r.text) + 2)) = ': ' || r.text))
    OR (notifications.kind = 'inbox_reply_to_approve' AND EXISTS (
          SELECT 1 FROM inbox_actions x JOIN inbox_items i ON i.id = x.item_id JOIN contact_authors ca ON ca.author_id = i.author_id
          WHERE ca.contact_id = sqlc.arg(contact_id) AND x.workspace_id = notifications.workspace_id AND x.action = 'reply_approval'
            AND x.detail LIKE 'approved with changes; the contributor wrote: _%'
            AND substr(notifications.body, -(length(x.detail) - 44)) = ': ' || substr(x.detail, 47)))
    OR (notifications.kind = 'inbox_reply_approved_edited' AND EXISTS (
          SELECT 1 FROM inbox_replies r JOIN inbox_items i ON i.id = r.item_id JOIN contact_authors ca ON ca.author_id = i.author_id
          WHERE ca.contact_id = sqlc.arg(contact_id) AND r.workspace_id = notifications.workspace_id
            AND r.user_id = notifications.user_id AND notifications.body = r.text)));

-- EraseContactReplies replaces the team's replies to the person's items: a
-- reply names them (an @handle, a saved reply's {name}) and answers their
-- words. The rows stay (state, dates, who sent it) so response counts hold.
-- A reply not sent yet (queued, or awaiting approval) is never sent: it
-- fails with unsent_error, so its job and an approver find nothing to send
-- (they only move queued and pending replies), rather than "[erased]"
-- reaching the network.
-- name: EraseContactReplies :exec
UPDATE inbox_replies SET text = '[erased]',
    decision_comment = CASE WHEN decision_comment = '' THEN '' ELSE '[erased]' END,
    state = CASE WHEN state IN ('queued', 'pending_approval') THEN 'failed' ELSE state END,
    error = CASE WHEN state IN ('queued', 'pending_approval') THEN sqlc.arg(unsent_error) ELSE error END,
    updated_at = sqlc.arg(updated_at)
WHERE item_id IN (SELECT i.id FROM inbox_items i JOIN contact_authors ca ON ca.author_id = i.author_id
                  WHERE ca.contact_id = sqlc.arg(contact_id))
  AND text <> '[erased]';

-- EraseContactItemActions replaces the audit details of the person's items
-- that can quote words (an auto-reply's text, a reply's approval with what
-- the contributor wrote, or any action not listed here). The listed ones
-- hold labels the team chose (a status, a tag, a sentiment, a member's id),
-- which undo, the SLA and the sentiment corrections count read.
-- name: EraseContactItemActions :exec
UPDATE inbox_actions SET detail = '[erased]'
WHERE item_id IN (SELECT i.id FROM inbox_items i JOIN contact_authors ca ON ca.author_id = i.author_id
                  WHERE ca.contact_id = sqlc.arg(contact_id))
  AND detail <> '' AND detail <> '[erased]'
  AND action NOT IN ('sentiment', 'status', 'tag', 'untag', 'assign', 'unassign', 'set_priority', 'priority',
                     'mark_done', 'hide', 'unhide', 'delete', 'escalate_email', 'escalate_webhook');
