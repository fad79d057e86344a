package webhooks_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/inbox"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/webhooks"
)

// The inbox as the app wires it: an ingested comment reaches a subscribed
// receiver as a signed inbox.item.created with the item, once, even when
// the same fetch comes again; a status change reaches it as
// inbox.item.updated with the new and previous status.
func TestInboxEmitsItemCreatedAndUpdated(t *testing.T) {
	onEachDialect(t, apptest.Options{}, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		owner, ws := env.Owner(t)
		ch, err := env.App.Channels.ConnectSandbox(ctx, owner, ws.ID, "marque")
		if err != nil {
			t.Fatal(err)
		}
		rcv := newReceiver(t, nil)
		_, sec, err := env.App.Webhooks.Create(ctx, owner, ws.ID, webhooks.Input{URL: rcv.srv.URL,
			Events: []webhooks.EventType{webhooks.InboxItemCreated, webhooks.InboxItemUpdated}})
		if err != nil {
			t.Fatal(err)
		}
		rcv.setSecret(sec)
		item := network.Item{ExternalID: "s1", Kind: network.KindComment, Ref: network.Ref{ID: "s1", URL: "https://sandbox.test/s1"},
			ConversationID: "root", Author: network.Author{ExternalID: "fan", Handle: "fan"}, Text: "Hello there", CreatedAt: time.Now()}
		res, err := env.App.Inbox.Ingest(ctx, ch, []network.Item{item})
		if err != nil || res.Added != 1 {
			t.Fatalf("ingest: %+v %v", res, err)
		}
		if _, err := env.App.Inbox.Ingest(ctx, ch, []network.Item{item}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "inbox.item.created", func() bool { return len(rcv.got()) >= 1 })
		h := rcv.got()[0]
		var created struct {
			Item inbox.WebhookItem `json:"item"`
		}
		if err := json.Unmarshal(h.event.Data, &created); err != nil {
			t.Fatal(err)
		}
		if !h.verified || h.event.Type != webhooks.InboxItemCreated || created.Item.ID != res.NewIDs[0] || created.Item.Text != "Hello there" ||
			created.Item.ChannelID != ch.ID || created.Item.Network != "sandbox" || created.Item.URL != "https://sandbox.test/s1" || created.Item.Status != "new" {
			t.Errorf("created event %s %s verified=%v", h.event.Type, h.event.Data, h.verified)
		}

		done := inbox.StatusDone
		if err := env.App.Inbox.Update(ctx, owner, ws.ID, res.NewIDs, inbox.Change{Status: &done}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "inbox.item.updated", func() bool { return len(rcv.got()) >= 2 })
		h = rcv.got()[1]
		var updated struct {
			Item           struct{ ID int64 } `json:"item"`
			Status         string             `json:"status"`
			PreviousStatus string             `json:"previous_status"`
		}
		if err := json.Unmarshal(h.event.Data, &updated); err != nil {
			t.Fatal(err)
		}
		if !h.verified || h.event.Type != webhooks.InboxItemUpdated || updated.Item.ID != res.NewIDs[0] || updated.Status != "done" || updated.PreviousStatus != "new" {
			t.Errorf("updated event %s %s verified=%v", h.event.Type, h.event.Data, h.verified)
		}
		// The repeated fetch added nothing, so nothing more was sent.
		time.Sleep(300 * time.Millisecond)
		if n := len(rcv.got()); n != 2 {
			t.Errorf("receiver got %d events, want 2", n)
		}
	})
}
