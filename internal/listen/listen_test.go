package listen

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/listen/source"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/store/storetest"
)

// rollupTotals sums a topic's hourly rollups.
func rollupTotals(t *testing.T, st store.Store, topicID int64) (mentions, pos, neg, reach int64) {
	t.Helper()
	rs, err := st.ListTopicRollups(context.Background(), store.ListTopicRollupsParams{TopicID: topicID, Since: t0.Add(-24 * time.Hour)})
	must(t, err)
	for _, r := range rs {
		mentions += r.Mentions
		pos += r.Positive
		neg += r.Negative
		reach += r.Reach
	}
	return
}

func termCounts(t *testing.T, st store.Store, topicID int64) map[string]int64 {
	t.Helper()
	rs, err := st.ListTopicTermRollups(context.Background(), store.ListTopicTermRollupsParams{TopicID: topicID, Since: t0.Add(-24 * time.Hour)})
	must(t, err)
	out := map[string]int64{}
	for _, r := range rs {
		out[r.Term] += r.Mentions
	}
	return out
}

// TestIngestReplayStoresOnce: the same batch ingested three times, and a
// batch overlapping it, store each mention once and move the rollups once.
func TestIngestReplayStoresOnce(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		tp, _ := f.topic(t, "Acme", `acme OR #acmefan`)
		src := f.source(t, "replay")
		batch := source.Batch{Cursor: "2", Posts: []source.Post{
			post(1, "I love Acme and its new #AcmeFan mug"),
			post(2, "Nothing to see here"),
			post(3, "Acme support made me angry, the mug arrived broken"),
		}}
		for i := range 3 {
			res, err := f.s.Ingest(ctx, src.ID, batch)
			must(t, err)
			if want := map[bool]int{true: 2, false: 0}[i == 0]; res.Stored != want || res.Matched != 2 || res.Seen != 3 {
				t.Fatalf("ingest %d: got %+v, want 3 seen, 2 matched, %d stored", i, res, want)
			}
		}
		overlap := source.Batch{Cursor: "4", Posts: []source.Post{batch.Posts[2], post(4, "acme again, love it")}}
		res, err := f.s.Ingest(ctx, src.ID, overlap)
		must(t, err)
		if res.Stored != 1 {
			t.Fatalf("overlapping batch stored %d, want 1 (only the new post)", res.Stored)
		}
		n, err := st.CountMentions(ctx, f.ws.ID)
		must(t, err)
		if n != 3 {
			t.Fatalf("mentions: got %d, want 3", n)
		}
		m, pos, neg, reach := rollupTotals(t, st, tp.ID)
		// posts 1 (fan1, 200, positive), 3 (fan0, 100, negative), 4 (fan1, 200, positive)
		if m != 3 || pos != 2 || neg != 1 || reach != 500 {
			t.Fatalf("rollups: got mentions %d, positive %d, negative %d, reach %d; want 3, 2, 1, 500", m, pos, neg, reach)
		}
		terms := termCounts(t, st, tp.ID)
		if terms["acme"] != 3 || terms["#acmefan"] != 1 || terms["mug"] != 2 {
			t.Fatalf("terms: got acme %d, #acmefan %d, mug %d; want 3, 1, 2 (all %v)", terms["acme"], terms["#acmefan"], terms["mug"], terms)
		}
		if terms["and"] != 0 || terms["the"] != 0 || terms["its"] != 0 {
			t.Fatalf("stop words counted: %v", terms)
		}
		as, err := st.ListTopicAuthorRollups(ctx, store.ListTopicAuthorRollupsParams{TopicID: tp.ID, Since: t0.Add(-48 * time.Hour)})
		must(t, err)
		var fan1 int64
		for _, a := range as {
			if a.Author == "fan1" {
				fan1 += a.Mentions
			}
		}
		if fan1 != 2 {
			t.Fatalf("author rollup fan1: got %d, want 2", fan1)
		}
		got, err := f.s.Source(ctx, f.cm, f.ws.ID, src.ID)
		must(t, err)
		if got.Cursor != "4" || got.Seen != 11 || got.Matched != 3 {
			t.Fatalf("source: got cursor %q, seen %d, matched %d; want 4, 11, 3", got.Cursor, got.Seen, got.Matched)
		}
		// Sentiment only on matches: 2 matches × 3 + 2 of the overlap.
		if f.an.analysed != 8 {
			t.Fatalf("sentiment ran %d times, want 8 (only on matched posts)", f.an.analysed)
		}
	})
}

