package inbox

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/sentiment"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/store/storetest"
)

// A fetch repeated and overlapping three times adds every item once, and
// the counts say which were new.
func TestIngestRepeatedOverlappingFetchesStoreEachItemOnce(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		added := 0
		for i, batch := range [][]network.Item{comments(1, 15), comments(10, 25), comments(1, 30)} {
			res, err := f.s.Ingest(ctx, f.ch, batch)
			must(t, err)
			added += res.Added
			if res.Added+res.Unchanged != len(batch) || res.Updated != 0 {
				t.Errorf("fetch %d: %+v, want %d items added or unchanged", i+1, res, len(batch))
			}
		}
		items := f.allItems(t)
		if len(items) != 30 || added != 30 {
			t.Fatalf("stored %d items, added %d, want 30 and 30", len(items), added)
		}
		seen := map[string]bool{}
		for _, it := range items {
			if seen[it.ExternalID] {
				t.Errorf("item %s stored twice", it.ExternalID)
			}
			seen[it.ExternalID] = true
		}
		// The same fetch replayed within one batch adds nothing either.
		res, err := f.s.Ingest(ctx, f.ch, append(comments(31, 31), comments(31, 31)...))
		must(t, err)
		if res.Added != 1 || res.Unchanged != 1 {
			t.Errorf("an item twice in one fetch: %+v, want 1 added and 1 unchanged", res)
		}
	})
}

// Items under our post are linked to it and grouped into its thread; a
// direct message is its own conversation; authors are stored once.
func TestIngestLinksToOurPostAndGroupsConversations(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		dm := network.Item{ExternalID: "m1", Kind: network.KindMessage, ConversationID: "dm-7", Author: network.Author{ExternalID: "u1", Handle: "fan1"},
			Text: "bonjour, merci", CreatedAt: t0}
		mention := network.Item{ExternalID: "x1", Kind: network.KindMention, Author: network.Author{ExternalID: "u9", Handle: "other"}, Text: "hey @brand", CreatedAt: t0}
		_, err := f.s.Ingest(ctx, f.ch, append(comments(1, 3), dm, mention))
		must(t, err)
		byExt := map[string]store.InboxItem{}
		for _, it := range f.allItems(t) {
			byExt[it.ExternalID] = it
		}
		c1, c2, m1, x1 := byExt["c1"], byExt["c2"], byExt["m1"], byExt["x1"]
		if c1.PostID == nil || *c1.PostID != f.post.ID || c1.VariantID == nil || *c1.VariantID != f.variant.ID {
			t.Errorf("comment linked to post %v variant %v, want %d %d", c1.PostID, c1.VariantID, f.post.ID, f.variant.ID)
		}
		if c1.ConversationID != c2.ConversationID {
			t.Errorf("two comments under one post in conversations %d and %d, want one", c1.ConversationID, c2.ConversationID)
		}
		if m1.ConversationID == c1.ConversationID || m1.PostID != nil || x1.PostID != nil || x1.ConversationID == m1.ConversationID {
			t.Errorf("message %+v and mention %+v must be apart from the thread and unlinked", m1, x1)
		}
		conv, err := st.GetInboxConversation(ctx, m1.ConversationID)
		must(t, err)
		if conv.Kind != string(ConversationDirect) || conv.ExternalID != "dm-7" {
			t.Errorf("message conversation %+v, want a direct one keyed dm-7", conv)
		}
		if m1.Lang != sentiment.French || m1.Sentiment != string(sentiment.Positive) || c1.Lang != sentiment.English {
			t.Errorf("language and sentiment: message %s/%s, comment %s; want fr/positive, en", m1.Lang, m1.Sentiment, c1.Lang)
		}
		if c1.AuthorID != byExt["c1"].AuthorID || byExt["c1"].AuthorID == byExt["c2"].AuthorID || m1.AuthorID != c1.AuthorID {
			t.Errorf("authors: c1 %d c2 %d m1 %d, want c1 = m1 (same person) and c2 apart", c1.AuthorID, c2.AuthorID, m1.AuthorID)
		}
	})
}

