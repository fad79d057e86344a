package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/tribune-social/tribune/internal/store"
)

// Migration 00027 rolls the listening data already stored up into the new
// daily and monthly tables: a dashboard of an upgraded database must count
// what it counted before the upgrade. Rows written as the driver writes
// times ('2006-01-02 15:04:05+00:00') before 00027, then the migration.
func TestCoarseRollupsBackfilled(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "t.db"))
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
	if _, err := p.UpTo(ctx, 26); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
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
	if _, err := p.UpTo(ctx, 27); err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		q, want string
	}{
		{`SELECT group_concat(grain || ' ' || start_at || ' ' || mentions || '/' || positive || '/' || neutral || '/' || negative || '/' || reach, '; ')
		  FROM (SELECT * FROM mention_rollup_spans ORDER BY grain, start_at)`,
			"day 2026-10-31 00:00:00+00:00 2/1/1/0/300; day 2026-11-01 00:00:00+00:00 7/4/1/2/50; " +
				"month 2026-10-01 00:00:00+00:00 2/1/1/0/300; month 2026-11-01 00:00:00+00:00 7/4/1/2/50"},
		{`SELECT group_concat(grain || ' ' || start_at || ' ' || term || ' ' || mentions, '; ') FROM (SELECT * FROM mention_term_spans ORDER BY grain, start_at)`,
			"day 2026-10-31 00:00:00+00:00 prix 2; day 2026-11-01 00:00:00+00:00 prix 6; month 2026-10-01 00:00:00+00:00 prix 2; month 2026-11-01 00:00:00+00:00 prix 6"},
		// The reach of the days already stored keeps what the dashboard
		// computed (mentions × the day's followers); unknown followers reach no one.
		{`SELECT group_concat(month || ' ' || author || ' ' || mentions || ' ' || followers || ' ' || reach, '; ') FROM (SELECT * FROM mention_author_months ORDER BY month)`,
			"2026-10-01 00:00:00+00:00 alice 2 100 200; 2026-11-01 00:00:00+00:00 alice 4 150 450"},
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
