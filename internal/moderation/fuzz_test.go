package moderation

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tribune-social/tribune/internal/text/links"
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

// FuzzDetectors checks the quick rejections against the full detectors:
// mayHaveLink never says no where links.Find finds a link, and onlyEmojis'
// early no agrees with the emoji spans.
func FuzzDetectors(f *testing.F) {
	for _, s := range []string{
		"voir https://exemple.fr/promo", "example.com", "v1.2", "fin.", "東京.jp", "https://xn--bcher-kva.example",
		"a.b", "https://localhost:8080", "😡😡", "1️⃣", "#️⃣ 😀", "*", "", "ok 👍", "mail a@b.fr",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if !mayHaveLink(text) {
			if ls := links.Find(text, links.Default); len(ls) > 0 {
				t.Fatalf("mayHaveLink(%q) false, links.Find found %q", text, ls[0].URL)
			}
		}
		// onlyEmojis without its early exit.
		if onlyEmojis(text) != onlyEmojisFull(text) {
			t.Fatalf("onlyEmojis(%q) disagrees with the full check", text)
		}
	})
}
