package twittertext

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/tribune-social/tribune/internal/text/hashtags"
	"github.com/tribune-social/tribune/internal/text/links"
)

const (
	latinAccents = `\x{C0}-\x{D6}\x{D8}-\x{F6}\x{F8}-\x{FF}\x{100}-\x{24F}\x{253}\x{254}\x{256}\x{257}\x{259}\x{25B}\x{263}\x{268}\x{26F}\x{272}\x{289}\x{28B}\x{2BB}\x{300}-\x{36F}\x{1E00}-\x{1EFF}`
)

var (
	mentionRe    = regexp.MustCompile(`(?:^|[^a-zA-Z0-9_!#$%&*@＠]|(?:^|[^a-zA-Z0-9_+~.-])(?:[rR][tT]):?)([@＠])([a-zA-Z0-9_]{1,20})(/[a-zA-Z][a-zA-Z0-9_-]{0,24})?`)
	afterMention = regexp.MustCompile(`^(?:[@＠` + latinAccents + `]|://)`)
	cashtagRe    = regexp.MustCompile(`(?i)(?:^|[\x{09}-\x{0D}\x{20}\x{85}\x{A0}\x{1680}\x{180E}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}])(\$)([a-z]{1,6}(?:[._][a-z]{1,2})?)`)
)

// runeIndex converts byte offsets of s into code point offsets.
type runeIndex struct{ s string }

func (x runeIndex) at(b int) int { return utf8.RuneCountInString(x.s[:b]) }

// ExtractMentions returns the @mentions (and @user/list mentions).
func ExtractMentions(text string) []Entity {
	var out []Entity
	x := runeIndex{text}
	for _, m := range mentionRe.FindAllStringSubmatchIndex(text, -1) {
		if afterMention.MatchString(text[m[1]:]) {
			continue
		}
		e := Entity{Type: "mention", Value: text[m[4]:m[5]], Start: x.at(m[2]), End: x.at(m[1])}
		if m[6] >= 0 {
			e.List = text[m[6]+1 : m[7]]
		}
		out = append(out, e)
	}
	return out
}

// ExtractHashtags returns the hashtags (internal/text/hashtags, X's
// grammar) that are not part of a URL.
func ExtractHashtags(text string) []Entity {
	found := hashtags.Find(text, hashtags.X)
	if len(found) == 0 {
		return nil
	}
	x := runeIndex{text}
	tags := make([]Entity, 0, len(found))
	for _, h := range found {
		tags = append(tags, Entity{Type: "hashtag", Value: h.Name, Start: x.at(h.Start), End: x.at(h.End)})
	}
	return withoutOverlaps(tags, ExtractURLs(text))
}

// ExtractCashtags returns the $CASHTAGS.
func ExtractCashtags(text string) []Entity {
	if !strings.Contains(text, "$") {
		return nil
	}
	x := runeIndex{text}
	var out []Entity
	for _, m := range cashtagRe.FindAllStringSubmatchIndex(text, -1) {
		if m[1] < len(text) {
			r, _ := utf8.DecodeRuneInString(text[m[1]:])
			if !links.IsSpace(r) && !strings.ContainsRune(links.Punctuation, r) {
				continue
			}
		}
		out = append(out, Entity{Type: "cashtag", Value: text[m[4]:m[5]], Start: x.at(m[2]), End: x.at(m[1])})
	}
	return out
}

// ExtractURLs returns the URLs in text, with or without a protocol, as X
// finds them (links.X).
func ExtractURLs(text string) []Entity {
	var out []Entity
	for _, l := range links.Find(text, links.X) {
		out = append(out, Entity{Type: "url", Value: l.URL, Start: l.RuneStart, End: l.RuneEnd})
	}
	return out
}

func withoutOverlaps(es, against []Entity) []Entity {
	var out []Entity
	for _, e := range es {
		ok := true
		for _, a := range against {
			if e.Start < a.End && a.Start < e.End {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, e)
		}
	}
	return out
}
