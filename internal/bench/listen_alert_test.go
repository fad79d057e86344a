package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/listen"
	"github.com/tribune-social/tribune/internal/listen/alerts"
	"github.com/tribune-social/tribune/internal/network/bluesky/pdstest"
	"github.com/tribune-social/tribune/internal/store"
)

// BenchmarkPDSAlert is issue 15's "time from a post on the PDS to an
// alert": a real Bluesky PDS (TRIBUNE_TEST_PDS=1), a workspace whose
// firehose source reads it, a topic, and one watch-word rule per post
// (TRIBUNE_BENCH_ALERTS, default 30, at most alerts.MaxRules), delivered
// in-app. Each post carries its rule's word, so each raises its own alert
// (a rule already firing would only update its alert: one storm, one
// alert). Posts go one at a time, after the previous alert, with a random
// pause of 0 to 2 s so that they fall anywhere in the evaluation's
// coalescing period, as real posts do. For each post it measures, from
// just before createRecord: the mention visible in the store, the alert
// stored (its opened_at, the server's clock on this machine) and the
// in-app notification visible to the owner; p50, p99 and max of each.
func BenchmarkPDSAlert(b *testing.B) {
	n := min(envNamed("TRIBUNE_BENCH_ALERTS", 30), alerts.MaxRules)
	pds := pdstest.Start(b)
	dialects(b, func(b *testing.B, pg bool) {
		for i := 0; i < b.N; i++ {
			pdsAlertOnce(b, pds, pg, n)
		}
	})
}

// pdsPoster posts on a PDS account.
type pdsPoster struct {
	url, did, jwt string
}

func newPDSPoster(b *testing.B, pds *pdstest.PDS) *pdsPoster {
	handle := fmt.Sprintf("bench%d.test", time.Now().UnixNano()%1000000)
	const password = "bench-long-password"
	p := &pdsPoster{url: pds.URL(), did: pds.CreateAccount(b, handle, password)}
	raw, _ := json.Marshal(map[string]string{"identifier": handle, "password": password})
	resp, err := http.Post(p.url+"/xrpc/com.atproto.server.createSession", "application/json", bytes.NewReader(raw))
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var sess struct{ AccessJwt string }
	if err := json.NewDecoder(resp.Body).Decode(&sess); err != nil || sess.AccessJwt == "" {
		b.Fatalf("createSession: %d %v", resp.StatusCode, err)
	}
	p.jwt = sess.AccessJwt
	return p
}

func (p *pdsPoster) post(b *testing.B, text string) {
	raw, _ := json.Marshal(map[string]any{"repo": p.did, "collection": "app.bsky.feed.post",
		"record": map[string]any{"$type": "app.bsky.feed.post", "text": text, "createdAt": time.Now().UTC().Format(time.RFC3339Nano)}})
	req, _ := http.NewRequest(http.MethodPost, p.url+"/xrpc/com.atproto.repo.createRecord", bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+p.jwt)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("createRecord: %d", resp.StatusCode)
	}
}

func pdsAlertOnce(b *testing.B, pds *pdstest.PDS, pg bool, n int) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e := apptest.Start(b, apptest.Options{Postgres: pg, Workers: true})
	a := e.App
	owner, ws := e.Owner(b)
	must := func(err error) {
		b.Helper()
		if err != nil {
			b.Fatal(err)
		}
	}
	tp, err := a.Listen.CreateTopic(ctx, owner, ws.ID, listen.TopicInput{Name: "Veille", Kind: listen.KindBrand})
	must(err)
	_, err = a.Listen.CreateQuery(ctx, owner, ws.ID, listen.QueryInput{TopicID: tp.ID, Query: "tribune"})
	must(err)
	rules := make([]alerts.Rule, n)
	for i := range rules {
		rules[i], err = a.Alerts.Create(ctx, owner, ws.ID, alerts.Input{Name: fmt.Sprintf("Mot %d", i), Kind: alerts.KindWatch,
			Words: []string{word(i)}, MinCount: 1, Channels: []alerts.Channel{alerts.ChannelInApp}, Enabled: true}.Defaults())
		must(err)
	}
	poster := newPDSPoster(b, pds)
	src, err := a.Listen.CreateSource(ctx, owner, ws.ID, listen.SourceInput{Kind: "firehose", Name: "PDS", Values: map[string]string{"url": pds.URL()}})
	must(err)
	a.ListenRunner.Start(ctx)
	defer a.ListenRunner.Stop()
	must(a.ListenRunner.Sync(ctx))
	// Subscribed once the consumer stored a cursor.
	for deadline := time.Now().Add(time.Minute); ; {
		poster.post(b, "warm-up, nothing to see")
		s, err := a.Listen.Source(ctx, owner, ws.ID, src.ID)
		must(err)
		if s.Cursor != "" {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("the firehose source never stored a cursor: %+v", s)
		}
		time.Sleep(200 * time.Millisecond)
	}

	rng := rand.New(rand.NewPCG(15, uint64(n)))
	var toMention, toAlert, toInApp []time.Duration
	mentions, err := e.Store.CountMentions(ctx, ws.ID)
	must(err)
	unread, err := e.Store.CountUnreadNotifications(ctx, owner.ID)
	must(err)
	b.ResetTimer()
	for i := range n {
		time.Sleep(time.Duration(rng.Int64N(int64(2 * time.Second))))
		start := time.Now()
		poster.post(b, fmt.Sprintf("Tribune, la veille : %s", word(i)))
		var seenMention, seenInApp time.Duration
		var alert store.ListenAlert
		for deadline := start.Add(3 * time.Minute); ; time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				b.Fatalf("post %d: no alert after 3 minutes (mention after %s, in-app after %s)", i, seenMention, seenInApp)
			}
			if seenMention == 0 {
				c, err := e.Store.CountMentions(ctx, ws.ID)
				must(err)
				if c > mentions {
					seenMention, mentions = time.Since(start), c
				}
			}
			if seenInApp == 0 {
				c, err := e.Store.CountUnreadNotifications(ctx, owner.ID)
				must(err)
				if c > unread {
					seenInApp, unread = time.Since(start), c
				}
			}
			if alert.ID == 0 {
				got, err := e.Store.GetActiveAlert(ctx, rules[i].ID)
				if err != nil && !errors.Is(err, store.ErrNotFound) {
					b.Fatal(err)
				}
				alert = got
			}
			if seenMention != 0 && seenInApp != 0 && alert.ID != 0 {
				break
			}
		}
		toMention = append(toMention, seenMention)
		toAlert = append(toAlert, alert.OpenedAt.Sub(start))
		toInApp = append(toInApp, seenInApp)
	}
	b.StopTimer()
	report := func(name string, d []time.Duration) {
		p50, p99, mx := percentile(d, 0.50), percentile(d, 0.99), percentile(d, 1)
		b.Logf("%s: p50 %s, p99 %s, max %s (%d posts)", name, p50.Round(time.Millisecond), p99.Round(time.Millisecond), mx.Round(time.Millisecond), len(d))
		b.ReportMetric(p50.Seconds(), name+"-p50-s")
		b.ReportMetric(p99.Seconds(), name+"-p99-s")
	}
	report("mention", toMention)
	report("alert", toAlert)
	report("inapp", toInApp)
}

// word is the watch word of post i: a term of letters the term rollups
// keep (no stop word, three letters or more).
func word(i int) string {
	return fmt.Sprintf("vigie%c%c", 'a'+i/26, 'a'+i%26)
}
