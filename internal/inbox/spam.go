package inbox

import (
	"context"
	"time"

	"github.com/tribune-social/tribune/internal/moderation"
	"github.com/tribune-social/tribune/internal/store"
)

// authorRecent is what the spam condition compares an item with: its
// author's earlier texts of the last moderation.AuthorRecentHours. It is
// read only when the workspace's rules ask about spam, so ingestion pays
// nothing for it otherwise.
func (s *Service) authorRecent(ctx context.Context, e *moderation.Engine, it store.InboxItem) ([]string, error) {
	if !e.NeedsAuthorRecent() {
		return nil, nil
	}
	return s.Store.ListAuthorRecentTexts(ctx, store.ListAuthorRecentTextsParams{AuthorID: it.AuthorID, BeforeID: it.ID,
		Since: it.NetworkCreatedAt.Add(-moderation.AuthorRecentHours * time.Hour), MaxRows: moderation.AuthorRecentMax})
}

// tryAuthorRecent fills each tried item's AuthorRecent with the same
// author's older items among those tried (rows are newest first).
func tryAuthorRecent(inputs []moderation.Input) {
	seen := map[string][]string{}
	for i := len(inputs) - 1; i >= 0; i-- {
		in := &inputs[i]
		k := in.Network + "\x00" + in.Item.Author.ExternalID
		prev := seen[k]
		if n := len(prev); n > moderation.AuthorRecentMax {
			prev = prev[n-moderation.AuthorRecentMax:]
		}
		in.AuthorRecent = prev
		seen[k] = append(seen[k][:len(seen[k]):len(seen[k])], in.Item.Text)
	}
}
