package bench

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/listen/analysis"
	"github.com/tribune-social/tribune/internal/listen/analysis/analysistest"
	"github.com/tribune-social/tribune/internal/store"
)

// BenchmarkListenDashboard measures the listening dashboard (issue 15 §3,
// goal p95 < 150 ms) of a brand topic that received 10,000,000 mentions over
// 13 months, beside three competitors with a tenth of that each.
//
// The rollups are written in bulk by SQL as the pipeline would have left
// them: one row per topic and hour (9,480 hours), per topic, hour and term
// (TRIBUNE_BENCH_LISTEN_TERMS distinct words and hashtags an hour, default
// 60), and per topic, day and author (TRIBUNE_BENCH_LISTEN_AUTHORS distinct
// authors a day, default 2,000); then the daily and monthly rollups
// (migration 00027) summed from them, as the pipeline keeps them. The mentions table stays empty: the
// dashboard never reads it (only the mention list does, one page by keyset).
//
// Measured through analysis.Service.Dashboard, which the page and the API
// call as they are, over 13 months by week, 30 days by day, 7 days by hour.
func BenchmarkListenDashboard(b *testing.B) {
	terms := envNamed("TRIBUNE_BENCH_LISTEN_TERMS", 60)
	authors := envNamed("TRIBUNE_BENCH_LISTEN_AUTHORS", 2000)
	dialects(b, func(b *testing.B, pg bool) {
		ctx := context.Background()
		e := apptest.Start(b, apptest.Options{Postgres: pg})
		owner, ws := e.Owner(b)
		end := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
		start := end.AddDate(0, -13, 0).Add(-24 * time.Hour) // 396 days, 9,504 hours
		hours := int(end.Sub(start) / time.Hour)
		var topics []int64
		for i, name := range []string{"Marque", "Concurrent A", "Concurrent B", "Concurrent C"} {
			kind := "competitor"
			if i == 0 {
				kind = "brand"
			}
			id, err := analysistest.Topic(ctx, e.Store, ws.ID, name, kind)
			if err != nil {
				b.Fatal(err)
			}
			topics = append(topics, id)
		}
		t0 := time.Now()
		total := seedListenRollups(b, e, pg, ws.ID, topics, start, hours, terms, authors)
		b.Logf("%d hours: %d brand mentions, rollups of %d terms an hour and %d authors a day written in %s",
			hours, total, terms, authors, time.Since(t0).Round(time.Millisecond))

		loc := time.UTC
		cases := []struct {
			name string
			q    analysis.Query
		}{
			{"13-months-by-week", analysis.Query{TopicID: topics[0], From: start.In(loc), To: end.Add(-time.Hour), Granularity: analysis.Week}},
			{"30-days-by-day", analysis.Query{TopicID: topics[0], From: end.AddDate(0, 0, -30), To: end.Add(-time.Hour), Granularity: analysis.Day}},
			{"7-days-by-hour", analysis.Query{TopicID: topics[0], From: end.AddDate(0, 0, -7), To: end.Add(-time.Hour), Granularity: analysis.Hour}},
		}
		// Where the time of the longest case goes: each query alone.
		b.Run("parts-13-months", func(b *testing.B) {
			// The period of the 13-month case as the service cuts it: the
			// first day alone, then 13 whole months.
			since, until := start, end
			months := start.Add(24 * time.Hour)
			p := store.ListAnalysisTopAuthorsParams{TopicID: topics[0], DaysSince: since, MonthsSince: months, MonthsUntil: until, DaysUntil: until, MaxRows: 10}
			parts := []struct {
				name string
				f    func() error
			}{
				{"days (series)", func() error {
					_, err := e.Store.ListAnalysisDays(ctx, store.ListAnalysisDaysParams{TopicID: topics[0], Since: since, Until: until})
					return err
				}},
				{"topic-totals", func() error {
					_, err := e.Store.ListAnalysisTopicTotals(ctx, store.ListAnalysisTopicTotalsParams{WorkspaceID: ws.ID, Since: since, DaysSince: since,
						MonthsSince: months, MonthsUntil: until, DaysUntil: until, Until: until})
					return err
				}},
				{"terms", func() error {
					_, err := e.Store.ListAnalysisTermTotals(ctx, store.ListAnalysisTermTotalsParams{TopicID: topics[0], Since: since, DaysSince: since,
						MonthsSince: months, MonthsUntil: until, DaysUntil: until, Until: until})
					return err
				}},
				{"authors (both rankings)", func() error { _, err := e.Store.ListAnalysisTopAuthors(ctx, p); return err }},
			}
			for _, part := range parts {
				var times []time.Duration
				for i := 0; i < 5*b.N; i++ {
					t0 := time.Now()
					if err := part.f(); err != nil {
						b.Fatal(err)
					}
					times = append(times, time.Since(t0))
				}
				b.Logf("%s: p50 %s, p95 %s", part.name, percentile(times, 0.5).Round(time.Microsecond), percentile(times, 0.95).Round(time.Microsecond))
			}
		})
		for _, c := range cases {
			b.Run(c.name, func(b *testing.B) {
				var times []time.Duration
				var d analysis.Dashboard
				for i := 0; i < 20*b.N; i++ {
					t0 := time.Now()
					var err error
					d, err = e.App.ListenAnalysis.Dashboard(ctx, owner, ws.ID, c.q)
					times = append(times, time.Since(t0))
					if err != nil {
						b.Fatal(err)
					}
				}
				if d.KPIs.Current.Mentions == 0 || len(d.TopTerms) == 0 || len(d.TopAuthors) == 0 || len(d.ShareOfVoice) != 4 {
					b.Fatalf("%s: an empty dashboard: %d mentions, %d terms, %d authors", c.name, d.KPIs.Current.Mentions, len(d.TopTerms), len(d.TopAuthors))
				}
				b.ReportMetric(percentile(times, 0.95).Seconds()*1000, "p95-ms")
				b.ReportMetric(percentile(times, 0.5).Seconds()*1000, "p50-ms")
				b.Logf("%s: %d mentions, %d points; p50 %s, p95 %s", c.name, d.KPIs.Current.Mentions, len(d.Series),
					percentile(times, 0.5).Round(time.Microsecond), percentile(times, 0.95).Round(time.Microsecond))
			})
		}
	})
}

