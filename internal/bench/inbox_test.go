package bench

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite" // the seeding connection of BenchmarkInboxList

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/config"
	"github.com/tribune-social/tribune/internal/inbox"
	"github.com/tribune-social/tribune/internal/moderation"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/store"
)

// inboxTexts are comments of the kinds an inbox receives, French and
// English, praise, complaints and questions, so that the sentiment model,
// the language detection and the rules do their real work (a few match a
// rule, most do not).
var inboxTexts = []string{
	"Merci pour cette belle collection, livraison rapide !",
	"Toujours pas reçu ma commande, c'est nul, trois semaines d'attente",
	"Love the new colours, ordered two already",
	"When will the blue one be back in stock?",
	"Service client injoignable, je suis très déçu",
	"This is a scam, they never refunded me. Avoid!!!",
	"Bonjour, est-ce que vous livrez en Belgique ?",
	"Great quality but the sizes run small",
	"Franchement génial, je recommande à tout le monde",
	"WORST CUSTOMER SERVICE EVER",
	"Check my profile for free followers https://spam.example/win",
	"Le colis est arrivé abîmé, remboursement demandé",
	"Thanks for the quick answer yesterday",
	"Quelle est la composition du tissu ?",
	"Meh. Not what the photos show.",
	"Écrivez-moi à promo@spam.example pour un partenariat",
	"Super équipe, toujours à l'écoute",
	"I want my money back, this is unacceptable",
	"Nice 👍",
	"Can I change the delivery address after ordering?",
}

// inboxRules are ten rules of the kinds a team writes: keywords, a regular
// expression, sentiment, language, links, e-mail addresses, capitals.
// None acts on the network (hide, delete): the benchmark measures Tribune.
func inboxRules(memberID int64) []moderation.Rule {
	kw := func(terms ...string) []moderation.Condition {
		return []moderation.Condition{{Kind: moderation.CondKeywords, Terms: terms}}
	}
	tag := func(t string) []moderation.Action { return []moderation.Action{{Kind: moderation.ActTag, Tag: t}} }
	return []moderation.Rule{
		{Name: "Scams", Conditions: kw("scam", "arnaq*"), Actions: append(tag("scam"), moderation.Action{Kind: moderation.ActPriority, Priority: moderation.PriorityHigh})},
		{Name: "Refunds", Conditions: kw("refund*", "rembours*", "money back"), Actions: append(tag("refund"), moderation.Action{Kind: moderation.ActAssign, MemberID: memberID})},
		{Name: "Delivery", Conditions: kw("livraison", "delivery", "colis", "commande"), Actions: tag("delivery")},
		{Name: "Stock", Conditions: []moderation.Condition{{Kind: moderation.CondRegex, Pattern: `\b(stock|back in|rupture)\b`}}, Actions: tag("stock")},
		{Name: "Angry", Conditions: []moderation.Condition{{Kind: moderation.CondSentimentBelow, Threshold: -0.5}}, Actions: []moderation.Action{{Kind: moderation.ActPriority, Priority: moderation.PriorityUrgent}}},
		{Name: "Happy", Conditions: []moderation.Condition{{Kind: moderation.CondSentimentAbove, Threshold: 0.6}}, Actions: tag("praise")},
		{Name: "French", Conditions: []moderation.Condition{{Kind: moderation.CondLanguage, Values: []string{"fr"}}}, Actions: tag("fr")},
		{Name: "Links", Conditions: []moderation.Condition{{Kind: moderation.CondLink}}, Actions: tag("link")},
		{Name: "E-mail", Conditions: []moderation.Condition{{Kind: moderation.CondEmail}}, Actions: tag("email")},
		{Name: "Shouting", Conditions: []moderation.Condition{{Kind: moderation.CondAllCaps}}, Actions: tag("caps")},
	}
}

