package mastodon_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/mastodon"
	"github.com/tribune-social/tribune/internal/network/mastodon/mastodonfake"
)

// A post is never a reply: when a post's attempt is lost, a thread item or
// first comment with the same words (another post's "Thanks!") must not be
// taken for it, or the post would count as published without ever being
// sent. Found against GoToSocial (TestGoToSocialRecover); checked here
// against the fake so that it runs everywhere.
func TestRecoverDoesNotTakeAReplyForAPost(t *testing.T) {
	t.Parallel()
	f := mastodonfake.New(t)
	f.IgnoreIdempotency = true
	ctx := context.Background()
	c := mastodon.New(localClient)
	acct := account(f)
	began := time.Now()
	parent, err := c.Publish(ctx, acct, network.PostRequest{AttemptKey: "3lbtuawq4tk7a", Text: "A post", CreatedAt: began})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Publish(ctx, acct, network.PostRequest{AttemptKey: "3lbtuawq4tk7b", Text: "Thanks!", ReplyTo: &parent, CreatedAt: began}); err != nil {
		t.Fatal(err)
	}
	got, err := c.Recover(ctx, acct, network.PostRequest{AttemptKey: "3lbtuawq4tk7c", Text: "Thanks!", CreatedAt: began})
	if !errors.Is(err, network.ErrNotPublished) {
		t.Errorf("got %+v %v, want ErrNotPublished: the status with these words is a reply", got, err)
	}
}

// Recover finds a landed attempt whatever its text: the attempt's text and
// the HTML the server made of it go through the same conversion
// (htmltext.Plain), so line breaks, blank lines, entities and French
// no-break spaces read the same on both sides.
func TestRecoverFindsTextsAsTheServerRendersThem(t *testing.T) {
	t.Parallel()
	f := mastodonfake.New(t)
	f.IgnoreIdempotency = true
	ctx := context.Background()
	c := mastodon.New(localClient)
	acct := account(f)
	for i, tc := range []struct {
		name string
		req  network.PostRequest
	}{
		{"line break", network.PostRequest{Text: "first line\nsecond line"}},
		{"blank line", network.PostRequest{Text: "first paragraph\n\nsecond paragraph"}},
		{"entities", network.PostRequest{Text: `Tom & Jerry <3 "quotes" l'été`}},
		{"no-break spaces", network.PostRequest{Text: "Bonjour\u00a0! Ça\u202fva ?"}},
		{"link appended", network.PostRequest{Text: "À lire", Link: "https://example.com/a?b=1&c=2"}},
		{"spaces typed twice", network.PostRequest{Text: "  deux  espaces\tet une tabulation "}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := tc.req
			req.AttemptKey = fmt.Sprintf("3lbtuawq4tk8%c", 'a'+i)
			req.CreatedAt = time.Now()
			ref, err := c.Publish(ctx, acct, req)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.Recover(ctx, acct, req)
			if err != nil || got.ID != ref.ID {
				t.Errorf("Recover(%q) = %+v %v, want %s", req.Text, got, err, ref.ID)
			}
		})
	}
}
