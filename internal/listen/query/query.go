// Package query is the listening query language: what Brandwatch and
// Talkwalker users already write (AND, OR, NOT, "phrases", parentheses,
// agri*, NEAR/5, #hashtags, @mentions, lang:, network:, author:,
// -author:), its parser with positioned errors in English and French, the
// matcher of one query over a post, and the Index that matches a post
// against thousands of queries at once. The reference is
// docs/query-language.md (in French: docs/langage-de-requete.md).
//
// It is pure: no store, no network. Sources feed it posts; storage keeps
// what it matched.
package query

// Query is a parsed query.
type Query struct {
	root Node
	// authors are the accounts the query names in a positive author:
	// filter: posts of our own accounts match only such a query.
	authors []string
}

func newQuery(root Node) *Query {
	q := &Query{root: root}
	var walk func(n Node, neg bool)
	walk = func(n Node, neg bool) {
		switch x := n.(type) {
		case *And:
			for _, k := range x.Kids {
				walk(k, neg)
			}
		case *Or:
			for _, k := range x.Kids {
				walk(k, neg)
			}
		case *Not:
			walk(x.Kid, !neg)
		case *Filter:
			if x.Field == "author" && !neg {
				q.authors = append(q.authors, x.Value)
			}
		}
	}
	walk(root, false)
	return q
}

// Root is the query's tree.
func (q *Query) Root() Node { return q.root }

// String is the query in canonical form: Parse(q.String()) gives the same
// query.
func (q *Query) String() string { return q.root.String() }

// Own is the set of the workspace's own accounts (folded handles), whose
// posts listening leaves out unless a query names them with author:.
type Own map[string]bool

// NewOwn builds the set from handles as the networks write them.
func NewOwn(handles ...string) Own {
	o := Own{}
	for _, h := range handles {
		o[normHandle(h)] = true
	}
	return o
}

// Match says whether the post matches. own (may be nil) are our accounts.
func (q *Query) Match(p Post, own Own) bool {
	var d Doc
	d.Reset(p)
	return q.MatchDoc(&d, own)
}

// MatchDoc is Match over a post already cut into a Doc.
func (q *Query) MatchDoc(d *Doc, own Own) bool {
	if own[d.Author] && !q.namesAuthor(d.Author) {
		return false
	}
	return q.root.eval(d)
}

func (q *Query) namesAuthor(a string) bool {
	for _, x := range q.authors {
		if sameAccount(a, x) {
			return true
		}
	}
	return false
}

// Index keys: every query that can match a post holds at least one of
// its keys in the post, so the index looks only at the queries whose
// keys it finds, then verifies them.
type keyKind uint8

const (
	keyWord    keyKind = iota // a word or a hashtag's word, exactly
	keyPrefix                 // a word or a hashtag's word starting so
	keyMention                // the local part of a mentioned handle
)

type key struct {
	kind keyKind
	text string
}

// required returns keys of which any post matching n holds at least one;
// ok is false when there are none (n can match a post without any
// particular word: NOT, filters), which Parse refuses at the top, since
// such a query would have to be checked against every post and would
// flood the mentions.
func required(n Node) ([]key, bool) { return requiredBy(n, cost) }

// requiredBy is required, choosing among the kids of an AND (and the words
// of a phrase) the keys that cost the least: those found in fewest posts.
func requiredBy(n Node, cost func([]key) float64) ([]key, bool) {
	switch x := n.(type) {
	case *Term:
		return []key{termKey(*x)}, true
	case *Phrase:
		return bestTerm(x.Words, cost), true
	case *Near:
		return bestTerm(x.Words, cost), true
	case *Hashtag:
		return []key{termKey(Term{Word: x.Tag, Prefix: x.Prefix})}, true
	case *Mention:
		local, _, _ := cutAt(x.Handle)
		return []key{{keyMention, local}}, true
	case *And:
		var best []key
		found := false
		for _, k := range x.Kids {
			if ks, ok := requiredBy(k, cost); ok && (!found || cost(ks) < cost(best)) {
				best, found = ks, true
			}
		}
		return best, found
	case *Or:
		var all []key
		for _, k := range x.Kids {
			ks, ok := requiredBy(k, cost)
			if !ok {
				return nil, false
			}
			all = append(all, ks...)
		}
		return all, true
	}
	return nil, false
}

func cutAt(h string) (string, string, bool) {
	for i := 0; i < len(h); i++ {
		if h[i] == '@' {
			return h[:i], h[i+1:], true
		}
	}
	return h, "", false
}

func termKey(t Term) key {
	if t.Prefix {
		return key{keyPrefix, t.Word}
	}
	return key{keyWord, t.Word}
}

func bestTerm(ts []Term, cost func([]key) float64) []key {
	best := []key{termKey(ts[0])}
	for _, t := range ts[1:] {
		if k := []key{termKey(t)}; cost(k) < cost(best) {
			best = k
		}
	}
	return best
}

// cost guesses how many posts hold one of ks: more keys, shorter words and
// prefixes are found more often. Without statistics of the stream, length
// is the best cheap guess (short words are the frequent ones).
func cost(ks []key) float64 {
	c := 0.0
	for _, k := range ks {
		w := 1 / float64(1+len(k.text))
		if k.kind == keyPrefix {
			w *= 4
		}
		c += w
	}
	return c
}

// costByFrequency estimates the share of posts holding one of ks from the
// share of each word measured on a sample of the stream. A prefix or a
// mention is not in the sample's table; guesses: 1% and 0.01%.
func costByFrequency(freq func(word string) float64) func([]key) float64 {
	return func(ks []key) float64 {
		c := 0.0
		for _, k := range ks {
			switch k.kind {
			case keyWord:
				c += freq(k.text) + 1e-7
			case keyPrefix:
				c += 0.01
			default:
				c += 1e-4
			}
		}
		return c
	}
}
