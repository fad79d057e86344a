package moderation

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tribune-social/tribune/internal/text/links"
)

// Toxicity and spam, the two conditions a moderator cannot write well as
// keywords: our own small French and English lexicon, compared on words
// (never inside a word: "Scunthorpe" and "concours" are clean), without
// case or accents, with leetspeak's basics undone (c0nn4rd, $alope, idi0t)
// and letters held down collapsed (connnnard). They are heuristics meant
// for a rule that tags or hides and can be undone, not a verdict: see
// docs/inbox.md for their limits.

// Toxic reports whether the text insults or threatens. A strong term (an
// insult aimed at someone, a slur, a threat) is enough; a mild one (idiot,
// nul, stupid) counts only when the sentiment is strongly negative
// (score at most ToxicSentiment), so "c'est nul de ne pas pouvoir payer par
// carte" is a complaint and "t'es nul, sale idiot" is not.
func Toxic(text string, sentimentScore float64, analysed bool) bool {
	ws := abuseWords(text)
	strong, mild := false, false
	for i, w := range ws {
		switch toxicTerms[w] {
		case toxicStrong:
			strong = true
		case toxicMild:
			mild = true
		}
		if !strong && phraseAt(toxicPhrases, ws[i:]) {
			strong = true
		}
		if !strong {
			for _, p := range toxicPrefixes {
				if strings.HasPrefix(w, p) {
					strong = true
				}
			}
		}
		if strong {
			return true
		}
	}
	return mild && analysed && sentimentScore <= ToxicSentiment
}

// ToxicSentiment is the sentiment score at or below which a mild insult
// makes an item toxic.
const ToxicSentiment = -0.5

// Spam thresholds: more links or mentions than a person writes to talk.
const (
	// SpamLinks is how many links make a text spam, or the same link twice.
	SpamLinks = 3
	// SpamMentions is how many @mentions make a text spam.
	SpamMentions = 5
	// SpamRepeats is how many earlier copies of the same text by the same
	// author (Input.AuthorRecent) make it spam; a text of fewer than
	// SpamRepeatWords words ("merci !") may be repeated freely.
	SpamRepeats     = 2
	SpamRepeatWords = 3
)

// SpamReason says why a text is spam, "" when it is not.
type SpamReason string

// The reasons, in the order they are checked.
const (
	SpamNone         SpamReason = ""
	SpamPattern      SpamReason = "pattern"       // a known scam or bait phrase, a wallet address
	SpamRepeatedLink SpamReason = "repeated_link" // the same link twice, or SpamLinks links
	SpamManyMentions SpamReason = "many_mentions" // SpamMentions mentions or more
	SpamRepeatedText SpamReason = "repeated_text" // the author wrote it SpamRepeats times before
)

// Spam says whether the text is spam and why: a known pattern (crypto
// giveaways, "argent facile", a wallet address, a Telegram or WhatsApp
// invitation), repeated links, many mentions, or the same text again from
// the same author (recent are that author's earlier texts).
func Spam(text string, found []links.Link, recent []string) SpamReason {
	ws := abuseWords(text)
	for i := range ws {
		if phraseAt(spamPhrases, ws[i:]) {
			return SpamPattern
		}
	}
	if wallet.MatchString(text) || invite.MatchString(text) {
		return SpamPattern
	}
	if len(found) >= SpamLinks {
		return SpamRepeatedLink
	}
	seen := map[string]bool{}
	for _, l := range found {
		k := strings.TrimRight(strings.ToLower(l.URL), "/")
		if seen[k] {
			return SpamRepeatedLink
		}
		seen[k] = true
	}
	if mentions(text) >= SpamMentions {
		return SpamManyMentions
	}
	if plain := words(text); len(plain) >= SpamRepeatWords && len(recent) >= SpamRepeats {
		key := strings.Join(plain, " ")
		n := 0
		for _, r := range recent {
			if strings.Join(words(r), " ") == key {
				n++
			}
		}
		if n >= SpamRepeats {
			return SpamRepeatedText
		}
	}
	return SpamNone
}

