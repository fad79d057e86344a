package contacts

import (
	"fmt"
	"slices"
	"testing"

	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/store/storetest"
)

// A contacts search ignores case and accents, on SQLite (whose lower()
// folds ASCII only) as on PostgreSQL, and both dialects find exactly the
// same contacts: every letter the fold knows, in either case, is found by
// its base letter, and a letter it does not know is matched as written on
// both.
func TestContactSearchIgnoresCaseAndAccentsOnBothDialects(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		f := newFixture(t, st)
		rows := []store.AuthorRow{
			{Network: "mastodon", ExternalID: "elodie", Handle: "@lodie@mastodon.test", DisplayName: "Élodie Martin"},
			{Network: "bluesky", ExternalID: "shout", Handle: "shout.bsky.social", DisplayName: "ÉLODIE"},
			{Network: "mastodon", ExternalID: "zoe", Handle: "@z@mastodon.test", DisplayName: "Zoë Œuvre"},
			{Network: "mastodon", ExternalID: "strasse", Handle: "@s@mastodon.test", DisplayName: "Straße"},
			{Network: "mastodon", ExternalID: "omega", Handle: "@w@mastodon.test", DisplayName: "Ωmega"},
		}
		// Every letter of the table, with a unique mark around it so that
		// a search finds that account alone.
		var letters []string
		for _, fo := range searchFolds {
			for _, r := range fo.letters {
				name := fmt.Sprintf("K%02d-%c-Q", len(letters), r)
				rows = append(rows, store.AuthorRow{Network: "mastodon", ExternalID: name, Handle: fmt.Sprintf("@l%d@m.test", len(letters)), DisplayName: name})
				letters = append(letters, fmt.Sprintf("k%02d-%s-q", len(letters), fo.base))
			}
		}
		f.addAuthors(t, rows)
		names := func(t *testing.T, q string) []string {
			t.Helper()
			p, err := f.s.List(f.ctx, f.owner, f.ws.ID, Filter{Query: q})
			must(t, err)
			var out []string
			for _, c := range p.Contacts {
				for _, a := range c.Authors {
					out = append(out, a.DisplayName)
				}
			}
			slices.Sort(out)
			return out
		}
		for _, c := range []struct {
			query string
			want  []string
		}{
			{"élodie", []string{"ÉLODIE", "Élodie Martin"}},
			{"elodie", []string{"ÉLODIE", "Élodie Martin"}},
			{"ELODIE", []string{"ÉLODIE", "Élodie Martin"}},
			{"  Élodie ", []string{"ÉLODIE", "Élodie Martin"}},
			{"elodie martin", []string{"Élodie Martin"}},
			{"zoe oeuvre", []string{"Zoë Œuvre"}},
			{"ZOË ŒUVRE", []string{"Zoë Œuvre"}},
			{"strasse", []string{"Straße"}},
			{"Ωmega", []string{"Ωmega"}},
			{"ωmega", nil},                // not in the table: as written, on both dialects
			{"shout", []string{"ÉLODIE"}}, // the handle still counts
		} {
			if got := names(t, c.query); !slices.Equal(got, c.want) {
				t.Errorf("search %q: %q, want %q", c.query, got, c.want)
			}
		}
		// A later fetch renames an account: the search follows.
		f.addAuthors(t, []store.AuthorRow{{Network: "mastodon", ExternalID: "strasse", Handle: "@s@mastodon.test", DisplayName: "Großmann"}})
		if got := names(t, "grossmann"); !slices.Equal(got, []string{"Großmann"}) || len(names(t, "strasse")) != 0 {
			t.Errorf("after a rename: %q for grossmann, and strasse still found: %v", got, len(names(t, "strasse")) != 0)
		}
		for i, q := range letters {
			got := names(t, q)
			if len(got) != 1 || searchFold(got[0]) != q {
				t.Errorf("search %q (letter %d of the table): %q, want the one account it names", q, i, got)
			}
		}
	})
}
