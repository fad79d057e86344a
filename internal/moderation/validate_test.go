package moderation

import (
	"errors"
	"strings"
	"testing"

	"github.com/tribune-social/tribune/internal/i18n"
	"github.com/tribune-social/tribune/internal/problem"
)

// okRule is a valid rule that a case then breaks.
func okRule(edit func(*Rule)) Rule {
	r := Rule{Name: "Spam", Enabled: true, Conditions: keyword("promo"), Actions: []Action{{Kind: ActHide}}}
	if edit != nil {
		edit(&r)
	}
	return r
}

func TestValidation(t *testing.T) {
	t.Parallel()
	type want struct{ location, code, en, fr string }
	for _, c := range []struct {
		name string
		rule Rule
		want []want
	}{
		{"empty rule", Rule{}, []want{
			{"name", "required", "Give the rule a name.", "Donnez un nom à la règle."},
			{"conditions", "required", "Add at least one condition: a rule without one would act on every item.", "Ajoutez au moins une condition : une règle sans condition agirait sur tous les éléments."},
			{"actions", "required", "Add at least one action.", "Ajoutez au moins une action."},
		}},
		{"blank name", okRule(func(r *Rule) { r.Name = "   " }), []want{{"name", "required", "Give the rule a name.", "Donnez un nom à la règle."}}},
		{"long name", okRule(func(r *Rule) { r.Name = strings.Repeat("é", 101) }), []want{{"name", "too_long", "The name is longer than 100 characters.", "Le nom dépasse 100 caractères."}}},
		{"unknown action", okRule(func(r *Rule) { r.Actions = []Action{{Kind: "ban"}} }), []want{{"actions[0].kind", "unknown_action", "Unknown action “ban”.", "Action inconnue « ban »."}}},
		{"unknown condition", okRule(func(r *Rule) { r.Conditions = []Condition{{Kind: "weather"}} }), []want{{"conditions[0].kind", "unknown_condition", "Unknown condition “weather”.", "Condition inconnue « weather »."}}},
		{"regex too long", okRule(func(r *Rule) { r.Conditions = []Condition{{Kind: CondRegex, Pattern: strings.Repeat("a", 501)}} }),
			[]want{{"conditions[0].pattern", "too_long", "The regular expression is longer than 500 characters.", "L’expression régulière dépasse 500 caractères."}}},
		{"regex unclosed", okRule(func(r *Rule) { r.Conditions = []Condition{{Kind: CondRegex, Pattern: "arnaqu(e|é"}} }),
			[]want{{"conditions[0].pattern", "invalid_regex", "The regular expression is not valid: a parenthesis is not closed (arnaqu(e|é).", "L’expression régulière n’est pas valide : une parenthèse n’est pas fermée (arnaqu(e|é)."}}},
		{"regex look-ahead", okRule(func(r *Rule) { r.Conditions = []Condition{{Kind: CondRegex, Pattern: "promo(?=code)"}} }),
			[]want{{"conditions[0].pattern", "invalid_regex", "The regular expression is not valid: unsupported (?…) group; Go expressions have no look-ahead nor look-behind ((?=).",
				"L’expression régulière n’est pas valide : groupe (?…) non pris en charge ; les expressions de Go n’ont ni assertion avant ni assertion arrière ((?=)."}}},
		{"regex huge repeat", okRule(func(r *Rule) { r.Conditions = []Condition{{Kind: CondRegex, Pattern: "a{2000}"}} }),
			[]want{{"conditions[0].pattern", "invalid_regex", "The regular expression is not valid: a repetition count is too large or inverted ({2000}).", "L’expression régulière n’est pas valide : un nombre de répétitions est trop grand ou inversé ({2000})."}}},
		{"empty regex", okRule(func(r *Rule) { r.Conditions = []Condition{{Kind: CondRegex}} }),
			[]want{{"conditions[0].pattern", "required", "Enter a regular expression.", "Saisissez une expression régulière."}}},
		{"threshold above 1", okRule(func(r *Rule) { r.Conditions = []Condition{{Kind: CondSentimentBelow, Threshold: 1.5}} }),
			[]want{{"conditions[0].threshold", "out_of_range", "The sentiment threshold must be between -1 and 1.", "Le seuil de sentiment doit être compris entre -1 et 1."}}},
		{"threshold below -1", okRule(func(r *Rule) { r.Conditions = []Condition{{Kind: CondSentimentAbove, Threshold: -1.01}} }),
			[]want{{"conditions[0].threshold", "out_of_range", "The sentiment threshold must be between -1 and 1.", "Le seuil de sentiment doit être compris entre -1 et 1."}}},
		{"no keyword", okRule(func(r *Rule) { r.Conditions = []Condition{{Kind: CondKeywords}} }),
			[]want{{"conditions[0].terms", "required", "Add at least one word or phrase.", "Ajoutez au moins un mot ou une expression."}}},
		{"keyword of punctuation", okRule(func(r *Rule) { r.Conditions = []Condition{{Kind: CondKeywords, Terms: []string{"ok", "!!!"}}} }),
			[]want{{"conditions[0].terms[1]", "no_word", "“!!!” has no letter, digit or emoji to look for.", "« !!! » ne contient ni lettre, ni chiffre, ni émoji à rechercher."}}},
		{"short prefix", okRule(func(r *Rule) {
			r.Conditions = []Condition{{Kind: CondKeywords, Terms: []string{"arnaq*", "service a*"}}}
		}),
			[]want{{"conditions[0].terms[1]", "short_prefix", "“service a*”: write at least 3 letters before the *.", "« service a* » : écrivez au moins 3 lettres avant le *."}}},
		{"unknown language", okRule(func(r *Rule) { r.Conditions = []Condition{{Kind: CondLanguage, Values: []string{"fr", "de"}}} }),
			[]want{{"conditions[0].values[1]", "unknown_language", "Unknown language “de”: use fr, en or other.", "Langue inconnue « de » : utilisez fr, en ou other."}}},
		{"unknown network", okRule(func(r *Rule) { r.Conditions = []Condition{{Kind: CondNetwork, Values: []string{"myspace"}}} }),
			[]want{{"conditions[0].values[0]", "unknown_network", "Unknown network “myspace”.", "Réseau inconnu « myspace »."}}},
		{"unknown kind", okRule(func(r *Rule) { r.Conditions = []Condition{{Kind: CondKind, Values: []string{"story"}}} }),
			[]want{{"conditions[0].values[0]", "unknown_kind", "Unknown item type “story”.", "Type d’élément inconnu « story »."}}},
		{"no author", okRule(func(r *Rule) { r.Conditions = []Condition{{Kind: CondAuthor}} }),
			[]want{{"conditions[0].values", "required", "Add at least one author (handle or id).", "Ajoutez au moins un auteur (nom d’utilisateur ou identifiant)."}}},
		{"caps minimum", okRule(func(r *Rule) { r.Conditions = []Condition{{Kind: CondAllCaps, MinLetters: 1}} }),
			[]want{{"conditions[0].min_letters", "out_of_range", "The least number of capital letters must be between 2 and 100.", "Le nombre minimal de majuscules doit être compris entre 2 et 100."}}},
		{"empty group", okRule(func(r *Rule) { r.AnyOf = [][]Condition{{}} }),
			[]want{{"any_of[0]", "required", "A group of alternatives needs at least one condition.", "Un groupe d’alternatives doit contenir au moins une condition."}}},
		{"a problem inside a group", okRule(func(r *Rule) { r.AnyOf = [][]Condition{{{Kind: CondLink}, {Kind: CondRegex, Pattern: "("}}} }),
			[]want{{"any_of[0][1].pattern", "invalid_regex", "The regular expression is not valid: a parenthesis is not closed (().", "L’expression régulière n’est pas valide : une parenthèse n’est pas fermée (()."}}},
		{"empty tag", okRule(func(r *Rule) { r.Actions = []Action{{Kind: ActTag, Tag: " "}} }), []want{{"actions[0].tag", "required", "Enter a tag.", "Saisissez une étiquette."}}},
		{"no member", okRule(func(r *Rule) { r.Actions = []Action{{Kind: ActAssign}} }), []want{{"actions[0].member_id", "required", "Choose a member to assign.", "Choisissez le membre à qui attribuer l’élément."}}},
		{"bad priority", okRule(func(r *Rule) { r.Actions = []Action{{Kind: ActPriority, Priority: "asap"}} }),
			[]want{{"actions[0].priority", "unknown_priority", "Unknown priority “asap”: use low, normal, high or urgent.", "Priorité inconnue « asap » : utilisez low, normal, high ou urgent."}}},
		{"no saved reply", okRule(func(r *Rule) { r.Actions = []Action{{Kind: ActAutoReply}} }), []want{{"actions[0].reply_id", "required", "Choose a saved reply.", "Choisissez une réponse enregistrée."}}},
		{"bad e-mail", okRule(func(r *Rule) {
			r.Actions = []Action{{Kind: ActEmail, Emails: []string{"crise@example.com", "Bob <bob@example.com>", "bob@localhost"}}}
		}), []want{
			{"actions[0].emails[1]", "invalid_email", "“Bob <bob@example.com>” is not an e-mail address.", "« Bob <bob@example.com> » n’est pas une adresse e-mail."},
			{"actions[0].emails[2]", "invalid_email", "“bob@localhost” is not an e-mail address.", "« bob@localhost » n’est pas une adresse e-mail."},
		}},
		{"no webhook", okRule(func(r *Rule) { r.Actions = []Action{{Kind: ActWebhook}} }), []want{{"actions[0].webhook_id", "required", "Choose a webhook endpoint.", "Choisissez un point de terminaison de webhook."}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			err := Validate(c.rule)
			var pe *problem.Error
			if !errors.As(err, &pe) {
				t.Fatalf("Validate = %v, want a problem", err)
			}
			if pe.Status != 422 {
				t.Errorf("status %d", pe.Status)
			}
			if len(pe.Details) != len(c.want) {
				t.Fatalf("%d details %+v, want %d", len(pe.Details), pe.Details, len(c.want))
			}
			for i, w := range c.want {
				d := pe.Details[i]
				if d.Location != w.location || d.Code != w.code {
					t.Errorf("detail %d at %s (%s), want %s (%s)", i, d.Location, d.Code, w.location, w.code)
				}
				if got := d.Localized("en"); got != w.en {
					t.Errorf("English %q, want %q", got, w.en)
				}
				if got := d.Localized("fr"); got != w.fr {
					t.Errorf("French %q, want %q", got, w.fr)
				}
			}
		})
	}
}

