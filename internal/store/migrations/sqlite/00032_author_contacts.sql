-- Every inbox author has its contact from the moment it is written (issue
-- 14 §6). Contacts used to be created lazily, when contacts were looked
-- at: every contacts page and suggestion page first searched the whole
-- workspace for authors without one (an anti-join over every account,
-- most of the time of a suggestion page on a 200,000-account workspace).
-- The database now gives each new author a contact of its own as the row
-- is inserted, whoever inserts it (the inbox's ingestion, a test, a
-- seeding script), so the invariant needs no caller to remember it and
-- costs nothing when a fetch's authors are already known: an upsert that
-- updates an existing author fires no INSERT trigger. Two writers meeting
-- the same new author cannot both insert it (the author is unique per
-- workspace, network and network id), so it gets exactly one contact.
-- Merge moves authors before it deletes a contact, split links the author
-- to a new contact, and an erasure rewrites the author in place: none
-- leaves an author without one.

-- +goose Up
-- +goose StatementBegin
CREATE TRIGGER inbox_author_contact AFTER INSERT ON inbox_authors
BEGIN
    INSERT INTO contacts (workspace_id, created_at, updated_at) VALUES (new.workspace_id, new.updated_at, new.updated_at);
    -- Inside a trigger, last_insert_rowid() is the row the trigger just
    -- inserted; the statement that fired it keeps its own afterwards.
    INSERT INTO contact_authors (author_id, contact_id) VALUES (new.id, last_insert_rowid());
END;
-- +goose StatementEnd

-- The authors stored before this migration that no contacts page linked
-- yet get one contact each. The contacts' ids are chosen above every
-- existing one, so that one pairing table names both sides of each link.
CREATE TEMP TABLE unlinked_authors AS
SELECT a.id AS author_id, a.workspace_id,
       (SELECT coalesce(max(id), 0) FROM contacts) + row_number() OVER (ORDER BY a.id) AS contact_id
FROM inbox_authors a
WHERE NOT EXISTS (SELECT 1 FROM contact_authors ca WHERE ca.author_id = a.id);
INSERT INTO contacts (id, workspace_id, created_at, updated_at)
SELECT contact_id, workspace_id, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now'), strftime('%Y-%m-%d %H:%M:%f+00:00', 'now')
FROM unlinked_authors;
INSERT INTO contact_authors (author_id, contact_id) SELECT author_id, contact_id FROM unlinked_authors;
DROP TABLE unlinked_authors;

-- +goose Down
-- The contacts created stay: the code before this migration creates the
-- missing ones itself and keeps the ones it finds.
DROP TRIGGER inbox_author_contact;
