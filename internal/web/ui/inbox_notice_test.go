package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/channels"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/bluesky"
	"github.com/tribune-social/tribune/internal/network/networktest"
	"github.com/tribune-social/tribune/internal/store"
)

// noDM is an inbox whose account cannot reach direct messages although
// its network has them, as a Bluesky app password without that access.
func noDM() *networktest.Inbox {
	n := likeOnly()
	n.Caps.Kinds[network.KindMessage] = network.Unsupported(bluesky.NoChatAccess)
	n.Caps.Notices = []string{bluesky.NoChatAccess}
	return n
}

// Missing messages show nothing by themselves: the inbox says, beside the
// channel, in the reader's language, why its direct messages are not read.
func TestInboxSaysWhyAChannelMissesItems(t *testing.T) {
	t.Parallel()
	onBothDatabases(t, func(t *testing.T, env *apptest.Env) {
		f := newFrenchInbox(t, env)
		owner, ws := f.owner, f.ws
		b := newBrowser(t, env, owner.Email)
		list := fmt.Sprintf("/w/%d/inbox", ws.ID)
		env.App.Inbox.Connectors = map[string]network.Connector{"sandbox": likeOnly()}
		if body := readBody(b.do(http.MethodGet, list, nil)); strings.Contains(body, `data-testid="inbox-notice"`) {
			t.Error("a notice shows for a channel that reaches everything")
		}
		env.App.Inbox.Connectors = map[string]network.Connector{"sandbox": noDM()}
		resp := b.do(http.MethodGet, list, nil)
		body := readBody(resp)
		want := "Ce mot de passe d&#39;application ne peut pas lire les messages privés"
		if resp.StatusCode != 200 || !strings.Contains(body, `data-testid="inbox-notice"`) || !strings.Contains(body, want) || !strings.Contains(body, "marque") {
			t.Errorf("inbox (%d) lacks the channel's notice in French", resp.StatusCode)
		}
	})
}

// A channel whose reads fail shows nothing by itself either: the inbox
// says, beside the channel and in the reader's language, that reading fails,
// what the network said and when it tries again; a clean read removes it.
// A rate limit holding is said on the list and on a conversation.
func TestInboxSaysWhenReadingAChannelFails(t *testing.T) {
	t.Parallel()
	onBothDatabases(t, func(t *testing.T, env *apptest.Env) {
		f := newFrenchInbox(t, env)
		owner, ws, ch, ctx := f.owner, f.ws, f.ch, context.Background()
		env.App.Inbox.Connectors = map[string]network.Connector{"sandbox": likeOnly()}
		b := newBrowser(t, env, owner.Email)
		list := fmt.Sprintf("/w/%d/inbox", ws.ID)
		now := time.Now().UTC()
		finish := func(lastErr string, failures int64) {
			t.Helper()
			if err := env.Store.EnsureInboxPollState(ctx, store.EnsureInboxPollStateParams{ChannelID: ch.ID, NextPollAt: now}); err != nil {
				t.Fatal(err)
			}
			if err := env.Store.FinishInboxPoll(ctx, store.FinishInboxPollParams{ChannelID: ch.ID, LastPollAt: &now, NextPollAt: now.Add(4 * time.Minute),
				LastError: lastErr, Failures: failures}); err != nil {
				t.Fatal(err)
			}
		}
		finish("temporary (HTTP 503): maintenance", 3)
		body := readBody(b.do(http.MethodGet, list, nil))
		if !strings.Contains(body, "a échoué 3 fois de suite") || !strings.Contains(body, "maintenance") || !strings.Contains(body, "marque") {
			t.Errorf("inbox lacks the failing read's notice in French")
		}
		finish("temporary (HTTP 502): chat service unreachable", 0)
		if body := readBody(b.do(http.MethodGet, list, nil)); !strings.Contains(body, "Une partie de la boîte de réception") || !strings.Contains(body, "chat service unreachable") {
			t.Errorf("inbox lacks the partial read's notice in French")
		}
		finish("", 0)
		if body := readBody(b.do(http.MethodGet, list, nil)); strings.Contains(body, `data-testid="inbox-notice"`) {
			t.Error("a notice stays after a clean read")
		}
		_, conv, _ := f.only(t, fanComment("c1", "Toujours pas reçu ma commande", now))
		if body := readBody(b.do(http.MethodGet, conv, nil)); strings.Contains(body, `data-testid="inbox-notice"`) {
			t.Error("a conversation shows a notice while its channel reads cleanly")
		}
		// The account's rate limit is told before a reply is typed, and
		// only while it holds.
		if err := channels.RateLimited(ctx, env.Store, ch.ID, now.Add(-time.Second)); err != nil {
			t.Fatal(err)
		}
		if body := readBody(b.do(http.MethodGet, list, nil)); strings.Contains(body, `data-testid="inbox-notice"`) {
			t.Error("a rate limit that ended still has a notice")
		}
		if err := channels.RateLimited(ctx, env.Store, ch.ID, now.Add(3*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if body := readBody(b.do(http.MethodGet, list, nil)); !strings.Contains(body, "La limite de requêtes du réseau pour ce compte court jusqu’à") ||
			!strings.Contains(body, "réponses et actions sont refusées d’ici là") {
			t.Errorf("inbox lacks the rate limit's notice in French")
		}
		// The conversation, where the reply is typed, says it too.
		if body := readBody(b.do(http.MethodGet, conv, nil)); !strings.Contains(body, `data-testid="inbox-notice"`) ||
			!strings.Contains(body, "La limite de requêtes du réseau pour ce compte court jusqu’à") {
			t.Errorf("the conversation lacks the rate limit's notice in French")
		}
	})
}
