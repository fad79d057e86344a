// Package corpus generates, deterministically from a seed, a stream of
// social posts in French and English about brands, their products and
// their competitors — and mostly about everything else — with the 10,000
// listening queries that watch them. The matcher benchmark replays it;
// `go run ./internal/listen/corpus/gen` writes it as JSON lines for
// `tribune match` and for inspection. Nothing is copied from real posts:
// brand names are made of syllables, texts of templates and word lists.
package corpus

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/tribune-social/tribune/internal/listen/query"
)

// Generator holds the invented world: brands and products.
type Generator struct {
	r      *rand.Rand
	brands []string
	prods  []string
}

// New makes the world of seed: nBrands brand names, each with a product.
func New(seed uint64, nBrands int) *Generator {
	g := &Generator{r: rand.New(rand.NewPCG(seed, 0x15))}
	syl := []string{"ba", "ro", "ti", "lu", "ka", "mé", "zo", "vi", "nor", "tal", "bri", "sen", "qua", "dor", "fé", "lin", "mar", "pol", "ru", "xe", "ga", "ché", "plo", "tra"}
	seen := map[string]bool{}
	for len(g.brands) < nBrands {
		n := 2 + g.r.IntN(3)
		var b strings.Builder
		for range n {
			b.WriteString(syl[g.r.IntN(len(syl))])
		}
		name := b.String()
		if seen[name] {
			continue
		}
		seen[name] = true
		g.brands = append(g.brands, name)
		g.prods = append(g.prods, name+[]string{"phone", "box", "lait", "café", "bike", "go", "max", "pro"}[g.r.IntN(8)])
	}
	return g
}

var (
	frSubjects = []string{"le prix", "la livraison", "le service client", "la qualité", "l'application", "la nouvelle gamme", "l'emballage", "le goût", "la batterie", "l’abonnement"}
	frVerbs    = []string{"est vraiment", "devient", "reste", "semble", "n'est plus", "est encore"}
	frAdjs     = []string{"excellent", "décevant", "trop cher", "en hausse", "génial", "catastrophique", "correct", "scandaleux", "parfait", "lent"}
	frOther    = []string{"Quelle journée, la rentrée arrive vite", "Il pleut encore sur Paris ce matin", "Qui regarde le match ce soir ?", "Les agriculteurs manifestent devant la préfecture", "Recette du jour : tarte aux pommes et crème fraîche", "Bon courage à tous pour les examens", "Le train a encore du retard, évidemment", "Belle exposition au musée hier, je recommande", "Les prix de l'énergie sont en forte hausse cet hiver", "Vive les vacances d'été à la mer"}
	enSubjects = []string{"the price", "the delivery", "customer service", "the quality", "the app", "the new range", "the packaging", "the taste", "the battery", "the subscription"}
	enVerbs    = []string{"is really", "became", "is still", "seems", "is no longer", "is so"}
	enAdjs     = []string{"excellent", "disappointing", "too expensive", "rising", "great", "terrible", "fine", "outrageous", "perfect", "slow"}
	enOther    = []string{"What a day, back to school already", "Raining again in London this morning", "Who is watching the game tonight?", "Farmers are protesting outside parliament", "Recipe of the day: apple pie and cream", "Good luck to everyone sitting exams", "The train is late again, of course", "Lovely exhibition at the museum yesterday", "Energy prices are rising fast this winter", "Summer holidays at the seaside at last"}
	tags       = []string{"rentrée", "agriculture", "energie", "vacances", "football", "tech", "food", "crise", "bonplan", "news"}
	people     = []string{"marie", "paul.bsky.social", "jules@piaille.fr", "anna", "tom@mastodon.social", "lea.bsky.social", "sam", "nico@framapiaf.org"}
	networks   = []string{"bluesky", "mastodon", "x", "reddit", "rss"}
)

// Post is the next post of the stream: one in five names a brand or its
// product; the others are everyday talk, as most of a firehose is.
func (g *Generator) Post() query.Post {
	r := g.r
	fr := r.IntN(2) == 0
	var b strings.Builder
	if r.IntN(5) == 0 {
		i := r.IntN(len(g.brands))
		name := g.brands[i]
		if r.IntN(3) == 0 {
			name = g.prods[i]
		}
		if r.IntN(2) == 0 {
			name = strings.ToUpper(name[:1]) + name[1:]
		}
		if fr {
			fmt.Fprintf(&b, "%s chez %s %s %s", frSubjects[r.IntN(len(frSubjects))], name, frVerbs[r.IntN(len(frVerbs))], frAdjs[r.IntN(len(frAdjs))])
		} else {
			fmt.Fprintf(&b, "%s at %s %s %s", enSubjects[r.IntN(len(enSubjects))], name, enVerbs[r.IntN(len(enVerbs))], enAdjs[r.IntN(len(enAdjs))])
		}
		if r.IntN(3) == 0 {
			fmt.Fprintf(&b, " @%s", g.brands[i])
		}
	} else {
		// Everyday talk: one to three sentences, as long as a typical
		// short post (15 to 30 words).
		other := enOther
		if fr {
			other = frOther
		}
		for j := range 1 + r.IntN(3) {
			if j > 0 {
				b.WriteString(". ")
			}
			b.WriteString(other[r.IntN(len(other))])
		}
	}
	if r.IntN(4) == 0 {
		fmt.Fprintf(&b, " #%s", tags[r.IntN(len(tags))])
	}
	if r.IntN(6) == 0 {
		fmt.Fprintf(&b, " cc @%s", people[r.IntN(len(people))])
	}
	return query.Post{Text: b.String(), Network: networks[r.IntN(len(networks))], Author: people[r.IntN(len(people))]}
}

// Queries returns n queries as customers write them: a brand or its
// product with OR, phrases, exclusions, proximity, hashtags, mentions,
// wildcards and filters, over the generator's brands in turn.
func (g *Generator) Queries(n int) []string {
	r := g.r
	out := make([]string, 0, n)
	for i := 0; len(out) < n; i++ {
		k := i % len(g.brands)
		b, p := g.brands[k], g.prods[k]
		var q string
		switch r.IntN(8) {
		case 0:
			q = fmt.Sprintf(`%s OR %s OR @%s`, b, p, b)
		case 1:
			q = fmt.Sprintf(`(%s OR "%s") AND NOT (promo OR concours) -author:%s`, b, p, b)
		case 2:
			q = fmt.Sprintf(`%s NEAR/4 prix`, b)
		case 3:
			q = fmt.Sprintf(`"%s cher"~3 OR "%s expensive"~3`, b, b)
		case 4:
			q = fmt.Sprintf(`%s lang:fr`, p)
		case 5:
			q = fmt.Sprintf(`%s* (scandaleux OR catastrophique OR terrible OR outrageous)`, b)
		case 6:
			q = fmt.Sprintf(`(%s OR %s) network:bluesky`, b, p)
		default:
			q = fmt.Sprintf(`%s %s`, b, []string{"livraison", "delivery", "#crise", "service"}[r.IntN(4)])
		}
		out = append(out, q)
	}
	return out
}
