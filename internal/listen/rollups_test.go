package listen

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/listen/analysis"
	"github.com/tribune-social/tribune/internal/listen/source"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/store/storetest"
)

// TestDashboardAgreesWithPlainCount: random posts over 15 months go through
// the pipeline (hourly, daily and monthly rollups kept as they arrive), the
// retention cuts the oldest in the middle of a month, then every panel of
// the dashboard — KPIs and the previous period, the series, share of voice,
// top terms, hashtags and authors — over random periods, in a workspace in
// Paris (days that do not start at a UTC midnight: hours at the edges) and
// in UTC (the series from daily rows), must equal a plain count over the
// mentions that are left. A rollup the pipeline or the retention skips, or
// a stretch of a period read twice or not at all, makes it fail.
func TestDashboardAgreesWithPlainCount(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		brand, _ := f.topic(t, "Acme", `acme`)
		rival, _ := f.topic(t, "Rival", `rival`)
		src := f.source(t, "plain-count")
		rng := rand.New(rand.NewPCG(15, 3))
		vocab := []string{"prix", "livraison", "colis", "retard", "merci", "love", "angry", "#soldes", "#noel", "#acmefan", "lampe", "ampoule"}
		start := t0.AddDate(0, -15, 0)
		span := t0.Sub(start)
		var posts []source.Post
		for i := range 900 {
			var words []string
			switch rng.IntN(4) {
			case 0:
				words = append(words, "acme")
			case 1:
				words = append(words, "rival")
			default:
				words = append(words, "acme", "rival")
			}
			for range 1 + rng.IntN(4) {
				words = append(words, vocab[rng.IntN(len(vocab))])
			}
			p := post(i, strings.Join(words, " "))
			p.Author = fmt.Sprintf("fan%d", rng.IntN(25))
			p.AuthorFollowers = int64(rng.IntN(5)) * 100 // 0: unknown
			if rng.IntN(4) == 0 {
				p.Network = "other"
			}
			p.CreatedAt = start.Add(time.Duration(rng.Int64N(int64(span))))
			posts = append(posts, p)
		}
		for i := 0; i < len(posts); i += 100 {
			_, err := f.s.Ingest(ctx, src.ID, source.Batch{Cursor: fmt.Sprint(i), Posts: posts[i:min(i+100, len(posts))]})
			must(t, err)
		}
		// Thirteen months back from 1 December 09:00 is 1 November 2025,
		// truncated to the UTC day; move the clock so the cut falls on
		// 17 November, in the middle of a month.
		f.mu.Lock()
		f.now = t0.Add(16 * 24 * time.Hour)
		f.mu.Unlock()
		n, err := f.s.Retain(ctx)
		must(t, err)
		if n == 0 {
			t.Fatal("the retention deleted nothing: the cut is not inside the data")
		}
		// Replays after the retention add nothing; late posts add to the
		// month the retention trimmed.
		late := []source.Post{post(5000, "acme prix #soldes"), post(5001, "rival acme love")}
		late[0].CreatedAt, late[1].CreatedAt = time.Date(2025, 11, 20, 10, 0, 0, 0, time.UTC), time.Date(2025, 11, 28, 23, 30, 0, 0, time.UTC)
		_, err = f.s.Ingest(ctx, src.ID, source.Batch{Cursor: "late", Posts: late})
		must(t, err)

		an := &analysis.Service{Store: st, Auth: &auth.Service{Store: st, Now: f.clock}, Now: f.clock}
		ref := plainCount(t, an, f, []int64{brand.ID, rival.ID})
		periods := [][2]time.Time{
			{time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}, // all of it, 13 months
			{time.Date(2025, 11, 17, 0, 0, 0, 0, time.UTC), time.Date(2025, 11, 30, 0, 0, 0, 0, time.UTC)},
			{time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)},  // one whole month
			{time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)}, // one day
		}
		for range 8 {
			a := start.AddDate(0, 0, rng.IntN(480))
			b := a.AddDate(0, 0, rng.IntN(400))
			periods = append(periods, [2]time.Time{a, b})
		}
		for _, tz := range []string{"Europe/Paris", "UTC"} {
			must(t, st.UpdateWorkspaceSettings(ctx, store.UpdateWorkspaceSettingsParams{ID: f.ws.ID, Name: f.ws.Name, Timezone: tz, DuplicateWindowHours: 24}))
			loc, err := time.LoadLocation(tz)
			must(t, err)
			for _, p := range periods {
				for _, topic := range []int64{brand.ID, rival.ID} {
					g := analysis.Week
					if p[1].Sub(p[0]) < 60*24*time.Hour {
						g = analysis.Day
					}
					q := analysis.Query{TopicID: topic, From: p[0], To: p[1], Granularity: g}
					name := fmt.Sprintf("%s %s..%s topic %d", tz, p[0].Format(time.DateOnly), p[1].Format(time.DateOnly), topic)
					d, err := an.Dashboard(ctx, f.owner, f.ws.ID, q)
					must(t, err)
					want := ref.dashboard(d.Period, loc, topic)
					if got, w := describe(d), describe(want); got != w {
						t.Errorf("%s:\n got %s\nwant %s", name, got, w)
					}
				}
			}
		}
	})
}

