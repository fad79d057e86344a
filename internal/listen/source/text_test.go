package source

import "testing"

func TestPlainText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"plain  text\n", "plain text"},
		{"<p>Bonjour<br/>le monde</p><p>&amp; merci</p>", "Bonjour le monde & merci"},
		{`<p>voir <a href="https://x.test">#Tribune</a></p>`, "voir #Tribune"},
		{"<style>p{}</style><script>alert(1)</script>texte", "texte"},
		{"l&#39;été &lt;b&gt;", "l'été <b>"},
	} {
		if got := PlainText(tc.in); got != tc.want {
			t.Errorf("PlainText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
