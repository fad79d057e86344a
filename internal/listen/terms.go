package listen

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tribune-social/tribune/internal/listen/query"
)

// Terms are the words and #hashtags a post brings to the term rollups (top
// terms, weak signals): folded as the matcher folds them (lower case, no
// accents), each once, without French and English stop words, numbers,
// links, @mentions or words of fewer than three letters. A hashtag keeps
// its # so that the pages tell « #rentree » from « rentree ».
func Terms(text string) []string {
	var out []string
	seen := map[string]bool{}
	for _, f := range strings.Fields(text) {
		if strings.Contains(f, "://") || strings.HasPrefix(f, "www.") || strings.HasPrefix(f, "@") {
			continue
		}
		tag := strings.HasPrefix(f, "#")
		for _, w := range strings.FieldsFunc(f, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' }) {
			w = query.Fold(w)
			if utf8.RuneCountInString(w) < 3 || isNumber(w) {
				tag = false
				continue
			}
			if tag {
				w = "#" + w
				tag = false // only the first word of "#tag-suite" is the tag
			} else if stopWords[w] {
				continue
			}
			if !seen[w] {
				seen[w] = true
				out = append(out, w)
			}
		}
	}
	return out
}

func isNumber(w string) bool {
	for _, r := range w {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// stopWords are French and English function words of three letters or
// more, folded (no accents), plus the words of social-media chatter that
// say nothing about a topic.
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
alors aussi autre autres avant avec avoir bien car cela celle celles celui ces cet cette ceux chez comme comment dans des deja donc dont elle elles encore entre est etaient etait ete etre eux fait faire faut leur leurs lui mais meme memes mes moi moins mon notre nous nos par parce pas peu peut plus pour pourquoi quand que quel quelle quelles quels qui quoi sans ses seulement son sont sous sur tes toi ton tous tout toute toutes tres trop une vos votre vous ici voila cest ont ses aux ceci tant vers via sera seront suis sommes etes avons avez ait etc oui non
about above after again against all also and any are because been before being below between both but can could did does doing down during each few for from further had has have having her here hers herself him himself his how into its itself just let more most myself nor not now off once only other our ours out over own same she should some such than that the their theirs them themselves then there these they this those through too under until very was were what when where which while who whom why will with would you your yours yourself yourselves get got like one just really can't don't it's i'm
rt amp via http https www com
`) {
		m[w] = true
	}
	return m
}()