func TestValidRulesPass(t *testing.T) {
	t.Parallel()
	for _, r := range []Rule{
		okRule(nil),
		okRule(func(r *Rule) {
			r.Conditions = []Condition{{Kind: CondSentimentBelow, Threshold: -1}, {Kind: CondSentimentAbove, Threshold: 1},
				{Kind: CondLanguage, Values: []string{"FR", "other"}}, {Kind: CondNetwork, Values: []string{"bluesky", "sandbox"}},
				{Kind: CondKind, Values: []string{"review"}}, {Kind: CondAuthor, Values: []string{"@x"}}, {Kind: CondAllCaps},
				{Kind: CondRegex, Pattern: `\d{3}`}, {Kind: CondLink}, {Kind: CondEmail}, {Kind: CondOnlyEmojis}}
			r.Actions = []Action{{Kind: ActDone}, {Kind: ActDelete}, {Kind: ActEmail, Emails: []string{"a.b+c@example.co.uk"}}}
		}),
		okRule(func(r *Rule) { r.Conditions = nil; r.AnyOf = [][]Condition{{{Kind: CondLink}}} }),
	} {
		if err := Validate(r); err != nil {
			t.Errorf("%+v: %v", r, err)
		}
	}
}

// Compile locates a problem in the workspace's list.
func TestCompileLocatesTheRule(t *testing.T) {
	t.Parallel()
	_, err := Compile([]Rule{okRule(nil), okRule(func(r *Rule) { r.Actions = nil })})
	var pe *problem.Error
	if !errors.As(err, &pe) || len(pe.Details) != 1 || pe.Details[0].Location != "rules[1].actions" {
		t.Fatalf("Compile = %v", err)
	}
}

// Every regular-expression explanation has its French: the catalogue test
// cannot see through the map.
func TestRegexpProblemsTranslated(t *testing.T) {
	t.Parallel()
	for code, msg := range regexpProblems {
		if !i18n.Has("fr", msg) {
			t.Errorf("%s: no French for %q", code, msg)
		}
	}
}
