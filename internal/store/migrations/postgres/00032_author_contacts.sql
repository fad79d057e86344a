-- Every inbox author has its contact from the moment it is written (issue
-- 14 §6). Contacts used to be created lazily, when contacts were looked
-- at: every contacts page and suggestion page first searched the whole
-- workspace for authors without one (an anti-join over every account,
-- most of the time of a suggestion page on a 200,000-account workspace).
-- The database now gives each new author a contact of its own as the row
-- is inserted, whoever inserts it (the inbox's ingestion, a test, a
-- seeding script), so the invariant needs no caller to remember it and
-- costs nothing when a fetch's authors are already known: an upsert that
-- updates an existing author fires no AFTER INSERT row trigger. Two
-- transactions meeting the same new author cannot both insert it (the
-- second waits on the unique index, then updates the row the first
-- committed), so it gets exactly one contact, on any number of nodes.
-- Merge moves authors before it deletes a contact, split links the author
-- to a new contact, and an erasure rewrites the author in place: none
-- leaves an author without one.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION inbox_author_contact() RETURNS trigger AS $$
DECLARE
    contact bigint;
BEGIN
    INSERT INTO contacts (workspace_id, created_at, updated_at) VALUES (NEW.workspace_id, NEW.updated_at, NEW.updated_at)
    RETURNING id INTO contact;
    INSERT INTO contact_authors (author_id, contact_id) VALUES (NEW.id, contact);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
-- Created before the backfill below: creating it locks inbox_authors
-- against writers until the migration commits, so an author a running
-- node inserts meanwhile is either seen by the backfill or linked here.
CREATE TRIGGER inbox_author_contact AFTER INSERT ON inbox_authors
FOR EACH ROW EXECUTE FUNCTION inbox_author_contact();

-- The authors stored before this migration that no contacts page linked
-- yet get one contact each: each takes its contact's id from the
-- sequence first, so that both inserts name the same pair.
WITH unlinked AS MATERIALIZED (
    SELECT a.id AS author_id, a.workspace_id, nextval(pg_get_serial_sequence('contacts', 'id')) AS contact_id
    FROM inbox_authors a
    WHERE NOT EXISTS (SELECT 1 FROM contact_authors ca WHERE ca.author_id = a.id)
), created AS (
    INSERT INTO contacts (id, workspace_id, created_at, updated_at)
    SELECT contact_id, workspace_id, now(), now() FROM unlinked
)
INSERT INTO contact_authors (author_id, contact_id) SELECT author_id, contact_id FROM unlinked;

-- +goose Down
-- The contacts created stay: the code before this migration creates the
-- missing ones itself and keeps the ones it finds.
DROP TRIGGER inbox_author_contact ON inbox_authors;
DROP FUNCTION inbox_author_contact();
