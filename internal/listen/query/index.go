package query

import (
	"slices"
)

// Index matches a post against many queries: the post is cut into words
// once, the words look up the queries that need them in inverted indexes
// (exact words, word prefixes, mentioned accounts), and only those
// candidates are evaluated. Build it with Add, then share it read-only
// between goroutines, each with its own Scratch.
type Index struct {
	own     Own
	queries []*Query
	ids     []int64
	words   map[string][]int32
	// prefixes holds every beginning (from 2 bytes) of every indexed
	// prefix, with the queries of the prefixes that end there: a word of a
	// post walks its own beginnings, longer and longer, and stops at the
	// first one absent, usually after one lookup.
	prefixes map[string][]int32
	mentions map[string][]int32
	// detect gives the language of a post that comes without one.
	detect func(text string) string
	// cost ranks the keys a query could be found by (see required).
	cost func([]key) float64
}

// NewIndex makes an empty index; own are the workspace's accounts.
func NewIndex(own Own) *Index {
	return &Index{
		own:      own,
		words:    map[string][]int32{},
		prefixes: map[string][]int32{},
		mentions: map[string][]int32{},
		cost:     cost,
	}
}

// UseFrequencies makes Add choose each query's keys by how often words
// occur in the stream (freq gives a word's share of posts, as measured on
// a recent sample, see Frequencies) rather than by their length: an AND
// is then found by its rarest part. Call it before Add.
func (ix *Index) UseFrequencies(freq func(word string) float64) {
	ix.cost = costByFrequency(freq)
}

// UseDetect makes Match fill in the language of posts that come without
// one (Bluesky posts often carry theirs; RSS items do not), so lang:
// filters work on every source. detect returns a code such as "fr" or
// "en" — internal/sentiment's Detect.
func (ix *Index) UseDetect(detect func(text string) string) { ix.detect = detect }

// Frequencies measures on sample the share of posts that hold each word,
// for UseFrequencies.
func Frequencies(sample []Post) func(word string) float64 {
	count := map[string]int{}
	var d Doc
	seen := map[string]bool{}
	for _, p := range sample {
		d.Reset(p)
		clear(seen)
		for _, t := range d.toks {
			if t.kind != kindMention && !seen[t.text] {
				seen[t.text] = true
				count[t.text]++
			}
		}
	}
	n := float64(max(len(sample), 1))
	return func(w string) float64 { return float64(count[w]) / n }
}

// Add indexes q under the caller's id (a query id of the store).
func (ix *Index) Add(id int64, q *Query) {
	n := int32(len(ix.queries))
	ix.queries = append(ix.queries, q)
	ix.ids = append(ix.ids, id)
	ks, _ := requiredBy(q.root, ix.cost) // Parse guarantees some
	seen := map[key]bool{}
	for _, k := range ks {
		if seen[k] {
			continue
		}
		seen[k] = true
		switch k.kind {
		case keyWord:
			ix.words[k.text] = append(ix.words[k.text], n)
		case keyMention:
			ix.mentions[k.text] = append(ix.mentions[k.text], n)
		case keyPrefix:
			for l := minPrefix; l < len(k.text); l++ {
				if _, ok := ix.prefixes[k.text[:l]]; !ok {
					ix.prefixes[k.text[:l]] = nil
				}
			}
			ix.prefixes[k.text] = append(ix.prefixes[k.text], n)
		}
	}
}

// minPrefix is the shortest prefix in bytes: Parse wants two letters
// before a *.
const minPrefix = 2

// Len is the number of queries.
func (ix *Index) Len() int { return len(ix.queries) }

// Scratch is one goroutine's working memory for Match.
type Scratch struct {
	Doc   Doc
	stamp []uint32
	gen   uint32
	cand  []int32
}

// Match appends to out the ids of the queries p matches, in the order
// they were added; a post without a language gets one from UseDetect's
// function first.
func (ix *Index) Match(p Post, s *Scratch, out []int64) []int64 {
	if p.Lang == "" && ix.detect != nil {
		p.Lang = ix.detect(p.Text)
	}
	s.Doc.Reset(p)
	return ix.MatchDoc(&s.Doc, s, out)
}

// MatchDoc is Match over a post already cut (s.Doc may be d).
func (ix *Index) MatchDoc(d *Doc, s *Scratch, out []int64) []int64 {
	if len(s.stamp) < len(ix.queries) {
		s.stamp = make([]uint32, len(ix.queries))
		s.gen = 0
	}
	s.gen++
	if s.gen == 0 {
		clear(s.stamp)
		s.gen = 1
	}
	s.cand = s.cand[:0]
	add := func(qs []int32) {
		for _, q := range qs {
			if s.stamp[q] != s.gen {
				s.stamp[q] = s.gen
				s.cand = append(s.cand, q)
			}
		}
	}
	for i := range d.toks {
		t := &d.toks[i]
		if t.kind == kindMention {
			local, _, _ := cutAt(t.text)
			add(ix.mentions[local])
			continue
		}
		add(ix.words[t.text])
		for l := minPrefix; l <= len(t.text); l++ {
			qs, ok := ix.prefixes[t.text[:l]]
			if !ok {
				break
			}
			add(qs)
		}
	}
	if len(s.cand) == 0 {
		return out
	}
	slices.Sort(s.cand)
	for _, q := range s.cand {
		if ix.queries[q].MatchDoc(d, ix.own) {
			out = append(out, ix.ids[q])
		}
	}
	return out
}
