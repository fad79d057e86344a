// Package htmltext turns the HTML that networks and feeds hand us (a
// Mastodon status, a feed item's summary, a Reddit self-post) into the plain
// text Tribune reads. It is one function on purpose: listening matches
// keywords against it, the inbox shows it, and publish recovery compares the
// text of a post with the statuses found on the network by it, so every
// reader of network HTML must see the same words.
package htmltext

import (
	"html"
	"regexp"
	"strings"
)

var (
	// The ends of blocks become a space: "<p>a</p><p>b</p>" is two words,
	// not "ab".
	breaks = regexp.MustCompile(`(?i)<br\s*/?>|</p>|</div>|</li>|</h[1-6]>|</blockquote>`)
	// What a script or a style says is not text a reader sees.
	dropped = regexp.MustCompile(`(?is)<(script|style)\b.*?</(script|style)>`)
	tags    = regexp.MustCompile(`(?s)<[^>]*>`)
	// French typography puts a no-break space (U+00A0) or a narrow one
	// (U+202F) before « ! ? : ; », and RE2's \s is ASCII only: without them
	// "Bonjour !" typed with either would not read as "Bonjour !".
	spaces = regexp.MustCompile(`[\s\x{00A0}\x{202F}]+`)
)

// Plain returns the text of an HTML fragment: scripts and styles dropped,
// line and block breaks turned into a space, tags removed, entities decoded,
// runs of whitespace (no-break spaces included) collapsed to one space and
// the ends trimmed. Text without markup goes through the same whitespace
// rule, so Plain(html.EscapeString(t)) and Plain of t rendered as paragraphs
// and line breaks are equal — what publish recovery relies on.
func Plain(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return strings.TrimSpace(spaces.ReplaceAllString(s, " "))
	}
	s = dropped.ReplaceAllString(s, " ")
	s = breaks.ReplaceAllString(s, " ")
	s = html.UnescapeString(tags.ReplaceAllString(s, ""))
	return strings.TrimSpace(spaces.ReplaceAllString(s, " "))
}
