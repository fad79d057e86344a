package moderation

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/tribune-social/tribune/internal/text/links"
	"github.com/tribune-social/tribune/internal/text/twittertext"
)

// elisions are the French words that lose their vowel before another word
// and join it with an apostrophe (l'arnaque, qu'il, jusqu'ici): the
// apostrophe after them splits two words, so "arnaque" is found in
// "l'arnaque". After any other word the apostrophe stays inside it, so
// "don't" and "aujourd'hui" remain one word each and "don" is not found in
// "don't".
var elisions = map[string]bool{
	"l": true, "d": true, "j": true, "m": true, "n": true, "s": true, "t": true, "c": true,
	"qu": true, "jusqu": true, "lorsqu": true, "puisqu": true, "quoiqu": true, "presqu": true,
}

// isApostrophe: the straight one and the typographic ones French writes.
func isApostrophe(r rune) bool {
	return r == '\'' || r == '’' || r == 'ʼ' || r == '‘' || r == '`' || r == '´'
}

// isEmoji: a pictograph that is a word of its own (a keyword may be 💩),
// from X's emoji sequences plus the symbol blocks people type without a
// variation selector (❤, ☹).
func isEmoji(r rune) bool {
	return r >= 0x1F000 && r <= 0x1FAFF && !(r >= 0x1F3FB && r <= 0x1F3FF) || r >= 0x2600 && r <= 0x27BF
}

// isEmojiPart: what joins or modifies an emoji without being one.
func isEmojiPart(r rune) bool {
	return r == 0x200D || r == 0xFE0F || r == 0xFE0E || r == 0x20E3 || r >= 0x1F3FB && r <= 0x1F3FF || r >= 0xE0020 && r <= 0xE007F
}

// words returns the words of s, normalised for comparison: lower case,
// accents and other combining marks removed, œ and æ spelt out, one
// apostrophe form, each emoji a word of its own (without its skin tone).
// Everything else (spaces, punctuation, #, @, hyphens) separates words.
func words(s string) []string {
	var buf []byte
	var bounds []int // start, end of each word in buf
	start := -1
	end := func() {
		if start >= 0 {
			bounds = append(bounds, start, len(buf))
			start = -1
		}
	}
	var tmp [4 * utf8.UTFMax]byte
	for i, r := range s {
		switch {
		case r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9'):
			if start < 0 {
				start = len(buf)
			}
			buf = append(buf, byte(r))
		case r < utf8.RuneSelf && r >= 'A' && r <= 'Z':
			if start < 0 {
				start = len(buf)
			}
			buf = append(buf, byte(r+'a'-'A'))
		case isApostrophe(r):
			if start < 0 || elisions[string(buf[start:])] {
				end()
				continue
			}
			// Inside a word only when a letter follows (don't), else it
			// closes a quotation.
			next, _ := utf8.DecodeRuneInString(s[i+utf8.RuneLen(r):])
			if !unicode.IsLetter(next) {
				end()
				continue
			}
			buf = append(buf, '\'')
		case r < utf8.RuneSelf:
			end()
		case unicode.Is(unicode.Mn, r) || isEmojiPart(r):
			// An accent written apart (e + U+0301) or an emoji's modifier:
			// dropped, the word goes on.
		case isEmoji(r):
			end()
			start = len(buf)
			buf = utf8.AppendRune(buf, r)
			end()
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if start < 0 {
				start = len(buf)
			}
			buf = appendFolded(buf, r, tmp[:0])
		default:
			end()
		}
	}
	end()
	if len(bounds) == 0 {
		return nil
	}
	all := string(buf)
	out := make([]string, len(bounds)/2)
	for i := range out {
		out[i] = all[bounds[2*i]:bounds[2*i+1]]
	}
	return out
}

// appendFolded appends r without case or accents, with œ, æ and ß spelt
// out (after decomposition too: ǽ is æ with an accent).
func appendFolded(buf []byte, r rune, tmp []byte) []byte {
	tmp = norm.NFD.Append(tmp, utf8.AppendRune(nil, r)...)
	for _, d := range string(tmp) {
		if unicode.Is(unicode.Mn, d) {
			continue
		}
		switch d = unicode.ToLower(d); d {
		case 'œ':
			buf = append(buf, "oe"...)
		case 'æ':
			buf = append(buf, "ae"...)
		case 'ß':
			buf = append(buf, "ss"...)
		default:
			buf = utf8.AppendRune(buf, d)
		}
	}
	return buf
}

