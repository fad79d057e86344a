package query

import (
	"slices"
	"sort"
)

// Index matches a post against many queries: the post is cut into words
// once, the words look up the queries that need them in inverted indexes
// (exact words, word prefixes, mentioned accounts), and only those
// candidates are evaluated. Build it with Add, then share it read-only
// between goroutines, each with its own Scratch.
type Index struct {
	own      Own
	queries  []*Query
	ids      []int64
	words    map[string][]int32
	prefixes map[string][]int32
	mentions map[string][]int32
	// prefixLens are the byte lengths of the indexed prefixes: each word
	// of a post looks up its own prefixes of these lengths only.
	prefixLens []int
}

// NewIndex makes an empty index; own are the workspace's accounts.
func NewIndex(own Own) *Index {
	return &Index{
		own:      own,
		words:    map[string][]int32{},
		prefixes: map[string][]int32{},
		mentions: map[string][]int32{},
	}
}

// Add indexes q under the caller's id (a query id of the store).
func (ix *Index) Add(id int64, q *Query) {
	n := int32(len(ix.queries))
	ix.queries = append(ix.queries, q)
	ix.ids = append(ix.ids, id)
	ks, _ := required(q.root) // Parse guarantees some
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
			if len(ix.prefixes[k.text]) == 0 {
				i := sort.SearchInts(ix.prefixLens, len(k.text))
				if i == len(ix.prefixLens) || ix.prefixLens[i] != len(k.text) {
					ix.prefixLens = append(ix.prefixLens, 0)
					copy(ix.prefixLens[i+1:], ix.prefixLens[i:])
					ix.prefixLens[i] = len(k.text)
				}
			}
			ix.prefixes[k.text] = append(ix.prefixes[k.text], n)
		}
	}
}

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
// they were added.
func (ix *Index) Match(p Post, s *Scratch, out []int64) []int64 {
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
		for _, l := range ix.prefixLens {
			if l > len(t.text) {
				break
			}
			add(ix.prefixes[t.text[:l]])
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