// A later fetch writes an author again only when their profile changed:
// a changed name is stored, an unchanged author keeps its row as it was
// (its updated_at), a new one is added, and each item points at its own.
func TestIngestWritesOnlyNewOrChangedAuthors(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		first := comments(1, 2) // authors u1 and u2
		first[1].Author.DisplayName = "Fan Two"
		_, err := f.s.Ingest(ctx, f.ch, first)
		must(t, err)

		f.now = t0.Add(time.Hour)
		later := comments(4, 6) // u1 as before, u2 renamed, u0 new
		later[1].Author.DisplayName = "Fan Deux"
		_, err = f.s.Ingest(ctx, f.ch, later)
		must(t, err)

		author := func(ext string) store.InboxAuthor {
			t.Helper()
			it, err := st.GetInboxItemByExternal(ctx, store.GetInboxItemByExternalParams{ChannelID: f.ch.ID, ExternalID: ext})
			must(t, err)
			a, err := st.GetInboxAuthor(ctx, it.AuthorID)
			must(t, err)
			return a
		}
		for _, c := range []struct {
			item, author, name string
			updated            time.Time
		}{
			{"c1", "u1", "", t0},
			{"c4", "u1", "", t0},
			{"c2", "u2", "Fan Deux", t0.Add(time.Hour)},
			{"c5", "u2", "Fan Deux", t0.Add(time.Hour)},
			{"c6", "u0", "", t0.Add(time.Hour)},
		} {
			a := author(c.item)
			if a.ExternalID != c.author || a.DisplayName != c.name || !a.UpdatedAt.Equal(c.updated) {
				t.Errorf("item %s: author %s %q updated %s, want %s %q updated %s", c.item, a.ExternalID, a.DisplayName, a.UpdatedAt,
					c.author, c.name, c.updated)
			}
		}
		if author("c1").ID != author("c4").ID || author("c2").ID != author("c5").ID {
			t.Errorf("a returning author got a second row")
		}
	})
}

// An edit updates the text and its sentiment, except a sentiment a member
// corrected; a deletion marks the item and keeps the text the team saw.
func TestIngestEditDeleteAndCorrectedSentiment(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		_, err := f.s.Ingest(ctx, f.ch, []network.Item{comment(1, "I love it"), comment(2, "fine")})
		must(t, err)
		get := func(ext string) store.InboxItem {
			it, err := st.GetInboxItemByExternal(ctx, store.GetInboxItemByExternalParams{ChannelID: f.ch.ID, ExternalID: ext})
			must(t, err)
			return it
		}
		c2 := get("c2")
		must(t, f.s.CorrectSentiment(ctx, f.cm, c2.ID, sentiment.Negative))

		e1, e2 := comment(1, "I am angry now"), comment(2, "I love it now")
		e1.EditedAt, e2.EditedAt = t0.Add(time.Hour), t0.Add(time.Hour)
		res, err := f.s.Ingest(ctx, f.ch, []network.Item{e1, e2})
		must(t, err)
		if res.Updated != 2 {
			t.Errorf("edits: %+v, want 2 updated", res)
		}
		if got := get("c1"); got.Text != "I am angry now" || got.Sentiment != string(sentiment.Negative) || got.EditedAt == nil {
			t.Errorf("edited item: %q %s edited %v, want the new text, negative, an edit time", got.Text, got.Sentiment, got.EditedAt)
		}
		if got := get("c2"); got.Text != "I love it now" || got.Sentiment != string(sentiment.Negative) || !got.SentimentCorrected {
			t.Errorf("corrected item after an edit: %q %s corrected=%v, want the new text and the member's negative", got.Text, got.Sentiment, got.SentimentCorrected)
		}

		gone := comment(1, "")
		gone.Deleted = true
		res, err = f.s.Ingest(ctx, f.ch, []network.Item{gone})
		must(t, err)
		if got := get("c1"); res.Updated != 1 || got.DeletedAt == nil || got.Text != "I am angry now" {
			t.Errorf("deleted item: %+v, deleted %v text %q; want it marked deleted with its text kept", res, got.DeletedAt, got.Text)
		}
		res, err = f.s.Ingest(ctx, f.ch, []network.Item{gone})
		must(t, err)
		if res.Unchanged != 1 {
			t.Errorf("deletion seen again: %+v, want unchanged", res)
		}
	})
}

