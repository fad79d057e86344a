// Package links is Tribune's one link detector. The composer's counter, the
// server-side rules, X's weighted length and Bluesky's link facets all find
// links here, so they agree on where a link starts and ends; where the
// networks themselves disagree (Mastodon counts only links written with
// http(s)://, the Bluesky app runs a link to the next white space), the
// difference is an Option, not another detector.
//
// The grammar is twitter-text's (github.com/twitter/twitter-text), checked
// by the twitter-text conformance suite in internal/text/twittertext: a
// link without a scheme is recognised only when its domain ends with a real
// top-level domain (the ICANN section of the public suffix list, from
// golang.org/x/net), as on X and in the Bluesky app.
package links

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// Link is one link found in a text.
type Link struct {
	// Start and End are UTF-8 byte offsets in the text (End exclusive), as
	// Bluesky's facets use.
	Start, End int
	// RuneStart and RuneEnd are code point offsets (End exclusive), as
	// twitter-text's indices use.
	RuneStart, RuneEnd int
	// URL is the link as written in the text.
	URL string
	// HasScheme is true when the link was written with http:// or https://.
	HasScheme bool
}

// Options are one network's notion of a link, on top of the shared grammar.
type Options struct {
	// SchemeRequired keeps only links written with http:// or https://:
	// Mastodon counts a link at characters_reserved_per_url only then (its
	// StatusLengthValidator extracts URLs with extract_url_without_protocol
	// false), so a bare domain counts every character.
	SchemeRequired bool
	// ToWhiteSpace is the Bluesky app's rule (packages/api rich-text
	// detection): a link written with a scheme runs to the next white space
	// whatever its host (https://localhost:8080/x), and the path, query or
	// fragment of any link runs to the next white space (non-Latin paths
	// included), less trailing punctuation and an unbalanced ')'.
	ToWhiteSpace bool
	// UnicodePath is Mastodon's path (config/initializers/twitter_regex.rb
	// overrides twitter-text's): any character but white space and <>()?
	// (balanced parentheses allowed), not ending on sentence punctuation,
	// so https://ja.wikipedia.org/wiki/東京 counts as one link.
	UnicodePath bool
	// TCo cuts a t.co link after its slug and query, and drops one whose
	// slug is longer than 40 characters, as X does.
	TCo bool
}

// The options of each network that treats links in its own way; every
// other network shares Default.
var (
	// Default is the shared grammar: links with or without a scheme.
	Default = Options{}
	// X is twitter-text's own notion (its conformance suite).
	X = Options{TCo: true}
	// Mastodon counts only links with a scheme.
	Mastodon = Options{SchemeRequired: true, UnicodePath: true}
	// Bluesky links bare domains too and runs links to white space.
	Bluesky = Options{ToWhiteSpace: true}
)

// Punctuation is twitter-text's ASCII punctuation: none of it may appear
// in a domain label.
const Punctuation = "!'#%&()*+,\\-./:;<=>?@[]^_{|}~$"

// IsSpace reports whether r is white space in twitter-text's sense (which
// also ends a link, a cashtag or a path under ToWhiteSpace).
func IsSpace(r rune) bool {
	return (r >= 0x09 && r <= 0x0D) || r == 0x20 || r == 0x85 || r == 0xA0 || r == 0x1680 || r == 0x180E ||
		(r >= 0x2000 && r <= 0x200A) || r == 0x2028 || r == 0x2029 || r == 0x202F || r == 0x205F || r == 0x3000
}

func isInvalid(r rune) bool {
	return r == 0xFFFE || r == 0xFEFF || r == 0xFFFF || (r >= 0x202A && r <= 0x202E)
}

// isDirectional: bidirectional marks, which may sit right before a link.
func isDirectional(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || r == 0x061C || r == 0x200E || r == 0x200F || (r >= 0x2066 && r <= 0x2069)
}

func isDomainChar(r rune) bool {
	return !strings.ContainsRune(Punctuation, r) && !IsSpace(r) && !isInvalid(r)
}

func isLatinAccent(r rune) bool {
	return (r >= 0xC0 && r <= 0xD6) || (r >= 0xD8 && r <= 0xF6) || (r >= 0xF8 && r <= 0x24F) || r == 0x253 || r == 0x254 ||
		r == 0x256 || r == 0x257 || r == 0x259 || r == 0x25B || r == 0x263 || r == 0x268 || r == 0x26F || r == 0x272 ||
		r == 0x289 || r == 0x28B || r == 0x2BB || (r >= 0x300 && r <= 0x36F) || (r >= 0x1E00 && r <= 0x1EFF)
}