// BenchmarkInboxIngest sends 100,000 new items (TRIBUNE_BENCH_POSTS
// changes the number) through inbox.Service.Ingest in fetches of
// inbox.FetchLimit (100; TRIBUNE_BENCH_FETCH changes it), as a poll stores
// a backlog: it asks each connector for FetchLimit items a fetch (Mastodon
// reads them in pages of 40, Bluesky in one page of 100) and stores each
// fetch in one transaction. The store, conversations and authors, the real
// sentiment model and language detection, and ten moderation rules (and,
// beside it, the same without rules).
//
// rules=N ingests sequentially through one channel, one fetch after the
// other. rules=10,channels=2 ingests the same number of items through two
// channels at once, half each, one goroutine per channel: River runs the
// inbox queue with two workers per node, so two channels' polls store
// their fetches together in production.
func BenchmarkInboxIngest(b *testing.B) {
	total := env(100000)
	dialects(b, func(b *testing.B, pg bool) {
		// Without rules too: what the rules cost is then read beside the rest.
		for _, rules := range []int{10, 0} {
			b.Run(fmt.Sprintf("rules=%d", rules), func(b *testing.B) { inboxIngest(b, pg, total, rules, 1) })
		}
		b.Run("rules=10,channels=2", func(b *testing.B) { inboxIngest(b, pg, total, 10, 2) })
	})
}

// benchApp names the benchmark's PostgreSQL sessions, so that the server's
// CPU time spent for them can be told from the other sessions' (and
// benchAnalyze the one that runs ANALYZE).
const (
	benchApp     = "tribune-bench-ingest"
	benchAnalyze = "tribune-bench-analyze"
)

func inboxIngest(b *testing.B, pg bool, total, rules, channels int) {
	ctx := context.Background()
	e := apptest.Start(b, apptest.Options{Postgres: pg, Configure: func(c *config.Config) {
		if pg {
			c.DatabaseURL += "&application_name=" + benchApp
		}
	}})
	owner, ws := e.Owner(b)
	chans := make([]store.Channel, channels)
	for c := range chans {
		ch, err := e.App.Channels.ConnectSandbox(ctx, owner, ws.ID, fmt.Sprintf("inbox-bench-%d", c))
		if err != nil {
			b.Fatal(err)
		}
		chans[c] = ch
	}
	for i, r := range inboxRules(owner.ID)[:rules] {
		r.Enabled, r.Order = true, i+1
		if _, err := e.App.Inbox.SaveRule(ctx, owner, ws.ID, r); err != nil {
			b.Fatal(err)
		}
	}
	// The test server runs with autovacuum off, so the inbox tables were
	// never analysed while they grew from empty, and the plans PostgreSQL
	// keeps for the prepared statements stayed those of empty tables
	// (reading the whole channel's index range to find a fetch's ids:
	// 255 items/s at 100,000 items). The benchmark stands in for
	// autovacuum's default (ANALYZE once the rows changed since the last
	// one pass 50 + 10% of the table), inside the timed loop. Like
	// autovacuum's worker, it runs beside the ingestion, one ANALYZE at a
	// time: it had been run between two fetches, so the ingestion waited
	// for it, which autovacuum never makes a writer do.
	analyze, settle := func(int) {}, func() {}
	serverCPU, analyzeCPU := func() time.Duration { return 0 }, func() time.Duration { return 0 }
	if pg {
		// The ANALYZE connection is named apart: autovacuum's work is the
		// server's too, but it is read beside the ingestion's own.
		cc, err := pgx.ParseConfig(e.App.Cfg.DatabaseURL)
		if err != nil {
			b.Fatal(err)
		}
		cc.RuntimeParams["application_name"] = benchAnalyze
		conn, err := pgx.ConnectConfig(ctx, cc)
		if err != nil {
			b.Fatal(err)
		}
		defer conn.Close(ctx)
		// The worker's own connection: conn reads the CPU times meanwhile.
		worker, err := pgx.ConnectConfig(ctx, cc)
		if err != nil {
			b.Fatal(err)
		}
		defer worker.Close(ctx)
		var mu sync.Mutex
		stored, last := 0, 0
		due := make(chan struct{}, 1)
		var pending sync.WaitGroup // the ANALYZEs asked for and not done
		go func() {
			for range due {
				if _, err := worker.Exec(ctx, "ANALYZE inbox_items, inbox_authors, inbox_conversations, inbox_item_tags, inbox_actions"); err != nil {
					b.Error(err)
				}
				pending.Done()
			}
		}()
		defer close(due)
		analyze = func(n int) {
			mu.Lock()
			defer mu.Unlock()
			stored += n
			if stored-last <= 50+last/10 {
				return
			}
			last = stored
			pending.Add(1)
			select {
			case due <- struct{}{}:
			default: // one is due already: it reads the rows added since
				pending.Done()
			}
		}
		// Before the CPU times are read, the last ANALYZE ends (outside
		// the timed part: the ingestion was done).
		settle = pending.Wait
		serverCPU = func() time.Duration { return backendsCPU(b, conn, benchApp) }
		analyzeCPU = func() time.Duration { return backendsCPU(b, conn, benchAnalyze) }
	}
	page := envNamed("TRIBUNE_BENCH_FETCH", inbox.FetchLimit)
	base := time.Now().Add(-time.Hour)
	n := 0
	// The process's CPU time too: on the shared machine the wall clock
	// says as much about the other sessions as about Tribune. On
	// PostgreSQL, the server's CPU time for the benchmark's sessions is
	// read apart (what the wall clock then leaves is waiting).
	var cpu, srv, an time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start, cpu0, srv0, an0 := time.Now(), cpuTime(), serverCPU(), analyzeCPU()
		var wg sync.WaitGroup
		errs := make([]error, channels)
		for c, ch := range chans {
			from, to := c*total/channels, (c+1)*total/channels
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[c] = ingestRange(ctx, e.App.Inbox, ch, i, from, to, page, base, analyze)
			}()
		}
		wg.Wait()
		took := time.Since(start)
		if err := errors.Join(errs...); err != nil {
			b.Fatal(err)
		}
		n += total
		b.StopTimer()
		settle()
		dcpu, dsrv, dan := cpuTime()-cpu0, serverCPU()-srv0, analyzeCPU()-an0
		b.StartTimer()
		cpu, srv, an = cpu+dcpu, srv+dsrv, an+dan
		b.Logf("%d items through %d channel(s) in %s (process CPU %s, PostgreSQL CPU %s for the ingestion, %s for ANALYZE)", total, channels,
			took.Round(time.Millisecond), dcpu.Round(time.Millisecond), dsrv.Round(time.Millisecond), dan.Round(time.Millisecond))
	}
	b.StopTimer()
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "items/s")
	b.ReportMetric(float64(n)/cpu.Seconds(), "items/CPU-s")
	if pg {
		// The server's CPU for the ingestion's sessions, then everything:
		// Tribune, those sessions and the ANALYZE standing in for autovacuum.
		b.ReportMetric(float64(n)/srv.Seconds(), "items/server-CPU-s")
		b.ReportMetric(float64(n)/(cpu+srv+an).Seconds(), "items/total-CPU-s")
	}
	// The rules ran: a fetch whose items a rule matches leaves its mark.
	page1, err := e.App.Inbox.List(ctx, owner, ws.ID, inbox.Filter{Tag: "scam"})
	if err != nil {
		b.Fatal(err)
	}
	if (len(page1.Items) > 0) != (rules > 0) {
		b.Fatalf("%d items tagged by the Scams rule with %d rules", len(page1.Items), rules)
	}
}

