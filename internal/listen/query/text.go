package query

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Kinds of token in a post.
const (
	kindWord    uint8 = iota // a word of the text
	kindHashtag              // the word of a #hashtag (a plain term finds it too)
	kindMention              // an @handle (a plain term does not find it: it is an account, not a word)
)

// token is one word of a post, folded; pos counts the words from 0, so
// proximity and phrases measure distance in words.
type token struct {
	text string
	pos  int32
	kind uint8
}

// Doc is a post cut into folded words once, so that every query that
// looks at it reads the same tokens. A Doc is reused from post to post
// (Reset) to spare the allocations on the hot path.
type Doc struct {
	toks  []token
	buf   []byte
	spans []span
	// Lang, Network and Author are the metadata the filters read, folded.
	Lang, Network, Author string
}

// Post is what the matcher is given: the text and what is known about it.
type Post struct {
	Text    string `json:"text"`
	Lang    string `json:"lang"`
	Network string `json:"network"`
	Author  string `json:"author"`
}

// foldRune appends the case- and accent-folded form of r to dst: « É »
// becomes "e", « œ » "oe", « ß » "ss", so that `rentree` finds « Rentrée ».
// Latin letters are folded by a switch (the common case, no allocation);
// other letters go through Unicode decomposition with their marks dropped.
func foldRune(dst []byte, r rune) []byte {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return append(dst, byte(r))
	}
	r = unicode.ToLower(r)
	switch r {
	case 'à', 'á', 'â', 'ã', 'ä', 'å', 'ā', 'ă', 'ą':
		return append(dst, 'a')
	case 'ç', 'ć', 'ĉ', 'ċ', 'č':
		return append(dst, 'c')
	case 'è', 'é', 'ê', 'ë', 'ē', 'ĕ', 'ė', 'ę', 'ě':
		return append(dst, 'e')
	case 'ì', 'í', 'î', 'ï', 'ĩ', 'ī', 'ĭ', 'į', 'ı':
		return append(dst, 'i')
	case 'ñ', 'ń', 'ņ', 'ň':
		return append(dst, 'n')
	case 'ò', 'ó', 'ô', 'õ', 'ö', 'ø', 'ō', 'ŏ', 'ő':
		return append(dst, 'o')
	case 'ù', 'ú', 'û', 'ü', 'ũ', 'ū', 'ŭ', 'ů', 'ű', 'ų':
		return append(dst, 'u')
	case 'ý', 'ÿ':
		return append(dst, 'y')
	case 'œ':
		return append(dst, 'o', 'e')
	case 'æ':
		return append(dst, 'a', 'e')
	case 'ß':
		return append(dst, 's', 's')
	}
	if r < 0x250 || !unicode.IsLetter(r) {
		return utf8.AppendRune(dst, r)
	}
	var tmp [utf8.UTFMax]byte
	n := utf8.EncodeRune(tmp[:], r)
	for _, d := range norm.NFD.String(string(tmp[:n])) {
		if !unicode.Is(unicode.Mn, d) {
			dst = utf8.AppendRune(dst, unicode.ToLower(d))
		}
	}
	return dst
}

// Fold returns s lower-cased, without accents, œ and æ spelled out: the
// form in which both queries and posts are compared.
func Fold(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b = foldRune(b, r)
	}
	return string(b)
}

// isWordRune says what belongs to a word. Apostrophes (' and ’), hyphens
// and every other punctuation separate words, so « l'agriculture » holds
// the word "agriculture"; combining marks stay inside (text typed
// decomposed).
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '_'
	}
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// isHandleRune is what an @handle is made of: a Mastodon account
// (user@instance.tld) or a Bluesky handle (name.bsky.social).
func isHandleRune(r rune) bool {
	return isWordRune(r) || r == '.' || r == '-' || r == '@'
}

// Reset cuts p into d's tokens, replacing what d held.
func (d *Doc) Reset(p Post) {
	d.toks = d.toks[:0]
	d.buf = d.buf[:0]
	d.Lang = strings.ToLower(p.Lang)
	d.Network = strings.ToLower(p.Network)
	d.Author = normHandle(p.Author)
	s := p.Text
	// Every token's text is a sub-slice of one buffer; the strings are
	// made once at the end so that growing the buffer moves nothing.
	sp := d.spans[:0]
	prev := rune(' ')
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf && !asciiWord[c] && c != '#' && c != '@' {
			// ASCII between words (spaces, punctuation): what the
			// decoding below would skip, without decoding.
			prev = rune(c)
			i++
			continue
		}
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
	scan:
		for i < len(s) {
			if c := s[i]; c < utf8.RuneSelf {
				// ASCII inline: what in and foldRune would decide.
				switch {
				case 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' ||
					kind == kindMention && (c == '.' || c == '-' || c == '@'):
				case 'A' <= c && c <= 'Z':
					c += 'a' - 'A'
				default:
					break scan
				}
				d.buf = append(d.buf, c)
				prev = rune(s[i])
				i++
				continue
			}
			r, n = utf8.DecodeRuneInString(s[i:])
			if !in(r) {
				break
			}
			// No ASCII character is a combining mark: the table is read
			// only for the others.
			if r < utf8.RuneSelf || !unicode.Is(unicode.Mn, r) {
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
	d.spans = sp
	all := string(d.buf)
	for i, x := range sp {
		d.toks = append(d.toks, token{text: all[x.start:x.end], pos: int32(i), kind: x.kind})
	}
}

// span is where a token lies in Doc.buf, before its string is made.
type span struct {
	start, end int
	kind       uint8
}

// asciiWord is isWordRune over ASCII.
var asciiWord = func() (t [utf8.RuneSelf]bool) {
	for c := range t {
		t[c] = isWordRune(rune(c))
	}
	return t
}()

// normHandle folds an author or a mention: no leading @, lower case.
func normHandle(s string) string {
	return strings.ToLower(strings.TrimPrefix(strings.TrimSpace(s), "@"))
}

// sameAccount says whether the handle h (folded) is the account a names:
// the same handle, or a's local part on any instance (`@bob` names
// bob@mastodon.social as Mastodon itself shows it).
func sameAccount(h, a string) bool {
	return h == a || (len(h) > len(a) && h[len(a)] == '@' && h[:len(a)] == a)
}

// words cuts s as a post's text is cut, for the terms of a query.
func words(s string) []string {
	// In a query term, # and @ are not hashtags and mentions (those are
	// whole query atoms): they separate words as other punctuation does.
	var d Doc
	d.Reset(Post{Text: strings.NewReplacer("#", " ", "@", " ").Replace(s)})
	out := make([]string, 0, len(d.toks))
	for _, t := range d.toks {
		out = append(out, t.text)
	}
	return out
}
