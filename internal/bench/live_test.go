package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/config"
	"github.com/tribune-social/tribune/internal/inbox"
	"github.com/tribune-social/tribune/internal/live"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/web/ui"
)

// BenchmarkLive measures the "live" figure end to end: an event
// published on node 1 (as the inbox does after storing an item) until a
// member's open event stream on node 2 reads it over HTTP. On PostgreSQL
// the two nodes are two whole Tribunes on one database (pg_notify, the
// listening connection, the SSE handler); on SQLite there is one node and
// the event stays in process. Events go at TRIBUNE_BENCH_LIVE_RATE per
// second (default 200) for TRIBUNE_BENCH_LIVE_EVENTS (default 2,000).
func BenchmarkLive(b *testing.B) {
	dialects(b, func(b *testing.B, pg bool) {
		n1 := apptest.Start(b, apptest.Options{Postgres: pg})
		n2 := n1
		if pg {
			n2 = apptest.Start(b, apptest.Options{Postgres: true, Configure: func(c *config.Config) { c.DatabaseURL = n1.App.Cfg.DatabaseURL }})
		}
		ctx := context.Background()
		owner, ws := n1.Owner(b)
		session, _, err := n2.App.Auth.Login(ctx, owner.Email, "correct horse battery")
		if err != nil {
			b.Fatal(err)
		}
		count, rate := envInt("TRIBUNE_BENCH_LIVE_EVENTS", 2000), envInt("TRIBUNE_BENCH_LIVE_RATE", 200)
		for i := 0; i < b.N; i++ {
			lat, resyncs := liveRun(b, n1, n2, session, ws.ID, count, rate)
			p50, p99, worst := percentile(lat, 0.50), percentile(lat, 0.99), percentile(lat, 1)
			b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(worst.Microseconds())/1000, "max-ms")
			b.Logf("%d events at %d/s: received %d, p50 %v, p99 %v, max %v, resyncs %d", count, rate, len(lat), p50, p99, worst, resyncs)
			if len(lat) < count && resyncs == 0 {
				b.Errorf("%d of %d events lost without a resync", count-len(lat), count)
			}
		}
	})
}

func envInt(name string, def int) int {
	var n int
	if v, err := fmt.Sscan(strings.TrimSpace(os.Getenv(name)), &n); v == 1 && err == nil && n > 0 {
		return n
	}
	return def
}

func liveRun(b *testing.B, n1, n2 *apptest.Env, session string, ws int64, count, rate int) ([]time.Duration, int) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/w/%d/events", n2.Server.URL, ws), nil)
	req.AddCookie(&http.Cookie{Name: ui.SessionCookie, Value: session})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("stream: %d", resp.StatusCode)
	}
	type sample struct {
		lat    time.Duration
		resync bool
	}
	got := make(chan sample, count+16)
	warm := make(chan struct{}, 64)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			data, ok := strings.CutPrefix(sc.Text(), "data: ")
			if !ok {
				continue
			}
			now := time.Now()
			var e live.Event
			if json.Unmarshal([]byte(data), &e) != nil {
				continue
			}
			if e.Type == "warmup" {
				warm <- struct{}{}
				continue
			}
			if e.Type == live.TypeResync {
				got <- sample{resync: true}
				continue
			}
			var d struct{ Sent int64 }
			if json.Unmarshal(e.Data, &d) == nil && d.Sent > 0 {
				got <- sample{lat: now.Sub(time.Unix(0, d.Sent))}
			}
		}
	}()
	// A first event proves the stream is subscribed before measuring.
	for ready := false; !ready; {
		_ = n1.App.Live.Publish(ctx, ws, live.Event{Type: "warmup"})
		select {
		case <-warm:
		case <-time.After(100 * time.Millisecond):
			continue
		}
		ready = true
	}
	for len(got) > 0 { // the resync of a listener that just connected
		<-got
	}
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	go func() {
		for i := range count {
			<-tick.C
			data := fmt.Sprintf(`{"item":%d,"sent":%d}`, i, time.Now().UnixNano())
			if err := n1.App.Live.Publish(ctx, ws, live.Event{Type: "item.new", Subject: fmt.Sprint(i), Data: json.RawMessage(data)}); err != nil {
				b.Error(err)
				return
			}
		}
	}()
	var lat []time.Duration
	resyncs := 0
	deadline := time.After(time.Duration(count/rate+10) * time.Second)
	for len(lat)+resyncs < count {
		select {
		case s := <-got:
			if s.resync {
				resyncs++
			} else {
				lat = append(lat, s.lat)
			}
		case <-deadline:
			return lat, resyncs
		}
	}
	return lat, resyncs
}