// ingestRange ingests items from to to (exclusive) of round i through ch,
// in fetches of page, as one poll job after another would.
func ingestRange(ctx context.Context, svc *inbox.Service, ch store.Channel, i, from, to, page int, base time.Time, analyze func(int)) error {
	for done := from; done < to; done += page {
		batch := make([]network.Item, 0, page)
		for j := done; j < done+page && j < to; j++ {
			id := fmt.Sprintf("r%d-%d", i, j)
			root := fmt.Sprintf("post%d", j%1000)
			batch = append(batch, network.Item{ExternalID: id, Kind: network.KindComment, Ref: network.Ref{ID: id},
				Root: &network.Ref{ID: root}, ParentID: root, ConversationID: root,
				Author: network.Author{ExternalID: fmt.Sprintf("a%d", j%5000), Handle: fmt.Sprintf("fan%d", j%5000)},
				Text:   fmt.Sprintf("%s (%d)", inboxTexts[j%len(inboxTexts)], j), CreatedAt: base.Add(time.Duration(j) * time.Millisecond)})
		}
		res, err := svc.Ingest(ctx, ch, batch)
		if err != nil {
			return fmt.Errorf("channel %d, fetch at %d: %w", ch.ID, done, err)
		}
		if res.Added != len(batch) {
			return fmt.Errorf("channel %d, fetch at %d: %d items added, want %d", ch.ID, done, res.Added, len(batch))
		}
		analyze(len(batch))
	}
	return nil
}

