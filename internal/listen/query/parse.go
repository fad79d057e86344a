package query

import (
	"strconv"
	"strings"
	"unicode"
)

// Grammar, by increasing precedence (as Brandwatch documents it: NOT binds
// tighter than AND, AND tighter than OR; NEAR tightest):
//
//	query   = or
//	or      = and { "OR" and }
//	and     = unary { ["AND"] unary }        adjacent parts are ANDed
//	unary   = ("NOT" | "-") unary | near
//	near    = primary [ "NEAR/" n primary ]  one word each side
//	primary = "(" or ")" | '"' words '"' ["~" n] | word["*"]
//	        | "#"tag["*"] | "@"handle | field ":" value
//
// Operators are upper case; "and", "or", "not", "near" in lower case are
// words. A bare word that the text cutter splits (l'agriculture,
// covid-19) is the phrase of its parts.

type tokKind int

const (
	tEOF tokKind = iota
	tLParen
	tRParen
	tAnd
	tOr
	tNot
	tNear
	tAtom // a node already built: word, phrase, hashtag, mention, filter
)

type qtok struct {
	kind tokKind
	off  int // rune offset in the query
	node Node
	n    int // NEAR/n
}

type parser struct {
	src  []rune
	i    int
	tok  qtok
	prev bool // whether tok has been consumed
}

// Parse reads a query. A syntax error is a *SyntaxError.
func Parse(s string) (*Query, error) {
	p := &parser{src: []rune(s)}
	if err := p.next(); err != nil {
		return nil, err
	}
	root, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tEOF {
		return nil, errAt(p.tok.off, expEnd)
	}
	if _, ok := required(root); !ok {
		return nil, errAt(0, expPositive)
	}
	return newQuery(root), nil
}

func isSpace(r rune) bool { return unicode.IsSpace(r) }

// next reads the following token into p.tok.
func (p *parser) next() error {
	for p.i < len(p.src) && isSpace(p.src[p.i]) {
		p.i++
	}
	start := p.i
	if p.i >= len(p.src) {
		p.tok = qtok{kind: tEOF, off: start}
		return nil
	}
	switch r := p.src[p.i]; r {
	case '(':
		p.i++
		p.tok = qtok{kind: tLParen, off: start}
		return nil
	case ')':
		p.i++
		p.tok = qtok{kind: tRParen, off: start}
		return nil
	case '"', '“', '«':
		return p.phrase(start)
	case '-':
		// Talkwalker's -word is NOT word; -author:x the documented way to
		// leave an author out.
		if p.i+1 < len(p.src) && !isSpace(p.src[p.i+1]) {
			p.i++
			p.tok = qtok{kind: tNot, off: start}
			return nil
		}
	}
	for p.i < len(p.src) && !isSpace(p.src[p.i]) && !strings.ContainsRune("()\"“«", p.src[p.i]) {
		p.i++
	}
	return p.bare(start, string(p.src[start:p.i]))
}

// bare classifies a run of non-space runes: an operator, a hashtag, a
// mention, a filter or words.
func (p *parser) bare(off int, w string) error {
	switch w {
	case "AND":
		p.tok = qtok{kind: tAnd, off: off}
		return nil
	case "OR":
		p.tok = qtok{kind: tOr, off: off}
		return nil
	case "NOT":
		p.tok = qtok{kind: tNot, off: off}
		return nil
	}
	if strings.HasPrefix(w, "NEAR/") || w == "NEAR" {
		n, err := strconv.Atoi(strings.TrimPrefix(w, "NEAR/"))
		if err != nil || n < 0 || n > 9999 || !strings.HasPrefix(w, "NEAR/") {
			return errAt(off+min(len("NEAR/"), len([]rune(w))), expNearNumber)
		}
		p.tok = qtok{kind: tNear, off: off, n: n}
		return nil
	}
	switch w[0] {
	case '#':
		stem, prefix, err := starred(off+1, w[1:])
		if err != nil {
			return err
		}
		ws := words(stem)
		if len(ws) != 1 || strings.ContainsAny(stem, "#@") {
			return errAt(off+1, expWord)
		}
		if prefix && len([]rune(ws[0])) < 2 {
			return errAt(off+len([]rune(w))-1, expStem)
		}
		p.tok = qtok{kind: tAtom, off: off, node: &Hashtag{Tag: ws[0], Prefix: prefix}}
		return nil
	case '@':
		h := strings.TrimRight(Fold(w[1:]), ".-@")
		if h == "" || strings.IndexFunc(h, func(r rune) bool { return !isHandleRune(r) }) >= 0 || !isWordRune([]rune(h)[0]) {
			return errAt(off+1, expWord)
		}
		p.tok = qtok{kind: tAtom, off: off, node: &Mention{Handle: h}}
		return nil
	}
	if field, value, ok := strings.Cut(w, ":"); ok && field != "" && strings.IndexFunc(field, func(r rune) bool { return !unicode.IsLetter(r) }) < 0 {
		switch field {
		case "lang", "network":
			value = strings.ToLower(value)
		case "author":
			value = normHandle(value)
		default:
			return errAt(off, expFilter)
		}
		if value == "" {
			return errAt(off+len([]rune(field))+1, expFilterValue)
		}
		p.tok = qtok{kind: tAtom, off: off, node: &Filter{Field: field, Value: value}}
		return nil
	}
	stem, prefix, err := starred(off, w)
	if err != nil {
		return err
	}
	ws := words(stem)
	if len(ws) == 0 {
		return errAt(off, expWord)
	}
	terms := make([]Term, len(ws))
	for i, x := range ws {
		terms[i] = Term{Word: x}
	}
	terms[len(terms)-1].Prefix = prefix
	if prefix && len([]rune(ws[len(ws)-1])) < 2 {
		return errAt(off+len([]rune(w))-1, expStem)
	}
	p.tok = qtok{kind: tAtom, off: off, node: termsNode(terms)}
	return nil
}

