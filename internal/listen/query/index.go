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
	// seen is a Bloom filter (one bit per key) of the words and prefix
	// beginnings above: most words of a post are in neither map, and a
	// bit read from a small array tells so for a fraction of the cost of
	// a map lookup. A set bit may be another key's; the maps decide.
	// It grows with the keys (see mark), so a small index stays small.
	seen      []uint64
	seenShift uint
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
			ix.mark(hashOf(k.text))
		case keyMention:
			ix.mentions[k.text] = append(ix.mentions[k.text], n)
		case keyPrefix:
			for l := minPrefix; l < len(k.text); l++ {
				if _, ok := ix.prefixes[k.text[:l]]; !ok {
					ix.prefixes[k.text[:l]] = nil
				}
				ix.mark(hashPrefix(hashOf(k.text[:l])))
			}
			ix.prefixes[k.text] = append(ix.prefixes[k.text], n)
			ix.mark(hashPrefix(hashOf(k.text)))
			ix.mark(hashQueries(hashOf(k.text)))
		}
	}
}

// bitsPerKey sizes Index.seen: with 32 bits a key, about 3% of the bits
// are set, so a word in no map still costs a map lookup 3 times in 100;
// 10,000 queries (some 30,000 keys) take 128 KiB, which stays in a
// core's cache.
const bitsPerKey = 32

// FNV-1a, 64 bits: a word's hash is built byte by byte, so that a word of
// a post gives the hashes of all its beginnings on the way.
const (
	fnvOffset64 = 14695981039346656037
	fnvPrime64  = 1099511628211
)

// hashOf is the FNV-1a hash of w.
func hashOf(w string) uint64 {
	h := uint64(fnvOffset64)
	for i := 0; i < len(w); i++ {
		h = (h ^ uint64(w[i])) * fnvPrime64
	}
	return h
}

// hashPrefix and hashQueries tell apart, in the one filter, a word's
// exact hash, the beginning of an indexed prefix, and an indexed prefix
// itself (a beginning that holds queries). Most beginnings hold none
// ("ba" on the way to "barolu*") and are walked through without a map
// lookup.
func hashPrefix(h uint64) uint64 { return h ^ 0x9e3779b97f4a7c15 }

func hashQueries(h uint64) uint64 { return h ^ 0xc2b2ae3d27d4eb4f }

// mark adds h to the filter once its key is in its map, first growing
// the filter if the keys outgrew it (every key is then marked again from
// the maps).
func (ix *Index) mark(h uint64) {
	keys := len(ix.words) + 2*len(ix.prefixes)
	if keys*bitsPerKey/2 <= len(ix.seen)*64 {
		ix.set(h)
		return
	}
	log := uint(6)
	for 1<<log < keys*bitsPerKey {
		log++
	}
	ix.seen, ix.seenShift = make([]uint64, 1<<log/64), 64-log
	for w := range ix.words {
		ix.set(hashOf(w))
	}
	for p, qs := range ix.prefixes {
		ix.set(hashPrefix(hashOf(p)))
		if len(qs) > 0 {
			ix.set(hashQueries(hashOf(p)))
		}
	}
}

func (ix *Index) set(h uint64) {
	b := ix.bitOf(h)
	ix.seen[b/64] |= 1 << (b % 64)
}

// has says whether h may be a key's: false is sure, true is to be checked
// in the map.
func (ix *Index) has(h uint64) bool {
	if len(ix.seen) == 0 {
		return false // no key at all
	}
	b := ix.bitOf(h)
	return ix.seen[b/64]&(1<<(b%64)) != 0
}

// bitOf takes the filter's bit from the hash's high bits, mixed by a
// multiplication: FNV's low bits depend little on the last byte.
func (ix *Index) bitOf(h uint64) uint64 { return (h * 0x9e3779b97f4a7c15) >> ix.seenShift }

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
		// One pass over the word's bytes hashes each beginning in turn:
		// the walk goes on while the filter holds the beginning (a false
		// "maybe" only walks one step too far: the longer beginnings of a
		// beginning no prefix has are not indexed either), and the map is
		// read only where the filter says queries may wait; the whole word
		// is looked up at the end.
		w := t.text
		h := uint64(fnvOffset64)
		walk := true
		for l := 0; l < len(w); l++ {
			h = (h ^ uint64(w[l])) * fnvPrime64
			if walk && l+1 >= minPrefix {
				if walk = ix.has(hashPrefix(h)); walk && ix.has(hashQueries(h)) {
					add(ix.prefixes[w[:l+1]])
				}
			}
		}
		if ix.has(h) {
			add(ix.words[w])
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