// counted is the plain count: every mention left, read through the list.
type counted struct {
	mentions map[int64][]analysis.Mention // by topic
	topics   []int64
}

func plainCount(t *testing.T, an *analysis.Service, f *fixture, topics []int64) counted {
	t.Helper()
	c := counted{mentions: map[int64][]analysis.Mention{}, topics: topics}
	for _, topic := range topics {
		fl := analysis.Filter{TopicID: topic, From: t0.AddDate(0, -16, 0), To: t0.AddDate(0, 1, 0), Limit: analysis.MaxPageSize}
		for {
			p, err := an.Mentions(context.Background(), f.owner, f.ws.ID, fl)
			must(t, err)
			c.mentions[topic] = append(c.mentions[topic], p.Mentions...)
			if p.Next == "" {
				break
			}
			fl.Cursor = p.Next
		}
	}
	return c
}

func (c counted) totals(topic int64, since, until time.Time) analysis.Totals {
	var out analysis.Totals
	for _, m := range c.mentions[topic] {
		if m.PostedAt.Before(since) || !m.PostedAt.Before(until) {
			continue
		}
		out.Mentions++
		switch m.Sentiment {
		case "positive":
			out.Positive++
		case "negative":
			out.Negative++
		default:
			out.Neutral++
		}
		if m.Followers > 0 {
			out.Reach += m.Followers
		}
	}
	return out
}

