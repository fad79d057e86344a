package sentiment

import (
	"bufio"
	"embed"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The lexicons are VADER's (C.J. Hutto, MIT licence, data/LICENSE-vaderSentiment.txt):
// en_lexicon.tsv is vader_lexicon.txt reduced to its word and mean-valence
// columns, emoji_en.tsv is emoji_utf8_lexicon.txt, and fr_lexicon.tsv is the
// hand-translated French lexicon of vader_FR (thomas7lieues/vader_FR, same
// licence), with its "->" separator turned into a tab. fr_supplement.tsv is
// ours: everyday words of French comments that the translated lexicon lacks
// ("content", "relou", "nickel") or scores far from their English
// counterparts in VADER ("génial" 0.6 where "great" is 3.1, "nul" −0.5,
// "horrible" −0.7); its values, on VADER's −4…+4 scale, replace the
// translation's.
//
//go:embed data/en_lexicon.tsv data/fr_lexicon.tsv data/fr_supplement.tsv data/emoji_en.tsv data/fr.weights
var data embed.FS

// readLexicon reads "word<TAB>valence" lines into a map.
func readLexicon(name string) (map[string]float64, error) {
	b, err := data.ReadFile(name)
	if err != nil {
		return nil, err
	}
	lex := make(map[string]float64, 10000)
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	for n := 1; sc.Scan(); n++ {
		word, val, ok := strings.Cut(sc.Text(), "\t")
		if !ok || word == "" {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, n, err)
		}
		lex[strings.ToLower(word)] = v
	}
	return lex, sc.Err()
}

// readEmojis gives every single-rune emoji the valence VADER would give to
// its English description (VADER replaces an emoji by its description before
// scoring; doing it once here keeps the scoring loop free of string
// rewriting, and lets French texts use the same emoji meaning).
func readEmojis(en *rules) (map[rune]float64, error) {
	b, err := data.ReadFile("data/emoji_en.tsv")
	if err != nil {
		return nil, err
	}
	out := make(map[rune]float64, 512)
	var sc scratch
	for line := range strings.SplitSeq(string(b), "\n") {
		e, desc, ok := strings.Cut(line, "\t")
		if !ok || utf8.RuneCountInString(e) != 1 {
			continue
		}
		r, _ := utf8.DecodeRuneInString(e)
		sc.tokens = sc.tokens[:0]
		en.tokenize(&sc, desc, nil)
		sum := 0.0
		for i := range sc.tokens {
			sum += en.valence(sc.tokens, i)
		}
		if sum != 0 {
			out[r] = max(-4, min(4, sum))
		}
	}
	return out, nil
}
