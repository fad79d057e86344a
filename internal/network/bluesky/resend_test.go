package bluesky_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

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

func (f *xrpcFake) posts() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		n += c
	}
	return n
}

// The PDS creates the record, then the kept-alive connection closes before
// the answer: the transport must not send createRecord again.
func TestALostAnswerIsNotSentAgain(t *testing.T) {
	t.Parallel()
	httpxtest.LostAnswerIsNotSentAgain(t, func(t *testing.T) httpxtest.Lossy {
		pds := &xrpcFake{calls: map[string]int{}}
		var armed atomic.Bool
		lose := &httpxtest.LoseAnswers{Handler: pds, Lose: func(r *http.Request) bool { return armed.Load() }}
		srv := httptest.NewServer(lose)
		t.Cleanup(srv.Close)
		return httpxtest.Lossy{Connector: bluesky.New(httpx.NewClient(httpx.Options{AllowPrivate: true})),
			Account: network.Account{BaseURL: srv.URL, ExternalID: "did:plc:lumiere", Handle: "lumiere.test", Token: network.Token{AccessToken: "jwt"}},
			Lose:    lose, Arm: func() { armed.Store(true) }, Posts: pds.posts, ReplyRoot: true}
	})
}
