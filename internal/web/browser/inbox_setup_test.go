package browser

import (
	"context"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/inbox"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/store"
)

// launchComment is a comment by author under the launch post.
func launchComment(ext, author, text string, at time.Time) network.Item {
	return network.Item{ExternalID: ext, Kind: network.KindComment, Ref: network.Ref{ID: ext}, ConversationID: "launch",
		Author: network.Author{ExternalID: author, Handle: author}, Text: text, CreatedAt: at}
}

// ingest stores items in a channel's inbox, as a poll would.
func (s site) ingest(t *testing.T, ch store.Channel, items ...network.Item) {
	t.Helper()
	if _, err := s.env.App.Inbox.Ingest(context.Background(), ch, items); err != nil {
		t.Fatal(err)
	}
}

// inboxList is the owner's inbox, newest first, which must hold n items.
func (s site) inboxList(t *testing.T, n int) []inbox.Item {
	t.Helper()
	page, err := s.env.App.Inbox.List(context.Background(), s.owner, s.ws.ID, inbox.Filter{})
	if err != nil || len(page.Items) != n {
		t.Fatalf("inbox: %+v %v, want %d items", page, err, n)
	}
	return page.Items
}
