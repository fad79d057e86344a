package postgres_test

import (
	"context"
	"database/sql"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // goose runs on database/sql
	"github.com/pressly/goose/v3"

	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/store/storetest"
)

// Migration 00032 on PostgreSQL (as internal/store/sqlite's
// TestAuthorContactsBackfilled): every author stored before it gets one
// contact, an author already in a contact keeps it, and the contacts'
// identity goes on past the ids the backfill took.
func TestAuthorContactsBackfilledPostgres(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("pgx", storetest.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fsys, err := store.Migrations("postgres")
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, fsys)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 31); err != nil {
		t.Fatal(err)
	}
	// One connection, without foreign-key checks: the authors need no
	// workspace rows for what is checked here.
	db.SetMaxOpenConns(1)
	for _, q := range []string{
		`SET session_replication_role = replica`,
		`INSERT INTO inbox_authors (id, workspace_id, network, external_id, handle, updated_at) VALUES
			(1, 1, 'mastodon', 'a1', 'alice', '2026-11-01 00:00:00+00:00'),
			(2, 1, 'mastodon', 'a2', 'bob', '2026-11-01 00:00:00+00:00'),
			(3, 1, 'bluesky', 'a1', 'alice.bsky.social', '2026-11-01 00:00:00+00:00'),
			(4, 2, 'mastodon', 'a1', 'alice', '2026-11-01 00:00:00+00:00')`,
		`INSERT INTO contacts (workspace_id, created_at, updated_at) VALUES (1, '2026-11-01 00:00:00+00:00', '2026-11-01 00:00:00+00:00')`,
		`INSERT INTO contact_authors (author_id, contact_id) SELECT 2, max(id) FROM contacts`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := p.UpTo(ctx, 32); err != nil {
		t.Fatal(err)
	}
	// A contact created after the backfill takes the next free id.
	if _, err := db.ExecContext(ctx, `INSERT INTO contacts (workspace_id, created_at, updated_at) VALUES (1, now(), now())`); err != nil {
		t.Fatal(err)
	}
	checks := []struct{ q, want string }{
		// Each author in one contact of its workspace, bob's kept (the first).
		{`SELECT string_agg(a.id || ':' || c.workspace_id || ':' || (c.id = (SELECT min(id) FROM contacts)), ' ' ORDER BY a.id)
		  FROM inbox_authors a JOIN contact_authors ca ON ca.author_id = a.id JOIN contacts c ON c.id = ca.contact_id`,
			"1:1:false 2:1:true 3:1:false 4:2:false"},
		{`SELECT count(*) || ' contacts, ' || count(DISTINCT c.id) || ' ids, ' || count(DISTINCT ca.author_id) || ' linked'
		  FROM contacts c LEFT JOIN contact_authors ca ON ca.contact_id = c.id`,
			"5 contacts, 5 ids, 4 linked"},
		{`SELECT (count(*) FILTER (WHERE created_at > now() - interval '1 hour'))::text FROM contacts`, "4"},
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
}
