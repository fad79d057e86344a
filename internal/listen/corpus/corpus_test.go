package corpus

import (
	"testing"

	"github.com/tribune-social/tribune/internal/listen/query"
)

// The corpus is the same for the same seed (benchmarks compare runs), and
// its queries all parse and match some of its posts.
func TestDeterministicAndMatching(t *testing.T) {
	a, b := New(1, 100), New(1, 100)
	for range 1000 {
		if pa, pb := a.Post(), b.Post(); pa != pb {
			t.Fatalf("same seed, different posts: %+v %+v", pa, pb)
		}
	}
	g := New(2, 100)
	ix := query.NewIndex(nil)
	for i, s := range g.Queries(500) {
		q, err := query.Parse(s)
		if err != nil {
			t.Fatalf("query %q: %v", s, err)
		}
		ix.Add(int64(i), q)
	}
	var sc query.Scratch
	matched := 0
	for range 10000 {
		if len(ix.Match(g.Post(), &sc, nil)) > 0 {
			matched++
		}
	}
	if matched < 500 || matched > 5000 {
		t.Fatalf("%d posts of 10000 matched: want a minority, but some", matched)
	}
	t.Logf("%d posts of 10000 matched", matched)
}
