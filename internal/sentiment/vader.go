package sentiment

import (
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file is a port of VADER (Hutto & Gilbert, ICWSM 2014,
// github.com/cjhutto/vaderSentiment, MIT): a valence lexicon plus the rules
// people use to strengthen, weaken or invert it (boosters, capitals,
// negation, "but", exclamation marks). The constants are VADER's
// empirically derived ones. The same rules serve French with vader_FR's
// lexicon and French word lists; where French grammar differs (elision,
// "ne … pas" around the verb) the difference is noted.

const (
	boostIncr = 0.293 // a booster word ("very") raises a valence by this much
	boostDecr = -0.293
	capsIncr  = 0.733 // a word in capitals among lower-case words
	negScalar = -0.74 // a negated valence is inverted and damped
	// normAlpha approximates the largest sum of valences a short text reaches;
	// compound = sum / sqrt(sum² + alpha).
	normAlpha = 15
)

// rules is one language's word lists over the shared VADER rules.
type rules struct {
	lexicon  map[string]float64
	emojis   map[rune]float64
	negate   map[string]bool
	boosters map[string]float64 // one word or two ("kind of", "à peine")
	but      string             // contrastive conjunction
	// negateOnce: in French the two halves of "ne … pas" both precede the
	// word they negate, and must not cancel each other out.
	negateOnce bool
	// elision splits French "l'amour", "n'est" into "l'" + "amour".
	elision bool
	// english enables the rules VADER writes for English words only
	// ("no", "least", "never so", idioms).
	english bool
	special map[string]float64
	// folded maps French words written without accents ("genial") to the
	// lexicon's valence: tweets often drop them.
	folded map[string]float64
}

// token is one whitespace-separated word or emoticon, stripped of its
// surrounding punctuation the way VADER does.
type token struct {
	raw   string
	low   string
	upper bool    // all cased letters are capitals (Python's str.isupper)
	lex   bool    // in the lexicon (or a scored emoji)
	val   float64 // lexicon valence
}

// scratch holds reusable buffers so that scoring a text allocates little.
type scratch struct {
	tokens     []token
	sentiments []float64
	fr         frScratch
}

// asciiPunct is Python's string.punctuation, which VADER strips; French
// quotes, dashes and the ellipsis are added since French tweets use them.
const asciiPunct = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"

func isPunct(r rune) bool {
	if r < utf8.RuneSelf {
		return strings.IndexByte(asciiPunct, byte(r)) >= 0
	}
	switch r {
	case '«', '»', '“', '”', '‘', '’', '…', '–', '—':
		return true
	}
	return false
}

func isEmoji(r rune) bool {
	return r >= 0x2190 && (unicode.Is(unicode.So, r) || (r >= 0x1F000 && r <= 0x1FAFF))
}

// elided are the French words that lose their vowel before another word.
var elided = [...]string{"l", "d", "j", "n", "m", "t", "s", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"}

func (ru *rules) add(sc *scratch, raw string) {
	// VADER keeps the punctuation when stripping it leaves two characters
	// or fewer: that is an emoticon such as ":)" or ":-(".
	stripped := strings.TrimFunc(raw, isPunct)
	if utf8.RuneCountInString(stripped) > 2 {
		raw = stripped
	}
	if raw == "" {
		return
	}
	low := strings.ToLower(raw)
	if ru.elision && len(low) > 2 {
		if i := strings.IndexAny(low, "'’"); i > 0 && i <= 6 {
			for _, e := range elided {
				if low[:i] == e {
					size := 1
					if low[i] != '\'' {
						size = len("’")
					}
					ru.push(sc, raw[:i]+"'", low[:i]+"'")
					raw, low = raw[i+size:], low[i+size:]
					break
				}
			}
		}
	}
	ru.push(sc, raw, low)
}

func (ru *rules) push(sc *scratch, raw, low string) {
	if raw == "" {
		return
	}
	t := token{raw: raw, low: low, upper: isUpper(raw)}
	if v, ok := ru.lookup(low); ok {
		t.lex, t.val = true, v
	}
	sc.tokens = append(sc.tokens, t)
}

// lookup finds a word's valence. French also tries the word without a
// plural "s"/"x" or feminine "e", which the lexicon lists unevenly.
func (ru *rules) lookup(low string) (float64, bool) {
	if v, ok := ru.lexicon[low]; ok {
		return v, true
	}
	if !ru.elision || len(low) < 5 {
		return 0, false
	}
	for _, suf := range [...]string{"s", "x", "e", "es"} {
		if stem, ok := strings.CutSuffix(low, suf); ok {
			if v, ok := ru.lexicon[stem]; ok {
				return v, true
			}
		}
	}
	if v, ok := ru.folded[low]; ok {
		return v, true
	}
	return 0, false
}

var accents = strings.NewReplacer("é", "e", "è", "e", "ê", "e", "ë", "e", "à", "a", "â", "a", "ä", "a",
	"î", "i", "ï", "i", "ô", "o", "ö", "o", "ù", "u", "û", "u", "ü", "u", "ç", "c", "œ", "oe")

func foldedLexicon(lex map[string]float64) map[string]float64 {
	f := map[string]float64{}
	for w, v := range lex {
		if fw := accents.Replace(w); fw != w {
			if _, exists := lex[fw]; exists {
				continue
			}
			// Two words folding alike keep the stronger valence, so that
			// the map does not depend on iteration order.
			if old, ok := f[fw]; !ok || math.Abs(v) > math.Abs(old) || (math.Abs(v) == math.Abs(old) && v > old) {
				f[fw] = v
			}
		}
	}
	return f
}

// tokenize splits text into tokens, emojis standing alone as VADER's
// description substitution makes them.
func (ru *rules) tokenize(sc *scratch, text string, emojis map[rune]float64) {
	start := -1
	for i, r := range text {
		if unicode.IsSpace(r) {
			if start >= 0 {
				ru.add(sc, text[start:i])
				start = -1
			}
			continue
		}
		if emojis != nil && isEmoji(r) {
			if start >= 0 {
				ru.add(sc, text[start:i])
				start = -1
			}
			if v, ok := emojis[r]; ok {
				s := text[i : i+utf8.RuneLen(r)]
				sc.tokens = append(sc.tokens, token{raw: s, low: s, lex: true, val: v})
			}
			continue
		}
		if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		ru.add(sc, text[start:])
	}
}

func isUpper(s string) bool {
	cased := false
	for _, r := range s {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsUpper(r) {
			cased = true
		}
	}
	return cased
}

// capsDifferential: some but not all words are in capitals, so capitals
// mean emphasis rather than a shouted text.
func capsDifferential(ts []token) bool {
	n := 0
	for i := range ts {
		if ts[i].upper {
			n++
		}
	}
	return n > 0 && n < len(ts)
}

func (ru *rules) negated(low string) bool {
	if ru.negate[low] {
		return true
	}
	return ru.english && strings.Contains(low, "n't")
}

// valence is VADER's sentiment_valence for token i.
func (ru *rules) valence(ts []token, i int) float64 {
	return ru.valenceCaps(ts, i, capsDifferential(ts))
}

func (ru *rules) valenceCaps(ts []token, i int, capDiff bool) float64 {
	t := &ts[i]
	if _, ok := ru.boosters[t.low]; ok {
		return 0
	}
	if !t.lex {
		return 0
	}
	if ru.english && t.low == "kind" && i+1 < len(ts) && ts[i+1].low == "of" {
		return 0
	}
	v := t.val
	if ru.english {
		// "no" before a lexicon word negates it rather than counting itself.
		if t.low == "no" && i+1 < len(ts) && ts[i+1].lex {
			v = 0
		}
		if (i > 0 && ts[i-1].low == "no") || (i > 1 && ts[i-2].low == "no") ||
			(i > 2 && ts[i-3].low == "no" && (ts[i-1].low == "or" || ts[i-1].low == "nor")) {
			v = t.val * negScalar
		}
	}
	if t.upper && capDiff {
		if v > 0 {
			v += capsIncr
		} else {
			v -= capsIncr
		}
	}
	negatedOnce := false
	for s := 0; s < 3; s++ {
		if i <= s || ts[i-(s+1)].lex {
			continue
		}
		p := &ts[i-(s+1)]
		if b, ok := ru.boosters[p.low]; ok {
			if v < 0 {
				b = -b
			}
			if p.upper && capDiff {
				if v > 0 {
					b += capsIncr
				} else {
					b -= capsIncr
				}
			}
			switch s {
			case 1:
				b *= 0.95
			case 2:
				b *= 0.9
			}
			v += b
		}
		if ru.negateOnce {
			if !negatedOnce && ru.negated(p.low) {
				v *= negScalar
				negatedOnce = true
			}
		} else {
			v = ru.negationCheck(v, ts, s, i)
		}
		if s == 2 {
			v = ru.idioms(v, ts, i)
		}
	}
	if ru.english && i > 0 && !ts[i-1].lex && ts[i-1].low == "least" {
		if i == 1 || (ts[i-2].low != "at" && ts[i-2].low != "very") {
			v *= negScalar
		}
	}
	return v
}

func (ru *rules) negationCheck(v float64, ts []token, s, i int) float64 {
	w := func(k int) string { return ts[i-k].low }
	switch s {
	case 0:
		if ru.negated(w(1)) {
			v *= negScalar
		}
	case 1:
		switch {
		case w(2) == "never" && (w(1) == "so" || w(1) == "this"):
			v *= 1.25
		case w(2) == "without" && w(1) == "doubt":
		case ru.negated(w(2)):
			v *= negScalar
		}
	case 2:
		switch {
		case w(3) == "never" && (w(2) == "so" || w(2) == "this") || (w(1) == "so" || w(1) == "this"):
			v *= 1.25
		case w(3) == "without" && (w(2) == "doubt" || w(1) == "doubt"):
		case ru.negated(w(3)):
			v *= negScalar
		}
	}
	return v
}

// idioms is VADER's _special_idioms_check: phrases whose valence is not the
// sum of their words ("the bomb"), and two-word boosters ("kind of").
func (ru *rules) idioms(v float64, ts []token, i int) float64 {
	w := func(k int) string { return ts[k].low }
	if ru.english {
		seqs := [...]string{
			w(i-1) + " " + w(i),
			w(i-2) + " " + w(i-1) + " " + w(i),
			w(i-2) + " " + w(i-1),
			w(i-3) + " " + w(i-2) + " " + w(i-1),
			w(i-3) + " " + w(i-2),
		}
		for _, s := range seqs {
			if sv, ok := ru.special[s]; ok {
				v = sv
				break
			}
		}
		if i+1 < len(ts) {
			if sv, ok := ru.special[w(i)+" "+w(i+1)]; ok {
				v = sv
			}
		}
		if i+2 < len(ts) {
			if sv, ok := ru.special[w(i)+" "+w(i+1)+" "+w(i+2)]; ok {
				v = sv
			}
		}
	}
	for _, g := range [...]string{w(i-3) + " " + w(i-2) + " " + w(i-1), w(i-3) + " " + w(i-2), w(i-2) + " " + w(i-1)} {
		if b, ok := ru.boosters[g]; ok {
			v += b
		}
	}
	return v
}

// polarity is VADER's compound score of text, in [-1, 1]. sc is reused.
func (ru *rules) polarity(sc *scratch, text string) float64 {
	sc.tokens = sc.tokens[:0]
	ru.tokenize(sc, text, ru.emojis)
	return ru.compound(sc, text)
}

func (ru *rules) compound(sc *scratch, text string) float64 {
	ts := sc.tokens
	if len(ts) == 0 {
		return 0
	}
	capDiff := capsDifferential(ts)
	sc.sentiments = sc.sentiments[:0]
	bi := -1
	for i := range ts {
		if bi < 0 && ts[i].low == ru.but {
			bi = i
		}
		sc.sentiments = append(sc.sentiments, ru.valenceCaps(ts, i, capDiff))
	}
	sum := 0.0
	for i, s := range sc.sentiments {
		// What follows "but" outweighs what precedes it.
		switch {
		case bi < 0:
		case i < bi:
			s *= 0.5
		case i > bi:
			s *= 1.5
		}
		sum += s
	}
	if sum == 0 {
		return 0
	}
	emph := punctuationEmphasis(text)
	if sum > 0 {
		sum += emph
	} else {
		sum -= emph
	}
	return normalize(sum)
}

func normalize(s float64) float64 {
	return max(-1, min(1, s/math.Sqrt(s*s+normAlpha)))
}

// punctuationEmphasis: up to four "!" and two or more "?" raise intensity.
func punctuationEmphasis(text string) float64 {
	ep := min(strings.Count(text, "!"), 4)
	amp := float64(ep) * 0.292
	if qm := strings.Count(text, "?"); qm > 1 {
		if qm <= 3 {
			amp += float64(qm) * 0.18
		} else {
			amp += 0.96
		}
	}
	return amp
}

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

func englishRules(lex map[string]float64) *rules {
	b := map[string]float64{}
	for _, w := range strings.Fields(`absolutely amazingly awfully completely considerable considerably
		decidedly deeply effing enormous enormously entirely especially exceptional exceptionally
		extreme extremely fabulously flipping flippin frackin fracking fricking frickin frigging
		friggin fully fuckin fucking fuggin fugging greatly hella highly hugely incredible
		incredibly intensely major majorly more most particularly purely quite really remarkably
		so substantially thoroughly total totally tremendous tremendously uber unbelievably
		unusually utter utterly very`) {
		b[w] = boostIncr
	}
	for _, w := range []string{"almost", "barely", "hardly", "just enough", "kind of", "kinda", "kindof",
		"kind-of", "less", "little", "marginal", "marginally", "occasional", "occasionally", "partly",
		"scarce", "scarcely", "slight", "slightly", "somewhat", "sort of", "sorta", "sortof", "sort-of"} {
		b[w] = boostDecr
	}
	return &rules{
		lexicon: lex,
		negate: set("aint", "arent", "cannot", "cant", "couldnt", "darent", "didnt", "doesnt",
			"ain't", "aren't", "can't", "couldn't", "daren't", "didn't", "doesn't",
			"dont", "hadnt", "hasnt", "havent", "isnt", "mightnt", "mustnt", "neither",
			"don't", "hadn't", "hasn't", "haven't", "isn't", "mightn't", "mustn't",
			"neednt", "needn't", "never", "none", "nope", "nor", "not", "nothing", "nowhere",
			"oughtnt", "shant", "shouldnt", "uhuh", "wasnt", "werent",
			"oughtn't", "shan't", "shouldn't", "uh-uh", "wasn't", "weren't",
			"without", "wont", "wouldnt", "won't", "wouldn't", "rarely", "seldom", "despite"),
		boosters: b,
		but:      "but",
		english:  true,
		special: map[string]float64{"the shit": 3, "the bomb": 3, "bad ass": 1.5, "badass": 1.5, "bus stop": 0.0,
			"yeah right": -2, "kiss of death": -1.5, "to die for": 3,
			"beating heart": 3.1, "broken heart": -2.9},
	}
}

func frenchRules(lex map[string]float64) *rules {
	b := map[string]float64{}
	for _, w := range strings.Fields(`absolument archi beaucoup bigrement bougrement carrément complètement
		considérablement davantage diablement drôlement entièrement exceptionnellement excessivement
		extra extrême extrêmement fabuleusement grandement hyper incroyablement infiniment
		profondément rudement sacrément spécialement super superbement tant tellement terriblement
		totalement trop très ultra vachement vraiment énormément`) {
		b[w] = boostIncr
	}
	for _, w := range []string{"approximativement", "assez", "difficilement", "environ", "guère",
		"insuffisamment", "légèrement", "moins", "peu", "plutôt", "presque", "quasi", "quasiment",
		"quelque peu", "rarement", "à peine", "à peu près"} {
		b[w] = boostDecr
	}
	return &rules{
		lexicon: lex,
		// "plus" is left out: without "ne" it means "more", and "ne"/"n'"
		// already mark "ne … plus".
		negate:     set("ne", "n'", "pas", "jamais", "rien", "aucun", "aucune", "aucunement", "nullement", "sans", "ni"),
		boosters:   b,
		but:        "mais",
		negateOnce: true,
		elision:    true,
		folded:     foldedLexicon(lex),
	}
}
