package inbox

import (
	"context"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/publish"
	"github.com/tribune-social/tribune/internal/sentiment"
	"github.com/tribune-social/tribune/internal/store"
)

// IngestResult counts what one ingestion did.
type IngestResult struct {
	// Added are the items seen for the first time (their ids in NewIDs).
	Added int
	// Updated are items already stored that the network edited, deleted or
	// hid since.
	Updated int
	// Unchanged are items already stored as they are: a repeated or
	// overlapping fetch.
	Unchanged int
	// Skipped are items without a network id (a connector bug, logged).
	Skipped int
	// Unknown are deletions (an item with no kind, as a stream sends them)
	// of items never stored, which are ignored.
	Unknown int
	NewIDs  []int64
	// Changes are the items added or updated, for the live layer (told
	// after the commit).
	Changes []ItemChange
	// created are the added items as webhooks tell of them (emitted in
	// the ingestion's transaction).
	created []WebhookItem
	// notes are the rules' notifications to tell after the commit (a
	// Notifier that cannot join the transaction).
	notes []publish.Notification
}

// Ingest stores what a channel's network returned. Every item is stored
// once per (channel, network id): a repeated, overlapping or replayed fetch
// adds nothing; an edited item is updated (its sentiment read again unless
// a member corrected it); a deleted one is marked deleted and keeps the
// text the team saw.
func (s *Service) Ingest(ctx context.Context, ch store.Channel, items []network.Item) (IngestResult, error) {
	var res IngestResult
	var told func(context.Context)
	pre := s.analyzeFetch(items)
	err := s.Store.InTxWith(ctx, relaxed, func(tx store.Tx) error {
		var err error
		if res, err = s.ingestTx(ctx, tx, ch, items, pre); err != nil {
			return err
		}
		if err := s.emitCreated(ctx, tx, ch.WorkspaceID, res.created); err != nil {
			return err
		}
		told = s.publishIn(ctx, tx, ch.WorkspaceID, res.Changes)
		return nil
	})
	if err == nil {
		told(ctx)
		s.notifyAll(ctx, res.notes)
	}
	return res, err
}

// relaxed commits ingestion without waiting for the database's log to
// reach the disk: a database crash may lose the last fetches, and with them
// the cursor saved beside them, so the next poll fetches them again and
// nothing is lost for good (streamed items too: they do not move the
// cursor, so the poll after the reconnection reads them again). It is
// pipelined too: ingestion never goes on after a failed write, so the
// plain writes (tags, notifications, an edit) can travel with the next
// read or the commit instead of costing a round trip each on PostgreSQL.
// And small: each statement writes one fetch's rows.
var relaxed = store.TxOptions{Relaxed: true, Pipelined: true, Small: true}

// link is the Tribune post and variant a network id belongs to.
type link struct{ post, variant *int64 }

