package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/tribune-social/tribune/internal/store"
)

// Migration 00032 gives every author stored before it that no contacts
// page had linked a contact of its own (an author already in a contact
// keeps it), and from then on the database links each author it inserts.
func TestAuthorContactsBackfilled(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "t.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fsys, err := store.Migrations("sqlite")
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, fsys)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 31); err != nil {
		t.Fatal(err)
	}
	// Foreign keys are off on this connection: the authors need no workspace
	// rows for what is checked here.
	for _, q := range []string{
		`INSERT INTO inbox_authors (id, workspace_id, network, external_id, handle, updated_at) VALUES
			(1, 1, 'mastodon', 'a1', 'alice', '2026-11-01 00:00:00+00:00'),
			(2, 1, 'mastodon', 'a2', 'bob', '2026-11-01 00:00:00+00:00'),
			(3, 1, 'bluesky', 'a1', 'alice.bsky.social', '2026-11-01 00:00:00+00:00'),
			(4, 2, 'mastodon', 'a1', 'alice', '2026-11-01 00:00:00+00:00')`,
		`INSERT INTO contacts (id, workspace_id, created_at, updated_at) VALUES (10, 1, '2026-11-01 00:00:00+00:00', '2026-11-01 00:00:00+00:00')`,
		`INSERT INTO contact_authors (author_id, contact_id) VALUES (2, 10)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := p.UpTo(ctx, 32); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO inbox_authors (id, workspace_id, network, external_id, handle, updated_at)
		VALUES (5, 2, 'bluesky', 'a5', 'eve', '2026-12-01 00:00:00+00:00')`); err != nil {
		t.Fatal(err)
	}
	checks := []struct{ q, want string }{
		// Each author in one contact of its workspace, bob's kept.
		{`SELECT group_concat(a.id || ':' || c.workspace_id || ':' || (c.id = 10), ' ') FROM
		  (SELECT * FROM inbox_authors ORDER BY id) a JOIN contact_authors ca ON ca.author_id = a.id JOIN contacts c ON c.id = ca.contact_id`,
			"1:1:0 2:1:1 3:1:0 4:2:0 5:2:0"},
		{`SELECT count(*) || ' contacts, ' || count(DISTINCT ca.author_id) || ' linked' FROM contacts c LEFT JOIN contact_authors ca ON ca.contact_id = c.id`,
			"5 contacts, 5 linked"},
	}
	for _, c := range checks {
		var got string
		if err := db.QueryRowContext(ctx, c.q).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("got  %s\nwant %s", got, c.want)
		}
	}
	db.Close()

	// The store reads the backfilled contacts' times as its own.
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := s.GetContactByAuthor(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if age := time.Since(c.CreatedAt); age < 0 || age > time.Hour {
		t.Errorf("backfilled contact created at %s, want about now", c.CreatedAt)
	}
}
