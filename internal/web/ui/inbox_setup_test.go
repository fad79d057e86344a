package ui_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/inbox"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/store"
)

// frenchOwner signs the owner up reading the app in French: the inbox pages
// are checked in French, where a message left untranslated shows.
func frenchOwner(t *testing.T, env *apptest.Env) (store.User, store.Workspace) {
	t.Helper()
	owner, ws := env.Owner(t)
	inFrench(t, env, owner, owner.Name)
	return owner, ws
}

// inFrench names a user and switches them to French.
func inFrench(t *testing.T, env *apptest.Env, u store.User, name string) {
	t.Helper()
	if _, err := env.App.Auth.SetPreferences(context.Background(), u, auth.Preferences{Name: name, Locale: "fr"}); err != nil {
		t.Fatal(err)
	}
}

// frenchInbox is the French owner's workspace with a Sandbox channel,
// "marque", whose inbox the test fills.
type frenchInbox struct {
	env   *apptest.Env
	owner store.User
	ws    store.Workspace
	ch    store.Channel
}

func newFrenchInbox(t *testing.T, env *apptest.Env) frenchInbox {
	t.Helper()
	f := frenchInbox{env: env}
	f.owner, f.ws = frenchOwner(t, env)
	ch, err := env.App.Channels.ConnectSandbox(context.Background(), f.owner, f.ws.ID, "marque")
	if err != nil {
		t.Fatal(err)
	}
	f.ch = ch
	return f
}

// fanComment is fan's comment ext in the conversation "root".
func fanComment(ext, text string, at time.Time) network.Item {
	return network.Item{ExternalID: ext, Kind: network.KindComment, Ref: network.Ref{ID: ext}, ConversationID: "root",
		Author: network.Author{ExternalID: "fan", Handle: "fan"}, Text: text, CreatedAt: at}
}

// ingest stores items in the channel's inbox, as a poll would.
func (f frenchInbox) ingest(t *testing.T, items ...network.Item) {
	t.Helper()
	if _, err := f.env.App.Inbox.Ingest(context.Background(), f.ch, items); err != nil {
		t.Fatal(err)
	}
}

// only ingests the inbox's one item and returns it as the owner's list
// shows it, with the paths of its conversation and of its own actions.
func (f frenchInbox) only(t *testing.T, item network.Item) (it inbox.Item, conv, itemPath string) {
	t.Helper()
	f.ingest(t, item)
	page, err := f.env.App.Inbox.List(context.Background(), f.owner, f.ws.ID, inbox.Filter{})
	if err != nil || len(page.Items) != 1 {
		t.Fatal(page, err)
	}
	it = page.Items[0]
	return it, fmt.Sprintf("/w/%d/inbox/conversations/%d", f.ws.ID, it.ConversationID), fmt.Sprintf("/w/%d/inbox/items/%d", f.ws.ID, it.ID)
}
