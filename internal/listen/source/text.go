package source

import (
	"html"
	"regexp"
	"strings"
)

var (
	htmlBreaks = regexp.MustCompile(`(?i)<br\s*/?>|</p>|</div>|</li>|</h[1-6]>|</blockquote>`)
	htmlDrop   = regexp.MustCompile(`(?is)<(script|style)\b.*?</(script|style)>`)
	htmlTags   = regexp.MustCompile(`(?s)<[^>]*>`)
	spaceRuns  = regexp.MustCompile(`[\s\x{00A0}\x{202F}]+`) // French text puts no-break spaces before « ! ? : ; »
)

// PlainText turns the HTML of a status, a feed item's summary or a post's
// body into the text the matcher reads: scripts and styles dropped, tags
// removed, entities decoded, whitespace collapsed. Paragraph and line breaks
// become a space so that words on either side stay apart.
func PlainText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return strings.TrimSpace(spaceRuns.ReplaceAllString(s, " "))
	}
	s = htmlDrop.ReplaceAllString(s, " ")
	s = htmlBreaks.ReplaceAllString(s, " ")
	s = html.UnescapeString(htmlTags.ReplaceAllString(s, ""))
	return strings.TrimSpace(spaceRuns.ReplaceAllString(s, " "))
}
