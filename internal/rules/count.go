package rules

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/clipperhouse/uax29/v2/graphemes"
	"golang.org/x/text/unicode/norm"
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

// X's weighted counting (twitter-text v3 configuration): code points in the
// light ranges weigh 1, others 2, every URL weighs 23 and an emoji sequence
// weighs 2 whatever its length. The text is NFC-normalised first.
var lightRanges = [][2]rune{{0, 4351}, {8192, 8205}, {8208, 8223}, {8242, 8247}}

func weight(r rune) int {
	for _, rg := range lightRanges {
		if r >= rg[0] && r <= rg[1] {
			return 1
		}
	}
	return 2
}

// WeightedLength is X's length of text.
func WeightedLength(text string) int {
	text = norm.NFC.String(text)
	total := 0
	last := 0
	for _, loc := range urlPattern.FindAllStringIndex(text, -1) {
		u := trimURL(text[loc[0]:loc[1]])
		total += weightedPlain(text[last:loc[0]]) + 23
		last = loc[0] + len(u)
	}
	return total + weightedPlain(text[last:])
}

func weightedPlain(s string) int {
	n := 0
	it := graphemes.FromString(s)
	for it.Next() {
		g := it.Value()
		if isEmoji(g) {
			n += 2
			continue
		}
		for _, r := range g {
			n += weight(r)
		}
	}
	return n
}

func isEmoji(g string) bool {
	r, _ := utf8.DecodeRuneInString(g)
	if utf8.RuneCountInString(g) > 1 && (strings.ContainsRune(g, 0xFE0F) || strings.ContainsRune(g, 0x200D) || (r >= 0x1F1E6 && r <= 0x1F1FF)) {
		return true
	}
	return (r >= 0x1F000 && r <= 0x1FAFF) || (r >= 0x2600 && r <= 0x27BF && unicode.Is(unicode.So, r))
}
