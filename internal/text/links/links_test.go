package links

import (
	"fmt"
	"reflect"
	"testing"
)

// The grammar itself is checked by the twitter-text conformance suite
// (internal/text/twittertext); these cases pin what each option changes.
func TestOptions(t *testing.T) {
	for _, c := range []struct {
		name, text string
		o          Options
		want       []string
	}{
		{"bare domain", "voir example.com.", Default, []string{"example.com"}},
		{"bare domain with a real TLD only", "tribune.blog et site.invalidtld", Default, []string{"tribune.blog"}},
		{"e-mail is no link", "alice@example.com", Default, nil},
		{"scheme required drops bare domains", "example.com et https://example.org/a", Mastodon, []string{"https://example.org/a"}},
		{"twitter-text path stops at CJK", "https://ja.wikipedia.org/wiki/東京 ok", X, []string{"https://ja.wikipedia.org/wiki/"}},
		{"Mastodon path keeps any script", "https://ja.wikipedia.org/wiki/東京 ok", Mastodon, []string{"https://ja.wikipedia.org/wiki/東京"}},
		{"Mastodon path does not end on punctuation", "https://example.com/a, b", Mastodon, []string{"https://example.com/a"}},
		{"Bluesky runs to white space", "https://ja.wikipedia.org/wiki/東京 ok", Bluesky, []string{"https://ja.wikipedia.org/wiki/東京"}},
		{"Bluesky links any host with a scheme", "dev: https://localhost:8080/x.", Bluesky, []string{"https://localhost:8080/x"}},
		{"no host without a scheme", "localhost:8080/x", Bluesky, nil},
		{"Bluesky balances parentheses", "(https://en.wikipedia.org/wiki/Go_(language))", Bluesky, []string{"https://en.wikipedia.org/wiki/Go_(language)"}},
		{"Bluesky trims sentence punctuation", "see example.com/a?b=1!", Bluesky, []string{"example.com/a?b=1"}},
		{"t.co cut to its slug on X", "https://t.co/abc123/more", X, []string{"https://t.co/abc123"}},
		{"t.co kept whole elsewhere", "https://t.co/abc123/more", Default, []string{"https://t.co/abc123/more"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, l := range Find(c.text, c.o) {
				got = append(got, l.URL)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("Find(%q) = %q, want %q", c.text, got, c.want)
			}
		})
	}
}

func TestOffsets(t *testing.T) {
	text := "Été 🌞 https://exemple.fr/été et example.com"
	got := Find(text, Default)
	want := []Link{
		{Start: len("Été 🌞 "), End: len("Été 🌞 https://exemple.fr/été"), RuneStart: 6, RuneEnd: 6 + 22, URL: "https://exemple.fr/été", HasScheme: true},
		{Start: len("Été 🌞 https://exemple.fr/été et "), End: len(text), RuneStart: 6 + 22 + 4, RuneEnd: 6 + 22 + 4 + 11, URL: "example.com"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	for _, l := range got {
		if text[l.Start:l.End] != l.URL || string([]rune(text)[l.RuneStart:l.RuneEnd]) != l.URL {
			t.Errorf("offsets of %q do not slice it: %+v", l.URL, l)
		}
	}
}
