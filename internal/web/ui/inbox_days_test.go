package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/network"
)

// The list page's days are read by the inbox as the API reads them (the
// workspace here is in Paris: 28 February 23:30 UTC is 1 March there), and
// a day typed wrong in the address is a clear refusal naming the forms,
// not a filter silently dropped.
func TestInboxPageReadsDaysInTheMembersTimeZone(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	owner, ws := env.Owner(t)
	ch, err := env.App.Channels.ConnectSandbox(ctx, owner, ws.ID, "brand")
	if err != nil {
		t.Fatal(err)
	}
	env.App.Inbox.Connectors = map[string]network.Connector{"sandbox": likeOnly()}
	var items []network.Item
	for _, it := range []struct{ text, at string }{{"early-paris-march", "2026-02-28T23:30:00Z"}, {"late-paris-march", "2026-03-01T23:30:00Z"}} {
		at, _ := time.Parse(time.RFC3339, it.at)
		items = append(items, network.Item{ExternalID: it.text, Kind: network.KindComment, Ref: network.Ref{ID: it.text}, ConversationID: "root",
			Root: &network.Ref{ID: "root"}, Author: network.Author{ExternalID: "fan", Handle: "fan"}, Text: it.text, CreatedAt: at})
	}
	if _, err := env.App.Inbox.Ingest(ctx, ch, items); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, env, owner.Email)
	list := fmt.Sprintf("/w/%d/inbox", ws.ID)
	resp := b.do(http.MethodGet, list+"?since=2026-03-01&until=2026-03-01", nil)
	body := readBody(resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "early-paris-march") || strings.Contains(body, "late-paris-march") {
		t.Errorf("1 March in Paris (%d): want the item of 00:30 there, not the one of 2 March 00:30", resp.StatusCode)
	}
	resp = b.do(http.MethodGet, list+"?since=yesterday", nil)
	if body := readBody(resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "YYYY-MM-DD") {
		t.Errorf("a day typed wrong: %d, want 422 naming the form", resp.StatusCode)
	}
}