func isASCIIAlnum(r rune) bool {
	return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
}

func isCyrillic(r rune) bool { return r >= 0x400 && r <= 0x4FF }

func isPathChar(r rune) bool {
	return isASCIIAlnum(r) || isCyrillic(r) || isLatinAccent(r) || strings.ContainsRune("!*';:=+,.$/%#[]-\u2013_~@|&", r)
}

func isPathEnd(r rune) bool {
	return isASCIIAlnum(r) || isCyrillic(r) || isLatinAccent(r) || strings.ContainsRune("+-=_#/", r)
}

// isUnicodePathChar and isUnicodePathEnd are Mastodon's path characters
// (its override of twitter-text's valid_general_url_path_chars and
// valid_url_path_ending_chars): anything but white space and a few
// delimiters, so a path in any script stays in the link.
func isUnicodePathChar(r rune) bool {
	return !IsSpace(r) && !isInvalid(r) && !strings.ContainsRune("<>()?", r)
}

func isUnicodePathEnd(r rune) bool {
	return isUnicodePathChar(r) && !strings.ContainsRune("!*\"'「」;:=,.$%[]~&|", r)
}

func isQueryChar(r rune) bool {
	return isASCIIAlnum(r) || strings.ContainsRune("!?*'@();:&=+$/%#[]-_.,~|", r)
}

func isQueryEnd(r rune) bool { return isASCIIAlnum(r) || strings.ContainsRune("-_&=#/", r) }

// precedes reports whether r may come right before a URL.
func precedes(r rune) bool {
	if isDirectional(r) {
		return true
	}
	return !isASCIIAlnum(r) && !strings.ContainsRune("@＠$#＃", r) && !isInvalid(r)
}

// tldEndOK: a TLD must not run on into a letter, digit, @, + or -.
func tldEndOK(rs []rune, e int) bool {
	if e >= len(rs) {
		return true
	}
	r := rs[e]
	return !isASCIIAlnum(r) && r != '@' && r != '+' && r != '-'
}

// labelOK checks one label before the TLD: it starts and ends with a domain
// character; inside, '-' (and '_' for subdomains) may join them.
func labelOK(label []rune, sub bool) bool {
	if len(label) == 0 {
		return false
	}
	for i, r := range label {
		joiner := r == '-' || (sub && r == '_')
		if joiner && (i == 0 || i == len(label)-1) {
			return false
		}
		if !joiner && !isDomainChar(r) {
			return false
		}
	}
	return true
}

// domainEnd finds the longest domain starting at rs[s]: labels, a dot and a
// TLD that is not followed by a letter or digit. allow limits the
// characters (ASCII-only domains). It returns -1 when there is none.
func domainEnd(rs []rune, s int, allow func(rune) bool) int {
	m := s
	for m < len(rs) && (allow(rs[m]) || rs[m] == '.' || rs[m] == '-' || rs[m] == '_') {
		m++
	}
	// The TLD may be non-ASCII even in an ASCII domain (twitter.みんな).
	if m > s && m < len(rs) && rs[m-1] == '.' {
		for m < len(rs) && isDomainChar(rs[m]) {
			m++
		}
	}
	for e := m; e > s; e-- {
		if !tldEndOK(rs, e) {
			continue
		}
		d := -1
		for k := e - 1; k > s; k-- {
			if rs[k] == '.' {
				d = k
				break
			}
		}
		if d < 0 || d == e-1 {
			continue
		}
		tld := string(rs[d+1 : e])
		if !(validTLD(tld) || isPunycode(tld)) {
			continue
		}
		labels := splitRunes(rs[s:d], '.')
		ok := true
		for i, l := range labels {
			if !labelOK(l, i < len(labels)-1) || !allRunes(l, allow) {
				ok = false
				break
			}
		}
		if ok {
			return e
		}
	}
	return -1
}

func allRunes(l []rune, allow func(rune) bool) bool {
	for _, r := range l {
		if !allow(r) && r != '-' && r != '_' {
			return false
		}
	}
	return true
}

