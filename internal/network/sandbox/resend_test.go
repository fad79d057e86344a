package sandbox

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/tribune-social/tribune/internal/network/httpx"
	"github.com/tribune-social/tribune/internal/network/httpx/httpxtest"
)

// The sandbox creates the post, then the kept-alive connection closes
// before the answer: the transport must not send the post again (the
// sandbox ignores Idempotency-Key here, like GoToSocial).
func TestALostAnswerIsNotSentAgain(t *testing.T) {
	t.Parallel()
	httpxtest.LostAnswerIsNotSentAgain(t, func(t *testing.T) httpxtest.Lossy {
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
		c := NewConnector(httpx.NewClient(httpx.Options{AllowPrivate: true, Origin: hs.URL}))
		acct, err := c.CreateAccount(context.Background(), hs.URL, "w1", "shop")
		if err != nil {
			t.Fatal(err)
		}
		return httpxtest.Lossy{Connector: c, Account: acct, Lose: lose, Arm: func() { armed.Store(true) }, Posts: func() int { return len(s.Received()) }}
	})
}
