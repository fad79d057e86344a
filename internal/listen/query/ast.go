package query

import (
	"strconv"
	"strings"
)

// Node is one part of a parsed query. String writes it back in the query
// language, so that Parse(n.String()) gives the same tree.
type Node interface {
	String() string
	eval(d *Doc) bool
}

// And matches when every kid does.
type And struct{ Kids []Node }

// Or matches when some kid does.
type Or struct{ Kids []Node }

// Not matches when its kid does not.
type Not struct{ Kid Node }

// Term is one folded word; with Prefix, any word that starts with it
// (`agri*`). It finds the word in the text and in hashtags, not in
// @mentions.
type Term struct {
	Word   string
	Prefix bool
}

// Phrase is words that follow each other ("exact phrase").
type Phrase struct{ Words []Term }

// Near is words found in any order with at most Dist other words between
// them: `"prix hausse"~5` and `prix NEAR/5 hausse` are the same query.
type Near struct {
	Words []Term
	Dist  int
}

// Hashtag is a #hashtag of the post (folded; Prefix for `#agri*`).
type Hashtag struct {
	Tag    string
	Prefix bool
}

// Mention is an @mention of an account (folded handle).
type Mention struct{ Handle string }

// Filter is lang:, network: or author: (negated by Not; `-author:x` is
// `NOT author:x`).
type Filter struct{ Field, Value string }

func (n *And) String() string {
	parts := make([]string, len(n.Kids))
	for i, k := range n.Kids {
		if _, ok := k.(*Or); ok {
			parts[i] = "(" + k.String() + ")"
		} else {
			parts[i] = k.String()
		}
	}
	return strings.Join(parts, " AND ")
}

func (n *Or) String() string {
	parts := make([]string, len(n.Kids))
	for i, k := range n.Kids {
		parts[i] = k.String()
	}
	return strings.Join(parts, " OR ")
}

func (n *Not) String() string {
	switch n.Kid.(type) {
	case *And, *Or:
		return "NOT (" + n.Kid.String() + ")"
	}
	return "NOT " + n.Kid.String()
}

func (n *Term) String() string {
	if n.Prefix {
		return n.Word + "*"
	}
	return n.Word
}

func termsString(ws []Term) string {
	parts := make([]string, len(ws))
	for i := range ws {
		parts[i] = ws[i].String()
	}
	return strings.Join(parts, " ")
}

func (n *Phrase) String() string { return `"` + termsString(n.Words) + `"` }

func (n *Near) String() string {
	if len(n.Words) == 2 {
		return n.Words[0].String() + " NEAR/" + strconv.Itoa(n.Dist) + " " + n.Words[1].String()
	}
	return `"` + termsString(n.Words) + `"~` + strconv.Itoa(n.Dist)
}

func (n *Hashtag) String() string {
	if n.Prefix {
		return "#" + n.Tag + "*"
	}
	return "#" + n.Tag
}

func (n *Mention) String() string { return "@" + n.Handle }

func (n *Filter) String() string { return n.Field + ":" + n.Value }

// Evaluation over the tokens of a Doc. These are also the reference the
// index is checked against: the index only narrows which queries are
// evaluated.

func (n *And) eval(d *Doc) bool {
	for _, k := range n.Kids {
		if !k.eval(d) {
			return false
		}
	}
	return true
}

func (n *Or) eval(d *Doc) bool {
	for _, k := range n.Kids {
		if k.eval(d) {
			return true
		}
	}
	return false
}

func (n *Not) eval(d *Doc) bool { return !n.Kid.eval(d) }

// finds says whether the term finds token t: a word or a hashtag's word,
// never a mention.
func (n *Term) finds(t *token) bool {
	if t.kind == kindMention {
		return false
	}
	if n.Prefix {
		return strings.HasPrefix(t.text, n.Word)
	}
	return t.text == n.Word
}

func (n *Term) eval(d *Doc) bool {
	for i := range d.toks {
		if n.finds(&d.toks[i]) {
			return true
		}
	}
	return false
}

func (n *Phrase) eval(d *Doc) bool {
	k := len(n.Words)
	for i := 0; i+k <= len(d.toks); i++ {
		ok := true
		for j := range n.Words {
			if !n.Words[j].finds(&d.toks[i+j]) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// eval looks for distinct tokens, one per word, spanning at most
// Dist+len(Words) positions (so at most Dist other words lie between
// them), in any order. Each window that starts on a word of the query is
// checked by bipartite matching of words to tokens (augmenting paths), so
// that repeated or overlapping words ("0 0 0 0"~1, agri* and
// agriculture) cost a polynomial, not a search over every assignment.
func (n *Near) eval(d *Doc) bool {
	k := len(n.Words)
	if k > len(d.toks) {
		return false
	}
	span := n.Dist + k - 1
	for lo := range d.toks {
		first := false
		for w := range n.Words {
			first = first || n.Words[w].finds(&d.toks[lo])
		}
		if !first {
			continue
		}
		hi := min(lo+span, len(d.toks)-1)
		if hi-lo+1 < k {
			return false // later windows are shorter still
		}
		if n.matchWindow(d, lo, hi) {
			return true
		}
	}
	return false
}

// matchWindow says whether every word can take its own token in
// d.toks[lo..hi].
func (n *Near) matchWindow(d *Doc, lo, hi int) bool {
	size := hi - lo + 1
	var ownerBuf [64]int
	var seenBuf [64]bool
	owner, seen := ownerBuf[:0], seenBuf[:0]
	if size > len(ownerBuf) {
		owner, seen = make([]int, size), make([]bool, size)
	} else {
		owner, seen = ownerBuf[:size], seenBuf[:size]
	}
	for i := range owner {
		owner[i] = -1
	}
	for w := range n.Words {
		clear(seen)
		if !n.augment(d, lo, w, owner, seen) {
			return false
		}
	}
	return true
}

// augment finds word w a token of the window, moving the words already
// placed to other tokens if need be (an augmenting path).
func (n *Near) augment(d *Doc, lo, w int, owner []int, seen []bool) bool {
	for i := range owner {
		if seen[i] || !n.Words[w].finds(&d.toks[lo+i]) {
			continue
		}
		seen[i] = true
		if owner[i] < 0 || n.augment(d, lo, owner[i], owner, seen) {
			owner[i] = w
			return true
		}
	}
	return false
}

func (n *Hashtag) eval(d *Doc) bool {
	for i := range d.toks {
		t := &d.toks[i]
		if t.kind == kindHashtag && (t.text == n.Tag || n.Prefix && strings.HasPrefix(t.text, n.Tag)) {
			return true
		}
	}
	return false
}

func (n *Mention) eval(d *Doc) bool {
	for i := range d.toks {
		t := &d.toks[i]
		if t.kind == kindMention && sameAccount(t.text, n.Handle) {
			return true
		}
	}
	return false
}

func (n *Filter) eval(d *Doc) bool {
	switch n.Field {
	case "lang":
		// lang:fr takes fr-CA too.
		return d.Lang == n.Value || strings.HasPrefix(d.Lang, n.Value) && len(d.Lang) > len(n.Value) && d.Lang[len(n.Value)] == '-'
	case "network":
		return d.Network == n.Value
	case "author":
		return sameAccount(d.Author, n.Value)
	}
	return false
}
