// Package twittertext counts and parses posts the way X (Twitter) does:
// the weighted length of twitter-text v3 (most CJK characters and emoji
// weigh two, every URL weighs 23, text is NFC-normalised first) and the
// extraction of mentions, hashtags and URLs with their indices in code
// points. It is written from the twitter-text conformance suite
// (github.com/twitter/twitter-text, conformance/*.yml), which its tests
// read at run time.
//
// Links are found by internal/text/links, Tribune's one link detector, with
// X's options; this package's conformance tests are what check its grammar.
package twittertext

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Config is a twitter-text length configuration.
type Config struct {
	MaxWeightedLength int
	Scale             int
	DefaultWeight     int
	URLLength         int
	Ranges            []Range
	EmojiParsing      bool
}

// Range gives code points start..end (inclusive) a weight.
type Range struct {
	Start, End rune
	Weight     int
}

// V3 is the configuration X uses since 2019.
var V3 = Config{MaxWeightedLength: 280, Scale: 100, DefaultWeight: 200, URLLength: 23, EmojiParsing: true,
	Ranges: []Range{{0, 4351, 100}, {8192, 8205, 100}, {8208, 8223, 100}, {8242, 8247, 100}}}

// Result is what Parse reports (the fields of twitter-text's parseTweet).
type Result struct {
	WeightedLength    int
	Permillage        int
	Valid             bool
	DisplayRangeStart int
	DisplayRangeEnd   int
	ValidRangeStart   int
	ValidRangeEnd     int
}

// Entity is an extracted mention, hashtag, URL or cashtag; Start and End
// are code point indices in the text (End exclusive).
type Entity struct {
	Type  string // "mention", "hashtag", "url", "cashtag"
	Value string // without '@', '#' or '$'
	Start int
	End   int
	// List is the list slug of "@user/list" mentions.
	List string
}

func (c Config) weight(r rune) int {
	for _, rg := range c.Ranges {
		if r >= rg.Start && r <= rg.End {
			return rg.Weight
		}
	}
	return c.DefaultWeight
}

// Parse measures text with the configuration c.
func (c Config) Parse(text string) Result {
	original := text
	text = norm.NFC.String(text)
	runes := []rune(text)
	urls := map[int]int{} // start → end
	for _, u := range ExtractURLs(text) {
		urls[u.Start] = u.End
	}
	emoji := map[int]int{}
	if c.EmojiParsing {
		for _, e := range emojiSpans(runes) {
			emoji[e[0]] = e[1]
		}
	}
	max := c.MaxWeightedLength * c.Scale
	weighted, validEnd := 0, 0
	valid := true
	// Display ranges count UTF-16 code units, as twitter-text does.
	utf16 := func(from, to int) int {
		n := 0
		for _, r := range runes[from:to] {
			n++
			if r > 0xFFFF {
				n++
			}
		}
		return n
	}
	for i := 0; i < len(runes); {
		next := i + 1
		var w int
		if end, ok := urls[i]; ok {
			w, next = c.URLLength*c.Scale, end
		} else if end, ok := emoji[i]; ok {
			w, next = c.DefaultWeight, end
		} else {
			w = c.weight(runes[i])
		}
		weighted += w
		if valid && (weighted > max || runes[i] == 0xFFFE || runes[i] == 0xFEFF || runes[i] == 0xFFFF) {
			valid = false
		}
		if valid {
			validEnd = next
		}
		i = next
	}
	for _, r := range runes {
		if r == 0xFFFE || r == 0xFEFF || r == 0xFFFF {
			valid = false
		}
	}
	length := weighted / c.Scale
	total := 0
	for _, r := range original {
		total++
		if r > 0xFFFF {
			total++
		}
	}
	res := Result{WeightedLength: length, Permillage: length * 1000 / c.MaxWeightedLength, Valid: valid && length > 0 && strings.TrimSpace(text) != "",
		DisplayRangeEnd: max0(total - 1)}
	// Ranges are offsets in the text as typed: add back what normalisation
	// took away (twitter-text's normalization offset).
	res.ValidRangeEnd = min(max0(utf16(0, validEnd)-1+total-utf16(0, len(runes))), res.DisplayRangeEnd)
	return res
}

func max0(n int) int {
	if n < 0 {
		return 0
	}
	return n
}

