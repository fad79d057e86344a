package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/bluesky"
)

// noDM is an inbox whose account cannot reach direct messages although
// its network has them, as a Bluesky app password without that access.
type noDM struct{ likeOnly }

func (n *noDM) InboxCapabilities(network.Account) network.InboxCapabilities {
	c := n.likeOnly.InboxCapabilities(network.Account{})
	c.Kinds[network.KindMessage] = network.Unsupported(bluesky.NoChatAccess)
	c.Notices = []string{bluesky.NoChatAccess}
	return c
}

// Missing messages show nothing by themselves: the inbox says, beside the
// channel, in the reader's language, why its direct messages are not read.
func TestInboxSaysWhyAChannelMissesItems(t *testing.T) {
	t.Parallel()
	onBothDatabases(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		owner, ws := env.Owner(t)
		if _, err := env.App.Auth.SetPreferences(ctx, owner, auth.Preferences{Name: owner.Name, Locale: "fr"}); err != nil {
			t.Fatal(err)
		}
		if _, err := env.App.Channels.ConnectSandbox(ctx, owner, ws.ID, "marque"); err != nil {
			t.Fatal(err)
		}
		b := newBrowser(t, env, owner.Email)
		list := fmt.Sprintf("/w/%d/inbox", ws.ID)
		env.App.Inbox.Connectors = map[string]network.Connector{"sandbox": &likeOnly{}}
		if body := readBody(b.do(http.MethodGet, list, nil)); strings.Contains(body, `data-testid="inbox-notice"`) {
			t.Error("a notice shows for a channel that reaches everything")
		}
		env.App.Inbox.Connectors = map[string]network.Connector{"sandbox": &noDM{}}
		resp := b.do(http.MethodGet, list, nil)
		body := readBody(resp)
		want := "Ce mot de passe d&#39;application ne peut pas lire les messages privés"
		if resp.StatusCode != 200 || !strings.Contains(body, `data-testid="inbox-notice"`) || !strings.Contains(body, want) || !strings.Contains(body, "marque") {
			t.Errorf("inbox (%d) lacks the channel's notice in French", resp.StatusCode)
		}
	})
}
