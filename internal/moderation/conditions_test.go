package moderation

import (
	"fmt"
	"testing"

	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/sentiment"
)

// item builds an Input with sensible defaults; opts override them.
type itemOpts struct {
	text, network, lang, handle, id, itemLang string
	kind                                      network.ItemKind
	score                                     float64
	label                                     sentiment.Label
}

func input(o itemOpts) Input {
	in := Input{
		Item: network.Item{ExternalID: "x1", Kind: network.KindComment, Text: o.text, Lang: o.itemLang,
			Author: network.Author{ExternalID: "109", Handle: "alice@example.social", DisplayName: "Alice"}},
		Network:   "mastodon",
		Sentiment: sentiment.Result{Label: sentiment.Neutral, Lang: sentiment.French},
	}
	if o.kind != "" {
		in.Item.Kind = o.kind
	}
	if o.network != "" {
		in.Network = o.network
	}
	if o.label != "" {
		in.Sentiment.Label, in.Sentiment.Score = o.label, o.score
	}
	if o.lang != "" {
		in.Sentiment.Lang = o.lang
	}
	if o.handle != "" {
		in.Item.Author.Handle = o.handle
	}
	if o.id != "" {
		in.Item.Author.ExternalID = o.id
	}
	return in
}

// matches compiles a one-condition rule and reports whether it fires.
func matches(t *testing.T, c Condition, in Input) bool {
	t.Helper()
	e, err := Compile([]Rule{{Name: "r", Enabled: true, Conditions: []Condition{c}, Actions: []Action{{Kind: ActTag, Tag: "t"}}}})
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return len(e.Evaluate(in)) == 1
}

func TestKeywords(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		terms []string
		text  string
		want  bool
	}{
		// Case and accents, both ways.
		{[]string{"arnaque"}, "Quelle ARNAQUE !", true},
		{[]string{"arnaqué"}, "je me suis fait arnaque", true},
		{[]string{"arnaque"}, "Je me suis fait ARNAQUÉ", true}, // accents ignored: arnaqué reads as arnaque
		{[]string{"déçu"}, "Tres DECU par le service", true},
		{[]string{"decu"}, "Très déçu", true},
		{[]string{"Noël"}, "joyeux noel", true},
		{[]string{"cœur"}, "avec tout mon coeur", true},
		{[]string{"coeur"}, "de tout mon CŒUR", true},
		{[]string{"café"}, "un cafe\u0301 froid", true}, // é written e + combining accent
		{[]string{"straße"}, "STRASSE", true},
		// Whole words only.
		{[]string{"nul"}, "c'est nul", true},
		{[]string{"nul"}, "annuler ma commande", false},
		{[]string{"nul"}, "nulle part", false},
		{[]string{"scam"}, "what a SCAM!", true},
		{[]string{"scam"}, "scammer alert", false},
		{[]string{"ass"}, "a class act, assistance", false},
		{[]string{"42"}, "commande 42 perdue", true},
		{[]string{"42"}, "commande 420", false},
		// French elisions: the apostrophe after l', d', qu'… splits.
		{[]string{"arnaque"}, "C'est de l'arnaque", true},
		{[]string{"arnaque"}, "c’est de l’ARNAQUE", true},
		{[]string{"escroc"}, "Quelle bande d'escrocs", false},
		{[]string{"escrocs"}, "Quelle bande d’escrocs", true},
		{[]string{"il"}, "qu'il parte", true},
		{[]string{"ici"}, "jusqu'ici tout va bien", true},
		{[]string{"l'arnaque"}, "c'est de l’arnaque", true},
		{[]string{"l'arnaque"}, "c'est de l arnaque", true},
		// Elsewhere the apostrophe stays inside the word.
		{[]string{"don"}, "I don't care", false},
		{[]string{"don't"}, "I DON’T care", true},
		{[]string{"hui"}, "aujourd'hui", false},
		{[]string{"aujourd'hui"}, "Aujourd’hui encore", true},
		{[]string{"customers"}, "the customers' rights", true},
		// Phrases: consecutive words, whatever separates them.
		{[]string{"service client"}, "Le SERVICE-CLIENT ne répond pas", true},
		{[]string{"service client"}, "le service, client", true},
		{[]string{"service client"}, "le client du service", false},
		{[]string{"service client"}, "service", false},
		{[]string{"money back"}, "I want my money back!!", true},
		{[]string{"money back"}, "money backing", false},
		// Hashtags and mentions hold words.
		{[]string{"boycott"}, "#Boycott @marque", true},
		// Emojis are words of their own, skin tone or not.
		{[]string{"💩"}, "service 💩💩", true},
		{[]string{"👎"}, "nope👎🏽", true},
		{[]string{"👎"}, "nope 👍", false},
		// A final * is the start of a word, in a phrase too.
		{[]string{"arnaq*"}, "Des ARNAQUEURS !", true},
		{[]string{"arnaq*"}, "c'est de l'arnaque", true},
		{[]string{"arnaq*"}, "une anarchie", false},
		{[]string{"rembours*"}, "Remboursez-moi", true},
		{[]string{"service client*"}, "le service clientèle dort", true},
		{[]string{"service client*"}, "le service après-vente", false},
		{[]string{"client*"}, "mon client", true},
		// Several terms: any one.
		{[]string{"remboursement", "refund"}, "I want a REFUND", true},
		{[]string{"remboursement", "refund"}, "merci !", false},
		{[]string{"arnaque"}, "", false},
	} {
		t.Run(fmt.Sprintf("%q in %q", c.terms, c.text), func(t *testing.T) {
			t.Parallel()
			if got := matches(t, Condition{Kind: CondKeywords, Terms: c.terms}, input(itemOpts{text: c.text})); got != c.want {
				t.Errorf("got %v, want %v (words %q)", got, c.want, words(c.text))
			}
		})
	}
}

