package mastodon_test

import (
	"bytes"
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/channels"
	"github.com/tribune-social/tribune/internal/network/mastodon/gtstest"
	"github.com/tribune-social/tribune/internal/posts"
)

// The whole of Tribune against a real GoToSocial: the channel is connected
// the way a user connects it (Tribune registers itself, the user signs in
// and approves on the instance's own pages, the instance sends the browser
// back to Tribune's callback), then a post with a picture, a thread and a
// first comment goes through the composer, River and the publisher. Each
// message lands once, in order, each answering the previous one.
func TestGoToSocialThroughTribune(t *testing.T) {
	t.Parallel()
	srv := gtstest.Start(t)
	user := srv.CreateAccount(t)
	env := apptest.Start(t, apptest.Options{Workers: true, NetworkTimeout: 20 * time.Second})
	owner, ws := env.Owner(t)
	ctx := context.Background()

	authURL, err := env.App.Channels.StartMastodon(ctx, owner, ws.ID, srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	back := srv.Authorize(t, authURL, user)
	callback, _ := url.Parse(env.Server.URL + channels.MastodonCallback)
	if back.Host != callback.Host || back.Path != callback.Path {
		t.Fatalf("GoToSocial sent the browser to %s, want Tribune's callback %s", back, callback)
	}
	ch, err := env.App.Channels.FinishMastodon(ctx, owner, back.Query().Get("state"), back.Query().Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	if ch.Network != "mastodon" || ch.MaxChars != gtstest.MaxChars || ch.ExternalID == "" {
		t.Fatalf("channel %+v: want mastodon with the instance's %d-character limit", ch, gtstest.MaxChars)
	}

	m, err := env.App.Media.Upload(ctx, owner, ws.ID, "lamp.png", bytes.NewReader(pngImage(t)), "A lamp on a desk", nil)
	if err != nil {
		t.Fatal(err)
	}
	view, err := env.App.Posts.Save(ctx, owner, ws.ID, 0, posts.Input{Variants: []posts.VariantInput{{ChannelID: ch.ID,
		Text: "Toot one", MediaIDs: []int64{m.ID}, Thread: []string{"Toot two"}, FirstComment: "Toot comment"}}}, posts.PublishNow)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		vs, err := env.Store.ListVariantsByPost(ctx, view.Post.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) != 1 {
			t.Fatalf("%d variants, want 1", len(vs))
		}
		if vs[0].State != "queued" && vs[0].State != "publishing" {
			if vs[0].State != "published" || vs[0].ExternalID == "" {
				t.Fatalf("variant %+v, want published", vs[0])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("variant still in flight after 2 minutes: %+v", vs[0])
		}
		time.Sleep(100 * time.Millisecond)
	}
	vs, _ := env.Store.ListVariantsByPost(ctx, view.Post.ID)

	// The channel's account as Tribune keeps it (the token sealed at rest).
	acct, err := env.App.Channels.Account(ctx, ch)
	if err != nil {
		t.Fatal(err)
	}
	got := gts{srv: srv, acct: acct}.statuses(t)
	if len(got) != 3 {
		t.Fatalf("%d statuses on GoToSocial, want 3 (each message once): %+v", len(got), got)
	}
	for i, want := range []string{"Toot one", "Toot two", "Toot comment"} {
		if text(got[i]) != want {
			t.Errorf("status %d is %q, want %q", i, text(got[i]), want)
		}
		if i > 0 && (got[i].InReplyToID == nil || *got[i].InReplyToID != got[i-1].ID) {
			t.Errorf("status %d answers %v, want %s", i, got[i].InReplyToID, got[i-1].ID)
		}
	}
	if len(got[0].Media) != 1 || got[0].Media[0].Description != "A lamp on a desk" {
		t.Errorf("first status's media %+v, want the picture with its alt text", got[0].Media)
	}
	if vs[0].ExternalID != got[0].ID || !strings.HasPrefix(vs[0].ExternalURL, srv.URL()+"/@"+user.Username+"/statuses/") {
		t.Errorf("variant keeps %q %q, want the first status %q and its page", vs[0].ExternalID, vs[0].ExternalURL, got[0].ID)
	}
}
