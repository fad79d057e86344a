// Package bench holds the benchmarks of docs/benchmarks.md. Run them with
// `make bench` (each runs once: they measure a whole scenario, not a loop).
// PostgreSQL variants need TRIBUNE_TEST_POSTGRES, like the tests.
package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/tribune-social/tribune/internal/app"
	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/config"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/sandbox"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/schedule"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/store/postgres"
	"github.com/tribune-social/tribune/internal/store/storetest"
)

func dialects(b *testing.B, fn func(b *testing.B, pg bool)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, false) })
	b.Run("postgres", func(b *testing.B) {
		if os.Getenv(storetest.PostgresEnv) == "" {
			b.Skip("PostgreSQL benchmark skipped: set TRIBUNE_TEST_POSTGRES")
		}
		fn(b, true)
	})
}

func env(n int) int {
	if v, err := fmt.Sscan(os.Getenv("TRIBUNE_BENCH_POSTS"), &n); v == 1 && err == nil {
		return n
	}
	return n
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	i := int(float64(len(d)-1) * p)
	return d[i]
}

// BenchmarkDispatch schedules N posts (default 10,000) on ten sandbox
// channels for the same minute and measures, once they are due, how late
// each one reached the sandbox (dispatch lag) and the posts published per
// second.
func BenchmarkDispatch(b *testing.B) {
	n := env(10000)
	dialects(b, func(b *testing.B, pg bool) {
		for i := 0; i < b.N; i++ {
			dispatchOnce(b, pg, n)
		}
	})
}