func TestRegex(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		pattern, text string
		want          bool
	}{
		{`\b0[67](\s?\d{2}){4}\b`, "appelez-moi au 06 12 34 56 78", true},
		{`\b0[67](\s?\d{2}){4}\b`, "commande 0612", false},
		{`arnaqu(e|é|er|eurs?)`, "Des ARNAQUEURS", true}, // case-insensitive by default
		{`(?-i)ARNAQUE`, "arnaque", false},
		{`(?-i)ARNAQUE`, "ARNAQUE", true},
		{`^\s*$`, "   ", true},
		{`promo\d+`, "code PROMO2024", true},
		{`😡{3,}`, "😡😡😡", true},
		{`😡{3,}`, "😡😡", false},
	} {
		t.Run(c.pattern+" "+c.text, func(t *testing.T) {
			t.Parallel()
			if got := matches(t, Condition{Kind: CondRegex, Pattern: c.pattern}, input(itemOpts{text: c.text})); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestSentiment(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		kind      ConditionKind
		threshold float64
		label     sentiment.Label
		score     float64
		want      bool
	}{
		{CondSentimentBelow, -0.5, sentiment.Negative, -0.8, true},
		{CondSentimentBelow, -0.5, sentiment.Negative, -0.5, false}, // strictly below
		{CondSentimentBelow, -0.5, sentiment.Negative, -0.3, false},
		{CondSentimentBelow, 0, sentiment.Neutral, 0, false},
		{CondSentimentBelow, 1, sentiment.Positive, 0.99, true},
		{CondSentimentAbove, 0.6, sentiment.Positive, 0.9, true},
		{CondSentimentAbove, 0.6, sentiment.Positive, 0.6, false},
		{CondSentimentAbove, -1, sentiment.Negative, -0.99, true},
	} {
		t.Run(fmt.Sprintf("%s %v score %v", c.kind, c.threshold, c.score), func(t *testing.T) {
			t.Parallel()
			if got := matches(t, Condition{Kind: c.kind, Threshold: c.threshold}, input(itemOpts{text: "x", label: c.label, score: c.score})); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
	t.Run("not analysed", func(t *testing.T) {
		in := input(itemOpts{text: "x"})
		in.Sentiment = sentiment.Result{}
		for _, k := range []ConditionKind{CondSentimentBelow, CondSentimentAbove} {
			if matches(t, Condition{Kind: k, Threshold: 0.5}, in) || matches(t, Condition{Kind: k, Threshold: -0.5}, in) {
				t.Errorf("%s matched an item without sentiment", k)
			}
		}
	})
}

func TestLanguageNetworkKindAuthor(t *testing.T) {
	t.Parallel()
	noDetection := func(itemLang string) Input {
		in := input(itemOpts{text: "x", itemLang: itemLang})
		in.Sentiment.Lang = ""
		return in
	}
	for _, c := range []struct {
		name string
		cond Condition
		in   Input
		want bool
	}{
		{"detected French", Condition{Kind: CondLanguage, Values: []string{"fr"}}, input(itemOpts{lang: "fr"}), true},
		{"detected English, asked French", Condition{Kind: CondLanguage, Values: []string{"fr"}}, input(itemOpts{lang: "en"}), false},
		{"other", Condition{Kind: CondLanguage, Values: []string{"other"}}, input(itemOpts{lang: "other"}), true},
		{"not French nor English", Condition{Kind: CondLanguage, Not: true, Values: []string{"fr", "en"}}, input(itemOpts{lang: "other"}), true},
		{"not French nor English, French", Condition{Kind: CondLanguage, Not: true, Values: []string{"fr", "en"}}, input(itemOpts{lang: "fr"}), false},
		{"detection wins over the declared", Condition{Kind: CondLanguage, Values: []string{"en"}}, func() Input { i := input(itemOpts{lang: "fr", itemLang: "en"}); return i }(), false},
		{"declared fr-CA when undetected", Condition{Kind: CondLanguage, Values: []string{"fr"}}, noDetection("fr-CA"), true},
		{"declared de when undetected", Condition{Kind: CondLanguage, Values: []string{"other"}}, noDetection("de"), true},
		{"no language at all", Condition{Kind: CondLanguage, Values: []string{"other"}}, noDetection(""), false},
		{"network", Condition{Kind: CondNetwork, Values: []string{"bluesky", "mastodon"}}, input(itemOpts{network: "mastodon"}), true},
		{"other network", Condition{Kind: CondNetwork, Values: []string{"bluesky"}}, input(itemOpts{network: "mastodon"}), false},
		{"kind", Condition{Kind: CondKind, Values: []string{"message"}}, input(itemOpts{kind: network.KindMessage}), true},
		{"other kind", Condition{Kind: CondKind, Values: []string{"message"}}, input(itemOpts{kind: network.KindComment}), false},
		{"author handle", Condition{Kind: CondAuthor, Values: []string{"@Troll@Example.Social"}}, input(itemOpts{handle: "troll@example.social"}), true},
		{"author handle without @", Condition{Kind: CondAuthor, Values: []string{"troll.bsky.social"}}, input(itemOpts{handle: "troll.bsky.social"}), true},
		{"author id", Condition{Kind: CondAuthor, Values: []string{"did:plc:abc123"}}, input(itemOpts{id: "did:plc:abc123"}), true},
		{"another author", Condition{Kind: CondAuthor, Values: []string{"troll.bsky.social", "did:plc:zzz"}}, input(itemOpts{handle: "alice.bsky.social", id: "did:plc:abc"}), false},
		{"a handle is not a prefix", Condition{Kind: CondAuthor, Values: []string{"troll"}}, input(itemOpts{handle: "trollface"}), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := matches(t, c.cond, c.in); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestLinkAndEmail(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		text        string
		link, email bool
	}{
		{"voir https://exemple.fr/promo", true, false},
		{"gagnez sur promo-gratuite.com !", true, false},
		{"écrivez à alice@example.com", false, true},
		{"contact: a.b+tag@sub.example.co.uk.", false, true},
		{"merci @alice@mastodon.social", false, false}, // a fediverse handle, no e-mail
		{"merci @bob.bsky.social", false, false},
		{"alice@localhost", false, false},
		{"version 1.2.3, fichier notes.txt", false, false},
		{"prix: 20€@boutique", false, false},
		{"l'adresse support@tribune.blog et https://tribune.blog", true, true},
		{"a@b.c", false, false}, // one-letter TLD
		{"", false, false},
	} {
		t.Run(c.text, func(t *testing.T) {
			t.Parallel()
			in := input(itemOpts{text: c.text})
			if got := matches(t, Condition{Kind: CondLink}, in); got != c.link {
				t.Errorf("has_link %v, want %v", got, c.link)
			}
			if got := matches(t, Condition{Kind: CondEmail}, in); got != c.email {
				t.Errorf("has_email %v, want %v", got, c.email)
			}
		})
	}
}

func TestAllCaps(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		text string
		min  int
		want bool
	}{
		{"ARNAQUE", 0, true},
		{"C'EST UNE ARNAQUE !!!", 0, true},
		{"ÇA SUFFIT, REMBOURSEZ-MOI", 0, true},
		{"OK", 0, false},   // too few letters to shout
		{"LOL", 0, false},  // idem
		{"STOP", 0, false}, // 4 < 5
		{"STOP", 4, true},
		{"SNCF 😡", 0, false},
		{"ARNAQUE totale", 0, false},
		{"Arnaque", 0, false},
		{"arnaque", 0, false},
		{"1234 !!! 5678", 0, false},                       // no letter at all
		{"@alice REMBOURSEZ MOI", 0, true},                // a handle is written as registered
		{"#fail VOUS ÊTES NULS", 0, true},                 // so is a hashtag
		{"VOUS ÊTES NULS https://example.com/x", 0, true}, // and a link
		{"VOUS ÊTES NULS example.com", 0, true},
		{"日本語 OK", 0, false}, // letters without case do not count
		{"ÉNORME 日本語", 0, true},
		{"", 0, false},
	} {
		t.Run(c.text, func(t *testing.T) {
			t.Parallel()
			if got := matches(t, Condition{Kind: CondAllCaps, MinLetters: c.min}, input(itemOpts{text: c.text})); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestOnlyEmojis(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		text string
		want bool
	}{
		{"😡", true},
		{"😡😡😡", true},
		{" 👍🏽 👍 ", true}, // skin tone, spaces
		{"❤", true},      // a heart typed without variation selector
		{"❤️", true},     // and with
		{"👨‍👩‍👧", true},  // a ZWJ family
		{"🇫🇷🇫🇷", true},   // flags
		{"1️⃣", true},    // keycap
		{"😡 !!!", false},
		{"bravo 👏", false},
		{"123", false},
		{"", false},
		{"   ", false},
		{":)", false},
	} {
		t.Run(c.text, func(t *testing.T) {
			t.Parallel()
			if got := matches(t, Condition{Kind: CondOnlyEmojis}, input(itemOpts{text: c.text})); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestAnyOfGroups(t *testing.T) {
	t.Parallel()
	// A negative English item that contains a link OR an e-mail address.
	r := Rule{Name: "spam", Enabled: true,
		Conditions: []Condition{{Kind: CondLanguage, Values: []string{"en"}}},
		AnyOf:      [][]Condition{{{Kind: CondLink}, {Kind: CondEmail}}},
		Actions:    []Action{{Kind: ActHide}}}
	e, err := Compile([]Rule{r})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		in   Input
		want bool
	}{
		{input(itemOpts{lang: "en", text: "buy at cheap.example.com"}), true},
		{input(itemOpts{lang: "en", text: "mail me bob@example.com"}), true},
		{input(itemOpts{lang: "en", text: "nice post"}), false},
		{input(itemOpts{lang: "fr", text: "achetez sur cheap.example.com"}), false},
	} {
		if got := len(e.Evaluate(c.in)) == 1; got != c.want {
			t.Errorf("%q (%s): got %v, want %v", c.in.Item.Text, c.in.Sentiment.Lang, got, c.want)
		}
	}
}