func isPunycode(s string) bool {
	if !strings.HasPrefix(strings.ToLower(s), "xn--") || len(s) < 5 {
		return false
	}
	for _, r := range s[4:] {
		if !isASCIIAlnum(r) && r != '-' {
			return false
		}
	}
	return true
}

func splitRunes(rs []rune, sep rune) [][]rune {
	var out [][]rune
	start := 0
	for i, r := range rs {
		if r == sep {
			out = append(out, rs[start:i])
			start = i + 1
		}
	}
	return append(out, rs[start:])
}

func anyDomainChar(r rune) bool { return isDomainChar(r) }

func asciiDomainChar(r rune) bool { return isASCIIAlnum(r) || isLatinAccent(r) }

// pathEnd reads a path starting at rs[s] == '/' and returns its end.
func pathEnd(rs []rune, s int, o Options) int {
	inPath, ends := isPathChar, isPathEnd
	if o.UnicodePath {
		inPath, ends = isUnicodePathChar, isUnicodePathEnd
	}
	end := s + 1 // "/" alone is a path
	depth := 0
	for i := s + 1; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == '(':
			depth++
			if depth > 2 {
				return end
			}
		case r == ')':
			if depth == 0 {
				return end
			}
			depth--
			if depth == 0 {
				end = i + 1
			}
		case inPath(r):
			if depth == 0 && ends(r) {
				end = i + 1
			}
		default:
			return end
		}
	}
	return end
}

func queryEnd(rs []rune, s int) int {
	end := -1
	for i := s + 1; i < len(rs) && isQueryChar(rs[i]); i++ {
		if isQueryEnd(rs[i]) {
			end = i + 1
		}
	}
	return end
}

func hasPrefixFold(rs []rune, i int, p string) bool {
	pr := []rune(p)
	if i+len(pr) > len(rs) {
		return false
	}
	return strings.EqualFold(string(rs[i:i+len(pr)]), p)
}

// validLength checks the DNS label lengths (after punycode) and the URL's.
func validLength(domain string, urlLen int) bool {
	ascii, err := idna.ToASCII(domain)
	if err != nil {
		// Non-ASCII that IDNA refuses still counts label by label.
		ascii = domain
	}
	if strings.HasPrefix(strings.ToLower(domain), "xn--") {
		for _, r := range domain {
			if r > 0x7F {
				return false
			}
		}
	}
	for _, l := range strings.Split(ascii, ".") {
		if len(l) < 1 || len(l) > 63 {
			return false
		}
	}
	return urlLen+len(ascii)-utf8.RuneCountInString(domain) <= 4096
}

// Find returns the links in text, in order, as the options o see them.
func Find(text string, o Options) []Link {
	if !strings.Contains(text, ".") && !(o.ToWhiteSpace && strings.Contains(text, "://")) {
		return nil
	}
	rs := []rune(text)
	var out []Link
	next := 0 // the first rune a new match may use (as its preceding character)
	for s := 0; s < len(rs); s++ {
		if s > 0 && (s-1 < next || !precedes(rs[s-1])) {
			continue
		}
		if s == 0 && next > 0 {
			continue
		}
		p := s
		protocol := false
		if hasPrefixFold(rs, p, "https://") {
			p, protocol = p+8, true
		} else if hasPrefixFold(rs, p, "http://") {
			p, protocol = p+7, true
		}
		if o.SchemeRequired && !protocol {
			continue
		}
		de := domainEnd(rs, p, anyDomainChar)
		if de < 0 {
			if protocol && o.ToWhiteSpace {
				if end := trimmedEnd(rs, p, toSpace(rs, p)); end > p {
					out = append(out, Link{RuneStart: s, RuneEnd: end, HasScheme: true})
					next, s = end, end-1
				}
			}
			continue
		}
		end := de
		if end+1 < len(rs) && rs[end] == ':' && rs[end+1] >= '0' && rs[end+1] <= '9' {
			end++
			for end < len(rs) && rs[end] >= '0' && rs[end] <= '9' {
				end++
			}
		}
		hasPath := false
		switch {
		case o.ToWhiteSpace && (protocol || end < len(rs) && strings.ContainsRune("/?#", rs[end])):
			end = trimmedEnd(rs, de, toSpace(rs, end))
			hasPath = end > de
		default:
			if end < len(rs) && rs[end] == '/' {
				end = pathEnd(rs, end, o)
				hasPath = true
			}
			if end < len(rs) && rs[end] == '?' {
				if q := queryEnd(rs, end); q > 0 {
					end = q
				}
			}
		}
		domain := string(rs[p:de])
		if !validLength(domain, end-s) {
			continue
		}
		if protocol {
			if o.TCo {
				if tco, ok := tcoTrim(string(rs[s:end])); ok {
					if tco == "" {
						next, s = end, end-1
						continue
					}
					end = s + utf8.RuneCountInString(tco)
				}
			}
			out = append(out, Link{RuneStart: s, RuneEnd: end, HasScheme: true})
			next, s = end, end-1
			continue
		}
		if s > 0 && strings.ContainsRune("-_./", rs[s-1]) {
			continue
		}
		// Without a protocol, only ASCII domains inside the match count; the
		// path belongs to the last of them.
		var found []Link
		for a := p; a < de; a++ {
			ae := domainEnd(rs[:de], a, asciiDomainChar)
			if ae < 0 {
				continue
			}
			found = append(found, Link{RuneStart: a, RuneEnd: ae})
			a = ae - 1
		}
		if len(found) == 0 {
			continue
		}
		if hasPath || end > de {
			if last := &found[len(found)-1]; last.RuneEnd == de {
				last.RuneEnd = end
			}
		}
		out = append(out, found...)
		next, s = end, end-1
	}
	return withOffsets(text, rs, out)
}