// starred splits a trailing * off w; a * elsewhere is an error.
func starred(off int, w string) (string, bool, error) {
	if i := strings.IndexRune(w, '*'); i >= 0 && i != len(w)-1 {
		return "", false, errAt(off+len([]rune(w[:i])), expStarEnd)
	}
	if stem, ok := strings.CutSuffix(w, "*"); ok {
		if len([]rune(strings.TrimSpace(stem))) < 2 {
			return "", false, errAt(off+len([]rune(w))-1, expStem)
		}
		return stem, true, nil
	}
	return w, false, nil
}

func termsNode(ts []Term) Node {
	if len(ts) == 1 {
		return &ts[0]
	}
	return &Phrase{Words: ts}
}

// phrase reads "…" and an optional ~n.
func (p *parser) phrase(start int) error {
	closer := map[rune]rune{'"': '"', '“': '”', '«': '»'}[p.src[start]]
	end := -1
	for j := start + 1; j < len(p.src); j++ {
		if p.src[j] == closer || p.src[j] == '"' {
			end = j
			break
		}
	}
	if end < 0 {
		return errAt(len(p.src), expCloseQuote)
	}
	var terms []Term
	j := start + 1
	for j < end {
		for j < end && isSpace(p.src[j]) {
			j++
		}
		k := j
		for k < end && !isSpace(p.src[k]) {
			k++
		}
		if k == j {
			break
		}
		stem, prefix, err := starred(j, string(p.src[j:k]))
		if err != nil {
			return err
		}
		ws := words(stem)
		for i, x := range ws {
			terms = append(terms, Term{Word: x, Prefix: prefix && i == len(ws)-1})
		}
		if prefix && len(ws) > 0 && len([]rune(ws[len(ws)-1])) < 2 {
			return errAt(k-1, expStem)
		}
		j = k
	}
	if len(terms) == 0 {
		return errAt(start+1, expPhraseWords)
	}
	p.i = end + 1
	p.tok = qtok{kind: tAtom, off: start, node: termsNode(terms)}
	if p.i < len(p.src) && p.src[p.i] == '~' {
		p.i++
		k := p.i
		for k < len(p.src) && '0' <= p.src[k] && p.src[k] <= '9' {
			k++
		}
		n, err := strconv.Atoi(string(p.src[p.i:k]))
		if err != nil || k-p.i > 4 {
			return errAt(p.i, expTildeNumber)
		}
		p.i = k
		if len(terms) > 1 {
			p.tok.node = &Near{Words: terms, Dist: n}
		}
	}
	return nil
}

func (p *parser) or() (Node, error) {
	first, err := p.and()
	if err != nil {
		return nil, err
	}
	kids := []Node{first}
	for p.tok.kind == tOr {
		if err := p.next(); err != nil {
			return nil, err
		}
		k, err := p.and()
		if err != nil {
			return nil, err
		}
		kids = append(kids, k)
	}
	if len(kids) == 1 {
		return first, nil
	}
	return &Or{Kids: flatten[*Or](kids)}, nil
}

func startsUnary(k tokKind) bool { return k == tAtom || k == tLParen || k == tNot }

func (p *parser) and() (Node, error) {
	first, err := p.unary()
	if err != nil {
		return nil, err
	}
	kids := []Node{first}
	for {
		if p.tok.kind == tAnd {
			if err := p.next(); err != nil {
				return nil, err
			}
		} else if !startsUnary(p.tok.kind) {
			break
		}
		k, err := p.unary()
		if err != nil {
			return nil, err
		}
		kids = append(kids, k)
	}
	if len(kids) == 1 {
		return first, nil
	}
	return &And{Kids: flatten[*And](kids)}, nil
}

// flatten merges nested nodes of the same operator ((a AND b) AND c),
// so that String is stable through a round trip.
func flatten[T interface {
	*And | *Or
	Node
}](kids []Node) []Node {
	out := make([]Node, 0, len(kids))
	for _, k := range kids {
		switch x := any(k).(type) {
		case T:
			switch y := any(x).(type) {
			case *And:
				out = append(out, y.Kids...)
			case *Or:
				out = append(out, y.Kids...)
			}
		default:
			out = append(out, k)
		}
	}
	return out
}

func (p *parser) unary() (Node, error) {
	if p.tok.kind == tNot {
		if err := p.next(); err != nil {
			return nil, err
		}
		k, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &Not{Kid: k}, nil
	}
	return p.near()
}

func (p *parser) near() (Node, error) {
	leftOff := p.tok.off
	left, err := p.primary()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tNear {
		return left, nil
	}
	lt, ok := left.(*Term)
	if !ok {
		return nil, errAt(leftOff, expNearWord)
	}
	n := p.tok.n
	if err := p.next(); err != nil {
		return nil, err
	}
	rightOff := p.tok.off
	right, err := p.primary()
	if err != nil {
		return nil, err
	}
	rt, ok := right.(*Term)
	if !ok || p.tok.kind == tNear {
		if ok {
			rightOff = p.tok.off
		}
		return nil, errAt(rightOff, expNearWord)
	}
	return &Near{Words: []Term{*lt, *rt}, Dist: n}, nil
}

func (p *parser) primary() (Node, error) {
	switch p.tok.kind {
	case tAtom:
		n := p.tok.node
		return n, p.next()
	case tLParen:
		if err := p.next(); err != nil {
			return nil, err
		}
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tRParen {
			return nil, errAt(p.tok.off, expCloseParen)
		}
		return n, p.next()
	}
	return nil, errAt(p.tok.off, expOperand)
}
