package bluesky_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/bluesky"
	"github.com/tribune-social/tribune/internal/network/httpx"
	"github.com/tribune-social/tribune/internal/network/httpx/httpxtest"
)

// xrpcFake answers com.atproto.repo.createRecord as a PDS does, and counts
// the calls it handled per record key.
type xrpcFake struct {
	mu    sync.Mutex
	calls map[string]int
}

func (f *xrpcFake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/xrpc/com.atproto.repo.createRecord" {
		w.WriteHeader(http.StatusNotImplemented)
		_, _ = w.Write([]byte(`{"error":"MethodNotImplemented"}`))
		return
	}
	var in struct{ Repo, Collection, Rkey string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.calls[in.Rkey]++
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"uri": "at://" + in.Repo + "/" + in.Collection + "/" + in.Rkey, "cid": "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm"})
}

func (f *xrpcFake) count(rkey string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[rkey]
}

// The PDS creates the record, then the kept-alive connection closes before
// the answer: the transport must not send createRecord again, for a post or
// a reply (thread items and first comments).
func TestALostAnswerIsNotSentAgain(t *testing.T) {
	t.Parallel()
	for _, reply := range []bool{false, true} {
		name := "post"
		if reply {
			name = "reply"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			pds := &xrpcFake{calls: map[string]int{}}
			var armed atomic.Bool
			lose := &httpxtest.LoseAnswers{Handler: pds, Lose: func(r *http.Request) bool { return armed.Load() }}
			srv := httptest.NewServer(lose)
			t.Cleanup(srv.Close)
			ctx := context.Background()
			c := bluesky.New(httpx.NewClient(httpx.Options{AllowPrivate: true}))
			acct := network.Account{BaseURL: srv.URL, ExternalID: "did:plc:lumiere", Handle: "lumiere.test", Token: network.Token{AccessToken: "jwt"}}
			// A first call opens the connection the lost one reuses.
			first, err := c.Publish(ctx, acct, network.PostRequest{AttemptKey: "3lbtuawq4tk2a", Text: "First", CreatedAt: time.Now()})
			if err != nil {
				t.Fatal(err)
			}
			req := network.PostRequest{AttemptKey: "3lbtuawq4tk2b", Text: "Once", CreatedAt: time.Now()}
			if reply {
				req.ReplyTo, req.Root = &first, &first
			}
			armed.Store(true)
			_, err = c.Publish(ctx, acct, req)
			if lose.Lost() != 1 {
				t.Fatalf("%d answers lost, want 1", lose.Lost())
			}
			if ne := network.AsError(err); err == nil || ne.Kind != network.Temporary {
				t.Errorf("got %v, want a Temporary error (the answer was lost)", err)
			}
			if got := pds.count(req.AttemptKey); got != 1 {
				t.Errorf("the PDS handled createRecord %d times, want 1: the lost call was sent again", got)
			}
		})
	}
}
