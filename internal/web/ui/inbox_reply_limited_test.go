package ui_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/channels"
	"github.com/tribune-social/tribune/internal/inbox"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/store"
)

// While the account's rate limit holds, a reply sent from the page comes
// back with a 429: the text typed still in its box, and beside it, in
// French, until when the network refuses (in the workspace's time zone);
// an action button's answer says the same, and the conversation's history
// shows both refused, with the reason.
func TestReplyWhileLimitedKeepsTheTextAndSaysUntilWhen(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	owner, ws, ch, it := frenchInboxItem(t, env, question("q1"))
	until := time.Now().Add(2 * time.Minute).Truncate(time.Second)
	if err := channels.RateLimited(ctx, env.Store, ch.ID, until); err != nil {
		t.Fatal(err)
	}
	loc, err := time.LoadLocation(ws.Timezone)
	if err != nil {
		t.Fatal(err)
	}
	want := "La limite de requêtes du réseau pour ce compte court jusqu’à " + until.In(loc).Format("15:04:05 MST")
	itemPath := fmt.Sprintf("/w/%d/inbox/items/%d", ws.ID, it.ID)
	b := newBrowser(t, env, owner.Email)

	typed := "Bonjour, voici notre réponse"
	resp := b.do(http.MethodPost, itemPath+"/reply", url.Values{"text": {typed}})
	body := readBody(resp)
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("reply: got %d, want 429", resp.StatusCode)
	}
	i := strings.Index(body, fmt.Sprintf(`data-testid="reply-text-%d"`, it.ID))
	if i < 0 || !strings.Contains(body[i:], ">"+html.EscapeString(typed)+"</textarea>") {
		t.Errorf("the text typed is not back in the reply box")
	}
	if !strings.Contains(body, fmt.Sprintf(`data-testid="reply-refused-%d">`, it.ID)+html.EscapeString(want)) {
		t.Errorf("the reason beside the box does not say %q", want)
	}

	resp = b.do(http.MethodPost, itemPath+"/act", url.Values{"action": {"like"}})
	if body := readBody(resp); resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, html.EscapeString(want)) {
		t.Errorf("like: got %d, want 429 saying %q", resp.StatusCode, want)
	}

	resp = b.do(http.MethodGet, fmt.Sprintf("/w/%d/inbox/conversations/%d", ws.ID, it.ConversationID), nil)
	body = readBody(resp)
	note := html.EscapeString("Non envoyé : la limite de requêtes du réseau pour ce compte était atteinte.")
	if strings.Count(body, note) != 2 {
		t.Errorf("the history does not show the reply and the like refused for the limit")
	}
}

// question is a comment in French from "fan" under the post "root".
func question(id string) network.Item {
	return network.Item{ExternalID: id, Kind: network.KindComment, Ref: network.Ref{ID: id}, ConversationID: "root",
		Author: network.Author{ExternalID: "fan", Handle: "fan"}, Text: "Une question", CreatedAt: time.Now()}
}

// frenchInboxItem is a workspace whose owner reads French, with a Sandbox
// channel and item alone in its inbox.
func frenchInboxItem(t *testing.T, env *apptest.Env, item network.Item) (store.User, store.Workspace, store.Channel, inbox.Item) {
	t.Helper()
	ctx := context.Background()
	owner, ws := env.Owner(t)
	if _, err := env.App.Auth.SetPreferences(ctx, owner, auth.Preferences{Name: owner.Name, Locale: "fr"}); err != nil {
		t.Fatal(err)
	}
	ch, err := env.App.Channels.ConnectSandbox(ctx, owner, ws.ID, "marque")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Inbox.Ingest(ctx, ch, []network.Item{item}); err != nil {
		t.Fatal(err)
	}
	page, err := env.App.Inbox.List(ctx, owner, ws.ID, inbox.Filter{})
	if err != nil || len(page.Items) != 1 {
		t.Fatal(page, err)
	}
	return owner, ws, ch, page.Items[0]
}