// seedListenRollups writes the rollups of the benchmark in bulk and
// returns the brand's number of mentions. Each hour the brand has 1,055
// mentions on average (a daily wave of ±40 %), 30 % positive and 20 %
// negative; competitors a tenth of it. Terms follow a Zipf curve (the
// j-th word of an hour is in 1/(j+1) of its mentions, every fifth one a
// hashtag); authors too (the a-th author of a day wrote 1 + 40/(a+1)).
func seedListenRollups(b *testing.B, e *apptest.Env, pg bool, wsID int64, topics []int64, start time.Time, hours, terms, authors int) int64 {
	ctx := context.Background()
	days := hours / 24
	// Brand volume of hour i; the sum over 9,504 hours is about 10 million.
	volume := "(1055 + ((i % 24) - 12) * 35)"
	var stmts []string
	for k, topic := range topics {
		div := 1
		if k > 0 {
			div = 10
		}
		v := fmt.Sprintf("(%s / %d)", volume, div)
		stmts = append(stmts,
			fmt.Sprintf(`INSERT INTO mention_rollups (workspace_id, topic_id, hour, mentions, positive, neutral, negative, reach)
				SELECT %d, %d, %s, %s, %s * 3 / 10, %s - %s * 3 / 10 - %s / 5, %s / 5, %s * 850 FROM %s`,
				wsID, topic, "HOUR", v, v, v, v, v, v, v, "HOURS"),
			fmt.Sprintf(`INSERT INTO mention_term_rollups (workspace_id, topic_id, hour, term, mentions)
				SELECT %d, %d, %s, CASE WHEN j %% 5 = 4 THEN '#tag' ELSE 'mot' END || j, %s / (j + 1) + 1 FROM %s`,
				wsID, topic, "HOUR", v, "HOURTERMS"),
			fmt.Sprintf(`INSERT INTO mention_author_rollups (workspace_id, topic_id, day, network, author, mentions, followers, reach)
				SELECT %d, %d, %s, 'bluesky', 'auteur' || ((d * 37 + a) %% 50000), 1 + 40 / (a + 1), (a * 7919) %% 200000,
				       (1 + 40 / (a + 1)) * ((a * 7919) %% 200000) FROM %s`,
				wsID, topic, "DAY", "DAYAUTHORS"))
	}
	// The daily and monthly rollups, summed from the finer ones as the
	// pipeline would have kept them (UTC days and months).
	stmts = append(stmts,
		`INSERT INTO mention_rollup_spans (workspace_id, topic_id, grain, start_at, mentions, positive, neutral, negative, reach)
		 SELECT workspace_id, topic_id, 'day', DAYOF(hour), sum(mentions), sum(positive), sum(neutral), sum(negative), sum(reach)
		 FROM mention_rollups GROUP BY workspace_id, topic_id, DAYOF(hour)`,
		`INSERT INTO mention_rollup_spans (workspace_id, topic_id, grain, start_at, mentions, positive, neutral, negative, reach)
		 SELECT workspace_id, topic_id, 'month', MONTHOF(hour), sum(mentions), sum(positive), sum(neutral), sum(negative), sum(reach)
		 FROM mention_rollups GROUP BY workspace_id, topic_id, MONTHOF(hour)`,
		`INSERT INTO mention_term_spans (workspace_id, topic_id, grain, start_at, term, mentions)
		 SELECT workspace_id, topic_id, 'day', DAYOF(hour), term, sum(mentions)
		 FROM mention_term_rollups GROUP BY workspace_id, topic_id, DAYOF(hour), term`,
		`INSERT INTO mention_term_spans (workspace_id, topic_id, grain, start_at, term, mentions)
		 SELECT workspace_id, topic_id, 'month', MONTHOF(hour), term, sum(mentions)
		 FROM mention_term_rollups GROUP BY workspace_id, topic_id, MONTHOF(hour), term`,
		`INSERT INTO mention_author_months (workspace_id, topic_id, month, network, author, mentions, followers, reach)
		 SELECT workspace_id, topic_id, MONTHOF(day), network, author, sum(mentions), max(followers), sum(reach)
		 FROM mention_author_rollups GROUP BY workspace_id, topic_id, MONTHOF(day), network, author`)
	if pg {
		conn, err := pgx.Connect(ctx, e.App.Cfg.DatabaseURL)
		if err != nil {
			b.Fatal(err)
		}
		defer conn.Close(ctx)
		st := start.Format(time.RFC3339)
		r := map[string]string{
			"HOUR":       fmt.Sprintf("'%s'::timestamptz + i * interval '1 hour'", st),
			"DAY":        fmt.Sprintf("'%s'::timestamptz + d * interval '1 day'", st),
			"HOURS":      fmt.Sprintf("generate_series(0, %d) AS g(i)", hours-1),
			"HOURTERMS":  fmt.Sprintf("generate_series(0, %d) AS g(i), generate_series(0, %d) AS t(j)", hours-1, terms-1),
			"DAYAUTHORS": fmt.Sprintf("generate_series(0, %d) AS g(d), generate_series(0, %d) AS t(a)", days-1, authors-1),
		}
		coarse := strings.NewReplacer("DAYOF(hour)", "date_trunc('day', hour AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'",
			"MONTHOF(hour)", "date_trunc('month', hour AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'",
			"MONTHOF(day)", "date_trunc('month', day AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'")
		for _, s := range stmts {
			if _, err := conn.Exec(ctx, replaceAll(coarse.Replace(s), r)); err != nil {
				b.Fatal(err)
			}
		}
		// VACUUM sets the visibility map the index-only scans need, as
		// autovacuum does on a live insert-mostly table; one statement
		// each (VACUUM refuses a transaction block).
		for _, t := range []string{"mention_rollups", "mention_term_rollups", "mention_author_rollups", "mention_rollup_spans", "mention_term_spans", "mention_author_months"} {
			if _, err := conn.Exec(ctx, "VACUUM ANALYZE "+t); err != nil {
				b.Fatal(err)
			}
		}
	} else {
		db, err := sql.Open("sqlite", "file:"+e.App.Cfg.SQLitePath()+"?_pragma=busy_timeout(30000)")
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		// The text the driver writes for a UTC time.Time (_time_format=sqlite).
		st := start.Format("2006-01-02 15:04:05")
		r := map[string]string{
			"HOUR":       fmt.Sprintf("strftime('%%Y-%%m-%%d %%H:%%M:%%S', '%s', '+' || i || ' hours') || '+00:00'", st),
			"DAY":        fmt.Sprintf("strftime('%%Y-%%m-%%d %%H:%%M:%%S', '%s', '+' || d || ' days') || '+00:00'", st),
			"HOURS":      fmt.Sprintf("(WITH RECURSIVE g(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM g WHERE i < %d) SELECT i FROM g)", hours-1),
			"HOURTERMS":  fmt.Sprintf("(WITH RECURSIVE g(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM g WHERE i < %d) SELECT i FROM g), (WITH RECURSIVE t(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM t WHERE j < %d) SELECT j FROM t)", hours-1, terms-1),
			"DAYAUTHORS": fmt.Sprintf("(WITH RECURSIVE g(d) AS (SELECT 0 UNION ALL SELECT d + 1 FROM g WHERE d < %d) SELECT d FROM g), (WITH RECURSIVE t(a) AS (SELECT 0 UNION ALL SELECT a + 1 FROM t WHERE a < %d) SELECT a FROM t)", days-1, authors-1),
		}
		coarse := strings.NewReplacer("DAYOF(hour)", "strftime('%Y-%m-%d 00:00:00+00:00', hour)",
			"MONTHOF(hour)", "strftime('%Y-%m-01 00:00:00+00:00', hour)", "MONTHOF(day)", "strftime('%Y-%m-01 00:00:00+00:00', day)")
		for _, s := range stmts {
			if _, err := db.ExecContext(ctx, replaceAll(coarse.Replace(s), r)); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := db.ExecContext(ctx, "ANALYZE"); err != nil {
			b.Fatal(err)
		}
	}
	var total int64
	for i := 0; i < hours; i++ {
		total += int64(1055 + ((i%24)-12)*35)
	}
	return total
}

func replaceAll(s string, r map[string]string) string {
	// Longest keys first: HOURTERMS before HOURS before HOUR.
	for _, k := range []string{"HOURTERMS", "DAYAUTHORS", "HOURS", "HOUR", "DAY"} {
		s = replaceWord(s, k, r[k])
	}
	return s
}

func replaceWord(s, k, v string) string {
	out := ""
	for {
		i := indexWord(s, k)
		if i < 0 {
			return out + s
		}
		out += s[:i] + v
		s = s[i+len(k):]
	}
}

// indexWord finds k in s as a whole upper-case word.
func indexWord(s, k string) int {
	for i := 0; i+len(k) <= len(s); i++ {
		if s[i:i+len(k)] != k {
			continue
		}
		before := i == 0 || !(s[i-1] >= 'A' && s[i-1] <= 'Z')
		after := i+len(k) == len(s) || !(s[i+len(k)] >= 'A' && s[i+len(k)] <= 'Z')
		if before && after {
			return i
		}
	}
	return -1
}