var (
	// wallet: an Ethereum address or a Bitcoin bech32 one.
	wallet = regexp.MustCompile(`\b(0x[0-9a-fA-F]{40}|bc1[02-9ac-hj-np-z]{25,59})\b`)
	// invite: an invitation to carry on elsewhere, the scammer's way out.
	invite = regexp.MustCompile(`(?i)\b(t\.me/|wa\.me/|chat\.whatsapp\.com/)`)
)

// mentions counts the @handles of a text (an @ at a word's start followed
// by a letter, a digit or _).
func mentions(text string) int {
	n := 0
	prev := ' '
	for i, r := range text {
		if r == '@' && !isWordRune(prev) {
			next, _ := utf8.DecodeRuneInString(text[i+1:])
			if isWordRune(next) || next == '_' {
				n++
			}
		}
		prev = r
	}
	return n
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// abuseWords are words() after leetspeak is undone and letters held down
// are collapsed: "C0nnnn4rd" and "connard" are one word.
func abuseWords(text string) []string {
	ws := words(unmask(text))
	for i, w := range ws {
		ws[i] = squeeze(deleet(w))
	}
	return ws
}

// unmask turns @ and $ written inside a word into the letters they stand
// for ($alope, s@lope), which words() would otherwise split on.
func unmask(text string) string {
	if !strings.ContainsAny(text, "@$") {
		return text
	}
	rs := []rune(text)
	for i, r := range rs {
		if r != '@' && r != '$' {
			continue
		}
		before := i > 0 && unicode.IsLetter(rs[i-1])
		after := i+1 < len(rs) && unicode.IsLetter(rs[i+1])
		// "$alope" (start of a word) or "s@lope" (inside); never an
		// @handle at a word's start.
		if before && after || r == '$' && after {
			rs[i] = map[rune]rune{'@': 'a', '$': 's'}[r]
		}
	}
	return string(rs)
}

// leet maps the digits leetspeak writes for letters.
var leet = map[byte]byte{'0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b'}

// deleet undoes leetspeak in a word that mixes letters and digits; a
// number alone ("2024", "15") stays a number.
func deleet(w string) string {
	letters, digits := false, false
	for i := 0; i < len(w); i++ {
		switch c := w[i]; {
		case c >= '0' && c <= '9':
			digits = true
		case c >= 'a' && c <= 'z' || c >= 0x80:
			letters = true
		}
	}
	if !letters || !digits {
		return w
	}
	b := []byte(w)
	for i, c := range b {
		if l, ok := leet[c]; ok {
			b[i] = l
		}
	}
	return string(b)
}

// squeeze writes each run of one letter once: "connnnard" and "connard"
// are "conard", as the lexicon is written (squeezed).
func squeeze(w string) string {
	var b strings.Builder
	var prev rune = -1
	for _, r := range w {
		if r != prev {
			b.WriteRune(r)
		}
		prev = r
	}
	return b.String()
}

// phraseAt reports whether one of the phrases (by their first word)
// starts ws.
func phraseAt(ps map[string][][]string, ws []string) bool {
	for _, p := range ps[ws[0]] {
		if len(p) <= len(ws) && equalWords(p, ws[:len(p)]) {
			return true
		}
	}
	return false
}

func equalWords(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

type toxicLevel int8

const (
	toxicNone toxicLevel = iota
	toxicMild
	toxicStrong
)

// The lexicon: written plainly here, squeezed and folded when loaded.
var (
	strongWords = []string{
		// French
		"connard", "connasse", "conasse", "salope", "salaud", "enfoire", "encule", "enculé", "pute", "putain de merde",
		"batard", "bâtard", "fdp", "ntm", "nique", "niquer", "pd", "tapette", "abruti", "abrutie",
		"raclure", "sous-merde", "débile mental", "grosse merde", "petite merde", "trou du cul", "trouduc",
		"fils de pute", "va te faire foutre", "ta gueule", "ferme ta gueule", "nique ta mere", "nique ta mère",
		// English
		"fuck you", "fuck off", "motherfucker", "asshole", "bitch", "bastard", "cunt", "dickhead", "scumbag",
		"retarded", "piece of shit", "shut the fuck up", "stfu", "son of a bitch", "go to hell",
		// threats
		"je vais te tuer", "je vais vous tuer", "on va te tuer", "je vais te buter", "on va te retrouver",
		"je sais où tu habites", "je sais ou tu habites", "va crever",
		"je vais te défoncer", "je vais te casser la gueule",
		"i will kill you", "i'll kill you", "ill kill you", "i will find you", "i know where you live",
		"kill yourself", "kys", "you will pay for this", "you're dead", "watch your back",
	}
	mildWords = []string{
		// French
		"idiot", "idiote", "idiots", "stupide", "stupides", "imbecile", "imbécile", "imbeciles", "crétin", "cretin",
		"crétins", "cretins", "debile", "débile", "debiles", "débiles", "nul", "nuls", "nulle", "nulles", "minable",
		"minables", "incompétent", "incompetent", "incompétents", "incompetents", "escroc", "escrocs", "voleur",
		"voleurs", "guignol", "guignols", "ordure", "pourriture", "bouffon", "bouffons", "clown", "clowns", "merde", "con", "cons", "conne",
		// English
		"idiot", "idiots", "stupid", "moron", "morons", "dumb", "loser", "losers", "pathetic", "incompetent",
		"clowns", "scammer", "scammers", "crook", "crooks", "shit", "crap", "jerk", "jerks", "useless",
	}
	// strongPrefixes: a word starting so is strong whatever its ending
	// (enculé, enculés, enculer…).
	strongPrefixes = []string{"encul", "fuck", "nique"}

	spamTexts = []string{
		// French
		"argent facile", "gagnez un iphone", "gagner un iphone", "bitcoin gratuit", "crypto gratuite",
		"investissement garanti", "rendement garanti", "doublez vos bitcoins", "doublez votre argent",
		"cliquez sur le lien dans ma bio", "lien dans ma bio", "contactez moi sur whatsapp", "contactez-moi sur whatsapp",
		"contactez moi sur telegram", "gagnez de l'argent", "revenu passif", "devenez riche",
		// English
		"free crypto", "free bitcoin", "crypto giveaway", "bitcoin giveaway", "double your bitcoin", "double your crypto",
		"send eth", "send btc", "claim your airdrop", "claim your reward", "airdrop is live", "link in my bio",
		"check my bio", "dm me for", "dm for promo", "promo on my page", "earn money from home", "work from home and earn",
		"guaranteed returns", "passive income", "make money fast", "cheap followers", "buy followers", "free followers",
	}

	toxicTerms    = map[string]toxicLevel{}
	toxicPhrases  = map[string][][]string{}
	toxicPrefixes []string
	spamPhrases   = map[string][][]string{}
)

func init() {
	for _, level := range []struct {
		l  toxicLevel
		ws []string
	}{{toxicMild, mildWords}, {toxicStrong, strongWords}} {
		for _, t := range level.ws {
			ws := abuseWords(t)
			switch {
			case len(ws) == 1:
				toxicTerms[ws[0]] = level.l
			case len(ws) > 1 && level.l == toxicStrong:
				toxicPhrases[ws[0]] = append(toxicPhrases[ws[0]], ws)
			}
		}
	}
	for _, p := range strongPrefixes {
		toxicPrefixes = append(toxicPrefixes, squeeze(p))
	}
	for _, t := range spamTexts {
		if ws := abuseWords(t); len(ws) > 0 {
			spamPhrases[ws[0]] = append(spamPhrases[ws[0]], ws)
		}
	}
}
