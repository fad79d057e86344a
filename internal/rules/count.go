package rules

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/clipperhouse/uax29/v2/graphemes"

	"github.com/tribune-social/tribune/internal/text/hashtags"
	"github.com/tribune-social/tribune/internal/text/links"
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

// MastodonLength counts like Mastodon: code points, every link written
// with http(s):// counts urlLength (a bare domain counts in full, as
// Mastodon's StatusLengthValidator does), and a mention counts without its
// domain (@alice@example.social counts as @alice).
func MastodonLength(text string, urlLength int) int {
	if urlLength <= 0 {
		urlLength = 23
	}
	var b strings.Builder
	last := 0
	for _, l := range links.Find(text, links.Mastodon) {
		b.WriteString(text[last:l.Start])
		b.WriteString(strings.Repeat("x", urlLength))
		last = l.End
	}
	b.WriteString(text[last:])
	return CodePoints(mentionDomain.ReplaceAllString(b.String(), "$1"))
}

var mentionDomain = regexp.MustCompile(`(@[A-Za-z0-9_]+)@[A-Za-z0-9.-]+[A-Za-z0-9]`)

// Hashtags returns the hashtags in text (without '#'), in the shared
// notion of internal/text/hashtags; pure numbers are not hashtags.
func Hashtags(text string) []string { return hashtags.Names(text, hashtags.Default) }

// WeightedLength is X's length of text (twitter-text v3: weights by
// Unicode range, emoji sequences count 2, every URL counts 23).
func WeightedLength(text string) int { return twittertext.WeightedLength(text) }
