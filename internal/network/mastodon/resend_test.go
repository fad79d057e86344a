package mastodon_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/httpx"
	"github.com/tribune-social/tribune/internal/network/httpx/httpxtest"
	"github.com/tribune-social/tribune/internal/network/mastodon"
	"github.com/tribune-social/tribune/internal/network/mastodon/mastodonfake"
)

// localClient reaches the fake instance on 127.0.0.1, as
// -allow-private-networks does.
var localClient = httpx.NewClient(httpx.Options{AllowPrivate: true})

// The instance creates the status, then the kept-alive connection closes
// before the answer. GoToSocial ignores Idempotency-Key, so a re-send by
// the transport would create the status twice: it must not happen, for a
// post or a reply (thread items and first comments).
func TestALostAnswerIsNotSentAgain(t *testing.T) {
	t.Parallel()
	for _, reply := range []bool{false, true} {
		name := "post"
		if reply {
			name = "reply"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := mastodonfake.New(t)
			f.IgnoreIdempotency = true
			var armed atomic.Bool
			front, lose := httpxtest.Front(t, f.URL(), func(r *http.Request) bool {
				return armed.Load() && r.Method == http.MethodPost && r.URL.Path == "/api/v1/statuses"
			})
			ctx := context.Background()
			c := mastodon.New(localClient)
			acct := account(f)
			acct.BaseURL = front.URL
			// A first call opens the connection the lost one reuses.
			first, err := c.Publish(ctx, acct, network.PostRequest{AttemptKey: "3lbtuawq4tk2a", Text: "First", CreatedAt: time.Now()})
			if err != nil {
				t.Fatal(err)
			}
			req := network.PostRequest{AttemptKey: "3lbtuawq4tk2b", Text: "Once", CreatedAt: time.Now()}
			if reply {
				req.ReplyTo = &first
			}
			armed.Store(true)
			_, err = c.Publish(ctx, acct, req)
			if lose.Lost() != 1 {
				t.Fatalf("%d answers lost, want 1", lose.Lost())
			}
			if ne := network.AsError(err); err == nil || ne.Kind != network.Temporary {
				t.Errorf("got %v, want a Temporary error (the answer was lost)", err)
			}
			if got := f.Statuses(); len(got) != 2 {
				t.Errorf("the instance holds %d statuses, want 2: the lost call was sent again", len(got))
			}
		})
	}
}

// Without a client of its own, the connector refuses what users may not
// reach: here an instance on 127.0.0.1.
func TestDefaultClientRefusesPrivateAddresses(t *testing.T) {
	t.Parallel()
	f := mastodonfake.New(t)
	_, err := mastodon.New(nil).RegisterApp(context.Background(), f.URL(), "https://tribune.example/cb", "https://tribune.example")
	if !httpx.Blocked(err) {
		t.Errorf("got %v, want the call refused", err)
	}
}