// ingestTx is Ingest inside the caller's transaction (the poll job saves
// its cursor in the same one, so a crash never skips or doubles a page).
// A fetch costs a few statements whatever its size: one finds the items
// already stored, one reads the fetch's authors and one writes those new
// or changed (none when all were seen as they are), one finds the posts
// they answer, one writes their conversations, one adds the new items, and
// with moderation rules one reads the rules' version, one adds the tags
// and one the audit (plus what hide, delete, auto-reply, webhook and
// e-mail actions insert). pre is the fetch's analysis (analyzeFetch), read
// before the transaction.
func (s *Service) ingestTx(ctx context.Context, q store.Tx, ch store.Channel, items []network.Item, pre analyses) (IngestResult, error) {
	var res IngestResult
	items = webAddresses(items)
	now := s.Now().UTC()

	known := map[string]store.InboxItem{}
	var exts []string
	for _, it := range items {
		if it.ExternalID != "" {
			exts = append(exts, it.ExternalID)
		}
	}
	if len(exts) > 0 {
		// Our own replies come back in fetches (a Mastodon reply under
		// our post, a Bluesky reply in the thread): they are shown as ours
		// from inbox_replies, never stored as the community's items.
		ours, err := q.OurRepliesAmong(ctx, store.OurRepliesAmongParams{ChannelID: ch.ID, ExternalIds: exts})
		if err != nil {
			return res, err
		}
		if len(ours) > 0 {
			items = slices.DeleteFunc(slices.Clone(items), func(it network.Item) bool { return slices.Contains(ours, it.ExternalID) })
		}
		rows, err := q.ListInboxItemsByExternal(ctx, store.ListInboxItemsByExternalParams{ChannelID: ch.ID, ExternalIds: exts})
		if err != nil {
			return res, err
		}
		for _, r := range rows {
			known[r.ExternalID] = r
		}
	}

	// Items already stored are compared and updated; new ones are kept
	// for the batched writes, once each (a second copy in the same fetch
	// is a repeat).
	var fresh []network.Item
	seen := map[string]bool{}
	for _, it := range items {
		switch {
		case it.ExternalID == "":
			res.Skipped++
			if s.Log != nil {
				s.Log.Warn("inbox item without a network id", "channel", ch.ID, "network", ch.Network)
			}
		case seen[it.ExternalID]:
			res.Unchanged++
		default:
			old, ok := known[it.ExternalID]
			if !ok && it.Kind == "" {
				// A stream's deletion event (only the id is known) of an
				// item never stored: nothing to mark.
				res.Unknown++
				continue
			}
			if !ok {
				seen[it.ExternalID] = true
				fresh = append(fresh, it)
				continue
			}
			cur, changed, err := s.refresh(ctx, q, old, it, now, pre)
			if err != nil {
				return res, err
			}
			known[it.ExternalID] = cur
			if changed {
				res.Updated++
				res.Changes = append(res.Changes, ItemChange{ID: cur.ID, ConversationID: cur.ConversationID})
			} else {
				res.Unchanged++
			}
		}
	}
	if len(fresh) == 0 {
		return res, nil
	}

	// The new items' authors, one row each. Most are already stored, as
	// they were last seen (people comment again): one read finds them, and
	// only the new ones and those whose profile changed are written.
	// Rewriting an unchanged row cost as much as adding it (its indexes and
	// the keys the database computes from the name and handle, migration
	// 00029): a sixth of the ingestion's CPU time (docs/benchmarks.md).
	var authorRows []store.AuthorRow
	authorSeen := map[string]bool{}
	var authorExts []string
	for _, it := range fresh {
		if authorSeen[it.Author.ExternalID] {
			continue
		}
		authorSeen[it.Author.ExternalID] = true
		authorExts = append(authorExts, it.Author.ExternalID)
		handle := it.Author.Handle
		if handle == "" {
			handle = it.Author.ExternalID
		}
		authorRows = append(authorRows, store.AuthorRow{WorkspaceID: ch.WorkspaceID, Network: ch.Network, ExternalID: it.Author.ExternalID,
			Handle: handle, DisplayName: it.Author.DisplayName, AvatarURL: it.Author.AvatarURL, URL: it.Author.URL, UpdatedAt: store.RowTime(now)})
	}
	storedAuthors, err := q.ListInboxAuthorsByExternal(ctx, store.ListInboxAuthorsByExternalParams{WorkspaceID: ch.WorkspaceID,
		Network: ch.Network, ExternalIds: authorExts})
	if err != nil {
		return res, err
	}
	authors := map[string]int64{}
	asStored := map[string]store.ListInboxAuthorsByExternalRow{}
	for _, a := range storedAuthors {
		asStored[a.ExternalID] = a
	}
	authorRows = slices.DeleteFunc(authorRows, func(r store.AuthorRow) bool {
		a, ok := asStored[r.ExternalID]
		if ok && a.Handle == r.Handle && a.DisplayName == r.DisplayName && a.AvatarURL == r.AvatarURL && a.URL == r.URL {
			authors[r.ExternalID] = a.ID
			return true
		}
		return false
	})
	if len(authorRows) > 0 {
		written, err := q.UpsertInboxAuthors(ctx, store.Rows(authorRows))
		if err != nil {
			return res, err
		}
		for _, a := range written {
			authors[a.ExternalID] = a.ID
		}
	}

	// The item answers our post when its thread's root or its parent is
	// one of our published messages on this channel: one query for the
	// fetch's roots and parents.
	var refs []string
	for _, it := range fresh {
		if it.Root != nil && it.Root.ID != "" {
			refs = append(refs, it.Root.ID)
		}
		if it.ParentID != "" {
			refs = append(refs, it.ParentID)
		}
	}
	links := map[string]link{}
	if len(refs) > 0 {
		slices.Sort(refs)
		parts, err := q.ListPublishedPartsByExternal(ctx, store.ListPublishedPartsByExternalParams{ExternalIds: slices.Compact(refs), ChannelID: ch.ID})
		if err != nil {
			return res, err
		}
		for _, p := range parts {
			if _, ok := links[p.ExternalID]; !ok {
				links[p.ExternalID] = link{post: &p.PostID, variant: &p.VariantID}
			}
		}
	}
	linkOf := func(it network.Item) link {
		if it.Root != nil {
			if l, ok := links[it.Root.ID]; ok {
				return l
			}
		}
		return links[it.ParentID]
	}

	// Each conversation is written once, with the latest time among its
	// new items and the post its first new item answers: one statement.
	var convRows []store.ConversationRow
	convAt := map[string]int{}
	for _, it := range fresh {
		k, kind := conversationKey(it)
		at := itemTime(it, now)
		if i, ok := convAt[k]; ok {
			if at.After(time.Time(convRows[i].LastItemAt)) {
				convRows[i].LastItemAt = store.RowTime(at)
			}
			continue
		}
		l := linkOf(it)
		convAt[k] = len(convRows)
		convRows = append(convRows, store.ConversationRow{WorkspaceID: ch.WorkspaceID, ChannelID: ch.ID, ExternalID: k, Kind: string(kind),
			PostID: l.post, VariantID: l.variant, LastItemAt: store.RowTime(at), CreatedAt: store.RowTime(now)})
	}
	writtenConvs, err := q.AddInboxConversationRows(ctx, convRows)
	if err != nil {
		return res, err
	}
	convs := map[string]int64{}
	for _, c := range writtenConvs {
		convs[c.ExternalID] = c.ID
	}

	// The moderation rules decide, before the items are written, what
	// they do to each (rules_apply.go): a crash never commits an item
	// without its rules' actions.
	rules, err := s.newFetchRules(ctx, q, ch, now)
	if err != nil {
		return res, err
	}
	rows := make([]store.InboxItemRow, 0, len(fresh))
	for i, it := range fresh {
		var root network.Ref
		if it.Root != nil {
			root = *it.Root
		}
		l := linkOf(it)
		convKey, _ := conversationKey(it)
		sent := pre.of(s, it.Text)
		ref := it.Ref
		if ref.ID == "" {
			ref.ID = it.ExternalID
		}
		row := store.InboxItemRow{WorkspaceID: ch.WorkspaceID, ChannelID: ch.ID, Network: ch.Network, ExternalID: it.ExternalID,
			Kind: string(it.Kind), ConversationID: convs[convKey], RefID: ref.ID, RefCID: ref.CID, RefURL: ref.URL, RootID: root.ID, RootCID: root.CID,
			RootURL: root.URL, ParentID: it.ParentID, PostID: l.post, VariantID: l.variant, AuthorID: authors[it.Author.ExternalID],
			Text: it.Text, DeclaredLang: it.Lang, Lang: sent.Lang, Rating: int64(it.Rating), Sentiment: string(sent.Label),
			SentimentScore: sent.Score, NetworkCreatedAt: store.RowTime(itemTime(it, now)), Hidden: it.Hidden, Status: string(StatusNew),
			CreatedAt: store.RowTime(now)}
		if e := timeOrNil(it.EditedAt); e != nil {
			row.EditedAt = store.TimeOf(*e)
		}
		if it.Deleted {
			row.DeletedAt = store.TimeOf(now)
		}
		if rules != nil {
			// The rules see the item as it is stored (its reference and
			// its author's handle defaulted as above).
			nit := it
			nit.Ref = ref
			if nit.Author.Handle == "" {
				nit.Author.Handle = nit.Author.ExternalID
			}
			if err := rules.decide(ctx, i, &row, nit, sent); err != nil {
				return res, err
			}
		}
		rows = append(rows, row)
	}
	added, err := q.AddInboxItems(ctx, rows)
	if err != nil {
		return res, err
	}
	// An item not returned was stored meanwhile by another writer (the
	// stream and a poll racing): a repeat, whose rules ran there.
	ids := map[string]int64{}
	for _, a := range added {
		ids[a.ExternalID] = a.ID
	}
	stored := make([]store.InboxItem, len(fresh))
	byAuthor := map[int64]network.Author{}
	for i, it := range fresh {
		if id, ok := ids[it.ExternalID]; ok {
			res.Added++
			res.NewIDs = append(res.NewIDs, id)
			res.Changes = append(res.Changes, ItemChange{ID: id, ConversationID: rows[i].ConversationID, New: true})
			res.created = append(res.created, webhookItem(rows[i], id))
			stored[i] = itemOfRow(rows[i], id)
			byAuthor[rows[i].AuthorID] = it.Author
		} else {
			res.Unchanged++
		}
	}
	if rules != nil && res.Added > 0 {
		if err := rules.written(ctx, stored, byAuthor); err != nil {
			return res, err
		}
		res.notes = rules.after
	}
	return res, nil
}