// Each new item of a fetch keeps the sentiment and language of its own
// text, in a fetch of mixed texts (a shift between the texts and the
// results would pass unseen in a fetch of similar ones).
func TestIngestEachItemGetsItsOwnSentiment(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		texts := []string{"I love it", "c'est nul", "bonjour", "so angry", "merci beaucoup", "a plain remark", "angry again", "love love"}
		var batch []network.Item
		for i, text := range texts {
			batch = append(batch, comment(i+1, text))
		}
		res, err := f.s.Ingest(ctx, f.ch, batch)
		must(t, err)
		if res.Added != len(texts) {
			t.Fatalf("added %d items, want %d", res.Added, len(texts))
		}
		for _, it := range f.allItems(t) {
			want := words{}.Analyze(it.Text)
			if it.Sentiment != string(want.Label) || it.SentimentScore != want.Score || it.Lang != want.Lang {
				t.Errorf("item %s %q: %s %.1f %s, want %s %.1f %s", it.ExternalID, it.Text, it.Sentiment, it.SentimentScore, it.Lang,
					want.Label, want.Score, want.Lang)
			}
		}
	})
}

// writerProbe is words{} that also tells whether it was called while the
// database's writer was taken: a transaction of its own, begun with a
// short deadline, then fails (on SQLite, whose one writer connection an
// ingestion holds for its whole transaction; on PostgreSQL it never does).
type writerProbe struct {
	st   store.Store
	held atomic.Int32
}

func (p *writerProbe) Analyze(text string) sentiment.Result {
	if p.held.Load() == 0 {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		if err := p.st.InTx(ctx, func(store.Tx) error { return nil }); err != nil {
			p.held.Add(1)
		}
		cancel()
	}
	return words{}.Analyze(text)
}

// A large fetch, through Ingest as through a poll, is analysed before its
// transaction (on several goroutines) and each item still gets the
// analysis of its own text.
func TestIngestAnalysesLargeFetchesOutsideTheWriter(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		probe := &writerProbe{st: st}
		f.s.Analyzer = probe
		texts := []string{"I love it", "c'est nul", "bonjour", "so angry", "merci beaucoup", "a plain remark", "angry again"}
		var batch []network.Item
		for i := range 120 {
			batch = append(batch, comment(i+1, fmt.Sprintf("%s %d", texts[i%len(texts)], i)))
		}
		res, err := f.s.Ingest(ctx, f.ch, batch[:60])
		must(t, err)
		if res.Added != 60 {
			t.Fatalf("added %d items, want 60", res.Added)
		}
		// The rest through a poll, which ingests in its own transaction,
		// with an edit of an item stored above.
		edited := comment(1, "now I am angry")
		edited.EditedAt = t0.Add(time.Hour)
		f.conn.items = append(append([]network.Item(nil), batch[60:]...), edited)
		must(t, st.EnsureInboxPollState(ctx, store.EnsureInboxPollStateParams{ChannelID: f.ch.ID, NextPollAt: f.now}))
		must(t, f.s.Poll(ctx, f.ch.ID))
		if n := probe.held.Load(); n != 0 {
			t.Errorf("the analyzer ran while the writer was held")
		}
		items := f.allItems(t)
		if len(items) != 120 {
			t.Fatalf("%d items stored, want 120", len(items))
		}
		for _, it := range items {
			want := words{}.Analyze(it.Text)
			if it.Sentiment != string(want.Label) || it.SentimentScore != want.Score || it.Lang != want.Lang {
				t.Errorf("item %s %q: %s %.1f %s, want %s %.1f %s", it.ExternalID, it.Text, it.Sentiment, it.SentimentScore, it.Lang,
					want.Label, want.Score, want.Lang)
			}
		}
		if got, err := st.GetInboxItemByExternal(ctx, store.GetInboxItemByExternalParams{ChannelID: f.ch.ID, ExternalID: "c1"}); err != nil ||
			got.Text != "now I am angry" || got.Sentiment != string(sentiment.Negative) {
			t.Errorf("edited item %q %s (%v), want the new text, negative", got.Text, got.Sentiment, err)
		}
	})
}