func TestQuerySyntaxErrorKeepsSavedQuery(t *testing.T) {
	t.Parallel()
	st := storetest.NewSQLite(t)
	ctx := context.Background()
	f := newFixture(t, st)
	tp, q := f.topic(t, "Acme", `acme AND (mug OR cup)`)
	_, err := f.s.UpdateQuery(ctx, f.cm, f.ws.ID, q.ID, QueryInput{TopicID: tp.ID, Query: `acme AND (mug OR cup`})
	p := problem.As(err)
	if p == nil || p.Status != 422 || len(p.Details) != 1 {
		t.Fatalf("got %v, want a 422 with one detail", err)
	}
	if got := p.Details[0].Localized("en"); got != "column 21: expected a closing parenthesis" {
		t.Fatalf("message: got %q", got)
	}
	if got := p.Details[0].Localized("fr"); !strings.Contains(got, "21") || got == p.Details[0].Localized("en") {
		t.Fatalf("French message: got %q", got)
	}
	saved, err := f.s.Query(ctx, f.cm, f.ws.ID, q.ID)
	must(t, err)
	if saved.Query != `acme AND (mug OR cup)` {
		t.Fatalf("saved query changed to %q", saved.Query)
	}
	if v := Validate(`"prix hausse"~`); v.Valid || v.Column != 15 {
		t.Fatalf("Validate: got %+v, want an error at column 15", v)
	}
}

func TestQueryEditRebuildsIndex(t *testing.T) {
	t.Parallel()
	st := storetest.NewSQLite(t)
	ctx := context.Background()
	f := newFixture(t, st)
	tp, q := f.topic(t, "Acme", `alpha`)
	src := f.source(t, "edit")
	res, err := f.s.Ingest(ctx, src.ID, source.Batch{Cursor: "1", Posts: []source.Post{post(1, "beta launch")}})
	must(t, err)
	if res.Matched != 0 {
		t.Fatalf("matched %d before the edit, want 0", res.Matched)
	}
	if _, err := f.s.UpdateQuery(ctx, f.cm, f.ws.ID, q.ID, QueryInput{TopicID: tp.ID, Query: `beta`}); err != nil {
		t.Fatal(err)
	}
	res, err = f.s.Ingest(ctx, src.ID, source.Batch{Cursor: "2", Posts: []source.Post{post(2, "beta launch")}})
	must(t, err)
	if res.Matched != 1 {
		t.Fatalf("matched %d after the edit, want 1: the index was not rebuilt", res.Matched)
	}
	// Deleting the topic removes its queries from the index too.
	must(t, f.s.DeleteTopic(ctx, f.cm, f.ws.ID, tp.ID))
	res, err = f.s.Ingest(ctx, src.ID, source.Batch{Cursor: "3", Posts: []source.Post{post(3, "beta launch")}})
	must(t, err)
	if res.Matched != 0 {
		t.Fatalf("matched %d after deleting the topic, want 0", res.Matched)
	}
}

func TestOwnAccountsExcludedUnlessIncluded(t *testing.T) {
	t.Parallel()
	st := storetest.NewSQLite(t)
	ctx := context.Background()
	f := newFixture(t, st)
	tp, _ := f.topic(t, "Acme", `acme`)
	src := f.source(t, "own")
	ours := post(1, "acme news from us")
	ours.Author = "brand.example"
	res, err := f.s.Ingest(ctx, src.ID, source.Batch{Cursor: "1", Posts: []source.Post{ours}})
	must(t, err)
	if res.Matched != 0 {
		t.Fatalf("our own post matched a plain query")
	}
	_, err = f.s.CreateQuery(ctx, f.cm, f.ws.ID, QueryInput{TopicID: tp.ID, Query: `acme`, IncludeOwn: true})
	must(t, err)
	ours.ExternalID = "p2"
	res, err = f.s.Ingest(ctx, src.ID, source.Batch{Cursor: "2", Posts: []source.Post{ours}})
	must(t, err)
	if res.Matched != 1 {
		t.Fatalf("our own post did not match an include_own query")
	}
}

func TestRoles(t *testing.T) {
	t.Parallel()
	st := storetest.NewSQLite(t)
	ctx := context.Background()
	f := newFixture(t, st)
	tp, q := f.topic(t, "Acme", `acme`)
	if _, err := f.s.CreateTopic(ctx, f.analyst, f.ws.ID, TopicInput{Name: "X"}); !errors.Is(err, problem.Forbidden) {
		t.Fatalf("analyst creating a topic: got %v, want forbidden", err)
	}
	if _, err := f.s.Topics(ctx, f.analyst, f.ws.ID); err != nil {
		t.Fatalf("analyst reading topics: %v", err)
	}
	if _, err := f.s.CreateSource(ctx, f.cm, f.ws.ID, SourceInput{Kind: "fake", Name: "x", Values: map[string]string{"feed": "x"}}); !errors.Is(err, problem.Forbidden) {
		t.Fatalf("community manager adding a source: got %v, want forbidden", err)
	}
	// Another workspace's ids are not found through this one.
	if _, err := f.s.Query(ctx, f.owner, f.other.ID, q.ID); problem.As(err) == nil || problem.As(err).Status != 404 {
		t.Fatalf("query through another workspace: got %v, want 404", err)
	}
	if err := f.s.DeleteTopic(ctx, f.owner, f.other.ID, tp.ID); problem.As(err) == nil || problem.As(err).Status != 404 {
		t.Fatalf("topic through another workspace: got %v, want 404", err)
	}
}

