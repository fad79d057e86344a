package httpx_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/httpx"
	"github.com/tribune-social/tribune/internal/network/httpx/httpxtest"
)

// counter counts the requests a test server handled, per method and path.
type counter struct {
	mu   sync.Mutex
	hits map[string]int
}

func (c *counter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	c.mu.Lock()
	if c.hits == nil {
		c.hits = map[string]int{}
	}
	c.hits[r.Method+" "+r.URL.Path]++
	c.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"id":"1"}`)
}

func (c *counter) count(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits[key]
}

// A call whose answer is lost on a reused keep-alive connection is never
// sent again by the transport unless it is a read: the server handled it
// once, and only Tribune decides what happens next.
func TestTransportNeverResendsAWrite(t *testing.T) {
	t.Parallel()
	key := http.Header{"Idempotency-Key": {"3lbtuawq4tk2a"}}
	for _, tc := range []struct {
		name   string
		req    httpx.Request
		resent bool
	}{
		{"POST with a body and Idempotency-Key", httpx.Request{Method: http.MethodPost, Body: strings.NewReader(`{"text":"hi"}`), ContentType: "application/json", Header: key}, false},
		{"POST with a bytes body and X-Idempotency-Key", httpx.Request{Method: http.MethodPost, Body: strings.NewReader("a=b"), Header: http.Header{"X-Idempotency-Key": {"k"}}}, false},
		{"POST without a body, with Idempotency-Key", httpx.Request{Method: http.MethodPost, Header: key}, false},
		{"DELETE with Idempotency-Key", httpx.Request{Method: http.MethodDelete, Header: key}, false},
		{"PUT with a body", httpx.Request{Method: http.MethodPut, Body: strings.NewReader("x"), Header: key}, false},
		// The scenario is real: a read is re-sent by the transport, and
		// succeeds the second time.
		{"GET (control)", httpx.Request{Method: http.MethodGet}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			hits := &counter{}
			lose := &httpxtest.LoseAnswers{Handler: hits, Lose: func(r *http.Request) bool { return r.URL.Path == "/call" }}
			srv := httptest.NewServer(lose)
			t.Cleanup(srv.Close)
			c := &httpx.Client{HTTP: httpx.NewClient(httpx.Options{AllowPrivate: true})}
			ctx := context.Background()
			// The first call opens the connection the second one reuses.
			if _, err := c.Do(ctx, httpx.Request{Method: http.MethodGet, URL: srv.URL + "/warm"}, nil); err != nil {
				t.Fatal(err)
			}
			tc.req.URL = srv.URL + "/call"
			_, err := c.Do(ctx, tc.req, nil)
			if lose.Lost() != 1 {
				t.Fatalf("%d answers lost, want 1: the call did not reuse the connection", lose.Lost())
			}
			got, want := hits.count(tc.req.Method+" /call"), 1
			if tc.resent {
				want = 2
			}
			if got != want {
				t.Fatalf("the server handled the call %d times, want %d", got, want)
			}
			if !tc.resent {
				ne := network.AsError(err)
				if err == nil || ne.Kind != network.Temporary || ne.Status != 0 {
					t.Errorf("got error %v, want a Temporary error without an answer", err)
				}
			}
		})
	}
}

// Answers are classified once, for every connector.
func TestAnswersAreClassified(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		status  int
		header  http.Header
		body    string
		kind    network.Kind
		message string
		retry   time.Duration
	}{
		{"rate limited with Retry-After", 429, http.Header{"Retry-After": {"7"}}, `{"error":"slow down"}`, network.RateLimited, "slow down", 7 * time.Second},
		{"unauthorized", 401, nil, `{"error":"The access token is invalid"}`, network.Unauthorized, "The access token is invalid", 0},
		{"refused content", 422, nil, `{"error":"Validation failed: Text too long"}`, network.Permanent, "Validation failed: Text too long", 0},
		{"server error", 503, http.Header{"Retry-After": {"3"}}, `<html>down</html>`, network.Temporary, "Service Unavailable", 3 * time.Second},
		{"time-out answer", 408, nil, ``, network.Temporary, "Request Timeout", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tc.header {
					w.Header()[k] = v
				}
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, tc.body)
			}))
			t.Cleanup(srv.Close)
			c := &httpx.Client{HTTP: httpx.NewClient(httpx.Options{AllowPrivate: true}), ErrorText: func(b []byte) string {
				if strings.HasPrefix(string(b), `{"error":"`) {
					return strings.TrimSuffix(strings.TrimPrefix(string(b), `{"error":"`), `"}`)
				}
				return ""
			}}
			res, err := c.Do(context.Background(), httpx.Request{Method: http.MethodGet, URL: srv.URL}, nil)
			var ne *network.Error
			if !errors.As(err, &ne) {
				t.Fatalf("got %v, want a *network.Error", err)
			}
			if ne.Kind != tc.kind || ne.Status != tc.status || ne.Message != tc.message || ne.RetryAfter != tc.retry {
				t.Errorf("got kind %v status %d message %q retry %v, want %v %d %q %v", ne.Kind, ne.Status, ne.Message, ne.RetryAfter, tc.kind, tc.status, tc.message, tc.retry)
			}
			if res.Status != tc.status || string(res.Body) != tc.body {
				t.Errorf("response %d %q: the connector cannot read the network's own error code", res.Status, res.Body)
			}
		})
	}
}

// A 2xx answer is decoded; one too large or not JSON is a Temporary error.
func TestAnswersAreDecodedAndBounded(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			_, _ = io.WriteString(w, `{"id":"42"}`)
		case "/big":
			_, _ = io.Copy(w, io.LimitReader(zeros{}, httpx.MaxAnswer+10))
		default:
			_, _ = io.WriteString(w, `not json`)
		}
	}))
	t.Cleanup(srv.Close)
	c := &httpx.Client{HTTP: httpx.NewClient(httpx.Options{AllowPrivate: true})}
	var out struct{ ID string }
	if _, err := c.Do(context.Background(), httpx.Request{Method: http.MethodGet, URL: srv.URL + "/ok"}, &out); err != nil || out.ID != "42" {
		t.Errorf("got %+v, %v; want id 42", out, err)
	}
	for _, path := range []string{"/big", "/garbled"} {
		_, err := c.Do(context.Background(), httpx.Request{Method: http.MethodGet, URL: srv.URL + path}, &out)
		if ne := network.AsError(err); err == nil || ne.Kind != network.Temporary {
			t.Errorf("%s: got %v, want a Temporary error", path, err)
		}
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
