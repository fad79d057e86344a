package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/store"
)

// brandInbox is the owner's workspace with a Sandbox channel, "brand", whose
// inbox the test fills, and the owner's API token.
type brandInbox struct {
	env   *apptest.Env
	owner store.User
	ws    store.Workspace
	tok   string
	ch    store.Channel
}

// newBrandInbox starts the app with o, signs the owner up and connects the
// channel.
func newBrandInbox(t *testing.T, o apptest.Options) brandInbox {
	t.Helper()
	b := brandInbox{env: apptest.Start(t, o)}
	b.owner, b.ws = b.env.Owner(t)
	b.tok = b.env.Token(t, b.owner)
	ch, err := b.env.App.Channels.ConnectSandbox(context.Background(), b.owner, b.ws.ID, "brand")
	if err != nil {
		t.Fatal(err)
	}
	b.ch = ch
	return b
}

// ingest stores items in the channel's inbox, as a poll would.
func (b brandInbox) ingest(t *testing.T, items ...network.Item) {
	t.Helper()
	if _, err := b.env.App.Inbox.Ingest(context.Background(), b.ch, items); err != nil {
		t.Fatal(err)
	}
}

// only is the inbox's one item as the API lists it.
func (b brandInbox) only(t *testing.T) itemJSON {
	t.Helper()
	items := decode[struct {
		Items []itemJSON `json:"items"`
	}](t, b.env.Do(t, b.tok, http.MethodGet, fmt.Sprintf("/api/v1/workspaces/%d/inbox", b.ws.ID), nil)).Items
	if len(items) != 1 {
		t.Fatalf("inbox: %+v", items)
	}
	return items[0]
}