// conversationKey is the network id a conversation is stored under: the
// network's conversation id, else the thread's root, else the item itself.
func conversationKey(it network.Item) (string, ConversationKind) {
	key, kind := it.ConversationID, ConversationThread
	if key == "" && it.Root != nil {
		key = it.Root.ID
	}
	if key == "" {
		key = it.ExternalID
	}
	if it.Kind == network.KindMessage {
		kind = ConversationDirect
	}
	return key, kind
}

// itemTime is when the network says the item was written (now if it
// does not say).
func itemTime(it network.Item, now time.Time) time.Time {
	if it.CreatedAt.IsZero() {
		return now
	}
	return it.CreatedAt.UTC()
}

// refresh applies what a later fetch says of a stored item and returns
// the item's fields as they now are and whether anything changed.
func (s *Service) refresh(ctx context.Context, q store.Queries, old store.InboxItem, it network.Item, now time.Time, pre analyses) (store.InboxItem, bool, error) {
	p := store.UpdateInboxItemFromNetworkParams{ID: old.ID, Text: old.Text, DeclaredLang: old.DeclaredLang, Lang: old.Lang,
		Sentiment: old.Sentiment, SentimentScore: old.SentimentScore, EditedAt: old.EditedAt, DeletedAt: old.DeletedAt,
		Hidden: old.Hidden, UpdatedAt: now}
	changed := false
	// A deleted item often comes back without its text: the team keeps
	// what it saw.
	if it.Text != old.Text && !(it.Deleted && it.Text == "") {
		p.Text, changed = it.Text, true
		if it.Lang != "" {
			p.DeclaredLang = it.Lang
		}
		sent := pre.of(s, it.Text)
		p.Lang = sent.Lang
		// A member's correction is never overwritten by a later fetch.
		if !old.SentimentCorrected {
			p.Sentiment, p.SentimentScore = string(sent.Label), sent.Score
		}
	}
	if e := timeOrNil(it.EditedAt); e != nil && (old.EditedAt == nil || !old.EditedAt.Equal(*e)) {
		p.EditedAt, changed = e, true
	}
	if it.Deleted && old.DeletedAt == nil {
		p.DeletedAt, changed = &now, true
	}
	// Only "hidden" is taken from a fetch: networks that cannot tell say
	// false, which must not undo a hide done through Tribune (Act unhides).
	if it.Hidden && !old.Hidden {
		p.Hidden, changed = true, true
	}
	if !changed {
		return old, false, nil
	}
	cur := old
	cur.Text, cur.DeclaredLang, cur.Lang, cur.Sentiment, cur.SentimentScore = p.Text, p.DeclaredLang, p.Lang, p.Sentiment, p.SentimentScore
	cur.EditedAt, cur.DeletedAt, cur.Hidden, cur.UpdatedAt = p.EditedAt, p.DeletedAt, p.Hidden, now
	return cur, true, q.UpdateInboxItemFromNetwork(ctx, p)
}

