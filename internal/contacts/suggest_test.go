package contacts

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/store/storetest"
)

// addAuthors writes accounts of the fixture's workspace straight through
// the store, in batches as the inbox's ingestion writes them (ingesting an
// item each would make the many-accounts test take minutes).
func (f *fixture) addAuthors(t *testing.T, authors []store.AuthorRow) {
	t.Helper()
	for i := 0; i < len(authors); i += 500 {
		batch := authors[i:min(i+500, len(authors))]
		for j := range batch {
			batch[j].WorkspaceID, batch[j].UpdatedAt = f.ws.ID, store.RowTime(t0)
		}
		_, err := f.st.UpsertInboxAuthors(f.ctx, store.Rows(batch))
		must(t, err)
	}
}

// TestSuggestionKeysAreComputedOnWrite holds the keys the database keeps
// (inbox_authors.name_key and handle_key, migration 00029) to their Go
// specification, when an account is written and when it is written again.
func TestSuggestionKeysAreComputedOnWrite(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		f := newFixture(t, st)
		cases := []struct{ handle, name, wantHandle, wantName string }{
			{"@alice@mastodon.test", "Alice Martin", "alice", "alice martin"},
			{"alice.bsky.social", " alice MARTIN\t", "alice", "alice martin"},
			{"  @Carol@Other.Test ", "ÉLODIE Œuvre Ça", "carol", "élodie œuvre ça"},
			{"jo.bsky.social", "", "", ""},
			{"@jo@m.test", "   ", "", ""},
			{"@@alice", "Bob", "", "bob"},
			{"abc", "x", "abc", "x"},
			{"déjà.bsky.social", "Zoë", "déjà", "zoë"},
			{"é@x", "a", "", "a"},
		}
		var rows []store.AuthorRow
		for i, c := range cases {
			rows = append(rows, store.AuthorRow{Network: "mastodon", ExternalID: fmt.Sprint("k", i), Handle: c.handle, DisplayName: c.name})
		}
		f.addAuthors(t, rows)
		check := func(when string) {
			t.Helper()
			p, err := f.s.List(f.ctx, f.owner, f.ws.ID, Filter{})
			must(t, err)
			seen := 0
			for _, c := range p.Contacts {
				for _, a := range c.Authors {
					seen++
					if got, want := a.NameKey, nameKey(a.DisplayName); got != want {
						t.Errorf("%s: name key of %q = %q, want %q", when, a.DisplayName, got, want)
					}
					if got, want := a.HandleKey, handleLocal(a.Handle); got != want {
						t.Errorf("%s: handle key of %q = %q, want %q", when, a.Handle, got, want)
					}
				}
			}
			if seen != len(rows) {
				t.Fatalf("%s: %d accounts, want %d", when, seen, len(rows))
			}
		}
		for _, c := range cases {
			if got := handleLocal(c.handle); got != c.wantHandle {
				t.Errorf("handleLocal(%q) = %q, want %q", c.handle, got, c.wantHandle)
			}
			if got := nameKey(c.name); got != c.wantName {
				t.Errorf("nameKey(%q) = %q, want %q", c.name, got, c.wantName)
			}
		}
		check("written")
		// A later fetch renames them all: the keys follow.
		for i := range rows {
			rows[i].Handle, rows[i].DisplayName = rows[(i+1)%len(rows)].Handle, rows[(i+1)%len(rows)].DisplayName
		}
		f.addAuthors(t, rows)
		check("rewritten")
	})
}

