// Package httpxtest helps connector tests reproduce what real networks do
// to HTTP calls.
package httpxtest

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"
)

// LoseAnswers wraps h so that a request matching lose, arriving on a reused
// keep-alive connection (the second request or later on that connection), is
// handled in full (the post is created) and then its connection is closed
// without an answer: what a server does when it restarts, or when its
// keep-alive time-out fires just as the request comes in. Go's transport
// re-sends such a request by itself when it deems it replayable; a
// connector must make sure it never does for a publishing call.
//
// Lost reports how many answers were dropped, so a test can check that the
// scenario really happened.
type LoseAnswers struct {
	Handler http.Handler
	Lose    func(*http.Request) bool

	mu   sync.Mutex
	seen map[string]int // requests so far per client connection (RemoteAddr)
	lost int
}

// Lost returns how many answers were dropped.
func (l *LoseAnswers) Lost() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lost
}

func (l *LoseAnswers) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	if l.seen == nil {
		l.seen = map[string]int{}
	}
	l.seen[r.RemoteAddr]++
	reused := l.seen[r.RemoteAddr] > 1
	l.mu.Unlock()
	if !reused || !l.Lose(r) {
		l.Handler.ServeHTTP(w, r)
		return
	}
	// The side effect happens; its answer goes nowhere.
	l.Handler.ServeHTTP(httptest.NewRecorder(), r)
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic("httpxtest: cannot hijack the connection: " + err.Error())
	}
	// Counted before the close: the client may look as soon as it fails.
	l.mu.Lock()
	l.lost++
	l.mu.Unlock()
	_ = conn.Close()
}

// Front starts a server on 127.0.0.1 that forwards every request to
// target, losing the answers lose selects as LoseAnswers does. It lets a
// test put the scenario in front of a fake it cannot wrap.
func Front(t testing.TB, target string, lose func(*http.Request) bool) (*httptest.Server, *LoseAnswers) {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	l := &LoseAnswers{Handler: httputil.NewSingleHostReverseProxy(u), Lose: lose}
	srv := httptest.NewServer(l)
	t.Cleanup(srv.Close)
	return srv, l
}
