package query

import "strings"

// refMatch is a plain reference evaluator, written apart from the
// matcher's: proximity by trying every assignment of tokens to words,
// filters on the raw post. The property test holds the matcher and the
// index to it.
func refMatch(q *Query, p Post, own Own) bool {
	var d Doc
	d.Reset(p)
	author := strings.ToLower(strings.TrimPrefix(p.Author, "@"))
	if own[author] {
		named := false
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
				if !neg && x.Field == "author" && (author == x.Value || strings.HasPrefix(author, x.Value+"@")) {
					named = true
				}
			}
		}
		walk(q.root, false)
		if !named {
			return false
		}
	}
	return refEval(q.root, d.toks, p)
}

func refTerm(t Term, k token) bool {
	if k.kind == kindMention {
		return false
	}
	if t.Prefix {
		return len(k.text) >= len(t.Word) && k.text[:len(t.Word)] == t.Word
	}
	return k.text == t.Word
}

func refEval(n Node, toks []token, p Post) bool {
	switch x := n.(type) {
	case *And:
		ok := true
		for _, k := range x.Kids {
			ok = refEval(k, toks, p) && ok
		}
		return ok
	case *Or:
		ok := false
		for _, k := range x.Kids {
			ok = refEval(k, toks, p) || ok
		}
		return ok
	case *Not:
		return !refEval(x.Kid, toks, p)
	case *Term:
		for _, k := range toks {
			if refTerm(*x, k) {
				return true
			}
		}
		return false
	case *Phrase:
	start:
		for i := range toks {
			for j, w := range x.Words {
				if i+j >= len(toks) || !refTerm(w, toks[i+j]) {
					continue start
				}
			}
			return true
		}
		return false
	case *Near:
		// Every tuple of distinct token indexes, one per word.
		idx := make([]int, len(x.Words))
		var try func(w int) bool
		try = func(w int) bool {
			if w == len(x.Words) {
				lo, hi := idx[0], idx[0]
				for _, i := range idx {
					lo, hi = min(lo, i), max(hi, i)
				}
				// hi-lo+1 positions hold the k words and the others
				// between them.
				return hi-lo+1-len(x.Words) <= x.Dist
			}
			for i := range toks {
				dup := false
				for _, j := range idx[:w] {
					dup = dup || j == i
				}
				if !dup && refTerm(x.Words[w], toks[i]) {
					idx[w] = i
					if try(w + 1) {
						return true
					}
				}
			}
			return false
		}
		return try(0)
	case *Hashtag:
		for _, k := range toks {
			if k.kind == kindHashtag && (k.text == x.Tag || x.Prefix && strings.HasPrefix(k.text, x.Tag)) {
				return true
			}
		}
		return false
	case *Mention:
		for _, k := range toks {
			if k.kind == kindMention && (k.text == x.Handle || strings.HasPrefix(k.text, x.Handle+"@")) {
				return true
			}
		}
		return false
	case *Filter:
		switch x.Field {
		case "lang":
			l := strings.ToLower(p.Lang)
			return l == x.Value || strings.HasPrefix(l, x.Value+"-")
		case "network":
			return strings.EqualFold(p.Network, x.Value)
		case "author":
			a := strings.ToLower(strings.TrimPrefix(p.Author, "@"))
			return a == x.Value || strings.HasPrefix(a, x.Value+"@")
		}
	}
	panic("refEval: unknown node")
}