// withOffsets fills in the byte offsets and the text of each link.
func withOffsets(text string, rs []rune, ls []Link) []Link {
	b, r := 0, 0
	at := func(to int) int {
		for ; r < to; r++ {
			b += utf8.RuneLen(rs[r])
		}
		return b
	}
	for i := range ls {
		ls[i].Start = at(ls[i].RuneStart)
		ls[i].End = at(ls[i].RuneEnd)
		ls[i].URL = text[ls[i].Start:ls[i].End]
	}
	return ls
}

// toSpace returns the index of the first white space at or after i.
func toSpace(rs []rune, i int) int {
	for i < len(rs) && !IsSpace(rs[i]) && !isInvalid(rs[i]) {
		i++
	}
	return i
}

// trimmedEnd drops the punctuation that ends a sentence rather than a link
// (and a ')' that closes a parenthesis opened before the link) from
// rs[from:end], never below from. The Bluesky app drops one ')' only when
// the link holds no '('; balancing them instead keeps "(see
// https://en.wikipedia.org/wiki/Go_(language))" from linking to a page
// that does not exist.
func trimmedEnd(rs []rune, from, end int) int {
	for end > from {
		switch r := rs[end-1]; {
		case strings.ContainsRune(".,;:!?\"'»", r):
			end--
			continue
		case r == ')':
			if open, closed := strings.Count(string(rs[from:end]), "("), strings.Count(string(rs[from:end]), ")"); closed > open {
				end--
				continue
			}
		}
		return end
	}
	return end
}

// tcoTrim keeps a t.co link to its slug (and query); a slug longer than
// 40 characters is not a t.co link (ok true, "" returned).
func tcoTrim(u string) (string, bool) {
	lower := strings.ToLower(u)
	var rest string
	switch {
	case strings.HasPrefix(lower, "https://t.co/"):
		rest = u[len("https://t.co/"):]
	case strings.HasPrefix(lower, "http://t.co/"):
		rest = u[len("http://t.co/"):]
	default:
		return "", false
	}
	n := 0
	for n < len(rest) && isASCIIAlnum(rune(rest[n])) {
		n++
	}
	if n == 0 {
		return "", false
	}
	if n > 40 {
		return "", true
	}
	kept := u[:len(u)-len(rest)+n]
	if n < len(rest) && rest[n] == '?' {
		rs := []rune(rest)
		if q := queryEnd(rs, n); q > 0 {
			kept += string(rs[n:q])
		}
	}
	return kept, true
}

// validTLD reports whether tld (any case, Unicode or punycode) is an ICANN
// top-level domain.
func validTLD(tld string) bool {
	tld = strings.ToLower(tld)
	ascii, err := idna.ToASCII(tld)
	if err != nil || ascii == "" || strings.ContainsAny(ascii, "._") {
		return false
	}
	s, icann := publicsuffix.PublicSuffix("x." + ascii)
	return icann && (s == ascii || strings.HasSuffix(s, "."+ascii))
}