// mayHaveLink is a quick necessary condition for links.Find (Default) to
// find a link: a dot followed by a letter, the start of a top-level domain
// (ASCII, or not for an internationalised one). Most comments have none,
// and the full detector is the costliest condition on the ingestion path.
// FuzzDetectors checks that it never hides a link.
func mayHaveLink(text string) bool {
	for i := strings.IndexByte(text, '.'); i >= 0 && i+1 < len(text); {
		if c := text[i+1]; c|0x20 >= 'a' && c|0x20 <= 'z' || c >= utf8.RuneSelf {
			return true
		}
		j := strings.IndexByte(text[i+1:], '.')
		if j < 0 {
			return false
		}
		i += 1 + j
	}
	return false
}

// allCaps reports whether text shouts: at least min capital letters and no
// small one. Links, @mentions and #hashtags are left out (a handle is
// written as it is registered), as are letters without case (CJK).
func allCaps(text string, ls []links.Link, min int) bool {
	upper := 0
	skipTo := 0 // end of the link, mention or hashtag being skipped
	li := 0
	prev := ' '
	for i, r := range text {
		for li < len(ls) && ls[li].End <= i {
			li++
		}
		switch {
		case i < skipTo:
		case li < len(ls) && ls[li].Start <= i:
			skipTo = ls[li].End
		case (r == '@' || r == '#') && (unicode.IsSpace(prev) || i == 0):
			skipTo = i + 1
			for j, c := range text[i+1:] {
				if unicode.IsSpace(c) {
					break
				}
				skipTo = i + 1 + j + utf8.RuneLen(c)
			}
		case unicode.IsLower(r):
			return false
		case unicode.IsUpper(r):
			upper++
		}
		prev = r
	}
	return upper >= min
}

// hasEmail reports whether text holds an e-mail address: a local part, @,
// and a domain of at least two labels ending with letters. A fediverse
// handle (@alice@example.social) is not one: its local part follows an @.
func hasEmail(text string) bool {
	for at := strings.IndexByte(text, '@'); at >= 0; {
		if emailAt(text, at) {
			return true
		}
		next := strings.IndexByte(text[at+1:], '@')
		if next < 0 {
			break
		}
		at += 1 + next
	}
	return false
}

func emailAt(text string, at int) bool {
	local := at
	for local > 0 && isLocalChar(text[local-1]) {
		local--
	}
	if local == at || text[local] == '.' || local > 0 && (text[local-1] == '@' || text[local-1] >= utf8.RuneSelf) {
		return false
	}
	end := at + 1
	for end < len(text) && isDomainChar(text[end]) {
		end++
	}
	domain := strings.TrimRight(text[at+1:end], ".-")
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || l[0] == '-' {
			return false
		}
	}
	tld := labels[len(labels)-1]
	if len(tld) < 2 {
		return false
	}
	for i := 0; i < len(tld); i++ {
		if c := tld[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

func isLocalChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(".!#$%&*+/=?^_{|}~-", c) >= 0
}

func isDomainChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-'
}

// onlyEmojis reports whether text, once white space is set aside, is made
// of emojis and nothing else (and is not empty).
func onlyEmojis(text string) bool {
	// Most texts start with a letter: say no before finding emoji spans.
	for _, r := range text {
		if unicode.IsSpace(r) {
			continue
		}
		if unicode.IsLetter(r) || r < utf8.RuneSelf && !(r >= '0' && r <= '9' || r == '#' || r == '*') {
			return false
		}
		break
	}
	return onlyEmojisFull(text)
}

// onlyEmojisFull is onlyEmojis without the early no.
func onlyEmojisFull(text string) bool {
	rs := []rune(text)
	spans := twittertext.EmojiSpans(text)
	seen := false
	si := 0
	for i := 0; i < len(rs); i++ {
		for si < len(spans) && spans[si][1] <= i {
			si++
		}
		r := rs[i]
		switch {
		case si < len(spans) && spans[si][0] <= i:
			seen = true
		case unicode.IsSpace(r) || isEmojiPart(r):
		case isEmoji(r):
			seen = true
		default:
			return false
		}
	}
	return seen
}
