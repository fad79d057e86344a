package listen

import (
	"runtime"
	"slices"
	"testing"

	"github.com/tribune-social/tribune/internal/listen/corpus"
	"github.com/tribune-social/tribune/internal/listen/query"
	"github.com/tribune-social/tribune/internal/listen/source"
	"github.com/tribune-social/tribune/internal/sentiment"
)

// TestMatchBatchSplitsAndKeepsOrder: a large batch is matched on every
// core, and each post gets the language and the queries that matching it
// alone gives, in the batch's order; a small batch stays on one goroutine.
func TestMatchBatchSplitsAndKeepsOrder(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(3))
	g := corpus.New(7, 300)
	c := &compiled{exclOwn: query.NewIndex(query.NewOwn("tribune")), inclOwn: query.NewIndex(nil)}
	for i, s := range g.Queries(1000) {
		q, err := query.Parse(s)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		c.exclOwn.Add(int64(i), q)
	}
	detect := sentiment.New().Detect
	for _, tc := range []struct {
		posts, workers int
	}{{10, 1}, {2 * parallelMin, 2}, {1000, 3}, {1001, 3}} {
		if got := batchWorkers(tc.posts); got != tc.workers {
			t.Errorf("batchWorkers(%d) = %d, want %d", tc.posts, got, tc.workers)
		}
		posts := make([]source.Post, tc.posts)
		for i := range posts {
			p := g.Post()
			posts[i] = source.Post{Text: p.Text, Network: p.Network, Author: p.Author}
			if i%5 == 0 {
				posts[i].Lang = "fr-CA" // declared: not detected
			}
		}
		got := c.matchBatch(posts, detect)
		if len(got) != len(posts) {
			t.Fatalf("%d posts: %d answers", len(posts), len(got))
		}
		var sc query.Scratch
		matched := 0
		for i, p := range posts {
			lang := langOf(p.Lang)
			if lang == "" {
				lang = detect(p.Text)
			}
			want := c.match(query.Post{Text: p.Text, Lang: langTag(p.Lang, lang), Network: p.Network, Author: p.Author}, &sc, nil)
			if got[i].lang != lang || !slices.Equal(got[i].ids, want) {
				t.Fatalf("%d posts, post %d %q: got %q %v, want %q %v", len(posts), i, p.Text, got[i].lang, got[i].ids, lang, want)
			}
			if len(want) > 0 {
				matched++
			}
		}
		if tc.posts >= 1000 && matched == 0 {
			t.Fatalf("%d posts: none matched, the comparison proves nothing", tc.posts)
		}
	}
}