// dashboard is what the dashboard must show, counted mention by mention.
func (c counted) dashboard(per analysis.Period, loc *time.Location, topic int64) analysis.Dashboard {
	var d analysis.Dashboard
	prevSince := per.Since.Add(-per.Until.Sub(per.Since))
	d.KPIs = analysis.KPIs{Current: c.totals(topic, per.Since, per.Until), Previous: c.totals(topic, prevSince, per.Since)}
	for _, tp := range c.topics {
		d.ShareOfVoice = append(d.ShareOfVoice, analysis.Share{Topic: analysis.Topic{ID: tp}, Mentions: c.totals(tp, per.Since, per.Until).Mentions})
	}
	// Buckets: days or Monday weeks in the workspace's zone.
	bucket := func(t time.Time) time.Time {
		t = t.In(loc)
		b := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
		if per.Granularity == analysis.Week {
			b = b.AddDate(0, 0, -(int(b.Weekday())+6)%7)
		}
		return b
	}
	idx := map[int64]int{}
	for b := bucket(per.Since); b.Before(per.Until); {
		idx[b.Unix()] = len(d.Series)
		d.Series = append(d.Series, analysis.Point{Start: b})
		if per.Granularity == analysis.Week {
			b = b.AddDate(0, 0, 7)
		} else {
			b = b.AddDate(0, 0, 1)
		}
	}
	terms := map[string]int64{}
	type akey struct{ network, author string }
	authors := map[akey]*analysis.Author{}
	// Author rollups have no hours: their period is widened to UTC days.
	aSince, aUntil := per.Since.Truncate(24*time.Hour), per.Until.Truncate(24*time.Hour)
	if !aUntil.Equal(per.Until) {
		aUntil = aUntil.Add(24 * time.Hour)
	}
	for _, m := range c.mentions[topic] {
		if !m.PostedAt.Before(aSince) && m.PostedAt.Before(aUntil) {
			k := akey{m.Network, m.Author}
			a := authors[k]
			if a == nil {
				a = &analysis.Author{Network: m.Network, Author: m.Author, Followers: -1}
				authors[k] = a
			}
			a.Mentions++
			a.Followers = max(a.Followers, m.Followers)
			if m.Followers > 0 {
				a.Reach += m.Followers
			}
		}
		if m.PostedAt.Before(per.Since) || !m.PostedAt.Before(per.Until) {
			continue
		}
		p := &d.Series[idx[bucket(m.PostedAt).Unix()]]
		p.Mentions++
		switch m.Sentiment {
		case "positive":
			p.Positive++
		case "negative":
			p.Negative++
		default:
			p.Neutral++
		}
		if m.Followers > 0 {
			p.Reach += m.Followers
		}
		for _, w := range Terms(m.Text) {
			terms[w]++
		}
	}
	var all []analysis.Term
	for w, n := range terms {
		all = append(all, analysis.Term{Term: w, Mentions: n})
	}
	sort.Slice(all, func(i, j int) bool {
		return all[i].Mentions > all[j].Mentions || all[i].Mentions == all[j].Mentions && all[i].Term < all[j].Term
	})
	for _, tm := range all {
		if strings.HasPrefix(tm.Term, "#") && len(d.TopHashtags) < 10 {
			d.TopHashtags = append(d.TopHashtags, tm)
		} else if !strings.HasPrefix(tm.Term, "#") && len(d.TopTerms) < 10 {
			d.TopTerms = append(d.TopTerms, tm)
		}
	}
	var as []analysis.Author
	for _, a := range authors {
		as = append(as, *a)
	}
	less := func(x, y analysis.Author, kx, ky int64) bool {
		if kx != ky {
			return kx > ky
		}
		if x.Network != y.Network {
			return x.Network < y.Network
		}
		return x.Author < y.Author
	}
	sort.Slice(as, func(i, j int) bool { return less(as[i], as[j], as[i].Mentions, as[j].Mentions) })
	d.TopAuthors = as[:min(10, len(as))]
	var byReach []analysis.Author
	for _, a := range as {
		if a.Reach > 0 {
			byReach = append(byReach, a)
		}
	}
	sort.Slice(byReach, func(i, j int) bool { return less(byReach[i], byReach[j], byReach[i].Reach, byReach[j].Reach) })
	d.TopAuthorsByReach = byReach[:min(10, len(byReach))]
	return d
}

// describe prints every figure of the panels the plain count checks.
func describe(d analysis.Dashboard) string {
	var b strings.Builder
	fmt.Fprintf(&b, "kpis %+v prev %+v\n share", d.KPIs.Current, d.KPIs.Previous)
	sov := map[int64]int64{}
	for _, s := range d.ShareOfVoice {
		sov[s.ID] = s.Mentions
	}
	ids := make([]int64, 0, len(sov))
	for id := range sov {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		fmt.Fprintf(&b, " %d:%d", id, sov[id])
	}
	b.WriteString("\n series")
	for _, p := range d.Series {
		if p.Mentions != 0 || p.Reach != 0 {
			fmt.Fprintf(&b, " %s:%d/%d/%d/%d/%d", p.Start.Format("2006-01-02T15"), p.Mentions, p.Positive, p.Neutral, p.Negative, p.Reach)
		}
	}
	fmt.Fprintf(&b, " (%d buckets)\n terms %v\n hashtags %v\n authors %v\n by reach %v", len(d.Series), d.TopTerms, d.TopHashtags, d.TopAuthors, d.TopAuthorsByReach)
	return b.String()
}
