package publish_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/network/mastodon/mastodonfake"
	"github.com/tribune-social/tribune/internal/posts"
)

// A Mastodon channel is connected through OAuth (app registration, PKCE)
// and a thread with a first comment is published to it in order, through
// the same publisher as every network.
func TestConnectMastodonAndPublishThread(t *testing.T) {
	t.Parallel()
	f := setup(t, apptest.Options{}, 0)
	fake := mastodonfake.New(t)
	fake.MaxChars = 640
	ctx := context.Background()
	authURL, err := f.env.App.Channels.StartMastodon(ctx, f.owner, f.ws.ID, fake.URL())
	if err != nil {
		t.Fatal(err)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasSuffix(back.Path, "/oauth/mastodon/callback") {
		t.Fatalf("the instance sent the browser to %q", resp.Header.Get("Location"))
	}
	ch, err := f.env.App.Channels.FinishMastodon(ctx, f.owner, back.Query().Get("state"), back.Query().Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	if ch.Network != "mastodon" || ch.MaxChars != 640 || ch.ExternalID != "109" {
		t.Fatalf("channel %+v: want mastodon with the instance's 640-character limit", ch)
	}
	// The state is single-use.
	if _, err := f.env.App.Channels.FinishMastodon(ctx, f.owner, back.Query().Get("state"), back.Query().Get("code")); err == nil {
		t.Error("an OAuth state was accepted twice")
	}
	view := f.publishNow(t, posts.VariantInput{ChannelID: ch.ID, Text: "Toot one", Thread: []string{"Toot two"}, FirstComment: "Toot comment"})
	vs := f.waitVariants(t, view.Post.ID, 20*time.Second)
	if vs[0].State != "published" || vs[0].ExternalID == "" {
		t.Fatalf("variant %+v", vs[0])
	}
	got := fake.Statuses()
	if len(got) != 3 || got[0].Text != "Toot one" || got[1].InReplyToID != got[0].ID || got[2].InReplyToID != got[1].ID || got[2].Text != "Toot comment" {
		t.Errorf("statuses %+v: want the thread then the first comment, each replying to the previous", got)
	}
	if vs[0].ExternalID != got[0].ID {
		t.Errorf("variant keeps %q, want the first status %q", vs[0].ExternalID, got[0].ID)
	}
}
