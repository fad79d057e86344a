package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/config"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/schedule"
	"github.com/tribune-social/tribune/internal/store"
)

// Flood client: one token, floodClients goroutines sending creates back to
// back (ignoring Retry-After, as an abusive client would), from 5 s before
// the posts are due until they are all published, at most floodMax requests.
const (
	floodClients = 32
	floodMax     = 200_000
)

// BenchmarkFlood measures the dispatch lag of N posts (default 1,000, or
// TRIBUNE_BENCH_POSTS) due at the same minute, quiet and while one client
// floods the API with creates: with the default limits, with the admission
// of writes alone (rate limits off) and with no limit, which shows what each
// buys.
// It also reports how /healthz answered during the burst.
// TRIBUNE_BENCH_WRITES_IN_FLIGHT overrides -max-writes-in-flight.
func BenchmarkFlood(b *testing.B) {
	n := env(1000)
	variants := []struct {
		name                        string
		flood, rateLimit, admission bool
	}{
		{"quiet", false, true, true},
		{"flood", true, true, true},
		{"flood-admission-only", true, false, true},
		{"flood-no-limits", true, false, false},
	}
	dialects(b, func(b *testing.B, pg bool) {
		for _, v := range variants {
			b.Run(v.name, func(b *testing.B) {
				for range b.N {
					floodOnce(b, pg, n, v.flood, v.rateLimit, v.admission)
				}
			})
		}
	})
}

type floodStats struct {
	sent, created, limited, busy, other atomic.Int64
}

func floodOnce(b *testing.B, pg bool, n int, flood, rateLimit, admission bool) {
	ctx := context.Background()
	e := apptest.Start(b, apptest.Options{Workers: true, Postgres: pg, NetworkTimeout: 10 * time.Second, Configure: func(c *config.Config) {
		if !rateLimit {
			c.APIRateLimit, c.APIRateLimitAddress = 0, 0
		}
		if !admission {
			c.MaxWritesInFlight = 0
		} else if v, err := strconv.Atoi(os.Getenv("TRIBUNE_BENCH_WRITES_IN_FLIGHT")); err == nil {
			c.MaxWritesInFlight = v // to compare bounds
		}
	}})
	owner, ws := e.Owner(b)
	var chs []int64
	for i := range 10 {
		ch, err := e.App.Channels.ConnectSandbox(ctx, owner, ws.ID, fmt.Sprintf("flood%d", i))
		if err != nil {
			b.Fatal(err)
		}
		chs = append(chs, ch.ID)
	}
	ws, role, err := e.App.Auth.Authorize(ctx, owner, ws.ID, auth.Schedule)
	if err != nil {
		b.Fatal(err)
	}
	due := time.Now().Add(15 * time.Second).Truncate(time.Minute).Add(time.Minute)
	local, _ := schedule.Wall(due, ws.Timezone)
	err = e.Store.InTx(ctx, func(tx store.Tx) error {
		for j := range n {
			in := posts.Input{ScheduledLocal: local, ConfirmDuplicate: true,
				Variants: []posts.VariantInput{{ChannelID: chs[j%len(chs)], Text: fmt.Sprintf("due post #%d", j)}}}
			if _, err := e.App.Posts.SaveTx(ctx, tx, owner, role, ws, 0, in, posts.DoSchedule, &due, ws.Timezone); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if time.Now().After(due.Add(-5 * time.Second)) {
		b.Fatalf("inserting %d posts ended less than 5 s before they were due", n)
	}
	time.Sleep(time.Until(due.Add(-5 * time.Second)))

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var st floodStats
	if flood {
		token := e.Token(b, owner)
		tomorrow, _ := schedule.Wall(due.Add(24*time.Hour), ws.Timezone)
		client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: floodClients}}
		url := fmt.Sprintf("%s/api/v1/workspaces/%d/posts", e.Server.URL, ws.ID)
		for c := range floodClients {
			wg.Go(func() {
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					if st.sent.Add(1) > floodMax {
						return
					}
					body := fmt.Sprintf(`{"action":"schedule","scheduled_local":%q,"timezone":%q,"variants":[{"channel_id":%d,"text":"flood %d-%d"}]}`,
						tomorrow, ws.Timezone, chs[i%len(chs)], c, i)
					req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
					req.Header.Set("Authorization", "Bearer "+token)
					req.Header.Set("Content-Type", "application/json")
					resp, err := client.Do(req)
					if err != nil {
						st.other.Add(1)
						continue
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					switch {
					case resp.StatusCode < 300:
						st.created.Add(1)
					case resp.StatusCode == http.StatusTooManyRequests:
						st.limited.Add(1)
					case resp.StatusCode == http.StatusServiceUnavailable:
						st.busy.Add(1)
					default:
						st.other.Add(1)
					}
				}
			})
		}
	}
	// /healthz every 100 ms, as a load balancer would.
	var health []time.Duration
	var unhealthy int
	wg.Go(func() {
		client := &http.Client{Timeout: 5 * time.Second}
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			start := time.Now()
			resp, err := client.Get(e.Server.URL + "/healthz")
			if err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			health = append(health, time.Since(start))
			if err != nil || resp.StatusCode != http.StatusOK {
				unhealthy++
			}
		}
	})
	floodStart := time.Now()
	deadline := due.Add(10 * time.Minute)
	for len(e.Sandbox.Received()) < n {
		if time.Now().After(deadline) {
			close(stop)
			b.Fatalf("only %d of %d posts published 10 minutes after they were due", len(e.Sandbox.Received()), n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	floodFor := time.Since(floodStart)

	var lags []time.Duration
	for _, p := range e.Sandbox.Received() {
		lags = append(lags, p.CreatedAt.Sub(due))
	}
	p50, p99 := percentile(lags, 0.50), percentile(lags, 0.99)
	hMax := percentile(health, 1)
	b.ReportMetric(p50.Seconds(), "p50-lag-s")
	b.ReportMetric(p99.Seconds(), "p99-lag-s")
	b.ReportMetric(hMax.Seconds(), "healthz-max-s")
	if flood {
		b.ReportMetric(float64(st.sent.Load())/floodFor.Seconds(), "flood-req/s")
		b.ReportMetric(float64(st.created.Load())/floodFor.Seconds(), "flood-created/s")
	}
	b.Logf("%d posts: p50 lag %s, p99 lag %s; /healthz max %s, %d of %d not 200; flood %s: %d sent, %d created, %d 429, %d 503, %d other",
		n, p50.Round(time.Millisecond), p99.Round(time.Millisecond), hMax.Round(time.Millisecond), unhealthy, len(health),
		floodFor.Round(time.Millisecond), st.sent.Load(), st.created.Load(), st.limited.Load(), st.busy.Load(), st.other.Load())
}
