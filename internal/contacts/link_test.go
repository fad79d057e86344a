package contacts

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/store/storetest"
)

// links reads, straight from the store (no contacts page, which used to
// create the missing contacts), the workspace's contacts and the authors
// each one holds.
func (f *fixture) links(t *testing.T, workspaceID int64) map[int64][]store.ListContactAuthorsRow {
	t.Helper()
	rows, err := f.st.ListContacts(f.ctx, store.ListContactsParams{WorkspaceID: workspaceID, BeforeID: 1 << 62, MaxRows: 100000})
	must(t, err)
	out := map[int64][]store.ListContactAuthorsRow{}
	var ids []int64
	for _, r := range rows {
		out[r.ID] = nil
		ids = append(ids, r.ID)
	}
	if len(ids) == 0 {
		return out
	}
	authors, err := f.st.ListContactAuthors(f.ctx, ids)
	must(t, err)
	for _, a := range authors {
		out[a.ContactID] = append(out[a.ContactID], a)
	}
	return out
}

// checkOneContactEach fails unless every author of the items is in
// exactly one contact of the items' workspace, and every contact of the
// workspace holds exactly one author (ingestion never merges, and a
// contact without an author is a duplicate that lost a race).
func (f *fixture) checkOneContactEach(t *testing.T, workspaceID int64, items []store.InboxItem, wantAuthors int) {
	t.Helper()
	links := f.links(t, workspaceID)
	contactOf := map[int64]int64{}
	for c, authors := range links {
		if len(authors) != 1 {
			t.Errorf("contact %d holds %d authors, want 1", c, len(authors))
		}
		for _, a := range authors {
			if prev, ok := contactOf[a.ID]; ok {
				t.Errorf("author %d in contacts %d and %d", a.ID, prev, c)
			}
			contactOf[a.ID] = c
			if a.WorkspaceID != workspaceID {
				t.Errorf("author %d of workspace %d in a contact of workspace %d", a.ID, a.WorkspaceID, workspaceID)
			}
		}
	}
	authors := map[int64]bool{}
	for _, it := range items {
		authors[it.AuthorID] = true
		if _, ok := contactOf[it.AuthorID]; !ok {
			t.Errorf("author %d of item %s has no contact", it.AuthorID, it.ExternalID)
		}
	}
	if len(authors) != wantAuthors || len(links) != wantAuthors {
		t.Errorf("%d authors in %d contacts, want %d of each", len(authors), len(links), wantAuthors)
	}
}

// TestIngestionGivesEveryNewAuthorOneContact: the inbox's ingestion alone,
// without any contacts page looked at, leaves every author in a contact
// of its own — a new author in its first fetch, the same account once
// however often it writes or is fetched again, the same network id on
// another network or in another workspace a person of its own.
func TestIngestionGivesEveryNewAuthorOneContact(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		f := newFixture(t, st)
		item := func(id string, a network.Author) network.Item {
			return network.Item{ExternalID: id, Kind: network.KindComment, Ref: network.Ref{ID: id}, ConversationID: "c-" + id, Author: a, Text: "hello " + id, CreatedAt: t0}
		}
		carol := network.Author{ExternalID: "300", Handle: "carol@mastodon.test"}
		fetches := []struct {
			ch    store.Channel
			items []network.Item
		}{
			{f.masto, []network.Item{item("m1", aliceMasto), item("m2", bob), item("m3", aliceMasto)}},
			// Known authors, one new; then the same fetch again with an edit.
			{f.masto, []network.Item{item("m4", bob), item("m5", carol)}},
			{f.masto, []network.Item{item("m4", bob), {ExternalID: "m5", Kind: network.KindComment, Ref: network.Ref{ID: "m5"}, ConversationID: "c-m5", Author: carol, Text: "edited", CreatedAt: t0}}},
			// Bob's network id on Bluesky is someone else.
			{f.sky, []network.Item{item("s1", aliceSky), item("s2", network.Author{ExternalID: bob.ExternalID, Handle: "bob.bsky.social"})}},
			{f.strangerCh, []network.Item{item("x1", bob)}},
		}
		for i, fe := range fetches {
			if _, err := f.in.Ingest(f.ctx, fe.ch, fe.items); err != nil {
				t.Fatalf("fetch %d: %v", i, err)
			}
		}
		// alice, bob, carol on Mastodon; alice and "bob" on Bluesky.
		f.checkOneContactEach(t, f.ws.ID, f.allItems(t), 5)
		strangers, err := f.st.ListInboxItems(f.ctx, store.ListInboxItemsParams{WorkspaceID: f.strangerWS.ID, BeforeID: 1 << 62, MaxRows: 1000})
		must(t, err)
		f.checkOneContactEach(t, f.strangerWS.ID, strangers, 1)
	})
}

// TestConcurrentIngestionsGiveOneContactPerAuthor: ingestions running at
// once (a stream and a poll, River's two workers, two nodes on
// PostgreSQL) that meet the same new authors in the same moments give
// each author exactly one contact, and no contact is left over.
func TestConcurrentIngestionsGiveOneContactPerAuthor(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		f := newFixture(t, st)
		const authors, fetches, perFetch, workers = 40, 24, 8, 4
		// Each fetch's items are in the order of their authors, as every
		// worker writes them: the workers then wait on each other's new
		// authors rather than deadlock on them.
		batch := func(k int) []network.Item {
			var idx []int
			for j := range perFetch {
				if a := (k*3 + j*5) % authors; !slices.Contains(idx, a) {
					idx = append(idx, a)
				}
			}
			slices.Sort(idx)
			var items []network.Item
			for j, a := range idx {
				id := fmt.Sprintf("f%03d-%d", k, j)
				items = append(items, network.Item{ExternalID: id, Kind: network.KindComment, Ref: network.Ref{ID: id}, ConversationID: fmt.Sprintf("c%03d", k),
					Author: network.Author{ExternalID: fmt.Sprintf("new%02d", a), Handle: fmt.Sprintf("new%02d@mastodon.test", a)}, Text: "hi " + id, CreatedAt: t0})
			}
			return items
		}
		var wg sync.WaitGroup
		errs := make(chan error, workers*fetches)
		start := make(chan struct{})
		for w := range workers {
			wg.Go(func() {
				<-start
				// Workers in pairs run the same fetches at the same time;
				// the pairs start a quarter apart, meeting the same
				// authors in other fetches.
				for n := range fetches {
					k := (n + (w/2)*fetches/4) % fetches
					if _, err := f.in.Ingest(f.ctx, f.masto, batch(k)); err != nil {
						errs <- fmt.Errorf("worker %d, fetch %d: %w", w, k, err)
					}
				}
			})
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		items := f.allItems(t)
		want := 0
		for k := range fetches {
			want += len(batch(k))
		}
		if len(items) != want {
			t.Errorf("%d items stored, want %d", len(items), want)
		}
		f.checkOneContactEach(t, f.ws.ID, items, authors)
	})
}
