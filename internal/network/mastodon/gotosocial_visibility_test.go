package mastodon_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/mastodon/gtstest"
	"github.com/tribune-social/tribune/internal/posts"
)

// Visibility is chosen, not inherited (issue 12 point 2), on the real
// server: a new GoToSocial account's own default is "unlisted"
// (TestGoToSocialDefaultVisibility), yet a post takes its channel's default
// (public unless changed), and a post's own choice wins over both.
func TestGoToSocialVisibilityThroughTribune(t *testing.T) {
	t.Parallel()
	srv := gtstest.Start(t)
	tg := connectTribune(t, srv, srv.URL())
	ctx := context.Background()
	tg.publishNow(t, posts.VariantInput{Text: "Channel default"})
	ch, err := tg.env.App.Channels.SetDefaultVisibility(ctx, tg.owner, tg.ch.ID, network.VisibilityPrivate)
	if err != nil {
		t.Fatal(err)
	}
	tg.ch = ch
	tg.publishNow(t, posts.VariantInput{Text: "New default"})
	tg.publishNow(t, posts.VariantInput{Text: "Chosen for this post", Visibility: network.VisibilityUnlisted})
	got := tg.statuses(t)
	want := []struct{ text, visibility string }{{"Channel default", "public"}, {"New default", "private"}, {"Chosen for this post", "unlisted"}}
	if len(got) != len(want) {
		t.Fatalf("%d statuses, want %d", len(got), len(want))
	}
	for i, w := range want {
		if text(got[i]) != w.text || got[i].Visibility != w.visibility {
			t.Errorf("status %d: %q %s, want %q %s", i, text(got[i]), got[i].Visibility, w.text, w.visibility)
		}
	}
}

// GoToSocial counts a link's every character (TestGoToSocialCountsLinksInFull):
// the composer refuses what the server would refuse, before anything is sent,
// and accepts what it would take.
func TestGoToSocialCountingThroughTribune(t *testing.T) {
	t.Parallel()
	srv := gtstest.Start(t)
	tg := connectTribune(t, srv, srv.URL())
	maxChars, urlLength := srv.Limits(t)
	link := "https://example.com/" + strings.Repeat("l", 60)
	words := strings.Repeat("a", maxChars-urlLength-1)
	_, err := tg.env.App.Posts.Save(context.Background(), tg.owner, tg.ws.ID, 0,
		posts.Input{Variants: []posts.VariantInput{{ChannelID: tg.ch.ID, Text: words + " " + link}}}, posts.PublishNow)
	if err == nil {
		t.Error("a text GoToSocial refuses (a link counted in full) was accepted")
	}
	tg.publishNow(t, posts.VariantInput{Text: words[:maxChars-len(link)-1] + " " + link})
	if n := len(tg.statuses(t)); n != 1 {
		t.Errorf("%d statuses, want 1", n)
	}
}
