package links_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/tribune-social/tribune/internal/network/bluesky"
	"github.com/tribune-social/tribune/internal/rules"
	"github.com/tribune-social/tribune/internal/text/links"
	"github.com/tribune-social/tribune/internal/text/twittertext"
)

// TestCallersAgree feeds the same texts to the composer's rules (Mastodon
// and X counting, as the live counter and the server-side check use them),
// to the X counter and to Bluesky's link facets, and checks that they see
// the same links. Where a network's own notion differs, the case says so
// and why; every other network sees the shared spans.
func TestCallersAgree(t *testing.T) {
	type notion struct {
		spans []string
		why   string
	}
	for _, c := range []struct {
		name, text string
		spans      []string // the shared notion (links.Default)
		mastodon   *notion
		bluesky    *notion
		x          *notion
	}{
		{name: "scheme and bare domain", text: "voir https://exemple.fr/été, puis example.com.",
			spans:    []string{"https://exemple.fr/été", "example.com"},
			mastodon: &notion{[]string{"https://exemple.fr/été"}, "Mastodon counts only links written with http(s)://; a bare domain counts in full"}},
		{name: "no link", text: "écrivez à alice@example.com ou @bob.bsky.social, version 1.2.3",
			spans: nil},
		{name: "real TLDs only", text: "tribune.blog, site.invalidtld et notes.txt",
			spans:    []string{"tribune.blog"},
			mastodon: &notion{nil, "no scheme"}},
		{name: "balanced parentheses", text: "(https://en.wikipedia.org/wiki/Go_(language))",
			spans: []string{"https://en.wikipedia.org/wiki/Go_(language)"}},
		{name: "query and fragment", text: "lire example.com/a?b=1#c!",
			spans:    []string{"example.com/a?b=1#c"},
			mastodon: &notion{nil, "no scheme"}},
		{name: "path in another script", text: "東京 https://ja.wikipedia.org/wiki/東京 です",
			spans:    []string{"https://ja.wikipedia.org/wiki/"},
			mastodon: &notion{[]string{"https://ja.wikipedia.org/wiki/東京"}, "Mastodon's path takes any non-space character (its twitter_regex.rb override)"},
			bluesky:  &notion{[]string{"https://ja.wikipedia.org/wiki/東京"}, "the Bluesky app runs a link to the next white space"}},
		{name: "host without a TLD", text: "dev: https://localhost:8080/x et https://example.org",
			spans:   []string{"https://example.org"},
			bluesky: &notion{[]string{"https://localhost:8080/x", "https://example.org"}, "the Bluesky app links any host written with a scheme"}},
		{name: "t.co", text: "via https://t.co/abc123/more",
			spans: []string{"https://t.co/abc123/more"},
			x:     &notion{[]string{"https://t.co/abc123"}, "X cuts its own t.co links after the slug"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			want := func(n *notion) []string {
				if n != nil {
					return n.spans
				}
				return c.spans
			}
			if got := urls(links.Find(c.text, links.Default)); !reflect.DeepEqual(got, c.spans) {
				t.Errorf("links.Default: %q, want %q", got, c.spans)
			}

			// X: the extraction and the counter (twitter-text, the composer's
			// X rule) agree: every span counts 23, the rest by weight.
			var xs []string
			for _, e := range twittertext.ExtractURLs(c.text) {
				xs = append(xs, e.Value)
			}
			if !reflect.DeepEqual(xs, want(c.x)) {
				t.Errorf("X links: %q, want %q", xs, want(c.x))
			}
			if got, exp := rules.CountText("x", c.text, rules.Limits{}).Used, twittertext.WeightedLength(placeholders(c.text, want(c.x))); got != exp {
				t.Errorf("X count %d, want %d (each of %q counting 23)", got, exp, want(c.x))
			}

			// Mastodon: the composer's rule counts exactly its spans at 23.
			if got, exp := rules.CountText("mastodon", c.text, rules.Limits{URLLength: 23}).Used, rules.CodePoints(placeholders(c.text, want(c.mastodon))); got != exp {
				t.Errorf("Mastodon count %d, want %d (links %q counting 23)", got, exp, want(c.mastodon))
			}

			// Bluesky: link facets slice exactly its spans, and link them.
			var bs []string
			for _, f := range bluesky.Facets(context.Background(), c.text, nil) {
				ft := f.Features[0]
				if ft.Type != "app.bsky.richtext.facet#link" {
					continue
				}
				span := c.text[f.Index.ByteStart:f.Index.ByteEnd]
				if ft.URI != span && ft.URI != "https://"+span {
					t.Errorf("facet over %q links to %q", span, ft.URI)
				}
				bs = append(bs, span)
			}
			if !reflect.DeepEqual(bs, want(c.bluesky)) {
				t.Errorf("Bluesky facets: %q, want %q", bs, want(c.bluesky))
			}
		})
	}
}

func urls(ls []links.Link) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.URL)
	}
	return out
}

// placeholders replaces each span, in order, with 23 x: what a network that
// counts a link at 23 characters counts.
func placeholders(text string, spans []string) string {
	var b strings.Builder
	for _, s := range spans {
		i := strings.Index(text, s)
		if i < 0 {
			return "span " + s + " not in the text"
		}
		b.WriteString(text[:i] + strings.Repeat("x", 23))
		text = text[i+len(s):]
	}
	return b.String() + text
}
