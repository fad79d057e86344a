package pdstest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tribune-social/tribune/internal/network/bluesky/appviewfake"
	"github.com/tribune-social/tribune/internal/network/bluesky/chatfake"
	"github.com/tribune-social/tribune/internal/network/bluesky/xrpcfake"
)

// Mem stands in for a PDS in unit tests that run without Node: in-memory
// repositories, the fake AppView reading them and the fake chat service a
// real PDS forwards chat.bsky.* to, all behind one address. The chat service
// is then called with the session token, and the atproto-proxy header must
// still name it.
type Mem struct {
	Repos   *appviewfake.Mem
	AppView *appviewfake.Server
	Chat    *chatfake.Server
	// URL is where it listens.
	URL string
	// RefuseChat plays a PDS refusing the chat to an app password without
	// access to direct messages; ChatDown makes the chat answer 502, as a
	// PDS does when the chat service behind it is down.
	RefuseChat, ChatDown atomic.Bool
	// RateLimit is the PDS's limit on every XRPC call (off until Set).
	RateLimit xrpcfake.RateLimit
}

// StartMem serves a Mem until the test ends, then fails the test if either
// fake was sent a request the lexicons or the routing do not allow. wrap,
// when not nil, wraps what answers the repositories' and the AppView's
// calls (to count or interleave them).
func StartMem(t testing.TB, wrap func(http.Handler) http.Handler) *Mem {
	t.Helper()
	m := &Mem{Repos: appviewfake.NewMem(), Chat: chatfake.New()}
	m.AppView = appviewfake.New(m.Repos)
	m.Chat.Direct = func(tok string) (string, bool) { return m.Repos.Viewer(tok), m.RefuseChat.Load() }
	h := appviewfake.Handler(m.AppView, m.Repos)
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(m.RateLimit.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case !strings.HasPrefix(r.URL.Path, "/xrpc/chat.bsky."):
			h.ServeHTTP(w, r)
		case m.ChatDown.Load():
			xrpcfake.Error(w, http.StatusBadGateway, "UpstreamFailure", "chat service unreachable")
		default:
			m.Chat.ServeHTTP(w, r)
		}
	})))
	t.Cleanup(srv.Close)
	m.URL = srv.URL
	checkViolations(t, m.AppView, m.Chat)
	return m
}

// Account creates an account whose repository the AppView follows and whose
// handle the chat service shows; it returns the account's access token.
func (m *Mem) Account(did, handle string) string {
	tok := m.Repos.Account(did, handle)
	m.AppView.Follow(did)
	m.Chat.SetHandle(did, handle)
	return tok
}