// BenchmarkLiveIngest is issue 14's whole live path: an item ingested on
// node 1 (inbox.Service.Ingest, as a poll or a stream stores it: store,
// sentiment, rules, commit, then the live event) until a member's open
// event stream on node 2 reads its item.new event over HTTP. On PostgreSQL
// node 2 is a second Tribune on the same database (the event crosses
// through pg_notify); on SQLite it is the same node. One item a fetch, at
// TRIBUNE_BENCH_LIVE_RATE per second (default 50) for
// TRIBUNE_BENCH_LIVE_EVENTS items (default 1,000).
func BenchmarkLiveIngest(b *testing.B) {
	dialects(b, func(b *testing.B, pg bool) {
		n1 := apptest.Start(b, apptest.Options{Postgres: pg})
		n2 := n1
		if pg {
			n2 = apptest.Start(b, apptest.Options{Postgres: true, Configure: func(c *config.Config) { c.DatabaseURL = n1.App.Cfg.DatabaseURL }})
		}
		ctx := context.Background()
		owner, ws := n1.Owner(b)
		ch, err := n1.App.Channels.ConnectSandbox(ctx, owner, ws.ID, "live-ingest")
		if err != nil {
			b.Fatal(err)
		}
		session, _, err := n2.App.Auth.Login(ctx, owner.Email, "correct horse battery")
		if err != nil {
			b.Fatal(err)
		}
		count, rate := envInt("TRIBUNE_BENCH_LIVE_EVENTS", 1000), envInt("TRIBUNE_BENCH_LIVE_RATE", 50)
		for i := 0; i < b.N; i++ {
			lat := liveIngestRun(b, n1, n2, session, ws.ID, ch, i, count, rate)
			p50, p99, worst := percentile(lat, 0.50), percentile(lat, 0.99), percentile(lat, 1)
			b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(worst.Microseconds())/1000, "max-ms")
			b.Logf("%d items ingested at %d/s: %d seen on the other stream, p50 %v, p99 %v, max %v", count, rate, len(lat), p50, p99, worst)
			if len(lat) < count {
				b.Errorf("%d of %d items never reached the other stream", count-len(lat), count)
			}
		}
	})
}

func liveIngestRun(b *testing.B, n1, n2 *apptest.Env, session string, ws int64, ch store.Channel, run, count, rate int) []time.Duration {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/w/%d/events", n2.Server.URL, ws), nil)
	req.AddCookie(&http.Cookie{Name: ui.SessionCookie, Value: session})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("stream: %d", resp.StatusCode)
	}
	// Each item's id is known once Ingest returns, which its event may
	// beat: both sides are kept by id and matched at the end.
	var mu sync.Mutex
	seen, sent := map[int64]time.Time{}, map[int64]time.Time{}
	warm := make(chan struct{}, 64)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			data, ok := strings.CutPrefix(sc.Text(), "data: ")
			if !ok {
				continue
			}
			now := time.Now()
			var e live.Event
			if json.Unmarshal([]byte(data), &e) != nil {
				continue
			}
			if e.Type == "warmup" {
				warm <- struct{}{}
				continue
			}
			var d struct{ Item int64 }
			if e.Type == inbox.LiveItemNew && json.Unmarshal(e.Data, &d) == nil {
				mu.Lock()
				if _, ok := seen[d.Item]; !ok {
					seen[d.Item] = now
				}
				mu.Unlock()
			}
		}
	}()
	for ready := false; !ready; {
		_ = n1.App.Live.Publish(ctx, ws, live.Event{Type: "warmup"})
		select {
		case <-warm:
			ready = true
		case <-time.After(100 * time.Millisecond):
		}
	}
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	for i := range count {
		<-tick.C
		id := fmt.Sprintf("live%d-%d", run, i)
		t0 := time.Now()
		res, err := n1.App.Inbox.Ingest(ctx, ch, []network.Item{{ExternalID: id, Kind: network.KindComment, Ref: network.Ref{ID: id},
			Root: &network.Ref{ID: "post"}, ParentID: "post", ConversationID: "post", Author: network.Author{ExternalID: "a", Handle: "fan"},
			Text: inboxTexts[i%len(inboxTexts)], CreatedAt: t0}})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.NewIDs) != 1 {
			b.Fatalf("item %s: %+v", id, res)
		}
		mu.Lock()
		sent[res.NewIDs[0]] = t0
		mu.Unlock()
	}
	var lat []time.Duration
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		mu.Lock()
		lat = lat[:0]
		for id, t0 := range sent {
			if at, ok := seen[id]; ok {
				lat = append(lat, at.Sub(t0))
			}
		}
		mu.Unlock()
		if len(lat) == count {
			break
		}
	}
	return lat
}
