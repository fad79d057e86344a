package query

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// TestDocResetUnchanged: Reset, with its ASCII path, cuts texts into the
// same tokens as before it had one, on random mixes of words, accents,
// combining marks, hashtags, mentions, handles, digits, underscores and
// punctuation (and random bytes).
func TestDocResetUnchanged(t *testing.T) {
	pieces := strings.Fields(`La Rentrée RENTRÉE rentree cœur Œuvre l'agenda l’agenda covid-19 prix_fixe A_b 2027
		#Rentrée #agri_culture #a @papeteriecolbert @bob@piaille.fr @alice.bsky.social @x. @-a @@b @ # ## #_ a#b a@b
		été caf́ ÇA Straße привет 東京 😀 — « » … . , ; : ! ? ' ’ - _ -- .. x.y a-b http://exemple.fr/a_b?c=d`)
	r := rand.New(rand.NewPCG(3, 4))
	seps := []string{" ", "", "", ".", "\n", "\t", ", ", "-", "'"}
	var texts []string
	for range 50000 {
		var b strings.Builder
		for j := range 1 + r.IntN(20) {
			if j > 0 {
				b.WriteString(seps[r.IntN(len(seps))])
			}
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		texts = append(texts, b.String())
	}
	for range 5000 {
		p := make([]byte, r.IntN(60))
		for k := range p {
			const alphabet = "aZ_9.-@# é\x80\xff"
			p[k] = alphabet[r.IntN(len(alphabet))]
		}
		texts = append(texts, string(p))
	}
	var got, want Doc
	diff := 0
	for _, tx := range texts {
		p := Post{Text: tx, Lang: "FR", Network: "Bluesky", Author: "@Bob"}
		got.Reset(p)
		want.resetReference(p)
		if !reflect.DeepEqual(got.toks, want.toks) || got.Lang != want.Lang || got.Network != want.Network || got.Author != want.Author {
			if diff++; diff <= 5 {
				t.Errorf("Reset(%q) = %v, before %v", tx, got.toks, want.toks)
			}
		}
	}
	if diff > 0 {
		t.Errorf("%d of %d texts cut differently", diff, len(texts))
	}
}

// resetReference is Doc.Reset as it was before its ASCII fast path: the
// fast one must cut every text into the same tokens.
func (d *Doc) resetReference(p Post) {
	d.toks = d.toks[:0]
	d.buf = d.buf[:0]
	d.Lang = strings.ToLower(p.Lang)
	d.Network = strings.ToLower(p.Network)
	d.Author = normHandle(p.Author)
	s := p.Text
	// Every token's text is a sub-slice of one buffer; the strings are
	// made once at the end so that growing the buffer moves nothing.
	type span struct {
		start, end int
		kind       uint8
	}
	var spans [64]span
	sp := spans[:0]
	prev := rune(' ')
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		kind := kindWord
		start := i
		if (r == '#' || r == '@') && !isWordRune(prev) && i+n < len(s) {
			nr, _ := utf8.DecodeRuneInString(s[i+n:])
			if isWordRune(nr) {
				if r == '#' {
					kind = kindHashtag
				} else {
					kind = kindMention
				}
				i += n
				start = i
			}
		}
		if kind == kindWord && !isWordRune(r) {
			prev = r
			i += n
			continue
		}
		in := isWordRune
		if kind == kindMention {
			in = isHandleRune
		}
		b0 := len(d.buf)
		for i < len(s) {
			r, n = utf8.DecodeRuneInString(s[i:])
			if !in(r) {
				break
			}
			if !unicode.Is(unicode.Mn, r) {
				d.buf = foldRune(d.buf, r)
			}
			prev = r
			i += n
		}
		_ = start
		if kind == kindMention {
			// A sentence-ending dot (or a lone @) is not part of the handle.
			for len(d.buf) > b0 && strings.IndexByte(".-@", d.buf[len(d.buf)-1]) >= 0 {
				d.buf = d.buf[:len(d.buf)-1]
			}
		}
		if len(d.buf) > b0 {
			sp = append(sp, span{b0, len(d.buf), kind})
		}
	}
	all := string(d.buf)
	for i, x := range sp {
		d.toks = append(d.toks, token{text: all[x.start:x.end], pos: int32(i), kind: x.kind})
	}
}
