package moderation_test

import (
	"testing"

	"github.com/tribune-social/tribune/internal/moderation"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/sentiment"
	"github.com/tribune-social/tribune/internal/text/links"
)

// Toxicity: strong terms alone, mild ones only with a strongly negative
// sentiment; whole words, accents, leetspeak and held-down letters; and the
// clean lookalikes that must stay clean. Our own examples.
func TestToxic(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		text  string
		score float64
		want  bool
	}{
		{"Espèce de connard, rendez-moi mon argent", -0.2, true},
		{"CONNNNARD", 0, true},
		{"c0nn4rd va", 0, true},
		{"quelle $alope cette boîte", 0, true},
		{"bande d'enculés", 0, true},
		{"Je sais où tu habites.", 0, true},
		{"je sais ou tu habites", 0, true},
		{"I know where you live, watch out", 0, true},
		{"fuck off with your ads", 0.3, true},
		{"You're dead to me lol", 0, true},
		{"t'es nul, sale idiot", -0.8, true},
		{"you are a stupid moron", -0.7, true},
		{"1d10t", -0.9, true},
		// mild without a strongly negative sentiment: a complaint, not abuse
		{"c'est nul de ne pas pouvoir payer par carte", -0.3, false},
		{"That was a stupid question of mine, sorry", 0.1, false},
		// clean lookalikes: words that contain a term, places, numbers
		{"Concours : gagnez un week-end à Scunthorpe", 0, false},
		{"Livraison en retard de 3 jours", -0.6, false},
		{"Le député a voté la loi", 0, false},
		{"Commande 1337 bien reçue, merci !", 0.6, false},
		{"Bravo pour le nouveau magasin 🎉", 0.9, false},
		{"", 0, false},
	} {
		if got := moderation.Toxic(tc.text, tc.score, true); got != tc.want {
			t.Errorf("Toxic(%q, %v) = %v, want %v", tc.text, tc.score, got, tc.want)
		}
	}
	if moderation.Toxic("sale idiot", -0.9, false) {
		t.Errorf("a mild term counts with a sentiment that was never analysed")
	}
}

// Spam: each reason on our own examples, and ordinary comments that are
// not spam.
func TestSpam(t *testing.T) {
	t.Parallel()
	same := "Super offre sur ma page, venez voir"
	for _, tc := range []struct {
		name, text string
		recent     []string
		want       moderation.SpamReason
	}{
		{"crypto giveaway", "🚀 Crypto GIVEAWAY today only!", nil, moderation.SpamPattern},
		{"double your bitcoin", "Double your Bitcoin in 24h", nil, moderation.SpamPattern},
		{"argent facile", "De l'argent facile depuis chez vous", nil, moderation.SpamPattern},
		{"lien dans ma bio", "Clique sur le lien dans ma bio 😍", nil, moderation.SpamPattern},
		{"wallet", "send to 0x52908400098527886E0F7030069857D2E4169EE7 now", nil, moderation.SpamPattern},
		{"telegram", "écris-moi sur t.me/superdeal", nil, moderation.SpamPattern},
		{"same link twice", "https://promo-top.com/x et encore https://promo-top.com/x", nil, moderation.SpamRepeatedLink},
		{"three links", "a-shop.com/1 b-shop.fr/2 c-shop.net/3", nil, moderation.SpamRepeatedLink},
		{"many mentions", "@a @b @c @d @e regardez ça", nil, moderation.SpamManyMentions},
		{"repeated text", same, []string{"autre chose", "super offre sur ma page, venez voir !", "SUPER OFFRE SUR MA PAGE VENEZ VOIR"}, moderation.SpamRepeatedText},
		// not spam
		{"repeated once only", same, []string{same}, moderation.SpamNone},
		{"short text repeated", "merci !", []string{"merci !", "Merci", "merci"}, moderation.SpamNone},
		{"one link", "Le lien ne marche pas : https://boutique.fr/commande", nil, moderation.SpamNone},
		{"two mentions", "@service @support ma commande ?", nil, moderation.SpamNone},
		{"an e-mail is not a mention", "écrivez à a@b.fr, c@d.fr, e@f.fr, g@h.fr, i@j.fr", nil, moderation.SpamNone},
		{"a question", "Quand ouvre le magasin de Lyon ?", nil, moderation.SpamNone},
	} {
		found := links.Find(tc.text, links.Default)
		if got := moderation.Spam(tc.text, found, tc.recent); got != tc.want {
			t.Errorf("%s: Spam(%q) = %q, want %q", tc.name, tc.text, got, tc.want)
		}
	}
}

// The conditions in a rule: the engine evaluates them, Validate takes
// them, and the engine says when it needs the author's recent texts.
func TestToxicAndSpamConditions(t *testing.T) {
	t.Parallel()
	rules := []moderation.Rule{
		{ID: 1, Name: "toxique", Enabled: true, Conditions: []moderation.Condition{{Kind: moderation.CondToxic}}, Actions: []moderation.Action{{Kind: moderation.ActHide}}},
		{ID: 2, Name: "spam", Enabled: true, Conditions: []moderation.Condition{{Kind: moderation.CondSpam}}, Actions: []moderation.Action{{Kind: moderation.ActTag, Tag: "spam"}}},
	}
	if err := moderation.Validate(rules[0]); err != nil {
		t.Fatal(err)
	}
	e, err := moderation.Compile(rules)
	if err != nil {
		t.Fatal(err)
	}
	if !e.NeedsAuthorRecent() {
		t.Errorf("an engine with a spam rule does not ask for the author's recent texts")
	}
	noSpam, _ := moderation.Compile(rules[:1])
	if noSpam.NeedsAuthorRecent() {
		t.Errorf("an engine without a spam rule asks for the author's recent texts")
	}
	eval := func(text string, recent []string) []int64 {
		var ids []int64
		for _, d := range e.Evaluate(moderation.Input{Item: network.Item{Text: text}, AuthorRecent: recent,
			Sentiment: sentiment.Result{Label: sentiment.Negative, Score: -0.9, Lang: "fr"}}) {
			ids = append(ids, d.RuleID)
		}
		return ids
	}
	for _, tc := range []struct {
		text   string
		recent []string
		want   []int64
	}{
		{"connard", nil, []int64{1}},
		{"free crypto for you", nil, []int64{2}},
		{"Free crypto, connard", nil, []int64{1, 2}},
		{"On attend toujours notre colis", nil, nil},
		{"venez tous sur ma page", []string{"venez tous sur ma page", "venez tous sur ma page"}, []int64{2}},
	} {
		if got := eval(tc.text, tc.recent); !equalIDs(got, tc.want) {
			t.Errorf("%q: rules %v, want %v", tc.text, got, tc.want)
		}
	}
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
