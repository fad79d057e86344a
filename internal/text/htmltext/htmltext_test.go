package htmltext_test

import (
	"html"
	"strings"
	"testing"

	"github.com/tribune-social/tribune/internal/text/htmltext"
)

func TestPlain(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, in, want string }{
		{"plain text", "plain  text\n", "plain text"},
		{"empty", "", ""},
		{"paragraphs and a line break", "<p>Bonjour<br/>le monde</p><p>&amp; merci</p>", "Bonjour le monde & merci"},
		{"break variants", "a<br>b<BR />c<br/>d", "a b c d"},
		{"block ends", "<div>un</div><ul><li>deux</li><li>trois</li></ul><h2>quatre</h2><blockquote>cinq</blockquote>six", "un deux trois quatre cinq six"},
		{"paragraphs on separate lines", "<p>a</p>\n<p class=\"x\">b</p>", "a b"},
		{"link", `<p>voir <a href="https://x.test">#Tribune</a></p>`, "voir #Tribune"},
		// Mastodon shortens a link's display with spans; the words are whole.
		{"mastodon link spans", `<p><a href="https://example.com/path"><span class="invisible">https://</span><span class="">example.com/path</span><span class="invisible"></span></a></p>`, "https://example.com/path"},
		{"mention", `<p><span class="h-card"><a href="https://social.example/@tom" class="u-url mention">@<span>tom</span></a></span> salut</p>`, "@tom salut"},
		{"script and style", "<style>p{}</style><script>alert(1)</script>texte", "texte"},
		{"script over lines", "<SCRIPT type=\"x\">\nvar a = 1;\n</SCRIPT>texte", "texte"},
		{"tag over lines", "<a\nhref=\"https://x.test\">lien</a>", "lien"},
		{"entities", "l&#39;été &lt;b&gt;", "l'été <b>"},
		{"no-break spaces", "Bonjour\u00a0! Ça\u202fva ?", "Bonjour ! Ça va ?"},
		{"no-break space entity", "<p>Bonjour&nbsp;!</p>", "Bonjour !"},
		{"only markup", "<p><br></p>", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := htmltext.Plain(tc.in); got != tc.want {
				t.Errorf("Plain(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// Publish recovery compares the escaped text of an attempt with the HTML a
// Mastodon server made of it: both must read the same, whatever the text.
func TestPlainReadsEscapedTextAsItsRendering(t *testing.T) {
	t.Parallel()
	for _, text := range []string{
		"Tom & Jerry <3 \"quotes\" #tribune\nsecond line",
		"Soldes d’hiver : -20 % & plus <3",
		"Bonjour\u00a0! Ça\u202fva ?",
		"first paragraph\n\nsecond\nthird",
		"  indented\tand  spaced  ",
		"a literal <br> and &nbsp; typed",
	} {
		escaped := htmltext.Plain(html.EscapeString(text))
		if got := htmltext.Plain(render(text)); got != escaped {
			t.Errorf("%q: rendered reads %q, escaped reads %q", text, got, escaped)
		}
	}
}

// render is what Mastodon and GoToSocial make of a plain-text status: a
// paragraph per blank-line block, <br /> for a line break.
func render(text string) string {
	var b strings.Builder
	for _, p := range strings.Split(html.EscapeString(text), "\n\n") {
		b.WriteString("<p>" + strings.ReplaceAll(p, "\n", "<br />") + "</p>")
	}
	return b.String()
}