func TestSourceSecretsWriteOnly(t *testing.T) {
	t.Parallel()
	st := storetest.NewSQLite(t)
	ctx := context.Background()
	f := newFixture(t, st)
	name, _ := newFeed()
	src := f.source(t, name)
	if _, ok := src.Config["token"]; ok || len(src.SecretsSet) != 1 {
		t.Fatalf("secret shown: config %v, secrets set %v", src.Config, src.SecretsSet)
	}
	row, err := st.GetListenSource(ctx, src.ID)
	must(t, err)
	if strings.Contains(string(row.Secret), "s3cret") || strings.Contains(row.Config, "s3cret") {
		t.Fatal("the token is stored in clear")
	}
	// An edit without the token keeps it.
	got, err := f.s.UpdateSource(ctx, f.owner, f.ws.ID, src.ID, SourceInput{Name: "Renamed", Values: map[string]string{"feed": name}})
	must(t, err)
	cfg, err := f.s.config(mustRow(t, st, got.ID))
	must(t, err)
	if cfg.Values["token"] != "s3cret" || got.Name != "Renamed" {
		t.Fatalf("after edit: token %q, name %q", cfg.Values["token"], got.Name)
	}
	if _, err := f.s.CreateSource(ctx, f.owner, f.ws.ID, SourceInput{Kind: "fake", Name: "x", Values: map[string]string{}}); problem.As(err) == nil || problem.As(err).Status != 422 {
		t.Fatalf("missing required field: got %v, want 422", err)
	}
}

func mustRow(t *testing.T, st store.Store, id int64) store.ListenSource {
	t.Helper()
	r, err := st.GetListenSource(context.Background(), id)
	must(t, err)
	return r
}

func TestPreviewStoredAndRecent(t *testing.T) {
	t.Parallel()
	st := storetest.NewSQLite(t)
	ctx := context.Background()
	f := newFixture(t, st)
	f.now = time.Now().UTC()
	f.topic(t, "Acme", `acme`)
	src := f.source(t, "preview")
	p1, p2 := post(1, "acme rentrée sale"), post(2, "globex rentrée sale")
	p1.CreatedAt, p2.CreatedAt = f.now.Add(-time.Hour), f.now.Add(-time.Hour)
	_, err := f.s.Ingest(ctx, src.ID, source.Batch{Cursor: "2", Posts: []source.Post{p1, p2}})
	must(t, err)
	pv, err := f.s.Preview(ctx, f.analyst, f.ws.ID, `rentree`, false)
	must(t, err)
	// p1 is a stored mention, p2 only seen: both show, once each.
	if !pv.Valid || pv.Count != 2 || len(pv.Matches) != 2 {
		t.Fatalf("preview: got %+v, want 2 matches", pv)
	}
	pv, err = f.s.Preview(ctx, f.analyst, f.ws.ID, `rentree AND (`, false)
	must(t, err)
	if pv.Valid || pv.Column == 0 {
		t.Fatalf("preview of a broken query: got %+v", pv)
	}
}

func TestRetention(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		tp, _ := f.topic(t, "Acme", `acme`)
		src := f.source(t, "retention")
		old, recent := post(1, "acme old"), post(2, "acme recent")
		old.CreatedAt = t0.AddDate(0, -14, 0)
		recent.CreatedAt = t0.AddDate(0, -12, 0)
		_, err := f.s.Ingest(ctx, src.ID, source.Batch{Cursor: "2", Posts: []source.Post{old, recent}})
		must(t, err)
		n, err := f.s.Retain(ctx)
		must(t, err)
		if n != 1 {
			t.Fatalf("deleted %d mentions, want 1", n)
		}
		left, err := st.CountMentions(ctx, f.ws.ID)
		must(t, err)
		rs, err := st.ListTopicRollups(ctx, store.ListTopicRollupsParams{TopicID: tp.ID, Since: t0.AddDate(-2, 0, 0)})
		must(t, err)
		if left != 1 || len(rs) != 1 {
			t.Fatalf("after retention: %d mentions and %d rollup hours, want 1 and 1", left, len(rs))
		}
	})
}
