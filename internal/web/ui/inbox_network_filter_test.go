package ui_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/tribune-social/tribune/internal/apptest"
)

// An unknown network in the inbox list's filters is a 422 naming the
// networks the inbox knows, in French, never an empty list that reads as
// "no such items"; a saved view cannot keep one either.
func TestUnknownNetworkFilterIsRefusedInFrench(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	owner, ws := frenchOwner(t, env)
	b := newBrowser(t, env, owner.Email)
	resp := b.do(http.MethodGet, fmt.Sprintf("/w/%d/inbox?network=myspace", ws.ID), nil)
	body := readBody(resp)
	want := html.EscapeString("Réseau inconnu « myspace » : la messagerie connaît sandbox, mastodon, bluesky")
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, want) {
		t.Errorf("unknown network: %d, want 422 with %q", resp.StatusCode, want)
	}
	if resp := b.do(http.MethodGet, fmt.Sprintf("/w/%d/inbox?network=mastodon", ws.ID), nil); resp.StatusCode != http.StatusOK {
		t.Errorf("a known network: %d, want 200", resp.StatusCode)
	}
	if _, err := env.App.Inbox.SaveView(ctx, owner, ws.ID, "Myspace", "network=myspace", false); err == nil {
		t.Errorf("a view with an unknown network was saved")
	}
}
