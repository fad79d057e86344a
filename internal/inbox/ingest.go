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
	// Unknown are deletions (an item with no kind, as a stream sends them)
	// of items never stored, which are ignored.
	Unknown int
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
	authors := map[string]int64{}
	for _, it := range items {
		if it.ExternalID == "" {
			res.Skipped++
			if s.Log != nil {
				s.Log.Warn("inbox item without a network id", "channel", ch.ID, "network", ch.Network)
			}
			continue
		}
		old, err := q.GetInboxItemByExternal(ctx, store.GetInboxItemByExternalParams{ChannelID: ch.ID, ExternalID: it.ExternalID})
		if err == nil {
			changed, err := s.refresh(ctx, q, old, it, now)
			if err != nil {
				return res, err
			}
			if changed {
				res.Updated++
			} else {
				res.Unchanged++
			}
			continue
		}
		if !errors.Is(err, store.ErrNotFound) {
			return res, err
		}
		if it.Kind == "" {
			// A stream's deletion event (only the id is known) of an item
			// never stored: nothing to mark.
			res.Unknown++
			continue
		}

		authorID, ok := authors[it.Author.ExternalID]
		if !ok {
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

		convKey, kind := it.ConversationID, ConversationThread
		if convKey == "" {
			convKey = root.ID
		}
		if convKey == "" {
			convKey = it.ExternalID
		}
		if it.Kind == network.KindMessage {
			kind = ConversationDirect
		}
		at := it.CreatedAt.UTC()
		if at.IsZero() {
			at = now
		}
		convID, err := q.UpsertInboxConversation(ctx, store.UpsertInboxConversationParams{WorkspaceID: ch.WorkspaceID, ChannelID: ch.ID,
			ExternalID: convKey, Kind: string(kind), PostID: l.post, VariantID: l.variant, LastItemAt: at, CreatedAt: now})
		if err != nil {
			return res, err
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
		id, err := q.InsertInboxItem(ctx, store.InsertInboxItemParams{WorkspaceID: ch.WorkspaceID, ChannelID: ch.ID, Network: ch.Network,
			ExternalID: it.ExternalID, Kind: string(it.Kind), ConversationID: convID, RefID: ref.ID, RefCID: ref.CID, RefURL: ref.URL,
			RootID: root.ID, RootCID: root.CID, RootURL: root.URL, ParentID: it.ParentID, PostID: l.post, VariantID: l.variant,
			AuthorID: authorID, Text: it.Text, DeclaredLang: it.Lang, Lang: sent.Lang, Rating: int64(it.Rating),
			Sentiment: string(sent.Label), SentimentScore: sent.Score, NetworkCreatedAt: at, EditedAt: timeOrNil(it.EditedAt),
			DeletedAt: deleted, Hidden: it.Hidden, Status: string(StatusNew), CreatedAt: now})
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
	}
	return res, nil
}

// refresh applies what a later fetch says of a stored item and reports
// whether anything changed.
func (s *Service) refresh(ctx context.Context, q store.Queries, old store.InboxItem, it network.Item, now time.Time) (bool, error) {
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
		return false, nil
	}
	return true, q.UpdateInboxItemFromNetwork(ctx, p)
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
