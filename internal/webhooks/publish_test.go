package webhooks_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/network/sandbox"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/publish"
	"github.com/tribune-social/tribune/internal/webhooks"
)

// Publishing as the app wires it: a post on three Sandbox channels sends one
// signed post.published per variant published with its network address
// (the two may share a commit, whose events are queued together); a variant
// the network refuses sends one post.failed with the network's reason; an
// endpoint subscribed to neither gets nothing.
func TestPublishEmitsPublishedAndFailed(t *testing.T) {
	onEachDialect(t, apptest.Options{}, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		owner, ws := env.Owner(t)
		a, err := env.App.Channels.ConnectSandbox(ctx, owner, ws.ID, "alpha")
		if err != nil {
			t.Fatal(err)
		}
		b, err := env.App.Channels.ConnectSandbox(ctx, owner, ws.ID, "beta")
		if err != nil {
			t.Fatal(err)
		}
		c, err := env.App.Channels.ConnectSandbox(ctx, owner, ws.ID, "gamma")
		if err != nil {
			t.Fatal(err)
		}
		rcv := newReceiver(t, nil)
		_, sec, err := env.App.Webhooks.Create(ctx, owner, ws.ID, webhooks.Input{URL: rcv.srv.URL, Events: []webhooks.EventType{webhooks.PostPublished, webhooks.PostFailed}})
		if err != nil {
			t.Fatal(err)
		}
		rcv.setSecret(sec)
		other := newReceiver(t, nil)
		if _, _, err := env.App.Webhooks.Create(ctx, owner, ws.ID, webhooks.Input{URL: other.srv.URL, Events: []webhooks.EventType{webhooks.InboxItemCreated}}); err != nil {
			t.Fatal(err)
		}

		view, err := env.App.Posts.Save(ctx, owner, ws.ID, 0, posts.Input{Variants: []posts.VariantInput{{ChannelID: a.ID, Text: "Lancement ce soir"},
			{ChannelID: c.ID, Text: "Lancement ce soir !"}, {ChannelID: b.ID, Text: "Lancement ce soir " + sandbox.RejectTag}}}, posts.PublishNow)
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, "three events", func() bool { return len(rcv.got()) >= 3 })
		time.Sleep(500 * time.Millisecond) // nothing more comes
		hits := rcv.got()
		if len(hits) != 3 {
			t.Fatalf("receiver got %d events, want 3", len(hits))
		}
		byType := map[webhooks.EventType]publish.VariantEvent{}
		published := map[int64]publish.VariantEvent{} // by channel
		for _, h := range hits {
			if !h.verified {
				t.Errorf("%s not signed", h.event.Type)
			}
			var ev publish.VariantEvent
			if err := json.Unmarshal(h.event.Data, &ev); err != nil {
				t.Fatal(err)
			}
			byType[h.event.Type] = ev
			if h.event.Type == webhooks.PostPublished {
				published[ev.ChannelID] = ev
			}
		}
		variant := func(chID int64) int64 {
			for _, v := range view.Variants {
				if v.ChannelID == chID {
					return v.ID
				}
			}
			return 0
		}
		for _, ch := range []int64{a.ID, c.ID} {
			pub, ok := published[ch]
			if !ok || pub.PostID != view.Post.ID || pub.VariantID != variant(ch) || pub.Network != "sandbox" ||
				pub.ExternalID == "" || pub.URL == "" || pub.PublishedAt == nil {
				t.Errorf("post.published of channel %d: %+v (found: %v)", ch, pub, ok)
			}
		}
		failed, ok := byType[webhooks.PostFailed]
		if !ok || failed.VariantID != variant(b.ID) || failed.ChannelID != b.ID || failed.Error == "" || failed.ExternalID != "" {
			t.Errorf("post.failed %+v", failed)
		}
		if n := len(other.got()); n != 0 {
			t.Errorf("an endpoint subscribed to neither got %d events", n)
		}
	})
}
