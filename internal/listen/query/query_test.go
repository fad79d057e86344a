package query

import (
	"errors"
	"testing"
)

func TestMatchTable(t *testing.T) {
	type post = Post
	for _, c := range []struct {
		q    string
		p    post
		want bool
	}{
		// Case and accents, French folding.
		{`rentree`, post{Text: "C'est la Rentrée !"}, true},
		{`rentrée`, post{Text: "c'est la rentree"}, true},
		{`RENTRÉE`, post{Text: "Rentrée scolaire"}, true},
		{`coeur`, post{Text: "Le cœur du problème"}, true},
		{`cœur`, post{Text: "mon coeur"}, true},
		{`aegis`, post{Text: "Ægis"}, true},
		{`noel`, post{Text: "Joyeux Noël"}, true},
		{`ca`, post{Text: "ça"}, true},
		// Elision: both apostrophes separate words.
		{`agriculture`, post{Text: "l'agriculture bio"}, true},
		{`agriculture`, post{Text: "l’agriculture bio"}, true},
		{`l'agriculture`, post{Text: "vive l’Agriculture"}, true},
		{`l'agriculture`, post{Text: "agriculture l"}, false},
		// Word boundaries.
		{`prix`, post{Text: "les priximètres"}, false},
		{`prix`, post{Text: "le prix monte"}, true},
		{`cat`, post{Text: "category"}, false},
		{`covid-19`, post{Text: "le COVID 19 revient"}, true},
		// Wildcards.
		{`agri*`, post{Text: "Les agriculteurs manifestent"}, true},
		{`agri*`, post{Text: "l'agroalimentaire"}, false},
		{`agri*`, post{Text: "#Agritech"}, true},
		{`"agri* durable"`, post{Text: "une agriculture durable"}, true},
		// Phrases.
		{`"prix du lait"`, post{Text: "Le prix du lait baisse"}, true},
		{`"prix du lait"`, post{Text: "Le prix, du lait"}, true},
		{`"prix du lait"`, post{Text: "le lait du prix"}, false},
		{`“prix du lait”`, post{Text: "prix du lait"}, true},
		// Proximity, both syntaxes, any order.
		{`"prix hausse"~5`, post{Text: "Les prix sont encore en forte hausse"}, true},
		{`"prix hausse"~2`, post{Text: "Les prix sont encore en forte hausse"}, false},
		{`"prix hausse"~4`, post{Text: "Les prix sont encore en forte hausse"}, true},
		{`"prix hausse"~3`, post{Text: "Les prix sont encore en forte hausse"}, false},
		{`prix NEAR/4 hausse`, post{Text: "Les prix sont encore en forte hausse"}, true},
		{`prix NEAR/3 hausse`, post{Text: "Les prix sont encore en forte hausse"}, false},
		{`hausse NEAR/0 prix`, post{Text: "prix hausse"}, true},
		{`prix NEAR/5 hausse`, post{Text: "hausse des prix"}, true},
		{`prix NEAR/5 prix`, post{Text: "le prix"}, false},
		{`prix NEAR/5 prix`, post{Text: "prix et prix"}, true},
		{`"a b c"~1`, post{Text: "c x a b"}, true},
		{`"a b c"~1`, post{Text: "c x y a b"}, false},
		{`agri* NEAR/2 colère`, post{Text: "colère des agriculteurs"}, true},
		// Boolean operators and precedence (NOT > AND > OR).
		{`lait AND prix`, post{Text: "prix du lait"}, true},
		{`lait prix`, post{Text: "prix du lait"}, true},
		{`lait prix`, post{Text: "prix du beurre"}, false},
		{`lait OR beurre`, post{Text: "prix du beurre"}, true},
		{`lait AND NOT beurre`, post{Text: "lait et beurre"}, false},
		{`lait NOT beurre`, post{Text: "lait seul"}, true},
		{`lait -beurre`, post{Text: "lait et beurre"}, false},
		{`a OR b AND c`, post{Text: "a"}, true},     // a OR (b AND c)
		{`a OR b AND c`, post{Text: "b"}, false},    // a OR (b AND c)
		{`(a OR b) AND c`, post{Text: "a"}, false},  //
		{`(a OR b) AND c`, post{Text: "b c"}, true}, //
		{`NOT a AND b`, post{Text: "b"}, true},      // (NOT a) AND b
		{`NOT a AND b`, post{Text: "a b"}, false},   //
		{`b AND NOT (a OR c)`, post{Text: "b c"}, false},
		{`b AND NOT (a OR c)`, post{Text: "b d"}, true},
		{`and`, post{Text: "salt and pepper"}, true}, // lower case is a word
		// Hashtags and mentions.
		{`#rentree`, post{Text: "Bonne #Rentrée à tous"}, true},
		{`#rentree`, post{Text: "Bonne rentrée à tous"}, false},
		{`rentree`, post{Text: "Bonne #Rentrée"}, true},
		{`#agri*`, post{Text: "#AgriTech"}, true},
		{`@tribune`, post{Text: "merci @Tribune."}, true},
		{`@tribune`, post{Text: "merci tribune"}, false},
		{`tribune`, post{Text: "merci @tribune"}, false},
		{`@bob`, post{Text: "cc @bob@mastodon.social"}, true},
		{`@bob@mastodon.social`, post{Text: "cc @bob@mastodon.social"}, true},
		{`@bob@mastodon.social`, post{Text: "cc @bob@piaille.fr"}, false},
		{`@alice.bsky.social`, post{Text: "hello @alice.bsky.social!"}, true},
		{`#x`, post{Text: "mail a#x"}, false},
		// Filters.
		{`lait lang:fr`, post{Text: "lait", Lang: "fr"}, true},
		{`lait lang:fr`, post{Text: "lait", Lang: "fr-CA"}, true},
		{`lait lang:fr`, post{Text: "lait", Lang: "en"}, false},
		{`lait network:bluesky`, post{Text: "lait", Network: "Bluesky"}, true},
		{`lait network:bluesky`, post{Text: "lait", Network: "mastodon"}, false},
		{`lait author:bob`, post{Text: "lait", Author: "@Bob"}, true},
		{`lait author:bob`, post{Text: "lait", Author: "bob@piaille.fr"}, true},
		{`lait -author:bob`, post{Text: "lait", Author: "bob"}, false},
		{`lait -author:bob`, post{Text: "lait", Author: "carol"}, true},
		{`lait NOT lang:en`, post{Text: "lait", Lang: "fr"}, true},
		{`(lait lang:fr) OR (milk lang:en)`, post{Text: "milk", Lang: "fr"}, false},
		{`(lait lang:fr) OR (milk lang:en)`, post{Text: "milk", Lang: "en"}, true},
	} {
		q, err := Parse(c.q)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.q, err)
			continue
		}
		if got := q.Match(c.p, nil); got != c.want {
			t.Errorf("%q over %+v = %v, want %v", c.q, c.p, got, c.want)
		}
		// The index agrees with the query alone.
		ix := NewIndex(nil)
		ix.Add(7, q)
		got := ix.Match(c.p, &Scratch{}, nil)
		if (len(got) == 1) != c.want {
			t.Errorf("index: %q over %+v = %v, want %v", c.q, c.p, got, c.want)
		}
	}
}