// oracle is the suggestions as the rule defines them, computed in Go from
// every account of the workspace (the way they were computed before the
// keys were columns): pairs by name, then by handle, keys in byte order,
// a pair listed once under its first key.
func oracle(all []Contact) []string {
	type acct struct {
		contact, author int64
		network         string
	}
	byKey := map[string][]acct{}
	for _, c := range all {
		for _, a := range c.Authors {
			if k := nameKey(a.DisplayName); k != "" {
				byKey["0"+k] = append(byKey["0"+k], acct{c.ID, a.ID, a.Network})
			}
			if k := handleLocal(a.Handle); k != "" {
				byKey["1"+k] = append(byKey["1"+k], acct{c.ID, a.ID, a.Network})
			}
		}
	}
	keys := make([]string, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	seen := map[[2]int64]bool{}
	var out []string
	for _, k := range keys {
		as := byKey[k]
		sort.Slice(as, func(i, j int) bool { return as[i].author < as[j].author })
		for i := range as {
			for j := i + 1; j < len(as); j++ {
				x, y := as[i], as[j]
				if x.contact == y.contact || x.network == y.network {
					continue
				}
				p := [2]int64{min(x.contact, y.contact), max(x.contact, y.contact)}
				if !seen[p] {
					seen[p] = true
					out = append(out, fmt.Sprintf("%d-%d %s", p[0], p[1], map[byte]string{'0': ReasonSameName, '1': ReasonSameHandle}[k[0]]))
				}
			}
		}
	}
	return out
}

// TestSuggestionsFoundBeyondTwentyThousandAccounts: the suggestions used to
// read the workspace's first 20,000 accounts; the twins here all come
// after them, some contacts hold several accounts (merged by hand), and
// the pages, walked to the end, list exactly what the rule gives — each
// pair once, in order.
func TestSuggestionsFoundBeyondTwentyThousandAccounts(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 20,600 accounts")
	}
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		f := newFixture(t, st)
		const filler, twins = 20000, 600
		nets := []string{"mastodon", "bluesky", "threads"}
		var rows []store.AuthorRow
		for i := range filler {
			rows = append(rows, store.AuthorRow{Network: nets[i%2], ExternalID: fmt.Sprint("f", i),
				Handle: fmt.Sprintf("fan%d@m.test", i), DisplayName: fmt.Sprint("Fan ", i)})
		}
		for i := range twins {
			// Names shared by three accounts on two or three networks;
			// handles shared by pairs of other groups.
			rows = append(rows, store.AuthorRow{Network: nets[i%3], ExternalID: fmt.Sprint("t", i),
				Handle: fmt.Sprintf("@twin%d@x.test", i/4), DisplayName: fmt.Sprintf("Twin %c%d", 'A'+i%2, i/3)})
		}
		f.addAuthors(t, rows)
		// Merge a few twins by hand: their pairs go, and a merged contact
		// meets others under several keys (listed once, under the first).
		for i := 0; i < 40; i += 7 {
			a, b := f.contactOf(t, fmt.Sprintf("@twin%d@x.test", i)), f.contactOf(t, fmt.Sprintf("@twin%d@x.test", i+1))
			if a.ID != b.ID {
				must(t, f.s.Merge(f.ctx, f.cm, a.ID, b.ID))
			}
		}

		var all []Contact
		for before := int64(0); ; {
			p, err := f.s.List(f.ctx, f.owner, f.ws.ID, Filter{Before: before})
			must(t, err)
			all = append(all, p.Contacts...)
			if p.Next == 0 {
				break
			}
			before = p.Next
		}
		want := oracle(all)
		if len(want) < 500 {
			t.Fatalf("the fixture gives %d suggestions, want hundreds", len(want))
		}

		var got []string
		pages := 0
		for after := ""; ; pages++ {
			p, err := f.s.SuggestionsAfter(f.ctx, f.cm, f.ws.ID, after)
			must(t, err)
			for _, s := range p.Suggestions {
				got = append(got, fmt.Sprintf("%d-%d %s", s.A.ID, s.B.ID, s.Reason))
				if len(s.A.Authors) == 0 || len(s.B.Authors) == 0 {
					t.Fatalf("a suggestion without its accounts: %+v", s)
				}
			}
			if p.Next == "" {
				break
			}
			if pages > len(want) {
				t.Fatalf("pages never end: %q", p.Next)
			}
			after = p.Next
		}
		if pages < 5 {
			t.Errorf("%d pages for %d suggestions, want several", pages+1, len(got))
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("suggestions over the pages (%d) differ from the rule's (%d); first got %v, want %v",
				len(got), len(want), got[:min(5, len(got))], want[:min(5, len(want))])
		}

		// A contact's page lists its own, the same ones.
		c := f.contactOf(t, "@twin3@x.test")
		d, err := f.s.Get(f.ctx, f.cm, c.ID)
		must(t, err)
		var mine, wantMine []string
		for _, s := range d.Suggestions {
			mine = append(mine, fmt.Sprintf("%d-%d %s", s.A.ID, s.B.ID, s.Reason))
		}
		for _, w := range want {
			a, b, _ := strings.Cut(strings.Fields(w)[0], "-")
			if a == fmt.Sprint(c.ID) || b == fmt.Sprint(c.ID) {
				wantMine = append(wantMine, w)
			}
		}
		if len(wantMine) == 0 || strings.Join(mine, "\n") != strings.Join(wantMine, "\n") {
			t.Fatalf("contact's suggestions = %v, want %v", mine, wantMine)
		}

		if _, err := f.s.SuggestionsAfter(f.ctx, f.cm, f.ws.ID, "nope"); err == nil {
			t.Fatal("a made-up cursor was accepted")
		}
	})
}