// analyses are the sentiment and language of a fetch's texts, by text.
type analyses map[string]sentiment.Result

// analyzeFetch reads the sentiment and language of every text of a fetch
// before its transaction: on SQLite the transaction holds the only writer,
// which every other ingestion, job and member's change waits for, and the
// analysis was a tenth of the time it was held. Texts of items already
// stored as they are get analysed for nothing (a repeated fetch), outside
// the writer; an edited one needs its new text's analysis. A large fetch is
// shared between the processors, each result at its text's place.
func (s *Service) analyzeFetch(items []network.Item) analyses {
	if s.Analyzer == nil {
		return nil
	}
	var texts []string
	out := analyses{}
	for _, it := range items {
		if _, ok := out[it.Text]; !ok && it.ExternalID != "" {
			out[it.Text] = sentiment.Result{}
			texts = append(texts, it.Text)
		}
	}
	results := make([]sentiment.Result, len(texts))
	workers := min(runtime.GOMAXPROCS(0), len(texts)/analyzeShare)
	if workers < 2 {
		for i, t := range texts {
			results[i] = s.Analyzer.Analyze(t)
		}
	} else {
		var wg sync.WaitGroup
		per := (len(texts) + workers - 1) / workers
		for from := 0; from < len(texts); from += per {
			part := results[from:min(from+per, len(texts))]
			wg.Go(func() {
				for i := range part {
					part[i] = s.Analyzer.Analyze(texts[from+i])
				}
			})
		}
		wg.Wait()
	}
	for i, t := range texts {
		out[t] = results[i]
	}
	return out
}