// Our own accounts are left out, unless the query names them.
func TestOwnAccountsExcluded(t *testing.T) {
	own := NewOwn("@Tribune", "tribune@piaille.fr")
	for _, c := range []struct {
		q, author string
		want      bool
	}{
		{`lait`, "tribune", false},
		{`lait`, "tribune@piaille.fr", false},
		{`lait`, "carol", true},
		{`lait author:tribune`, "tribune", true},
		{`(lait author:tribune) OR beurre`, "tribune", true},
		{`lait NOT author:tribune`, "tribune", false},
	} {
		q, err := Parse(c.q)
		if err != nil {
			t.Fatal(err)
		}
		p := Post{Text: "du lait", Author: c.author}
		if got := q.Match(p, own); got != c.want {
			t.Errorf("%q by %s = %v, want %v", c.q, c.author, got, c.want)
		}
		ix := NewIndex(own)
		ix.Add(1, q)
		if got := len(ix.Match(p, &Scratch{}, nil)) == 1; got != c.want {
			t.Errorf("index: %q by %s = %v, want %v", c.q, c.author, got, c.want)
		}
	}
}

func TestSyntaxErrors(t *testing.T) {
	for _, c := range []struct {
		q      string
		column int
		en, fr string
	}{
		{`(lait OR beurre`, 16, "column 16: expected a closing parenthesis", "colonne 16 : on attendait une parenthèse fermante"},
		{`lait AND (prix OR`, 18, "column 18: expected a word, a phrase, a hashtag, a mention, a filter or an opening parenthesis", "colonne 18 : on attendait un mot, une expression, un hashtag, une mention, un filtre ou une parenthèse ouvrante"},
		{`"prix du lait`, 14, "column 14: expected a closing quotation mark", "colonne 14 : on attendait un guillemet fermant"},
		{`lait)`, 5, "column 5: expected an operator or the end of the query", "colonne 5 : on attendait un opérateur ou la fin de la requête"},
		{`"prix hausse"~x`, 15, `column 15: expected a number of words after ~, as in "price rise"~5`, `colonne 15 : on attendait un nombre de mots après ~, comme dans "prix hausse"~5`},
		{`prix NEAR/x hausse`, 11, "column 11: expected a number of words after NEAR/, as in NEAR/5", "colonne 11 : on attendait un nombre de mots après NEAR/, comme dans NEAR/5"},
		{`prix NEAR/5 (a OR b)`, 13, "column 13: expected a single word on each side of NEAR", "colonne 13 : on attendait un seul mot de chaque côté de NEAR"},
		{`prix NEAR/99999 hausse`, 11, "column 11: expected a number of words after NEAR/, as in NEAR/5", ""},
		{`a*`, 2, "column 2: expected at least two letters before *", "colonne 2 : on attendait au moins deux lettres avant *"},
		{`ag*ri`, 3, "column 3: expected * only at the end of a word", "colonne 3 : on attendait * seulement à la fin d’un mot"},
		{`lait lnag:fr`, 6, "column 6: expected a filter lang:, network:, author: or -author:", "colonne 6 : on attendait un filtre lang:, network:, author: ou -author:"},
		{`lait lang:`, 11, "column 11: expected a value after the filter, as in lang:fr", "colonne 11 : on attendait une valeur après le filtre, comme dans lang:fr"},
		{`NOT lait`, 1, "column 1: expected a word, phrase, hashtag or mention that the posts must contain, not only NOT and filters", "colonne 1 : on attendait un mot, une expression, un hashtag ou une mention que les publications doivent contenir, pas seulement NOT et des filtres"},
		{`lang:fr`, 1, "", ""},
		{`lait OR NOT beurre`, 1, "", ""},
		{`lait ""`, 7, "column 7: expected words between the quotation marks", "colonne 7 : on attendait des mots entre les guillemets"},
		{`lait !!!`, 6, "column 6: expected a word", "colonne 6 : on attendait un mot"},
		{``, 1, "", ""},
		{`AND lait`, 1, "", ""},
		{`rentrée (élèves OR profs`, 25, "column 25: expected a closing parenthesis", ""},
	} {
		_, err := Parse(c.q)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q) = %v, want a SyntaxError", c.q, err)
			continue
		}
		if se.Column != c.column || se.Offset != c.column-1 {
			t.Errorf("Parse(%q): column %d offset %d, want column %d", c.q, se.Column, se.Offset, c.column)
		}
		if c.en != "" && se.Error() != c.en {
			t.Errorf("Parse(%q) = %q, want %q", c.q, se.Error(), c.en)
		}
		if c.fr != "" && se.Message("fr") != c.fr {
			t.Errorf("Parse(%q) in French = %q, want %q", c.q, se.Message("fr"), c.fr)
		}
	}
}