// WeightedLength is X's length of text.
func WeightedLength(text string) int { return V3.Parse(text).WeightedLength }

// emojiSpans finds emoji sequences (a base emoji with modifiers, variation
// selectors, keycaps, tags and ZWJ joins, or a pair of regional
// indicators): each counts once.
func emojiSpans(runes []rune) [][2]int {
	var out [][2]int
	for i := 0; i < len(runes); {
		r := runes[i]
		end := i
		switch {
		case isRegional(r) && i+1 < len(runes) && isRegional(runes[i+1]):
			end = i + 2
		case (r >= '0' && r <= '9' || r == '#' || r == '*') && i+2 < len(runes) && runes[i+1] == 0xFE0F && runes[i+2] == 0x20E3:
			end = i + 3
		case (r >= '0' && r <= '9' || r == '#' || r == '*') && i+1 < len(runes) && runes[i+1] == 0x20E3:
			end = i + 2
		case isEmojiBase(r) || (isTextEmoji(r) && i+1 < len(runes) && runes[i+1] == 0xFE0F):
			end = i + 1
			for end < len(runes) {
				n := runes[end]
				if n == 0xFE0F || (n >= 0x1F3FB && n <= 0x1F3FF) || (n >= 0xE0020 && n <= 0xE007F) || n == 0x20E3 {
					end++
					continue
				}
				if n == 0x200D && end+1 < len(runes) && (isEmojiBase(runes[end+1]) || isTextEmoji(runes[end+1])) {
					end += 2
					continue
				}
				break
			}
		}
		if end > i {
			out = append(out, [2]int{i, end})
			i = end
			continue
		}
		i++
	}
	return out
}

func isRegional(r rune) bool { return r >= 0x1F1E6 && r <= 0x1F1FF }

// isEmojiBase: code points that are emoji by default (Emoji_Presentation).
func isEmojiBase(r rune) bool {
	switch {
	case r >= 0x1F300 && r <= 0x1F5FF, r >= 0x1F600 && r <= 0x1F64F, r >= 0x1F680 && r <= 0x1F6FF,
		r >= 0x1F900 && r <= 0x1F9FF, r >= 0x1FA70 && r <= 0x1FAFF, r >= 0x1F004 && r <= 0x1F0CF,
		r >= 0x1F18E && r <= 0x1F251:
		return true
	case r == 0x231A, r == 0x231B, r == 0x23E9, r == 0x23EA, r == 0x23EB, r == 0x23EC, r == 0x23F0, r == 0x23F3,
		r == 0x25FD, r == 0x25FE, r == 0x2614, r == 0x2615, r == 0x267F, r == 0x2693, r == 0x26A1, r == 0x26AA, r == 0x26AB,
		r == 0x26BD, r == 0x26BE, r == 0x26C4, r == 0x26C5, r == 0x26CE, r == 0x26D4, r == 0x26EA, r == 0x26F2, r == 0x26F3,
		r == 0x26F5, r == 0x26FA, r == 0x26FD, r == 0x2705, r == 0x270A, r == 0x270B, r == 0x2728, r == 0x274C, r == 0x274E,
		r == 0x2753, r == 0x2754, r == 0x2755, r == 0x2757, r == 0x2795, r == 0x2796, r == 0x2797, r == 0x27B0, r == 0x27BF,
		r == 0x2B1B, r == 0x2B1C, r == 0x2B50, r == 0x2B55:
		return true
	case r >= 0x2648 && r <= 0x2653:
		return true
	}
	return false
}

// isTextEmoji: symbols that become emoji with U+FE0F.
func isTextEmoji(r rune) bool {
	return (r >= 0x2000 && r <= 0x2BFF && unicode.Is(unicode.So, r)) || r == 0x00A9 || r == 0x00AE || r == 0x203C || r == 0x2049 || r == 0x2122 || r == 0x2139 || r == 0x3030 || r == 0x303D || r == 0x3297 || r == 0x3299
}

// EmojiSpans returns the emoji sequences of text as [start, end) offsets in
// code points, each sequence (with its modifiers, keycap, tags or ZWJ joins)
// once: X's notion, which the moderation rules' "only emojis" shares so
// that Tribune has one emoji detector.
func EmojiSpans(text string) [][2]int { return emojiSpans([]rune(text)) }
