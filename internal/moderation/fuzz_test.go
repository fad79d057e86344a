package moderation

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzKeywords checks the keyword matcher's promises on any text: it never
// panics, normalising is stable, every word of a text is found in it,
// whatever the case, and a found keyword is still found when the text is
// written in capitals or surrounded by other words.
func FuzzKeywords(f *testing.F) {
	for _, s := range []string{
		"C'est de l'ARNAQUE", "Très déçu du SERVICE-CLIENT", "I don't care", "aujourd’hui",
		"cafe\u0301", "CŒUR", "💩💩 👎🏽", "@alice #Boycott https://example.com", "", "'''", "l'", "qu’",
		"日本語 テキスト", "STRASSE straße", "İstanbul", "\xff\xfe", "a\u200db", "ǅ",
	} {
		f.Add(s, "arnaque")
	}
	f.Fuzz(func(t *testing.T, text, term string) {
		ws := words(text)
		for _, w := range ws {
			if w == "" {
				t.Fatalf("empty word in %q", ws)
			}
			// Normalising a normal word changes nothing.
			if again := words(w); len(again) != 1 || again[0] != w {
				t.Fatalf("words(%q) = %q: not stable", w, again)
			}
		}
		if !utf8.ValidString(text) {
			return
		}
		for _, w := range ws {
			if !keywordIn([]string{w}, text) {
				t.Fatalf("word %q of %q not found in it", w, text)
			}
		}
		if len(words(term)) == 0 || !keywordIn([]string{term}, text) {
			return
		}
		for _, variant := range []string{strings.ToUpper(text), "x " + text + " y", text + "!"} {
			if !keywordIn([]string{term}, variant) {
				t.Fatalf("%q found in %q but not in %q", term, text, variant)
			}
		}
	})
}

// keywordIn runs a keyword condition the way the engine does.
func keywordIn(terms []string, text string) bool {
	m := compileCondition(Condition{Kind: CondKeywords, Terms: terms})
	return m.match(&facts{in: &Input{}, words: words(text), wordsOK: true})
}