func TestStringRoundTrips(t *testing.T) {
	for _, c := range []struct{ q, want string }{
		{`lait prix OR beurre`, `lait AND prix OR beurre`},
		{`(a OR b) c`, `(a OR b) AND c`},
		{`a -author:Bob`, `a AND NOT author:bob`},
		{`"Prix Hausse"~5`, `prix NEAR/5 hausse`},
		{`"a b c"~2 #Rentrée @Bob`, `"a b c"~2 AND #rentree AND @bob`},
		{`NOT (a OR b) c`, `NOT (a OR b) AND c`},
		{`l'agri*`, `"l agri*"`},
	} {
		q, err := Parse(c.q)
		if err != nil {
			t.Fatalf("Parse(%q): %v", c.q, err)
		}
		if q.String() != c.want {
			t.Errorf("Parse(%q).String() = %q, want %q", c.q, q.String(), c.want)
		}
		q2, err := Parse(q.String())
		if err != nil || q2.String() != q.String() {
			t.Errorf("round trip of %q: %v %v", q.String(), q2, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{`lait AND (prix OR "du beurre"~3) NOT #x @y lang:fr -author:z`, `agri* NEAR/2 colère`, `(((`, `"`, `a*b`, `NEAR/`, `«a b»`, `l'é*`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Parse(s)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Column < 1 || se.Offset > len([]rune(s)) {
				t.Fatalf("Parse(%q): %v", s, err)
			}
			return
		}
		q2, err := Parse(q.String())
		if err != nil {
			t.Fatalf("Parse(%q).String() = %q does not parse: %v", s, q.String(), err)
		}
		if q2.String() != q.String() {
			t.Fatalf("round trip of %q: %q then %q", s, q.String(), q2.String())
		}
		q.Match(Post{Text: s}, nil)
	})
}

// A post without a language gets one from the detector before lang:
// filters look at it; a post with one keeps it.
func TestIndexDetectsLanguage(t *testing.T) {
	q, err := Parse(`lait lang:fr`)
	if err != nil {
		t.Fatal(err)
	}
	ix := NewIndex(nil)
	ix.Add(1, q)
	var s Scratch
	if got := ix.Match(Post{Text: "le lait"}, &s, nil); len(got) != 0 {
		t.Fatalf("no detector, no language: matched %v", got)
	}
	ix.UseDetect(func(text string) string { return "fr" })
	if got := ix.Match(Post{Text: "le lait"}, &s, nil); len(got) != 1 {
		t.Fatalf("detected French: matched %v", got)
	}
	if got := ix.Match(Post{Text: "le lait", Lang: "en"}, &s, nil); len(got) != 0 {
		t.Fatalf("the post's own language was overridden: matched %v", got)
	}
}
