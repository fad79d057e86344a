package postgres_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // goose runs on database/sql
	"github.com/pressly/goose/v3"

	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/store/storetest"
)

// Migration 00027 on PostgreSQL: the listening data already stored rolled
// up into UTC days and months, whatever the session's time zone (as
// internal/store/sqlite's TestCoarseRollupsBackfilled).
func TestCoarseRollupsBackfilledPostgres(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("pgx", storetest.PostgresURL(t)+"&timezone=Europe/Paris")
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
	if _, err := p.UpTo(ctx, 26); err != nil {
		t.Fatal(err)
	}
	// One connection, without foreign-key checks: the topic needs no
	// workspace for what is checked here.
	db.SetMaxOpenConns(1)
	for _, q := range []string{
		`SET session_replication_role = replica`,
		`INSERT INTO listen_topics (id, workspace_id, name, created_at) VALUES (7, 1, 'Acme', '2026-01-01 00:00:00+00:00')`,
		`INSERT INTO mention_rollups (workspace_id, topic_id, hour, mentions, positive, neutral, negative, reach) VALUES
			(1, 7, '2026-10-31 23:00:00+00:00', 2, 1, 1, 0, 300),
			(1, 7, '2026-11-01 00:00:00+00:00', 3, 0, 1, 2, 50),
			(1, 7, '2026-11-01 13:00:00+00:00', 4, 4, 0, 0, 0)`,
		`INSERT INTO mention_term_rollups (workspace_id, topic_id, hour, term, mentions) VALUES
			(1, 7, '2026-10-31 23:00:00+00:00', 'prix', 2), (1, 7, '2026-11-01 00:00:00+00:00', 'prix', 1),
			(1, 7, '2026-11-01 13:00:00+00:00', 'prix', 5)`,
		`INSERT INTO mention_author_rollups (workspace_id, topic_id, day, network, author, mentions, followers) VALUES
			(1, 7, '2026-10-31 00:00:00+00:00', 'bluesky', 'alice', 2, 100), (1, 7, '2026-11-01 00:00:00+00:00', 'bluesky', 'alice', 3, 150),
			(1, 7, '2026-11-02 00:00:00+00:00', 'bluesky', 'alice', 1, -1)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	// Times printed as the SQLite test expects them, in UTC.
	if _, err := db.ExecContext(ctx, `CREATE FUNCTION to_char_utc(t timestamptz) RETURNS text LANGUAGE sql AS
		$$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || '+00:00' $$`); err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 27); err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		q, want string
	}{
		{`SELECT string_agg(grain || ' ' || UTC(start_at) || ' ' || mentions || '/' || positive || '/' || neutral || '/' || negative || '/' || reach, '; ' ORDER BY grain, start_at)
		  FROM mention_rollup_spans`,
			"day 2026-10-31 00:00:00+00:00 2/1/1/0/300; day 2026-11-01 00:00:00+00:00 7/4/1/2/50; " +
				"month 2026-10-01 00:00:00+00:00 2/1/1/0/300; month 2026-11-01 00:00:00+00:00 7/4/1/2/50"},
		{`SELECT string_agg(grain || ' ' || UTC(start_at) || ' ' || term || ' ' || mentions, '; ' ORDER BY grain, start_at) FROM mention_term_spans`,
			"day 2026-10-31 00:00:00+00:00 prix 2; day 2026-11-01 00:00:00+00:00 prix 6; month 2026-10-01 00:00:00+00:00 prix 2; month 2026-11-01 00:00:00+00:00 prix 6"},
		// The reach of the days already stored keeps what the dashboard
		// computed (mentions × the day's followers); unknown followers reach no one.
		{`SELECT string_agg(UTC(month) || ' ' || author || ' ' || mentions || ' ' || followers || ' ' || reach, '; ' ORDER BY month) FROM mention_author_months`,
			"2026-10-01 00:00:00+00:00 alice 2 100 200; 2026-11-01 00:00:00+00:00 alice 4 150 450"},
	}
	for _, c := range checks {
		var got string
		q := strings.ReplaceAll(c.q, "UTC(", "to_char_utc(")
		if err := db.QueryRowContext(ctx, q).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("got  %s\nwant %s", got, c.want)
		}
	}
}
