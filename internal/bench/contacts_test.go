package bench

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/contacts"
)

// BenchmarkContactSuggestions fills a workspace with 200,000 accounts
// (TRIBUNE_BENCH_CONTACT_ACCOUNTS changes the number), each in a contact
// of its own, on three networks: one in 50 shares its display name with
// another account on another network, one in 70 its handle's local part.
// It measures, through contacts.Service (what the page and the API call),
// the first page of suggested merges, a page in the middle of the names,
// the first page of the handles, and one contact's page (its own
// suggestions). The accounts are written in bulk by SQL (a recursive CTE
// on SQLite, generate_series on PostgreSQL), and the database gives each
// its contact and its key columns as it would from any writer.
func BenchmarkContactSuggestions(b *testing.B) {
	total := envNamed("TRIBUNE_BENCH_CONTACT_ACCOUNTS", 200000)
	dialects(b, func(b *testing.B, pg bool) {
		ctx := context.Background()
		e := apptest.Start(b, apptest.Options{Postgres: pg})
		owner, ws := e.Owner(b)
		start := time.Now()
		seedContacts(b, e, pg, ws.ID, total)
		b.Logf("%d accounts written in %s", total, time.Since(start).Round(time.Millisecond))

		first, err := e.App.Contacts.SuggestionsAfter(ctx, owner, ws.ID, "")
		if err != nil || len(first.Suggestions) == 0 {
			b.Fatalf("first page: %v, %d suggestions", err, len(first.Suggestions))
		}
		twin := first.Suggestions[0].A.ID
		cases := []struct {
			name string
			call func() (int, error)
		}{
			{"first-page", func() (int, error) {
				p, err := e.App.Contacts.SuggestionsAfter(ctx, owner, ws.ID, "")
				return len(p.Suggestions), err
			}},
			{"middle-of-names", func() (int, error) {
				p, err := e.App.Contacts.SuggestionsAfter(ctx, owner, ws.ID, contacts.ReasonSameName+":twin 1000")
				return len(p.Suggestions), err
			}},
			{"first-page-of-handles", func() (int, error) {
				p, err := e.App.Contacts.SuggestionsAfter(ctx, owner, ws.ID, contacts.ReasonSameHandle+":")
				return len(p.Suggestions), err
			}},
			{"contact-page", func() (int, error) {
				d, err := e.App.Contacts.Get(ctx, owner, twin)
				return len(d.Suggestions), err
			}},
		}
		for _, c := range cases {
			b.Run(c.name, func(b *testing.B) {
				var times []time.Duration
				var got int
				for i := 0; i < 100*b.N; i++ {
					t0 := time.Now()
					n, err := c.call()
					times = append(times, time.Since(t0))
					if err != nil {
						b.Fatal(err)
					}
					got = n
				}
				if got == 0 {
					b.Fatalf("%s: no suggestion", c.name)
				}
				b.ReportMetric(percentile(times, 0.95).Seconds()*1000, "p95-ms")
				b.ReportMetric(percentile(times, 0.5).Seconds()*1000, "p50-ms")
				b.Logf("%s over %d accounts: %d suggestions, p50 %s, p95 %s", c.name, total, got,
					percentile(times, 0.5).Round(time.Microsecond), percentile(times, 0.95).Round(time.Microsecond))
			})
		}
	})
}

// seedContacts writes total accounts of workspace ws (ids from 1,000,001,
// clear of anything stored before), each of which the database puts in a
// contact of its own (migration 00032).
func seedContacts(b *testing.B, e *apptest.Env, pg bool, ws int64, total int) {
	ctx := context.Background()
	const base = 1000000
	name := "CASE WHEN i % 50 = 0 THEN 'Twin ' || (i / 100) ELSE 'Person ' || i END"
	handle := "CASE WHEN i % 70 = 0 THEN 'dup' || (i / 140) || '@m.test' ELSE 'user' || i || '@m.test' END"
	network := "CASE i % 3 WHEN 0 THEN 'mastodon' WHEN 1 THEN 'bluesky' ELSE 'threads' END"
	stmts := func(series, now string) []string {
		return []string{
			fmt.Sprintf(`INSERT INTO inbox_authors (id, workspace_id, network, external_id, handle, display_name, updated_at)
				SELECT %d + i, %d, %s, 'a' || i, %s, %s, %s FROM %s`, base, ws, network, handle, name, now, series),
		}
	}
	if pg {
		conn, err := pgx.Connect(ctx, e.App.Cfg.DatabaseURL)
		if err != nil {
			b.Fatal(err)
		}
		defer conn.Close(ctx)
		for _, q := range append(stmts(fmt.Sprintf("generate_series(1, %d) AS g(i)", total), "now()"), "ANALYZE") {
			if _, err := conn.Exec(ctx, q); err != nil {
				b.Fatal(err)
			}
		}
		return
	}
	db, err := sql.Open("sqlite", "file:"+e.App.Cfg.SQLitePath()+"?_pragma=busy_timeout(30000)")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	series := fmt.Sprintf("(WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < %d) SELECT i FROM g)", total)
	for _, q := range append(stmts(series, "datetime('now')"), "ANALYZE") {
		if _, err := db.ExecContext(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
}
