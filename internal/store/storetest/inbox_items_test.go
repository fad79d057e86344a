package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/store"
)

// AddInboxItems, AddInboxItemTagRows and AddInboxRuleActionRows store
// every field of every row as the JSON queries they replace do
// (InsertInboxItems, AddInboxItemTags, AddInboxRuleActions), in fetches
// larger than one statement's chunk; the items added and the audit rows
// are returned in order, with their ids.
func TestInboxRowWritesStoreAsTheJSONQueries(t *testing.T) {
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
		// Tags and rule audits, the same way: through the JSON queries on
		// the items of channel 2, through the rows on those of channel 1.
		// Two audits a row (network actions are matched to their ids by
		// the order of the rows); a tag twice, or already there, is kept once.
		tagsOf := func(items map[string]store.InboxItem) ([]store.TagRow, []store.RuleActionRow) {
			var tags []store.TagRow
			var audits []store.RuleActionRow
			for i := range n {
				it := items[fmt.Sprintf("i%d", i)]
				tags = append(tags, store.TagRow{ItemID: it.ID, Tag: "t" + fmt.Sprint(i%4)}, store.TagRow{ItemID: it.ID, Tag: "t" + fmt.Sprint(i%4)})
				for k, act := range []string{"tag", "hide"} {
					a := store.RuleActionRow{WorkspaceID: f.ws.ID, ItemID: it.ID, Action: act, Detail: fmt.Sprint(i), Result: []string{"ok", "queued"}[k],
						CreatedAt: store.RowTime(t0.Add(time.Duration(i) * time.Millisecond)), RuleName: "r" + fmt.Sprint(i%3), Undo: "untag", Previous: "had"}
					if i%2 == 0 {
						a.RuleID, a.Error = ptr(int64(i)), "err"
					}
					audits = append(audits, a)
				}
			}
			return tags, audits
		}
		var gotIDs, wantIDs []store.AddInboxRuleActionsRow
		must(s.InTx(ctx, func(tx store.Tx) error {
			tags, audits := tagsOf(want)
			if err := tx.AddInboxItemTags(ctx, store.Rows(tags)); err != nil {
				return err
			}
			if wantIDs, err = tx.AddInboxRuleActions(ctx, store.Rows(audits)); err != nil {
				return err
			}
			tags, audits = tagsOf(got)
			if err := tx.AddInboxItemTagRows(ctx, append(tags, tags[0])); err != nil {
				return err
			}
			gotIDs, err = tx.AddInboxRuleActionRows(ctx, audits)
			return err
		}))
		if len(gotIDs) != 2*n || len(wantIDs) != 2*n {
			t.Fatalf("audit rows returned: %d, want %d", len(gotIDs), 2*n)
		}
		for i := range n {
			g, w := got[fmt.Sprintf("i%d", i)], want[fmt.Sprintf("i%d", i)]
			gt, err := s.ListInboxItemTags(ctx, []int64{g.ID})
			must(err)
			wt, err := s.ListInboxItemTags(ctx, []int64{w.ID})
			must(err)
			if len(gt) != 1 || len(wt) != 1 || gt[0].Tag != wt[0].Tag {
				t.Errorf("item i%d: tags %+v, want %+v", i, gt, wt)
			}
			ga, err := s.ListInboxRuleActions(ctx, g.ID)
			must(err)
			wa, err := s.ListInboxRuleActions(ctx, w.ID)
			must(err)
			if len(ga) != 2 || len(wa) != 2 {
				t.Fatalf("item i%d: %d audit rows, want 2", i, len(ga))
			}
			for k := range ga {
				// The rows come back in their order, with their ids.
				if r := gotIDs[2*i+k]; r.ID != ga[k].ID || r.ItemID != g.ID || r.Action != ga[k].Action || !reflect.DeepEqual(r.RuleID, ga[k].RuleID) {
					t.Errorf("audit row %d returned %+v, stored %+v", 2*i+k, r, ga[k])
				}
				ga[k].ID, ga[k].ItemID = wa[k].ID, wa[k].ItemID
				if !reflect.DeepEqual(ga[k], wa[k]) {
					t.Errorf("item i%d audit %d:\n got %+v\nwant %+v (AddInboxRuleActions)", i, k, ga[k], wa[k])
				}
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

// AddInboxConversationRows stores and returns what UpsertInboxConversations
// does, the first time and again (the later last item time kept, a post
// taken only by a conversation that had none).
func TestInboxConversationRowsStoreAsTheJSONQuery(t *testing.T) {
	t.Parallel()
	ForEachDialect(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		f := setup(t, s)
		post, err := s.CreatePost(ctx, store.CreatePostParams{WorkspaceID: f.ws.ID, AuthorID: f.user.ID, Status: "published", Tags: "[]", CreatedAt: t0})
		if err != nil {
			t.Fatal(err)
		}
		variant, err := s.CreateVariant(ctx, store.CreateVariantParams{PostID: post.ID, ChannelID: f.ch1.ID, Text: "x", Thread: "[]", MediaIDs: "[]",
			State: "published", UpdatedAt: t0})
		if err != nil {
			t.Fatal(err)
		}
		// 37 rows: chunks of 32, 4 and 1 on SQLite.
		rowsOf := func(ch store.Channel, round int) []store.ConversationRow {
			var rows []store.ConversationRow
			for i := range 37 {
				r := store.ConversationRow{WorkspaceID: f.ws.ID, ChannelID: ch.ID, ExternalID: fmt.Sprintf("c%d", i), Kind: []string{"thread", "direct"}[i%2],
					LastItemAt: store.RowTime(t0.Add(time.Duration(i*round) * time.Minute)), CreatedAt: store.RowTime(t0.Add(time.Duration(round) * time.Hour))}
				if (i+round)%3 == 0 {
					r.LastItemAt = store.RowTime(t0.Add(-time.Duration(i) * time.Minute))
				}
				if (i+round)%2 == 0 {
					r.PostID, r.VariantID = &post.ID, &variant.ID
				}
				rows = append(rows, r)
			}
			return rows
		}
		for round := range 2 {
			var want, got []store.UpsertInboxConversationsRow
			if err := s.InTx(ctx, func(tx store.Tx) error {
				var err error
				if want, err = tx.UpsertInboxConversations(ctx, store.Rows(rowsOf(f.ch1, round))); err != nil {
					return err
				}
				got, err = tx.AddInboxConversationRows(ctx, rowsOf(f.ch2, round))
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) || len(got) != 37 {
				t.Fatalf("round %d: %d rows returned, want %d", round, len(got), len(want))
			}
			wantByExt := map[string]int64{}
			for _, w := range want {
				wantByExt[w.ExternalID] = w.ID
			}
			for _, g := range got {
				gc, err := s.GetInboxConversation(ctx, g.ID)
				if err != nil {
					t.Fatal(err)
				}
				wc, err := s.GetInboxConversation(ctx, wantByExt[g.ExternalID])
				if err != nil {
					t.Fatal(err)
				}
				if gc.ExternalID != g.ExternalID {
					t.Errorf("round %d: id %d returned for %s is %s's", round, g.ID, g.ExternalID, gc.ExternalID)
				}
				gc.ID, gc.ChannelID, wc.ID, wc.ChannelID = 0, 0, 0, 0
				if !reflect.DeepEqual(gc, wc) {
					t.Errorf("round %d:\n got %+v\nwant %+v (UpsertInboxConversations)", round, gc, wc)
				}
			}
		}
	})
}

// Deleting a channel deletes its whole inbox, conversations, items and
// what hangs from an item, and nothing of another channel's; deleting an
// item deletes what hangs from it. On PostgreSQL since migrations 00036
// and 00038, through the conversations' key to their channel alone (the
// items' own keys to their channel, workspace and conversation were
// dropped), a statement trigger for the conversations' items and one for
// the items' tags and audit (their keys were dropped).
func TestDeletingAChannelDeletesItsInbox(t *testing.T) {
	t.Parallel()
	ForEachDialect(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		f := setup(t, s)
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		author, err := s.UpsertInboxAuthor(ctx, store.UpsertInboxAuthorParams{WorkspaceID: f.ws.ID, Network: "sandbox", ExternalID: "a1", Handle: "fan", UpdatedAt: t0})
		must(err)
		items := map[int64]int64{} // channel -> its item
		convs := map[int64]int64{}
		for _, ch := range []store.Channel{f.ch1, f.ch2} {
			must(s.InTx(ctx, func(tx store.Tx) error {
				c, err := tx.AddInboxConversationRows(ctx, []store.ConversationRow{{WorkspaceID: f.ws.ID, ChannelID: ch.ID, ExternalID: "post",
					Kind: "thread", LastItemAt: store.RowTime(t0), CreatedAt: store.RowTime(t0)}})
				if err != nil {
					return err
				}
				convs[ch.ID] = c[0].ID
				added, err := tx.AddInboxItems(ctx, []store.InboxItemRow{{WorkspaceID: f.ws.ID, ChannelID: ch.ID, Network: "sandbox", ExternalID: "i1",
					Kind: "comment", ConversationID: c[0].ID, AuthorID: author, Text: "bonjour", NetworkCreatedAt: store.RowTime(t0), Status: "new",
					CreatedAt: store.RowTime(t0)}})
				if err != nil {
					return err
				}
				items[ch.ID] = added[0].ID
				if err := tx.AddInboxItemTagRows(ctx, []store.TagRow{{ItemID: added[0].ID, Tag: "vip"}}); err != nil {
					return err
				}
				_, err = tx.AddInboxRuleActionRows(ctx, []store.RuleActionRow{{WorkspaceID: f.ws.ID, ItemID: added[0].ID, Action: "tag", Detail: "vip",
					Result: "ok", CreatedAt: store.RowTime(t0), RuleName: "VIP"}})
				return err
			}))
			_, err := s.AddInboxNote(ctx, store.AddInboxNoteParams{ItemID: items[ch.ID], UserID: f.user.ID, Body: "à rappeler", CreatedAt: t0})
			must(err)
		}
		must(s.DeleteChannel(ctx, f.ch1.ID))

		left := func(ch store.Channel) (n int) {
			t.Helper()
			stored, err := s.ListInboxItemsByExternal(ctx, store.ListInboxItemsByExternalParams{ChannelID: ch.ID, ExternalIds: []string{"i1"}})
			must(err)
			tags, err := s.ListInboxItemTags(ctx, []int64{items[ch.ID]})
			must(err)
			audit, err := s.ListInboxRuleActions(ctx, items[ch.ID])
			must(err)
			notes, err := s.ListInboxNotes(ctx, []int64{items[ch.ID]})
			must(err)
			if _, err := s.GetInboxConversation(ctx, convs[ch.ID]); err == nil {
				n++
			} else if !errors.Is(err, store.ErrNotFound) {
				t.Fatal(err)
			}
			return n + len(stored) + len(tags) + len(audit) + len(notes)
		}
		if n := left(f.ch1); n != 0 {
			t.Errorf("%d rows of the deleted channel's inbox left, want none", n)
		}
		if n := left(f.ch2); n != 5 {
			t.Errorf("the other channel keeps %d rows of its inbox, want 5 (conversation, item, tag, audit, note)", n)
		}

		// One item removed on its own (one of our replies a fetch stored)
		// takes its tags, audit and notes along, and leaves its conversation.
		must(s.ForgetOurReplyItem(ctx, store.ForgetOurReplyItemParams{ChannelID: f.ch2.ID, ExternalID: "i1"}))
		if n := left(f.ch2); n != 1 {
			t.Errorf("%d rows left after the item was removed, want 1 (its conversation)", n)
		}
	})
}
