package httpxtest

import (
	"context"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/network"
)

// Lossy is one connector's side of LostAnswerIsNotSentAgain: the connector,
// an account on a server reached through LoseAnswers, how to arm that loss,
// and what the server holds.
type Lossy struct {
	Connector network.Connector
	Account   network.Account
	Lose      *LoseAnswers
	// Arm makes LoseAnswers drop the next publishing call's answer.
	Arm func()
	// Posts is how many posts (replies included) the server created.
	Posts func() int
	// ReplyRoot names the post replied to as the thread's root too, as a
	// network that wants the root in every reply (Bluesky) does.
	ReplyRoot bool
}

// LostAnswerIsNotSentAgain is the scenario every connector passes: the
// server creates the post, then the kept-alive connection closes before the
// answer. The connector must say it does not know (a Temporary error) and
// must not let the transport send the call again, which would post twice;
// for a post and for a reply (thread items and first comments). start
// returns a fresh setup for each.
func LostAnswerIsNotSentAgain(t *testing.T, start func(t *testing.T) Lossy) {
	t.Helper()
	for _, reply := range []bool{false, true} {
		name := "post"
		if reply {
			name = "reply"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			l := start(t)
			ctx := context.Background()
			// A first call opens the connection the lost one reuses.
			first, err := l.Connector.Publish(ctx, l.Account, network.PostRequest{AttemptKey: "3lbtuawq4tk2a", Text: "First", CreatedAt: time.Now()})
			if err != nil {
				t.Fatal(err)
			}
			req := network.PostRequest{AttemptKey: "3lbtuawq4tk2b", Text: "Once", CreatedAt: time.Now()}
			if reply {
				req.ReplyTo = &first
				if l.ReplyRoot {
					req.Root = &first
				}
			}
			l.Arm()
			_, err = l.Connector.Publish(ctx, l.Account, req)
			if l.Lose.Lost() != 1 {
				t.Fatalf("%d answers lost, want 1", l.Lose.Lost())
			}
			if ne := network.AsError(err); err == nil || ne.Kind != network.Temporary {
				t.Errorf("got %v, want a Temporary error (the answer was lost)", err)
			}
			if got := l.Posts(); got != 2 {
				t.Errorf("the server holds %d posts, want 2: the lost call was sent again", got)
			}
		})
	}
}
