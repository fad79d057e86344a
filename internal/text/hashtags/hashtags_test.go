package hashtags

import (
	"fmt"
	"testing"
)

// Each grammar as its network reads a text: the same text gives each
// network its own tags, with offsets that cut the sign and the name out of
// the text.
func TestFindPerGrammar(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text                string
		def, bluesky, xTags string
	}{
		{"Soldes #été2026 !", "[été2026]", "[été2026]", "[été2026]"},
		{"#2026 only digits", "[]", "[]", "[]"},
		{"full-width ＃タグ here", "[タグ]", "[タグ]", "[タグ]"},
		// Bluesky runs a tag to the next white space, less trailing punctuation.
		{"a #tag-with-dash.", "[tag]", "[tag-with-dash]", "[tag]"},
		{"#under_score", "[under_score]", "[under_score]", "[under_score]"},
		// A sign inside a word is not a tag, except on Bluesky after no space.
		{"word#inside", "[]", "[]", "[]"},
		// After an address's slash: not a tag for the shared notion or
		// Bluesky; X finds it and drops it only inside a URL (twittertext).
		{"see a/#b", "[]", "[]", "[b]"},
		{"(#paren)", "[paren]", "[]", "[paren]"},
		// An HTML entity is not a tag.
		{"&#38;x", "[]", "[]", "[]"},
		// X: a tag that runs into another sign or a scheme is none.
		{"#a#b", "[a]", "[a]", "[]"},
		// Bluesky trims the underscore as punctuation; X wants a letter.
		{"#_", "[_]", "[]", "[]"},
		// A keycap (combining marks) is not a tag on X only.
		{"#\uFE0F\u20E3 key", "[\uFE0F\u20E3]", "[\uFE0F\u20E3]", "[]"},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			for _, g := range []struct {
				name string
				g    Grammar
				want string
			}{{"default", Default, tc.def}, {"bluesky", Bluesky, tc.bluesky}, {"x", X, tc.xTags}} {
				found := Find(tc.text, g.g)
				if got := fmt.Sprint(Names(tc.text, g.g)); got != g.want {
					t.Errorf("%s: %s, want %s", g.name, got, g.want)
				}
				for _, h := range found {
					if s := tc.text[h.Start:h.End]; s != "#"+h.Name && s != "＃"+h.Name {
						t.Errorf("%s: offsets cut %q for the tag %q", g.name, s, h.Name)
					}
				}
			}
		})
	}
}
