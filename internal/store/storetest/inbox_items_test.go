package storetest

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/store"
)

// AddInboxItems stores every field of every row as InsertInboxItems (the
// JSON rows) does, in fetches larger than one statement's chunk, and
// returns only the rows it added.
func TestAddInboxItemsStoresRowsAsTheJSONInsert(t *testing.T) {
	t.Parallel()
	ForEachDialect(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		f := setup(t, s)
		author, err := s.UpsertInboxAuthor(ctx, store.UpsertInboxAuthorParams{WorkspaceID: f.ws.ID, Network: "sandbox", ExternalID: "a1", Handle: "fan", UpdatedAt: t0})
		if err != nil {
			t.Fatal(err)
		}
		convs := map[int64]int64{}
		for _, ch := range []store.Channel{f.ch1, f.ch2} {
			if convs[ch.ID], err = s.UpsertInboxConversation(ctx, store.UpsertInboxConversationParams{WorkspaceID: f.ws.ID, ChannelID: ch.ID,
				ExternalID: "post", Kind: "thread", LastItemAt: t0, CreatedAt: t0}); err != nil {
				t.Fatal(err)
			}
		}
		// 301 rows: chunks of 256, 32, 8, 4 and 1 on SQLite.
		rowsOf := func(ch store.Channel, from, to int) []store.InboxItemRow {
			var rows []store.InboxItemRow
			for i := from; i < to; i++ {
				at := t0.Add(time.Duration(i) * time.Second)
				r := store.InboxItemRow{WorkspaceID: f.ws.ID, ChannelID: ch.ID, Network: "sandbox", ExternalID: fmt.Sprintf("i%d", i), Kind: "comment",
					ConversationID: convs[ch.ID], RefID: fmt.Sprintf("r%d", i), RefCID: "cid", RefURL: "http://x/r", RootID: "post", RootCID: "rc",
					RootURL: "http://x/p", ParentID: "post", AuthorID: author, Text: fmt.Sprintf("texte « %d » 👍", i), DeclaredLang: "fr",
					Lang: "fr", Rating: int64(i % 6), Sentiment: "positive", SentimentScore: float64(i) / 1000, NetworkCreatedAt: store.RowTime(at),
					Hidden: i%2 == 0, Status: []string{"new", "done"}[i%2], CreatedAt: store.RowTime(t0)}
				if i%3 == 0 {
					r.EditedAt = store.TimeOf(at.Add(time.Minute))
				}
				if i%5 == 0 {
					r.DeletedAt = store.TimeOf(at.Add(time.Hour))
				}
				if i%7 == 0 {
					r.AssigneeID, r.Priority = &f.user.ID, ptr(int64(3))
				}
				rows = append(rows, r)
			}
			return rows
		}
		const n = 301
		var added []store.InsertInboxItemsRow
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(s.InTx(ctx, func(tx store.Tx) error {
			if _, err := tx.InsertInboxItems(ctx, store.Rows(rowsOf(f.ch2, 0, n))); err != nil {
				return err
			}
			added, err = tx.AddInboxItems(ctx, rowsOf(f.ch1, 0, n))
			return err
		}))
		if len(added) != n {
			t.Fatalf("AddInboxItems returned %d rows, want %d", len(added), n)
		}
		exts := make([]string, n)
		for i := range exts {
			exts[i] = fmt.Sprintf("i%d", i)
		}
		read := func(ch store.Channel) map[string]store.InboxItem {
			items, err := s.ListInboxItemsByExternal(ctx, store.ListInboxItemsByExternalParams{ChannelID: ch.ID, ExternalIds: exts})
			must(err)
			out := map[string]store.InboxItem{}
			for _, it := range items {
				out[it.ExternalID] = it
			}
			return out
		}
		got, want := read(f.ch1), read(f.ch2)
		if len(got) != n {
			t.Fatalf("stored %d items, want %d", len(got), n)
		}
		ids := map[string]int64{}
		for _, a := range added {
			ids[a.ExternalID] = a.ID
		}
		for ext, g := range got {
			if ids[ext] != g.ID {
				t.Errorf("item %s: returned id %d, stored %d", ext, ids[ext], g.ID)
			}
			w := want[ext]
			g.ID, g.ChannelID, g.ConversationID = w.ID, w.ChannelID, w.ConversationID
			if !reflect.DeepEqual(g, w) {
				t.Errorf("item %s:\n got %+v\nwant %+v (InsertInboxItems)", ext, g, w)
			}
		}
		// A later fetch overlapping the stored items adds only the new ones.
		must(s.InTx(ctx, func(tx store.Tx) error {
			added, err = tx.AddInboxItems(ctx, rowsOf(f.ch1, n-3, n+2))
			return err
		}))
		if len(added) != 2 || added[0].ExternalID == added[1].ExternalID {
			t.Errorf("overlapping fetch added %+v, want the 2 new items", added)
		}
	})
}
