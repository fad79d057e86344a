package mastodon_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"

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
// the transport would create the status twice.
func TestALostAnswerIsNotSentAgain(t *testing.T) {
	t.Parallel()
	httpxtest.LostAnswerIsNotSentAgain(t, func(t *testing.T) httpxtest.Lossy {
		f := mastodonfake.New(t)
		f.IgnoreIdempotency = true
		var armed atomic.Bool
		front, lose := httpxtest.Front(t, f.URL(), func(r *http.Request) bool {
			return armed.Load() && r.Method == http.MethodPost && r.URL.Path == "/api/v1/statuses"
		})
		acct := account(f)
		acct.BaseURL = front.URL
		return httpxtest.Lossy{Connector: mastodon.New(localClient), Account: acct, Lose: lose,
			Arm: func() { armed.Store(true) }, Posts: func() int { return len(f.Statuses()) }}
	})
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
