// Package hashtags is Tribune's one hashtag detector, beside the link
// detector (internal/text/links): the rules' hashtag count, the composer's
// previews, Bluesky's tag facets and X's twitter-text extraction all find
// hashtags here. Where the networks disagree on what a hashtag is, the
// difference is a Grammar, not another detector.
package hashtags

import (
	"regexp"
	"strings"
	"unicode"
)

// Tag is one hashtag found in a text.
type Tag struct {
	// Start and End are UTF-8 byte offsets of the tag in the text, its sign
	// (# or the full-width ＃) included, End exclusive.
	Start, End int
	// Name is the tag without its sign.
	Name string
}

// Grammar is one network's notion of a hashtag.
type Grammar int

// The grammars in use.
const (
	// Default is the notion shared by the networks without one of their
	// own: a sign not inside a word, an address (a/#b) or an HTML entity
	// (&#38;), then letters, marks, digits and underscores with at least
	// one letter, mark or underscore (pure numbers are not hashtags).
	Default Grammar = iota
	// Bluesky is the Bluesky app's rule (docs.bsky.app "Links, mentions,
	// and rich text"): a sign at the start or after white space, running to
	// the next white space or sign, less trailing punctuation; a name of
	// digits only or longer than 64 characters is not a tag.
	Bluesky
	// X is twitter-text's grammar (github.com/twitter/twitter-text, checked
	// by the conformance suite in internal/text/twittertext), before the
	// tags inside a URL are dropped (twittertext does that, with its URLs).
	X
)

const xExtra = `_\x{200C}\x{200D}\x{A67E}\x{05BE}\x{05F3}\x{05F4}\x{FF5E}\x{301C}\x{309B}\x{309C}\x{30A0}\x{30FB}\x{3003}\x{0F0B}\x{0F0C}\x{00B7}`

// Go's regexp has no look-behind: the boundary before the sign is a group.
var (
	defaultRe = regexp.MustCompile(`(?:^|[^\p{L}\p{N}_&/])[#＃]([\p{L}\p{M}\p{N}_]*[\p{L}\p{M}_][\p{L}\p{M}\p{N}_]*)`)
	blueskyRe = regexp.MustCompile(`(?:^|\s)([#＃][^\s#＃]+)`)
	xRe       = regexp.MustCompile(`(?:^|[\x{FE0E}\x{FE0F}]|[^&\p{L}\p{M}\p{Nd}` + xExtra + `])([#＃])([\p{L}\p{M}\p{Nd}` + xExtra + `]*[\p{L}\p{M}][\p{L}\p{M}\p{Nd}` + xExtra + `]*)`)
	// xAfter ends a would-be tag that runs into another sign or a scheme.
	xAfter = regexp.MustCompile(`^(?:[#＃]|://)`)
)

// Find returns the hashtags of text in g's notion, in order.
func Find(text string, g Grammar) []Tag {
	if !strings.ContainsAny(text, "#＃") {
		return nil
	}
	switch g {
	case Bluesky:
		return findBluesky(text)
	case X:
		return findX(text)
	}
	return findDefault(text)
}

// Names returns the names of text's hashtags in g's notion.
func Names(text string, g Grammar) []string {
	var out []string
	for _, t := range Find(text, g) {
		out = append(out, t.Name)
	}
	return out
}

func findDefault(text string) []Tag {
	var out []Tag
	for _, m := range defaultRe.FindAllStringSubmatchIndex(text, -1) {
		start := m[2] - len("＃") // the sign before the name: # or the full-width ＃
		if text[m[2]-1] == '#' {
			start = m[2] - 1
		}
		out = append(out, Tag{Start: start, End: m[3], Name: text[m[2]:m[3]]})
	}
	return out
}

func findBluesky(text string) []Tag {
	var out []Tag
	for _, m := range blueskyRe.FindAllStringSubmatchIndex(text, -1) {
		start, end := m[2], m[3]
		tag := strings.TrimRightFunc(text[start:end], func(r rune) bool { return unicode.IsPunct(r) })
		name := strings.TrimLeft(tag, "#＃")
		if name == "" || len(name) > 64 || strings.IndexFunc(name, func(r rune) bool { return !unicode.IsDigit(r) }) < 0 {
			continue
		}
		out = append(out, Tag{Start: start, End: start + len(tag), Name: name})
	}
	return out
}

func findX(text string) []Tag {
	var out []Tag
	for _, m := range xRe.FindAllStringSubmatchIndex(text, -1) {
		if xAfter.MatchString(text[m[1]:]) {
			continue
		}
		// A keycap (#️⃣) is not a hashtag.
		if strings.HasPrefix(text[m[3]:], "\uFE0F") || strings.HasPrefix(text[m[3]:], "\u20E3") {
			continue
		}
		out = append(out, Tag{Start: m[2], End: m[1], Name: text[m[4]:m[5]]})
	}
	return out
}
