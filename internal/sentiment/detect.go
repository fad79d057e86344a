package sentiment

import (
	"bytes"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Language detection weighs two kinds of evidence: stop words (frequent,
// short, language-specific: "le", "est", "the", "is"), which decide most
// texts, and character trigrams, which decide short texts without stop
// words ("Merci beaucoup", "Great stuff"). The trigram log-likelihood
// ratio French/English is learnt at start-up from the two embedded
// lexicons (9,000 French and 7,500 English words), so no corpus is
// shipped. A text goes to Other when its letters are mostly outside the
// Latin script, when the stop words of another European language outnumber
// French and English ones, or when it has no letters at all.

type detector struct {
	fr, en, others map[string]bool
	// frLex and enLex: a word only one lexicon knows ("nul", "awesome")
	// is evidence too, weaker than a stop word.
	frLex, enLex map[string]float64
	trigram      map[uint32]float32 // log P_fr(t) − log P_en(t)
	// known holds, for every stop word and lexicon word, what the maps
	// above say of it in one lookup, with its trigrams' weights in order
	// (summed in the same order as for any other word, so the score is the
	// same to the last bit).
	known knownTable
	// triTable is trigram as an open-addressed table, faster to probe
	// than the map for the words no lexicon knows.
	triTable triTable
}

// triTable maps a trigram hash to its weight: linear probing over a
// power-of-two table at most half full; an absent trigram weighs 0, as
// in the map. Key, weight and use sit side by side, so a probe reads one
// cache line.
type triTable struct {
	slots []triSlot
	mask  uint32
}

type triSlot struct {
	key  uint32
	val  float32
	used bool
}

func newTriTable(m map[uint32]float32) triTable {
	n := 1
	for n < 2*len(m) {
		n <<= 1
	}
	t := triTable{slots: make([]triSlot, n), mask: uint32(n - 1)}
	for k, v := range m {
		i := mix(k) & t.mask
		for t.slots[i].used {
			i = (i + 1) & t.mask
		}
		t.slots[i] = triSlot{k, v, true}
	}
	return t
}

// mix spreads the bits of an FNV hash over the low ones the mask keeps.
func mix(k uint32) uint32 {
	k ^= k >> 16
	k *= 0x45d9f3b
	k ^= k >> 16
	return k
}

func (t *triTable) get(k uint32) float32 {
	i := mix(k) & t.mask
	for {
		sl := &t.slots[i]
		if !sl.used {
			return 0
		}
		if sl.key == k {
			return sl.val
		}
		i = (i + 1) & t.mask
	}
}

// knownTable is the known words by the FNV hash of their bytes, probed
// like triTable: a word of a text is looked up without making a string of
// it, and an unknown word (most are) usually stops at the first slot,
// without comparing bytes.
type knownTable struct {
	slots []knownSlot
	words []knownEntry
	mask  uint32
}

type knownSlot struct {
	hash uint32
	idx  int32 // into words, plus one; 0 is an empty slot
}

type knownEntry struct {
	word string
	knownWord
}

func newKnownTable(m map[string]knownWord) knownTable {
	n := 1
	for n < 2*len(m) {
		n <<= 1
	}
	t := knownTable{slots: make([]knownSlot, n), mask: uint32(n - 1)}
	for w, k := range m {
		t.words = append(t.words, knownEntry{w, k})
		h := fnvBytes(fnvOffset, []byte(w))
		i := mix(h) & t.mask
		for t.slots[i].idx != 0 {
			i = (i + 1) & t.mask
		}
		t.slots[i] = knownSlot{h, int32(len(t.words))}
	}
	return t
}

// get is what the map gave: the word's entry, or the zero one and false.
func (t *knownTable) get(w []byte) (knownWord, bool) {
	h := fnvBytes(fnvOffset, w)
	i := mix(h) & t.mask
	for {
		sl := t.slots[i]
		if sl.idx == 0 {
			return knownWord{}, false
		}
		if sl.hash == h {
			if e := &t.words[sl.idx-1]; e.word == string(w) {
				return e.knownWord, true
			}
		}
		i = (i + 1) & t.mask
	}
}

// Flags of a known word.
const (
	isFrStop = 1 << iota
	isEnStop
	isOtherStop
	inFrLex
	inEnLex
)

type knownWord struct {
	flags uint8
	tri   []float32
}

// Stop words: the most frequent function words, excluding those the two
// languages share in tweets ("a", "on", "son" ...).
const frStop = `le la les un une des du de et est sont pas ne je tu il elle nous vous ils elles
ce cette ces mon ma mes ton ta tes sa ses leur leurs qui que quoi dans pour par sur avec sans
mais ou où donc car très plus moins tout tous toute toutes bien aussi même été être avoir ai as
avez avons ont suis es sommes êtes fait faire au aux cela ça ici là quand comme si oui non merci
bonjour rien jamais encore déjà alors c'est j'ai l' d' qu' n' j' c' s' m' t'`

const enStop = `the and is are was were be been being have has had do does did not no yes
this that these those it its i you he she we they me him her us them my your his our their
what which who whom when where why how all any both each more most other some such only own
same so than too very can will just should now of to in for with at by from up about into
over after there here would could thank thanks please hello i'm it's don't can't`

// Function words of Spanish, German, Italian, Portuguese and Dutch that are
// neither French nor English words.
const otherStop = `el los las una y es son del al lo por para con pero muy está están gracias
der die das und ist nicht ein eine ich du wir sie mit auf für den dem sich auch noch danke
il gli della delle sono è che non per una con anche grazie molto questo
os não uma com mais muito obrigado você está são isso
het een en van ik je niet dat zijn met voor op maar bedankt`

func newDetector(frLex, enLex map[string]float64) *detector {
	d := &detector{fr: words(frStop), en: words(enStop), others: words(otherStop), trigram: map[uint32]float32{},
		frLex: frLex, enLex: enLex}
	// Words of the other list that French or English also use stay theirs.
	for w := range d.others {
		if d.fr[w] || d.en[w] {
			delete(d.others, w)
		}
	}
	fr, frN := trigramCounts(frLex, frStop)
	en, enN := trigramCounts(enLex, enStop)
	vocab := map[uint32]bool{}
	for t := range fr {
		vocab[t] = true
	}
	for t := range en {
		vocab[t] = true
	}
	v := float64(len(vocab))
	for t := range vocab {
		pf := (float64(fr[t]) + 0.5) / (float64(frN) + 0.5*v)
		pe := (float64(en[t]) + 0.5) / (float64(enN) + 0.5*v)
		d.trigram[t] = float32(math.Log(pf / pe))
	}
	d.triTable = newTriTable(d.trigram)
	known := map[string]knownWord{}
	mark := func(w string, f uint8) {
		k := known[w]
		if k.flags == 0 {
			for _, t := range wordTrigrams(w, nil) {
				k.tri = append(k.tri, d.trigram[t])
			}
		}
		k.flags |= f
		known[w] = k
	}
	for w := range d.fr {
		mark(w, isFrStop)
	}
	for w := range d.en {
		mark(w, isEnStop)
	}
	for w := range d.others {
		mark(w, isOtherStop)
	}
	for w := range frLex {
		mark(w, inFrLex)
	}
	for w := range enLex {
		mark(w, inEnLex)
	}
	d.known = newKnownTable(known)
	return d
}

func words(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

func trigramCounts(lex map[string]float64, stop string) (map[uint32]int, int) {
	c := map[uint32]int{}
	n := 0
	add := func(w string) {
		for _, t := range wordTrigrams(w, nil) {
			c[t]++
			n++
		}
	}
	for w := range lex {
		if isWord(w) {
			add(w)
		}
	}
	for _, w := range strings.Fields(stop) {
		add(w)
	}
	return c, n
}

func isWord(w string) bool {
	for _, r := range w {
		if !unicode.IsLetter(r) && r != '\'' && r != '-' {
			return false
		}
	}
	return w != ""
}

// wordTrigrams appends the hashed trigrams of " w " to dst.
func wordTrigrams(w string, dst []uint32) []uint32 {
	var buf [64]byte
	p := append(append(append(buf[:0], ' '), w...), ' ')
	return trigramsOf(p, dst)
}

// fnvBytes is fnvString over bytes, without making a string of them.
func fnvBytes(h uint32, b []byte) uint32 {
	for _, c := range b {
		h ^= uint32(c)
		h *= fnvPrime
	}
	return h
}

// trigramsOf appends the hashed trigrams of p, a word between spaces.
func trigramsOf(p []byte, dst []uint32) []uint32 {
	if len(p) <= 64 && ascii(p) {
		// One byte a letter: each trigram is three bytes, hashed as
		// fnvBytes would, without finding where letters start. (Past 64
		// letters the general path below has its own way.)
		for i := 0; i+3 <= len(p); i++ {
			h := (fnvOffset ^ uint32(p[i])) * fnvPrime
			h = (h ^ uint32(p[i+1])) * fnvPrime
			dst = append(dst, (h^uint32(p[i+2]))*fnvPrime)
		}
		return dst
	}
	// Rune offsets, so that "é" counts as one letter.
	var offs [64]int
	n := 0
	for i := 0; i < len(p) && n < len(offs); {
		offs[n] = i
		n++
		_, size := utf8.DecodeRune(p[i:])
		i += size
	}
	if n < len(offs) {
		offs[n] = len(p)
	}
	for i := 0; i+3 <= n; i++ {
		end := len(p)
		if i+3 < n {
			end = offs[i+3]
		}
		dst = append(dst, fnvBytes(fnvOffset, p[offs[i]:end]))
	}
	return dst
}

// ascii says whether p is all ASCII.
func ascii(p []byte) bool {
	for _, c := range p {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// Detect tells the language of text: "fr", "en" or "other".
func (m *Model) Detect(text string) string {
	sc := m.pool.Get().(*scratch)
	defer m.pool.Put(sc)
	return m.detect(sc, text)
}

func (m *Model) detect(sc *scratch, text string) string {
	d := m.det
	var latin, nonLatin int
	var fr, en, other, frWords, enWords int
	llr := 0.0
	buf := sc.fr.low[:0]
	var spaced [64]byte
	word := func() {
		if len(buf) == 0 {
			return
		}
		w := buf
		buf = buf[:0] // w stays valid: nothing is appended before the next word
		// Apostrophes split elisions: "c'est" is "c'" + "est".
		if i := bytes.IndexByte(w, '\''); i > 0 && i < len(w)-1 {
			if k, _ := d.known.get(w[:i+1]); k.flags&isFrStop != 0 {
				fr++
			}
			w = w[i+1:]
		}
		k, ok := d.known.get(w)
		switch {
		case k.flags&isFrStop != 0:
			fr++
		case k.flags&isEnStop != 0:
			en++
		case k.flags&isOtherStop != 0:
			other++
		}
		switch k.flags & (inFrLex | inEnLex) {
		case inFrLex:
			frWords++
		case inEnLex:
			enWords++
		}
		if len(w) < 60 {
			if ok {
				for _, v := range k.tri {
					llr += float64(v)
				}
				return
			}
			p := append(append(append(spaced[:0], ' '), w...), ' ')
			sc.fr.hashed = trigramsOf(p, sc.fr.hashed[:0])
			for _, t := range sc.fr.hashed {
				llr += float64(d.triTable.get(t))
			}
		}
	}
	skip := false // inside a mention or a link, which says nothing of the language
	for i, r := range text {
		if r < utf8.RuneSelf {
			// ASCII, the common case, without the Unicode tables; the
			// same decisions as below.
			c := byte(r)
			switch {
			case asciiSpace[c]:
				skip = false
				word()
			case skip:
			case c == '@' || (c == 'h' && strings.HasPrefix(text[i:], "http")):
				if len(buf) == 0 {
					skip = true
				}
			case 'a' <= c && c <= 'z':
				latin++
				buf = append(buf, c)
			case 'A' <= c && c <= 'Z':
				latin++
				buf = append(buf, c+'a'-'A')
			case c == '\'':
				if len(buf) > 0 {
					buf = append(buf, '\'')
				}
			default:
				word()
			}
			continue
		}
		switch {
		case unicode.IsSpace(r):
			skip = false
			word()
		case skip:
		case unicode.IsLetter(r):
			if r < 0x250 {
				latin++
			} else {
				nonLatin++
			}
			buf = utf8.AppendRune(buf, unicode.ToLower(r))
		case r == '’':
			if len(buf) > 0 {
				buf = append(buf, '\'')
			}
		default:
			word()
		}
	}
	word()
	sc.fr.low = buf
	switch {
	case latin == 0 || nonLatin > latin:
		return Other
	case other >= 2 && other > fr && other > en:
		return Other
	}
	// A stop word is worth about as much as a whole word's trigrams, a
	// word of one lexicon alone less.
	score := 2.5*float64(fr-en) + float64(frWords-enWords) + llr/2
	if score >= 0 {
		return French
	}
	return English
}

// asciiSpace is unicode.IsSpace over ASCII.
var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}