// analyzeShare is the fewest texts worth a goroutine of their own: a text
// takes 6 µs of CPU to analyse (docs/benchmarks.md, "Sentiment"), starting
// a goroutine under 1 µs.
const analyzeShare = 8

// of is text's analysis, read now if the fetch's analysis missed it.
func (a analyses) of(s *Service, text string) sentiment.Result {
	if r, ok := a[text]; ok {
		return r
	}
	return s.analyze(text)
}

// analyze reads a text's sentiment and language; without an Analyzer
// (a build without the model) items are stored unanalysed: no label, no
// language, shown as such, rather than with a made-up one.
func (s *Service) analyze(text string) sentiment.Result {
	if s.Analyzer == nil {
		return sentiment.Result{}
	}
	return s.Analyzer.Analyze(text)
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// webAddresses returns items with every address a network gave (the
// item's, its thread root's, its author's profile and avatar) kept only
// when it is an absolute http(s) one. They are the network's word: a
// hostile or compromised server's javascript: or data: address must reach
// no page, API client, webhook or e-mail. The caller's slice is copied
// before the first change, never written.
func webAddresses(items []network.Item) []network.Item {
	copied := false
	for i := range items {
		it := items[i]
		ref, author, avatar := network.WebURL(it.Ref.URL), network.WebURL(it.Author.URL), network.WebURL(it.Author.AvatarURL)
		var root *network.Ref
		if it.Root != nil && network.WebURL(it.Root.URL) != it.Root.URL {
			r := *it.Root
			r.URL = network.WebURL(r.URL)
			root = &r
		}
		if ref == it.Ref.URL && author == it.Author.URL && avatar == it.Author.AvatarURL && root == nil {
			continue
		}
		if !copied {
			items, copied = slices.Clone(items), true
		}
		it.Ref.URL, it.Author.URL, it.Author.AvatarURL = ref, author, avatar
		if root != nil {
			it.Root = root
		}
		items[i] = it
	}
	return items
}
