-- Contacts (issue 14, E5): one person across networks. A contact groups
-- inbox authors (each author belongs to at most one contact: the author is
-- the key of contact_authors); members merge two contacts by hand and split
-- an author back out. Notes, tags and flags belong to the person, not to one
-- network account. GDPR exports and erasures are audited in contact_audit,
-- with who did it; an erased contact keeps its row (erased_at) so the audit
-- and the anonymous counts still point somewhere.

-- +goose Up
CREATE TABLE contacts (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    vip          BOOLEAN NOT NULL DEFAULT FALSE,
    ambassador   BOOLEAN NOT NULL DEFAULT FALSE,
    influencer   BOOLEAN NOT NULL DEFAULT FALSE,
    erased_at    DATETIME,
    created_at   DATETIME NOT NULL,
    updated_at   DATETIME NOT NULL
);
CREATE INDEX contacts_workspace ON contacts (workspace_id, id);

CREATE TABLE contact_authors (
    author_id  INTEGER PRIMARY KEY REFERENCES inbox_authors (id) ON DELETE CASCADE,
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE
);
CREATE INDEX contact_authors_contact ON contact_authors (contact_id);

CREATE TABLE contact_tags (
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    tag        TEXT NOT NULL,
    PRIMARY KEY (contact_id, tag)
);

CREATE TABLE contact_notes (
    id         INTEGER PRIMARY KEY,
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    body       TEXT NOT NULL,
    created_at DATETIME NOT NULL
);
CREATE INDEX contact_notes_contact ON contact_notes (contact_id, id);

-- What was done to a contact (merge, split, export, erase), by whom.
CREATE TABLE contact_audit (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    contact_id   INTEGER REFERENCES contacts (id) ON DELETE SET NULL,
    user_id      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    action       TEXT NOT NULL,
    detail       TEXT NOT NULL DEFAULT '',
    created_at   DATETIME NOT NULL
);
CREATE INDEX contact_audit_contact ON contact_audit (contact_id, id);

-- An erased person's words stay erased: a later fetch of one of their items
-- (an overlapping page, an edit) would write the text back through the
-- inbox's ordinary refresh, so the database itself ignores a write that
-- would put words back on an erased person's item. (A BEFORE trigger with
-- RAISE(IGNORE) skips the row's update: rewriting the text from an AFTER
-- trigger would run before the full-text triggers and corrupt the index.)
-- +goose StatementBegin
CREATE TRIGGER contact_erased_items BEFORE UPDATE OF text ON inbox_items
WHEN new.text <> '' AND EXISTS (
    SELECT 1 FROM contact_authors ca JOIN contacts c ON c.id = ca.contact_id
    WHERE ca.author_id = new.author_id AND c.erased_at IS NOT NULL)
BEGIN
    SELECT RAISE(IGNORE);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER contact_erased_items;
DROP TABLE contact_audit;
DROP TABLE contact_notes;
DROP TABLE contact_tags;
DROP TABLE contact_authors;
DROP TABLE contacts;