// backendsCPU sums the CPU time (user and system, from /proc) of the
// PostgreSQL backends of the sessions named app; a backend gone
// since is not counted. The server must run on this machine.
func backendsCPU(b *testing.B, conn *pgx.Conn, app string) time.Duration {
	rows, err := conn.Query(context.Background(), "SELECT pid FROM pg_stat_activity WHERE application_name = $1", app)
	if err != nil {
		b.Fatal(err)
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		b.Fatal(err)
	}
	var ticks int64
	for _, pid := range pids {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue // the backend ended meanwhile
		}
		// Fields after the command's closing parenthesis: utime and stime
		// are the 12th and 13th.
		f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		for _, k := range []int{11, 12} {
			v, _ := strconv.ParseInt(f[k], 10, 64)
			ticks += v
		}
	}
	return time.Duration(ticks) * time.Second / clockTicks
}

// clockTicks is the kernel's USER_HZ, the unit of /proc's CPU times (100
// on Linux's architectures).
const clockTicks = 100

// BenchmarkInboxList fills a workspace with 1,000,000 inbox items
// (TRIBUNE_BENCH_INBOX_ITEMS changes the number) and measures, through
// inbox.Service.List (the page's and the API's query, decorated as they
// show it), one page filtered by status, by status and assignee, and a
// full-text search. The items are written in bulk by SQL from one item
// stored by Ingest (a recursive CTE on SQLite, generate_series on
// PostgreSQL): ingesting a million through the service would take the
// benchmark's whole time and measures nothing the list depends on.
func BenchmarkInboxList(b *testing.B) {
	total := envNamed("TRIBUNE_BENCH_INBOX_ITEMS", 1000000)
	dialects(b, func(b *testing.B, pg bool) {
		ctx := context.Background()
		e := apptest.Start(b, apptest.Options{Postgres: pg})
		owner, ws := e.Owner(b)
		ch, err := e.App.Channels.ConnectSandbox(ctx, owner, ws.ID, "inbox-list")
		if err != nil {
			b.Fatal(err)
		}
		// Four more members to share the assigned items with the owner.
		members := []int64{owner.ID}
		for i := 0; i < 4; i++ {
			u, err := e.Store.CreateUser(ctx, store.CreateUserParams{OrganizationID: owner.OrganizationID, Email: fmt.Sprintf("cm%d@example.test", i),
				Name: fmt.Sprintf("cm%d", i), PasswordHash: "x", OrgRole: "member", Locale: "en", CreatedAt: time.Now()})
			if err != nil {
				b.Fatal(err)
			}
			if err := e.Store.UpsertMembership(ctx, store.UpsertMembershipParams{WorkspaceID: ws.ID, UserID: u.ID, Role: "community_manager", CreatedAt: time.Now()}); err != nil {
				b.Fatal(err)
			}
			members = append(members, u.ID)
		}
		seed, err := e.App.Inbox.Ingest(ctx, ch, []network.Item{{ExternalID: "seed", Kind: network.KindComment, Ref: network.Ref{ID: "seed"},
			Root: &network.Ref{ID: "post"}, ParentID: "post", ConversationID: "post", Author: network.Author{ExternalID: "a", Handle: "fan"},
			Text: inboxTexts[0], CreatedAt: time.Now()}})
		if err != nil || len(seed.NewIDs) != 1 {
			b.Fatalf("seed item: %v %+v", err, seed)
		}
		start := time.Now()
		seedInbox(b, e, pg, seed.NewIDs[0], total, members)
		b.Logf("%d items written in %s", total, time.Since(start).Round(time.Millisecond))

		cases := []struct {
			name string
			f    inbox.Filter
		}{
			{"status", inbox.Filter{Status: inbox.StatusOpen}},
			{"status+assignee", inbox.Filter{Status: inbox.StatusOpen, AssigneeID: members[2]}},
			{"status+unassigned", inbox.Filter{Status: inbox.StatusNew, Unassigned: true}},
			{"search-remboursement", inbox.Filter{Query: "remboursement"}},
			{"search-belgique", inbox.Filter{Query: "Belgique"}},
		}
		for _, c := range cases {
			b.Run(c.name, func(b *testing.B) {
				var times []time.Duration
				var got int
				for i := 0; i < 100*b.N; i++ {
					t0 := time.Now()
					p, err := e.App.Inbox.List(ctx, owner, ws.ID, c.f)
					times = append(times, time.Since(t0))
					if err != nil {
						b.Fatal(err)
					}
					got = len(p.Items)
				}
				if got == 0 {
					b.Fatalf("%s: an empty page", c.name)
				}
				b.ReportMetric(percentile(times, 0.95).Seconds()*1000, "p95-ms")
				b.ReportMetric(percentile(times, 0.5).Seconds()*1000, "p50-ms")
				b.Logf("%s over %d items: %d on the page, p50 %s, p95 %s", c.name, total, got,
					percentile(times, 0.5).Round(time.Microsecond), percentile(times, 0.95).Round(time.Microsecond))
			})
		}
	})
}

