package inbox

import (
	"context"
	"errors"
	"time"

	"github.com/tribune-social/tribune/internal/network"
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
	NewIDs  []int64
}

// Ingest stores what a channel's network returned. Every item is stored
// once per (channel, network id): a repeated, overlapping or replayed fetch
// adds nothing; an edited item is updated (its sentiment read again unless
// a member corrected it); a deleted one is marked deleted and keeps the
// text the team saw.
func (s *Service) Ingest(ctx context.Context, ch store.Channel, items []network.Item) (IngestResult, error) {
	var res IngestResult
	err := s.Store.InTx(ctx, func(tx store.Tx) error {
		var err error
		res, err = s.ingestTx(ctx, tx, ch, items)
		return err
	})
	return res, err
}

// link is the Tribune post and variant a network id belongs to.
type link struct{ post, variant *int64 }

// ingestTx is Ingest inside the caller's transaction (the poll job saves
// its cursor in the same one, so a crash never skips or doubles a page).
func (s *Service) ingestTx(ctx context.Context, q store.Queries, ch store.Channel, items []network.Item) (IngestResult, error) {
	var res IngestResult
	now := s.Now().UTC()
	links := map[string]link{}
	linkOf := func(id string) (link, error) {
		if id == "" {
			return link{}, nil
		}
		if l, ok := links[id]; ok {
			return l, nil
		}
		var l link
		r, err := q.FindPublishedPart(ctx, store.FindPublishedPartParams{ExternalID: id, ChannelID: ch.ID})
		switch {
		case err == nil:
			l = link{post: &r.PostID, variant: &r.VariantID}
		case !errors.Is(err, store.ErrNotFound):
			return l, err
		}
		links[id] = l
		return l, nil
	}
	// One query tells which items are already stored; an item twice in
	// one fetch is stored once and then compared like a repeat.
	known := map[string]store.InboxItem{}
	var exts []string
	for _, it := range items {
		if it.ExternalID != "" {
			exts = append(exts, it.ExternalID)
		}
	}
	if len(exts) > 0 {
		rows, err := q.ListInboxItemsByExternal(ctx, store.ListInboxItemsByExternalParams{ChannelID: ch.ID, ExternalIds: exts})
		if err != nil {
			return res, err
		}
		for _, r := range rows {
			known[r.ExternalID] = r
		}
	}
	// Each conversation is written once per fetch, with the latest time
	// among its items.
	latest := map[string]time.Time{}
	for _, it := range items {
		k, _ := conversationKey(it)
		if at := itemTime(it, now); at.After(latest[k]) {
			latest[k] = at
		}
	}
	convs := map[string]int64{}
	authors := map[string]int64{}
	for _, it := range items {
		if it.ExternalID == "" {
			res.Skipped++
			if s.Log != nil {
				s.Log.Warn("inbox item without a network id", "channel", ch.ID, "network", ch.Network)
			}
			continue
		}
		if old, ok := known[it.ExternalID]; ok {
			cur, changed, err := s.refresh(ctx, q, old, it, now)
			if err != nil {
				return res, err
			}
			known[it.ExternalID] = cur
			if changed {
				res.Updated++
			} else {
				res.Unchanged++
			}
			continue
		}

		authorID, ok := authors[it.Author.ExternalID]
		if !ok {
			var err error
			handle := it.Author.Handle
			if handle == "" {
				handle = it.Author.ExternalID
			}
			authorID, err = q.UpsertInboxAuthor(ctx, store.UpsertInboxAuthorParams{WorkspaceID: ch.WorkspaceID, Network: ch.Network,
				ExternalID: it.Author.ExternalID, Handle: handle, DisplayName: it.Author.DisplayName, AvatarURL: it.Author.AvatarURL,
				URL: it.Author.URL, UpdatedAt: now})
			if err != nil {
				return res, err
			}
			authors[it.Author.ExternalID] = authorID
		}

		var root network.Ref
		if it.Root != nil {
			root = *it.Root
		}
		// The item answers our post when its thread's root or its parent
		// is one of our published messages on this channel.
		l, err := linkOf(root.ID)
		if err != nil {
			return res, err
		}
		if l.post == nil {
			if l, err = linkOf(it.ParentID); err != nil {
				return res, err
			}
		}

		convKey, kind := conversationKey(it)
		at := itemTime(it, now)
		convID, ok := convs[convKey]
		if !ok {
			convID, err = q.UpsertInboxConversation(ctx, store.UpsertInboxConversationParams{WorkspaceID: ch.WorkspaceID, ChannelID: ch.ID,
				ExternalID: convKey, Kind: string(kind), PostID: l.post, VariantID: l.variant, LastItemAt: latest[convKey], CreatedAt: now})
			if err != nil {
				return res, err
			}
			convs[convKey] = convID
		}

		sent := s.analyze(it.Text)
		ref := it.Ref
		if ref.ID == "" {
			ref.ID = it.ExternalID
		}
		var deleted *time.Time
		if it.Deleted {
			deleted = &now
		}
		row := store.InboxItem{Text: it.Text, DeclaredLang: it.Lang, Lang: sent.Lang, Sentiment: string(sent.Label), SentimentScore: sent.Score,
			EditedAt: timeOrNil(it.EditedAt), DeletedAt: deleted, Hidden: it.Hidden}
		id, err := q.InsertInboxItem(ctx, store.InsertInboxItemParams{WorkspaceID: ch.WorkspaceID, ChannelID: ch.ID, Network: ch.Network,
			ExternalID: it.ExternalID, Kind: string(it.Kind), ConversationID: convID, RefID: ref.ID, RefCID: ref.CID, RefURL: ref.URL,
			RootID: root.ID, RootCID: root.CID, RootURL: root.URL, ParentID: it.ParentID, PostID: l.post, VariantID: l.variant,
			AuthorID: authorID, Text: row.Text, DeclaredLang: row.DeclaredLang, Lang: row.Lang, Rating: int64(it.Rating),
			Sentiment: row.Sentiment, SentimentScore: row.SentimentScore, NetworkCreatedAt: at, EditedAt: row.EditedAt,
			DeletedAt: row.DeletedAt, Hidden: row.Hidden, Status: string(StatusNew), CreatedAt: now})
		if errors.Is(err, store.ErrNotFound) {
			// Stored meanwhile by another writer (the stream and a poll
			// racing): the item exists, so this is a repeat.
			res.Unchanged++
			continue
		}
		if err != nil {
			return res, err
		}
		res.Added++
		res.NewIDs = append(res.NewIDs, id)
		// A second copy later in this fetch is compared with this one.
		row.ID = id
		known[it.ExternalID] = row
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
func (s *Service) refresh(ctx context.Context, q store.Queries, old store.InboxItem, it network.Item, now time.Time) (store.InboxItem, bool, error) {
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
		sent := s.analyze(it.Text)
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
