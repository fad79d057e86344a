package sandbox

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/httpx"
	"github.com/tribune-social/tribune/internal/network/httpx/httpxtest"
)

// The sandbox creates the post, then the kept-alive connection closes
// before the answer: the transport must not send the post again (the
// sandbox ignores Idempotency-Key here, like GoToSocial), neither a post
// nor a reply (thread items and first comments are replies).
func TestALostAnswerIsNotSentAgain(t *testing.T) {
	t.Parallel()
	for _, reply := range []bool{false, true} {
		name := "post"
		if reply {
			name = "reply"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s, err := NewServer(Options{})
			if err != nil {
				t.Fatal(err)
			}
			var armed atomic.Bool
			lose := &httpxtest.LoseAnswers{Handler: s, Lose: func(r *http.Request) bool {
				return armed.Load() && r.Method == http.MethodPost && r.URL.Path == "/api/posts"
			}}
			hs := httptest.NewServer(lose)
			t.Cleanup(func() { hs.Close(); s.Close() })
			ctx := context.Background()
			c := NewConnector(httpx.NewClient(httpx.Options{AllowPrivate: true, Origin: hs.URL}))
			acct, err := c.CreateAccount(ctx, hs.URL, "w1", "shop")
			if err != nil {
				t.Fatal(err)
			}
			req := network.PostRequest{AttemptKey: "3lbtuawq4tk2a", Text: "Once", CreatedAt: time.Now()}
			want := 1
			if reply {
				first, err := c.Publish(ctx, acct, network.PostRequest{AttemptKey: "3lbtuawq4tk2b", Text: "First", CreatedAt: time.Now()})
				if err != nil {
					t.Fatal(err)
				}
				req.ReplyTo = &first
				want = 2
			}
			armed.Store(true)
			_, err = c.Publish(ctx, acct, req)
			if lose.Lost() != 1 {
				t.Fatalf("%d answers lost, want 1", lose.Lost())
			}
			if ne := network.AsError(err); err == nil || ne.Kind != network.Temporary {
				t.Errorf("got %v, want a Temporary error (the answer was lost)", err)
			}
			if got := len(s.Received()); got != want {
				t.Errorf("the sandbox holds %d posts, want %d: the lost call was sent again", got, want)
			}
		})
	}
}
