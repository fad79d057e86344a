package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/inbox"
	"github.com/tribune-social/tribune/internal/network"
)

// The inbox goes live as the app wires it: an ingested item reaches a
// subscriber of its workspace (and no other) as item.new on its
// conversation; the list page carries the live stream and refetches its
// list on item events; the conversation page shows presence and refetches
// its items on its own conversation's events only.
func TestInboxPagesAreLive(t *testing.T) {
	t.Parallel()
	onBothDatabases(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		owner, ws := env.Owner(t)
		ch, err := env.App.Channels.ConnectSandbox(ctx, owner, ws.ID, "marque")
		if err != nil {
			t.Fatal(err)
		}
		events, stop := env.App.Live.Subscribe(ws.ID)
		defer stop()
		other, stopOther := env.App.Live.Subscribe(ws.ID + 1000)
		defer stopOther()
		res, err := env.App.Inbox.Ingest(ctx, ch, []network.Item{{ExternalID: "s1", Kind: network.KindComment, Ref: network.Ref{ID: "s1"},
			ConversationID: "root", Author: network.Author{ExternalID: "fan", Handle: "fan"}, Text: "Hello there", CreatedAt: time.Now()}})
		if err != nil || res.Added != 1 {
			t.Fatalf("ingest: %+v %v", res, err)
		}
		it, err := env.App.Inbox.Item(ctx, owner, res.NewIDs[0])
		if err != nil {
			t.Fatal(err)
		}
		select {
		case e := <-events:
			if e.Type != inbox.LiveItemNew || e.Subject != fmt.Sprint(it.ConversationID) || string(e.Data) != fmt.Sprintf(`{"item":%d}`, it.ID) {
				t.Errorf("event %+v, want item.new on conversation %d for item %d", e, it.ConversationID, it.ID)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no live event within 5 s of an ingestion")
		}
		select {
		case e := <-other:
			t.Errorf("another workspace received %+v", e)
		case <-time.After(100 * time.Millisecond):
		}

		b := newBrowser(t, env, owner.Email)
		list := fmt.Sprintf("/w/%d/inbox?status=new", ws.ID)
		body := readBody(b.do(http.MethodGet, list, nil))
		for _, want := range []string{
			fmt.Sprintf(`data-live-events="/w/%d/events"`, ws.ID),
			fmt.Sprintf(`data-live-me="%d"`, owner.ID),
			`data-live-on="item.new item.updated" hx-get="` + strings.ReplaceAll(list, "&", "&amp;") + `" hx-trigger="live" hx-select="#inbox-list"`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("list page lacks %s", want)
			}
		}
		conv := fmt.Sprintf("/w/%d/inbox/conversations/%d", ws.ID, it.ConversationID)
		body = readBody(b.do(http.MethodGet, conv, nil))
		for _, want := range []string{
			fmt.Sprintf(`data-live-events="/w/%d/events"`, ws.ID),
			fmt.Sprintf(`data-live-presence="%d"`, it.ConversationID),
			fmt.Sprintf(`data-live-on="item.new item.updated" data-live-subject="%d" hx-get="%s" hx-trigger="live" hx-select="#conversation-items"`, it.ConversationID, conv),
			"Hello there",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("conversation page lacks %s", want)
			}
		}
	})
}
