package query

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// Over random queries and random posts, the matcher of one query agrees
// with the plain reference evaluator (reference_test.go), and the index
// finds exactly the queries the reference matches: it only narrows which
// queries are evaluated.
func TestIndexAgreesWithReference(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 1))
	vocab := []string{"lait", "prix", "hausse", "rentrée", "agriculteur", "agriculture", "cœur", "l'été", "bio", "ferme", "milk", "price", "rise"}
	tags := []string{"rentree", "agri", "lait"}
	people := []string{"bob", "alice.bsky.social", "carol@piaille.fr", "tribune"}
	own := NewOwn("tribune")

	var gen func(depth int) string
	atom := func() string {
		switch r.IntN(9) {
		case 0:
			w := vocab[r.IntN(len(vocab))]
			return w[:min(len(w), 2+r.IntN(4))] + "*"
		case 1:
			return fmt.Sprintf("%q", vocab[r.IntN(len(vocab))]+" "+vocab[r.IntN(len(vocab))])
		case 2:
			return fmt.Sprintf("%q~%d", vocab[r.IntN(len(vocab))]+" "+vocab[r.IntN(len(vocab))], r.IntN(4))
		case 3:
			return vocab[r.IntN(len(vocab))] + fmt.Sprintf(" NEAR/%d ", r.IntN(4)) + vocab[r.IntN(len(vocab))]
		case 4:
			return "#" + tags[r.IntN(len(tags))]
		case 5:
			return "@" + strings.Split(people[r.IntN(len(people))], "@")[0]
		default:
			return vocab[r.IntN(len(vocab))]
		}
	}
	filter := func() string {
		switch r.IntN(4) {
		case 0:
			return "lang:" + []string{"fr", "en"}[r.IntN(2)]
		case 1:
			return "network:" + []string{"bluesky", "mastodon"}[r.IntN(2)]
		case 2:
			return "author:" + strings.Split(people[r.IntN(len(people))], "@")[0]
		default:
			return "-author:" + people[r.IntN(len(people))]
		}
	}
	gen = func(depth int) string {
		if depth == 0 {
			return atom()
		}
		switch r.IntN(6) {
		case 0:
			return gen(depth-1) + " OR " + gen(depth-1)
		case 1:
			return gen(depth-1) + " " + gen(depth-1)
		case 2:
			return gen(depth-1) + " AND NOT " + gen(depth-1)
		case 3:
			return gen(depth-1) + " " + filter()
		case 4:
			return "(" + gen(depth-1) + ")"
		default:
			return atom()
		}
	}
	ix := NewIndex(own)
	// A second index picks its keys by (made-up) word frequencies: any
	// choice of keys must find the same queries.
	ixf := NewIndex(own)
	ixf.UseFrequencies(func(w string) float64 { return float64((len(w)*7 + int(w[0])) % 5) })
	var qs []*Query
	for len(qs) < 600 {
		q, err := Parse(gen(r.IntN(4)))
		if err != nil {
			continue // e.g. "OR NOT": refused, as it should be
		}
		ix.Add(int64(len(qs)), q)
		ixf.Add(int64(len(qs)), q)
		qs = append(qs, q)
	}
	var s Scratch
	matched := 0
	for i := 0; i < 1000; i++ {
		var b strings.Builder
		for range 1 + r.IntN(12) {
			switch r.IntN(10) {
			case 0:
				b.WriteString("#" + strings.ToUpper(tags[r.IntN(len(tags))]))
			case 1:
				b.WriteString("@" + people[r.IntN(len(people))])
			case 2:
				b.WriteString("et")
			default:
				b.WriteString(vocab[r.IntN(len(vocab))])
			}
			b.WriteString([]string{" ", ", ", " ", "’", ". "}[r.IntN(5)])
		}
		p := Post{Text: b.String(), Lang: []string{"fr", "en", ""}[r.IntN(3)], Network: []string{"bluesky", "mastodon"}[r.IntN(2)], Author: people[r.IntN(len(people))]}
		var want []int64
		for id, q := range qs {
			ref := refMatch(q, p, own)
			if q.Match(p, own) != ref {
				t.Fatalf("%q over %+v: matcher says %v, reference %v", q, p, !ref, ref)
			}
			if ref {
				want = append(want, int64(id))
			}
		}
		got := ix.Match(p, &s, nil)
		if !slices.Equal(got, want) {
			t.Fatalf("post %+v: index found %v, reference %v", p, got, want)
		}
		if got := ixf.Match(p, &s, nil); !slices.Equal(got, want) {
			t.Fatalf("post %+v: index by frequencies found %v, reference %v", p, got, want)
		}
		matched += len(want)
	}
	if matched < 1000 {
		t.Fatalf("only %d matches: the random queries and posts do not exercise the matcher", matched)
	}
}
