package rules

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/clipperhouse/uax29/v2/graphemes"

	"github.com/tribune-social/tribune/internal/text/twittertext"
)

// CodePoints counts Unicode code points (what most networks call characters).
func CodePoints(s string) int { return utf8.RuneCountInString(s) }

// Graphemes counts user-perceived characters (UAX #29 extended grapheme
// clusters), as Bluesky does: "é" written e + U+0301 is one, a family emoji
// joined by ZWJs is one.
func Graphemes(s string) int {
	n := 0
	it := graphemes.FromString(s)
	for it.Next() {
		n++
	}
	return n
}

// urlPattern finds the links networks shorten or count at a fixed length:
// with a scheme, or a bare domain with a common top-level domain.
var urlPattern = regexp.MustCompile(`(?i)\bhttps?://[^\s<>"]+|\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:com|org|net|fr|io|co|uk|de|eu|be|ch|ca|us|info|dev|app|social|me|tv|ly|gl|gg|ai)\b(?:/[^\s<>"]*)?`)

// trailing punctuation is not part of a link (as the networks parse it).
func trimURL(u string) string {
	return strings.TrimRightFunc(u, func(r rune) bool { return strings.ContainsRune(".,;:!?)]}'\"»", r) })
}

// URLs returns the links in text.
func URLs(text string) []string {
	var out []string
	for _, m := range urlPattern.FindAllString(text, -1) {
		out = append(out, trimURL(m))
	}
	return out
}

// mastodonURL is what Mastodon counts at a fixed length: only links with a
// scheme (app/lib/text_formatter and the web composer count http(s) URLs).
var mastodonURL = regexp.MustCompile(`(?i)\bhttps?://[^\s<>"]+`)

// MastodonLength counts like Mastodon: code points, every link counts
// urlLength, and a mention counts without its domain (@alice@example.social
// counts as @alice).
func MastodonLength(text string, urlLength int) int {
	if urlLength <= 0 {
		urlLength = 23
	}
	replaced := mastodonURL.ReplaceAllStringFunc(text, func(u string) string {
		t := trimURL(u)
		return strings.Repeat("x", urlLength) + u[len(t):]
	})
	replaced = mentionDomain.ReplaceAllString(replaced, "$1")
	return CodePoints(replaced)
}

var mentionDomain = regexp.MustCompile(`(@[A-Za-z0-9_]+)@[A-Za-z0-9.-]+[A-Za-z0-9]`)

var hashtagPattern = regexp.MustCompile(`(?:^|[^\p{L}\p{N}_&/])[#＃]([\p{L}\p{M}\p{N}_]*[\p{L}\p{M}_][\p{L}\p{M}\p{N}_]*)`)

// Hashtags returns the hashtags in text (without '#'); pure numbers are not
// hashtags.
func Hashtags(text string) []string {
	var out []string
	for _, m := range hashtagPattern.FindAllStringSubmatch(text, -1) {
		out = append(out, m[1])
	}
	return out
}

// WeightedLength is X's length of text (twitter-text v3: weights by
// Unicode range, emoji sequences count 2, every URL counts 23).
func WeightedLength(text string) int { return twittertext.WeightedLength(text) }
