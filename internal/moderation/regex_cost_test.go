package moderation

import (
	"errors"
	"strings"
	"testing"

	"github.com/tribune-social/tribune/internal/problem"
)

// A regular expression runs on every item the inbox stores, and on 30 days
// of items when a rule is tried. RE2 matches in time linear in the text,
// but also in the size of the compiled expression: counted repetitions
// that fit in 500 characters, as (?:.?){1000}, compile to thousands of
// instructions and take a tenth of a second on one comment, for every rule
// that has one. Such an expression is refused when the rule is saved, with
// a reason; the expressions moderators write still pass.
func TestCostlyRegexRefused(t *testing.T) {
	t.Parallel()
	for _, p := range []string{`(?:.?){1000}x`, `(?:(?:.?){30}){30}x`, `(?:.{30}){30}x`, strings.Repeat(`(?:.?){1000}`, 41), `\pL{1000}`, `[^ ]{1,1000}`} {
		err := Validate(okRule(func(r *Rule) { r.Conditions = []Condition{{Kind: CondRegex, Pattern: p}} }))
		var pe *problem.Error
		if !errors.As(err, &pe) || len(pe.Details) != 1 || pe.Details[0].Code != "too_complex" || pe.Details[0].Location != "conditions[0].pattern" {
			t.Errorf("%.40s: %v, want one too_complex detail", p, err)
			continue
		}
		if got, want := pe.Details[0].Localized("fr"), "L’expression régulière est trop complexe"; !strings.HasPrefix(got, want) {
			t.Errorf("French %q, want it to start with %q", got, want)
		}
	}
	for _, p := range []string{`\d{3}`, `\b(?:refund|rembours\w*|arnaque|escroc\w*)\b`, `(?:[a-z0-9._%+-]+)@(?:[a-z0-9.-]+)\.(?:[a-z]{2,24})`,
		`https?://\S+`, `[^ ]{1,100}`, `(?:\+33|0)[1-9](?:[ .-]?\d{2}){4}`, strings.Repeat("arnaque|", 55) + "escroc"} {
		if err := Validate(okRule(func(r *Rule) { r.Conditions = []Condition{{Kind: CondRegex, Pattern: p}} })); err != nil {
			t.Errorf("%.40s: %v, want it accepted", p, err)
		}
	}
}
