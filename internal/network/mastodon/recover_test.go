package mastodon_test

import (
	"context"
	"errors"
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
