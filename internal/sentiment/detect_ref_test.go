package sentiment

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/tribune-social/tribune/internal/listen/corpus"
)

// detectSample is what TestDetectUnchanged compares on: the listening
// corpus's posts, the shared data sets when present, and random texts
// made of French, English and other words, accents, apostrophes, mentions,
// links, emojis and other scripts.
func detectSample(t *testing.T) []string {
	var texts []string
	g := corpus.New(7, 300)
	for range 20000 {
		texts = append(texts, g.Post().Text)
	}
	if dir := os.Getenv("TRIBUNE_SHARED_DIR"); dir != "" {
		dir = filepath.Join(dir, "data", "sentiment")
		if _, err := os.Stat(filepath.Join(dir, "fr", "validation_text.txt")); err == nil {
			fr, _ := readFrench(t, dir, "validation")
			texts = append(texts, fr...)
		}
		if _, err := os.Stat(filepath.Join(dir, "en", "tweets_GroundTruth.txt")); err == nil {
			for _, tw := range readEnglishTweets(t, dir) {
				texts = append(texts, tw.text)
			}
		}
	}
	pieces := strings.Fields(frStop + " " + enStop + " " + otherStop +
		` Merci beaucoup Great stuff génial nul awesome relou rentrée RENTRÉE Élodie c'est l’abonnement aujourd'hui
		@marie http://x.fr https://exemple.com/a?b=1 xhttp a@b #rentrée 😀 🙂 👍 — « » … привет мир 東京 مرحبا
		ÇA Ça œuvre naïve Straße 123 4,5€ l' d' qu' ' ’ -- - !!! ??? ... ,`)
	r := rand.New(rand.NewPCG(1, 2))
	seps := []string{" ", " ", " ", "  ", "\t", "\n", ", ", ". ", "'", "’", "-", "", "\u00a0", "\u2003"}
	for range 20000 {
		var b strings.Builder
		for j := range 1 + r.IntN(25) {
			if j > 0 {
				b.WriteString(seps[r.IntN(len(seps))])
			}
			w := pieces[r.IntN(len(pieces))]
			switch r.IntN(8) {
			case 0:
				w = strings.ToUpper(w)
			case 1:
				w = strings.Repeat(w, 1+r.IntN(30)) // long words
			}
			b.WriteString(w)
		}
		texts = append(texts, b.String())
	}
	// Bytes at random, invalid UTF-8 included.
	for range 2000 {
		p := make([]byte, r.IntN(80))
		for k := range p {
			p[k] = byte(r.IntN(256))
		}
		texts = append(texts, string(p))
	}
	return append(texts, "", " ", "@", "h", "http", "'", "é", "a", "I", strings.Repeat("é", 100), strings.Repeat("ab", 40))
}

// TestDetectUnchanged: the faster Detect answers as the reference one did
// on every text of the sample.
func TestDetectUnchanged(t *testing.T) {
	m := New()
	texts := detectSample(t)
	diff := 0
	for _, tx := range texts {
		if got, want := m.Detect(tx), detectReference(m.det, tx); got != want {
			if diff++; diff <= 10 {
				t.Errorf("Detect(%q) = %q, the reference says %q", tx, got, want)
			}
		}
	}
	if diff > 0 {
		t.Errorf("%d of %d texts detected differently", diff, len(texts))
	}
	t.Logf("%d texts compared", len(texts))
}

// BenchmarkDetect: Detect on the listening corpus's posts, beside the
// reference detector it replaced; run it with -cpu 1. cpu-ns/text is the
// figure a loaded machine does not distort.
func BenchmarkDetect(b *testing.B) {
	m := New()
	g := corpus.New(1, 3000)
	texts := make([]string, 10000)
	for i := range texts {
		texts[i] = g.Post().Text
	}
	for _, bb := range []struct {
		name   string
		detect func(string) string
	}{{"fast", m.Detect}, {"reference", func(s string) string { return detectReference(m.det, s) }}} {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu := cpuTime()
			for i := 0; b.Loop(); i++ {
				bb.detect(texts[i%len(texts)])
			}
			if used := cpuTime() - cpu; used > 0 {
				b.ReportMetric(float64(used.Nanoseconds())/float64(b.N), "cpu-ns/text")
			}
		})
	}
}

// detectReference is detect as it was before it was made faster (one
// lookup per word, trigrams of known words computed once): the new one
// must give the same answer on every text.
func detectReference(d *detector, text string) string {
	var hashed []uint32
	var buf []byte
	var latin, nonLatin int
	var fr, en, other, frWords, enWords int
	llr := 0.0
	word := func() {
		if len(buf) == 0 {
			return
		}
		w := string(buf)
		buf = buf[:0]
		// Apostrophes split elisions: "c'est" is "c'" + "est".
		if i := strings.IndexByte(w, '\''); i > 0 && i < len(w)-1 {
			head := w[:i+1]
			if d.fr[head] {
				fr++
			}
			w = w[i+1:]
		}
		switch {
		case d.fr[w]:
			fr++
		case d.en[w]:
			en++
		case d.others[w]:
			other++
		}
		_, inFr := d.frLex[w]
		_, inEn := d.enLex[w]
		switch {
		case inFr && !inEn:
			frWords++
		case inEn && !inFr:
			enWords++
		}
		if len(w) < 60 {
			hashed = wordTrigramsReference(w, hashed[:0])
			for _, t := range hashed {
				llr += float64(d.trigram[t])
			}
		}
	}
	skip := false // inside a mention or a link, which says nothing of the language
	for i, r := range text {
		switch {
		case unicode.IsSpace(r):
			skip = false
			word()
		case skip:
		case r == '@' || (r == 'h' && strings.HasPrefix(text[i:], "http")):
			if len(buf) == 0 {
				skip = true
			}
		case unicode.IsLetter(r):
			if r < 0x250 {
				latin++
			} else {
				nonLatin++
			}
			buf = utf8.AppendRune(buf, unicode.ToLower(r))
		case r == '\'' || r == '’':
			if len(buf) > 0 {
				buf = append(buf, '\'')
			}
		default:
			word()
		}
	}
	word()
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

// wordTrigramsReference is wordTrigrams as it was before trigramsOf had
// an ASCII path: rune offsets for every word.
func wordTrigramsReference(w string, dst []uint32) []uint32 {
	var buf [64]byte
	p := append(append(append(buf[:0], ' '), w...), ' ')
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

// TestTrigramsUnchanged: trigramsOf, with its ASCII path, hashes the
// trigrams of every word as the reference does — the words of the
// detection sample, and words of every length up to past the 64-letter
// bound, ASCII and not. The trigram weights are learnt with it at start-up,
// so TestDetectUnchanged alone would not see a change shared by both.
func TestTrigramsUnchanged(t *testing.T) {
	var words []string
	for _, tx := range detectSample(t) {
		words = append(words, strings.Fields(tx)...)
	}
	for n := range 80 {
		words = append(words, strings.Repeat("a", n), strings.Repeat("xyz", n)[:n], strings.Repeat("é", n), strings.Repeat("a", n)+"é")
	}
	for _, w := range words {
		got, want := wordTrigrams(w, nil), wordTrigramsReference(w, nil)
		if !slices.Equal(got, want) {
			t.Fatalf("wordTrigrams(%q) = %v, the reference gives %v", w, got, want)
		}
	}
	t.Logf("%d words compared", len(words))
}