func dispatchOnce(b *testing.B, pg bool, n int) {
	ctx := context.Background()
	e := apptest.Start(b, apptest.Options{Workers: true, Postgres: pg, NetworkTimeout: 10 * time.Second})
	owner, ws := e.Owner(b)
	var chs []int64
	for i := 0; i < 10; i++ {
		ch, err := e.App.Channels.ConnectSandbox(ctx, owner, ws.ID, fmt.Sprintf("bench%d", i))
		if err != nil {
			b.Fatal(err)
		}
		chs = append(chs, ch.ID)
	}
	ws, role, err := e.App.Auth.Authorize(ctx, owner, ws.ID, auth.Schedule)
	if err != nil {
		b.Fatal(err)
	}
	// Due at the first whole minute at least 40 s away (inserting takes time).
	due := time.Now().Add(40 * time.Second).Truncate(time.Minute).Add(time.Minute)
	local, _ := schedule.Wall(due, ws.Timezone)
	start := time.Now()
	const batch = 1000
	for done := 0; done < n; done += batch {
		err := e.Store.InTx(ctx, func(tx store.Tx) error {
			for j := done; j < done+batch && j < n; j++ {
				in := posts.Input{ScheduledLocal: local, ConfirmDuplicate: true,
					Variants: []posts.VariantInput{{ChannelID: chs[j%len(chs)], Text: fmt.Sprintf("bench post #%d", j)}}}
				if _, err := e.App.Posts.SaveTx(ctx, tx, owner, role, ws, 0, in, posts.DoSchedule, &due, ws.Timezone); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	inserted := time.Since(start)
	if time.Now().After(due) {
		b.Fatalf("inserting %d posts took %s: they were due before the insert ended", n, inserted)
	}
	b.Logf("%d posts inserted in %s (%.0f/s)", n, inserted.Round(time.Millisecond), float64(n)/inserted.Seconds())
	// TRIBUNE_BENCH_CPUPROFILE=file profiles the burst alone (from a second
	// before the due minute to the last post), not the inserts before it.
	stopProfile := func() {}
	if path := os.Getenv("TRIBUNE_BENCH_CPUPROFILE"); path != "" {
		time.Sleep(time.Until(due.Add(-time.Second)))
		f, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			b.Fatal(err)
		}
		stopProfile = func() { pprof.StopCPUProfile(); f.Close() }
	}
	// Wait until the sandbox received them all.
	deadline := due.Add(10 * time.Minute)
	for {
		if got := len(e.Sandbox.Received()); got >= n {
			stopProfile()
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("only %d of %d posts published 10 minutes after they were due", len(e.Sandbox.Received()), n)
		}
		time.Sleep(100 * time.Millisecond)
	}
	received := e.Sandbox.Received()
	lags := make([]time.Duration, 0, len(received))
	var last time.Time
	seen := map[string]bool{}
	for _, p := range received {
		if seen[p.Text] {
			b.Fatalf("%q published twice", p.Text)
		}
		seen[p.Text] = true
		lags = append(lags, p.CreatedAt.Sub(due))
		if p.CreatedAt.After(last) {
			last = p.CreatedAt
		}
	}
	span := last.Sub(due)
	rate := float64(n) / span.Seconds()
	p50, p99 := percentile(lags, 0.50), percentile(lags, 0.99)
	b.ReportMetric(p50.Seconds(), "p50-lag-s")
	b.ReportMetric(p99.Seconds(), "p99-lag-s")
	b.ReportMetric(rate, "posts/s")
	if pgs, ok := e.Store.(*postgres.Store); ok {
		var p50work, maxwork float64
		var first, lastPick time.Time
		if err := pgs.Pool().QueryRow(ctx, `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM finalized_at - attempted_at)),
			max(extract(epoch FROM finalized_at - attempted_at)), min(attempted_at), max(attempted_at) FROM river_job WHERE kind = 'publish_variant'`).Scan(&p50work, &maxwork, &first, &lastPick); err == nil {
			b.Logf("publish jobs: work p50 %.3fs max %.3fs; first picked at %+.2fs, last at %+.2fs", p50work, maxwork, first.Sub(due).Seconds(), lastPick.Sub(due).Seconds())
		}
	}
	b.Logf("dispatch of %d posts: p50 lag %s, p99 lag %s, last at +%s, %.0f posts/s", n, p50.Round(time.Millisecond), p99.Round(time.Millisecond), span.Round(time.Millisecond), rate)
}

// noop is the bare River job: no database work of Tribune's, no network.
type noopArgs struct{ N int }

func (noopArgs) Kind() string { return "bench_noop" }

type noopWorker struct {
	river.WorkerDefaults[noopArgs]
}

func (noopWorker) Work(context.Context, *river.Job[noopArgs]) error { return nil }

// BenchmarkBareRiver is the ceiling: N jobs inserted, then worked by the
// same number of workers Tribune uses, on the same database.
func BenchmarkBareRiver(b *testing.B) {
	n := env(10000)
	dialects(b, func(b *testing.B, pg bool) {
		for i := 0; i < b.N; i++ {
			workers := river.NewWorkers()
			river.AddWorker(workers, &noopWorker{})
			span := workJobs(b, pg, n, workers, func(j int) river.JobArgs { return noopArgs{N: j} })
			b.ReportMetric(float64(n)/span.Seconds(), "jobs/s")
			b.Logf("bare River: %d jobs in %s, %.0f jobs/s", n, span.Round(time.Millisecond), float64(n)/span.Seconds())
		}
	})
}

// sendArgs is a job that makes the one call a post on a Sandbox channel
// makes, and nothing else.
type sendArgs struct{ N int }

func (sendArgs) Kind() string { return "bench_send" }

type sendWorker struct {
	river.WorkerDefaults[sendArgs]
	conn  *sandbox.Connector
	accts []network.Account
}

func (w *sendWorker) Work(ctx context.Context, job *river.Job[sendArgs]) error {
	now := time.Now().UTC()
	_, err := w.conn.Publish(ctx, w.accts[job.Args.N%len(w.accts)], network.PostRequest{AttemptKey: network.NewAttemptKey(now), CreatedAt: now,
		Text: fmt.Sprintf("bench post #%d", job.Args.N)})
	return err
}

// BenchmarkRiverAndNetwork is River plus the network's own cost: each job
// posts once to the Sandbox (in this process, over HTTP, through the
// connector and the HTTP client Tribune uses) and writes nothing of its own.
// Tribune's rate against this one is what its own database work (the
// in-flight mark, the network's id, the publish log, the statuses) costs;
// against BenchmarkBareRiver, that plus the network call.
func BenchmarkRiverAndNetwork(b *testing.B) {
	n := env(10000)
	dialects(b, func(b *testing.B, pg bool) {
		for i := 0; i < b.N; i++ {
			ctx := context.Background()
			sb, err := sandbox.NewServer(sandbox.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
			if err != nil {
				b.Fatal(err)
			}
			srv := httptest.NewServer(sb)
			cfg, err := config.Load("bench", nil, func(string) string { return "" })
			if err != nil {
				b.Fatal(err)
			}
			w := &sendWorker{conn: sandbox.NewConnector(app.SandboxClient(cfg, srv.URL))}
			for c := 0; c < 10; c++ {
				acct, err := w.conn.CreateAccount(ctx, srv.URL, "", fmt.Sprintf("bench%d", c))
				if err != nil {
					b.Fatal(err)
				}
				w.accts = append(w.accts, acct)
			}
			workers := river.NewWorkers()
			river.AddWorker(workers, w)
			span := workJobs(b, pg, n, workers, func(j int) river.JobArgs { return sendArgs{N: j} })
			srv.Close()
			seen := map[string]bool{}
			for _, p := range sb.Received() {
				seen[p.Text] = true
			}
			if len(seen) != n {
				b.Fatalf("the Sandbox received %d distinct posts, want %d", len(seen), n)
			}
			b.ReportMetric(float64(n)/span.Seconds(), "jobs/s")
			b.Logf("River and the network call: %d jobs in %s, %.0f jobs/s", n, span.Round(time.Millisecond), float64(n)/span.Seconds())
		}
	})
}

// workJobs inserts n jobs, then works them with workers, with Tribune's
// worker count and fetch timing, on a store opened the way Tribune opens it;
// it returns the time from the start of the River client to the last job
// completed.
func workJobs(b *testing.B, pg bool, n int, workers *river.Workers, job func(int) river.JobArgs) time.Duration {
	var s store.Store
	if pg {
		s = storetest.NewPostgres(b)
	} else {
		s = storetest.NewSQLite(b)
	}
	cfg, err := config.Load("bench", nil, func(string) string { return "" })
	if err != nil {
		b.Fatal(err)
	}
	// The same workers and fetch timing as a Tribune node.
	if err := s.SetupJobs(&river.Config{Workers: workers, Queues: map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.Workers}},
		FetchPollInterval: app.FetchPollInterval, FetchCooldown: app.FetchCooldown}); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for done := 0; done < n; done += 1000 {
		if err := s.InTx(ctx, func(tx store.Tx) error {
			for j := done; j < done+1000 && j < n; j++ {
				if _, err := tx.InsertJob(ctx, job(j), nil); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	start := time.Now()
	if err := s.Jobs().Start(ctx); err != nil {
		b.Fatal(err)
	}
	for {
		counts, err := s.JobCounts(ctx)
		if err != nil {
			b.Fatal(err)
		}
		var left int64
		for _, c := range counts {
			if c.State != "completed" {
				left += c.Count
			}
		}
		if left == 0 {
			break
		}
		if time.Since(start) > 10*time.Minute {
			b.Fatalf("%d jobs left after 10 minutes: %+v", left, counts)
		}
		time.Sleep(50 * time.Millisecond)
	}
	span := time.Since(start)
	stop, cancel := context.WithTimeout(ctx, 10*time.Second)
	_ = s.Jobs().Stop(stop)
	cancel()
	return span
}

// BenchmarkCalendarMonth fills a workspace with 50,000 posts over a year
// and measures the month view's event feed (the request the calendar page
// makes), server side, through the HTTP handler.
func BenchmarkCalendarMonth(b *testing.B) {
	total := env(50000)
	ctx := context.Background()
	e := apptest.Start(b, apptest.Options{})
	owner, ws := e.Owner(b)
	var chs []int64
	for i := 0; i < 5; i++ {
		ch, err := e.App.Channels.ConnectSandbox(ctx, owner, ws.ID, fmt.Sprintf("cal%d", i))
		if err != nil {
			b.Fatal(err)
		}
		chs = append(chs, ch.ID)
	}
	ws, role, _ := e.App.Auth.Authorize(ctx, owner, ws.ID, auth.Schedule)
	base := time.Now().Add(24 * time.Hour).Truncate(time.Hour)
	for done := 0; done < total; done += 2000 {
		err := e.Store.InTx(ctx, func(tx store.Tx) error {
			for j := done; j < done+2000 && j < total; j++ {
				when := base.Add(time.Duration(float64(j) / float64(total) * float64(365*24*time.Hour)))
				local, _ := schedule.Wall(when, ws.Timezone)
				in := posts.Input{ScheduledLocal: local, ConfirmDuplicate: true, Variants: []posts.VariantInput{{ChannelID: chs[j%len(chs)], Text: fmt.Sprintf("calendar post %d", j)}}}
				if _, err := e.App.Posts.SaveTx(ctx, tx, owner, role, ws, 0, in, posts.DoSchedule, &when, ws.Timezone); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	// Sign in like a browser.
	jar := &cookieJar{}
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(e.Server.URL+"/login", url.Values{"email": {"owner@example.test"}, "password": {"correct horse battery"}})
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	month := base.AddDate(0, 2, 0)
	from := time.Date(month.Year(), month.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -7)
	to := from.AddDate(0, 0, 42)
	u := fmt.Sprintf("%s/w/%d/calendar/events?start=%s&end=%s", e.Server.URL, ws.ID, from.Format("2006-01-02T15:04:05"), to.Format("2006-01-02T15:04:05"))
	var times []time.Duration
	events, truncated := 0, false
	b.ResetTimer()
	for i := 0; i < 50*b.N; i++ {
		t0 := time.Now()
		resp, err := client.Get(u)
		if err != nil {
			b.Fatal(err)
		}
		var sb strings.Builder
		if _, err := fmt.Fprint(&sb, readAll(resp)); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(t0))
		if resp.StatusCode != 200 {
			b.Fatalf("events: %d %.200s", resp.StatusCode, sb.String())
		}
		events = strings.Count(sb.String(), `"id":`)
		if events == 0 {
			b.Fatalf("the month view is empty: %.300s", sb.String())
		}
		truncated = resp.Header.Get("Tribune-Truncated") != ""
	}
	b.StopTimer()
	b.ReportMetric(percentile(times, 0.95).Seconds()*1000, "p95-ms")
	b.ReportMetric(float64(events), "events")
	b.Logf("month view with %d posts in the workspace: %d events (truncated: %v), p50 %s, p95 %s", total, events, truncated, percentile(times, 0.5).Round(time.Microsecond), percentile(times, 0.95).Round(time.Microsecond))
}

// BenchmarkIdleMemory starts `tribune serve -demo` on a fresh SQLite data
// directory, waits for it to settle and reads its resident memory.
func BenchmarkIdleMemory(b *testing.B) {
	dir := b.TempDir()
	bin := filepath.Join(dir, "tribune")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/tribune-social/tribune/cmd/tribune").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	for i := 0; i < b.N; i++ {
		cmd := exec.Command(bin, "serve", "-demo")
		cmd.Env = append(os.Environ(), "TRIBUNE_DATA_DIR="+filepath.Join(dir, fmt.Sprintf("data%d", i)), "TRIBUNE_ADDR=127.0.0.1:0", "TRIBUNE_LOG_LEVEL=warn")
		out, err := cmd.StdoutPipe()
		if err != nil {
			b.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		ready := make(chan struct{})
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				if strings.Contains(sc.Text(), "running at") {
					close(ready)
				}
			}
		}()
		select {
		case <-ready:
		case <-time.After(60 * time.Second):
			_ = cmd.Process.Kill()
			b.Fatal("tribune serve did not start")
		}
		time.Sleep(15 * time.Second) // start-up work (demo, first River maintenance) settles
		status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
		if err != nil {
			b.Fatal(err)
		}
		var rssKB float64
		for _, line := range strings.Split(string(status), "\n") {
			if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
				fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &rssKB)
			}
		}
		b.ReportMetric(rssKB/1024, "RSS-MB")
		b.Logf("idle RSS of tribune serve -demo after start-up: %.1f MB", rssKB/1024)
	}
}