// seedInbox copies the stored item seedID total times in one workspace:
// statuses new 40%, open 30%, pending 10%, done 20%; a third of the items
// unassigned, the rest shared by the members; the texts of inboxTexts.
func seedInbox(b *testing.B, e *apptest.Env, pg bool, seedID int64, total int, members []int64) {
	ctx := context.Background()
	var texts []string
	for _, t := range inboxTexts {
		texts = append(texts, "'"+strings.ReplaceAll(t, "'", "''")+"'")
	}
	var assignee strings.Builder
	assignee.WriteString("CASE WHEN i % 3 = 0 THEN NULL")
	for k, id := range members {
		fmt.Fprintf(&assignee, " WHEN (i / 7) %% %d = %d THEN %d", len(members), k, id)
	}
	assignee.WriteString(" END")
	status := "CASE WHEN i % 10 < 4 THEN 'new' WHEN i % 10 < 7 THEN 'open' WHEN i % 10 < 8 THEN 'pending' ELSE 'done' END"
	cols := "workspace_id, channel_id, network, external_id, kind, conversation_id, ref_id, root_id, parent_id, author_id, text, lang, sentiment, sentiment_score, network_created_at, status, assignee_id, priority, created_at, updated_at"
	sel := func(text, series string) string {
		return fmt.Sprintf(`SELECT s.workspace_id, s.channel_id, s.network, 'x' || i, s.kind, s.conversation_id, 'x' || i, s.root_id, s.parent_id, s.author_id,
			%s || ' ' || i, s.lang, s.sentiment, s.sentiment_score, s.network_created_at, %s, %s, i %% 4, s.created_at, s.updated_at
			FROM %s, inbox_items s WHERE s.id = %d`, text, status, assignee.String(), series, seedID)
	}
	const chunk = 100000
	if pg {
		conn, err := pgx.Connect(ctx, e.App.Cfg.DatabaseURL)
		if err != nil {
			b.Fatal(err)
		}
		defer conn.Close(ctx)
		for from := 1; from <= total; from += chunk {
			to := min(from+chunk-1, total)
			q := "INSERT INTO inbox_items (" + cols + ") " + sel("(ARRAY["+strings.Join(texts, ",")+"])[1 + i % "+fmt.Sprint(len(texts))+"]",
				fmt.Sprintf("generate_series(%d, %d) AS g(i)", from, to))
			if _, err := conn.Exec(ctx, q); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := conn.Exec(ctx, "ANALYZE inbox_items"); err != nil {
			b.Fatal(err)
		}
		return
	}
	db, err := sql.Open("sqlite", "file:"+e.App.Cfg.SQLitePath()+"?_pragma=busy_timeout(30000)")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var pick strings.Builder
	pick.WriteString("CASE i % " + fmt.Sprint(len(texts)))
	for k, t := range texts {
		fmt.Fprintf(&pick, " WHEN %d THEN %s", k, t)
	}
	pick.WriteString(" END")
	for from := 1; from <= total; from += chunk {
		to := min(from+chunk-1, total)
		q := fmt.Sprintf("WITH RECURSIVE g(i) AS (SELECT %d UNION ALL SELECT i + 1 FROM g WHERE i < %d) INSERT INTO inbox_items (%s) %s", from, to, cols, sel(pick.String(), "g"))
		if _, err := db.ExecContext(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := db.ExecContext(ctx, "ANALYZE"); err != nil {
		b.Fatal(err)
	}
}

func envNamed(name string, n int) int {
	if v, err := fmt.Sscan(os.Getenv(name), &n); v == 1 && err == nil {
		return n
	}
	return n
}
