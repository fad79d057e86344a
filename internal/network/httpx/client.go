// Package httpx is the HTTP plumbing every network connector shares: one
// call helper (Client.Do) that builds the request, sends it, reads a bounded
// answer, turns failures into classified network.Error values and decodes
// JSON, and one outgoing client (NewClient) that refuses to reach private
// addresses. A connector keeps only what is its network's own: its URLs and
// how it words an error.
//
// Two guarantees live here so that no connector has to remember them:
//   - the transport never sends a publishing call twice (see Client.Do);
//   - an address a user typed cannot make Tribune call inside its own
//     network (see NewClient).
package httpx

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/tribune-social/tribune/internal/network"
)

// MaxAnswer bounds the body of an answer Tribune reads.
const MaxAnswer = 8 << 20

// Client sends calls to one network's API.
type Client struct {
	// HTTP sends the requests; nil means a client from NewClient with its
	// defaults (https to public addresses only).
	HTTP *http.Client
	// ErrorText extracts the network's own words from the body of a failed
	// answer (Mastodon's {"error": …}, XRPC's {"error", "message"}); nil or
	// an empty result leaves the HTTP status text.
	ErrorText func(body []byte) string
}

// Request is one call.
type Request struct {
	Method string
	URL    string
	// Token, when set, is sent as a bearer token.
	Token string
	// Body and ContentType are the request's content (nil for none).
	Body        io.Reader
	ContentType string
	// Header holds extra headers (Idempotency-Key…).
	Header http.Header
}

// Response is an answer that arrived, successful or not.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do sends r and, for a 2xx answer, decodes its JSON body into out (when out
// is not nil and the body is not empty). A failed call returns a
// *network.Error: a non-2xx answer is classified by network.FromResponse
// (rate limits, Retry-After) with the message ErrorText finds, and the
// Response is returned with it so the connector can read network-specific
// error codes; a call that got no answer is Temporary with a generic
// message (the transport's own text, which may quote whatever the remote
// side sent, stays in Err for the logs).
//
// No transport re-sends: Go's http.Transport silently sends a request again
// on a new connection when a reused keep-alive connection closes before the
// answer, if it deems the request replayable (net/http's isReplayable: an
// idempotent method, or any method with an Idempotency-Key or
// X-Idempotency-Key header, whose body is nil or can be rewound through
// GetBody). For a POST that creates a post the server may already have acted
// on it, and a server that ignores the key (GoToSocial) then creates the
// post twice. So for every method but GET, HEAD, OPTIONS and TRACE, Do
// removes GetBody and never sends a nil body: the call fails instead, and
// only Tribune's in-flight and recover logic decides whether to send again.
func (c *Client) Do(ctx context.Context, r Request, out any) (Response, error) {
	req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, r.Body)
	if err != nil {
		return Response{}, &network.Error{Kind: network.Permanent, Message: "the network's address is not valid", Err: err}
	}
	req.Header.Set("Accept", "application/json")
	if r.ContentType != "" {
		req.Header.Set("Content-Type", r.ContentType)
	}
	if r.Token != "" {
		req.Header.Set("Authorization", "Bearer "+r.Token)
	}
	for k, v := range r.Header {
		req.Header[k] = v
	}
	noReplay(req)
	hc := c.HTTP
	if hc == nil {
		hc = defaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return Response{}, transportError(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, MaxAnswer+1))
	if err == nil && len(raw) > MaxAnswer {
		err = errors.New("httpx: answer larger than the limit")
	}
	res := Response{Status: resp.StatusCode, Header: resp.Header, Body: raw}
	if err != nil {
		return res, &network.Error{Kind: network.Temporary, Status: resp.StatusCode, Message: "the answer could not be read", Err: err}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		msg := ""
		if c.ErrorText != nil {
			msg = c.ErrorText(raw)
		}
		return res, network.FromResponse(resp, msg)
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			return res, &network.Error{Kind: network.Temporary, Status: resp.StatusCode, Message: "the network's answer could not be read", Err: err}
		}
	}
	return res, nil
}

var defaultClient = NewClient(Options{})

// noReplay makes req one that net/http's transport never re-sends by
// itself (see Client.Do).
func noReplay(req *http.Request) {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return
	}
	req.GetBody = nil
	_, key := req.Header["Idempotency-Key"] // looked up as net/http does: present, even empty
	_, xkey := req.Header["X-Idempotency-Key"]
	keyed := key || xkey
	if keyed && (req.Body == nil || req.Body == http.NoBody) {
		// A nil body counts as rewindable: give the transport one it cannot
		// rewind. Its length is then unknown to net/http, so a POST goes out
		// as an empty chunked body; without the key header a nil body is not
		// replayable and keeps its plain Content-Length: 0.
		req.Body = io.NopCloser(strings.NewReader(""))
		req.ContentLength = 0
	}
}

// transportError classifies a call that got no answer.
func transportError(err error) *network.Error {
	switch {
	case Blocked(err):
		return &network.Error{Kind: network.Permanent, Message: "Tribune does not connect to this address: it must be a public https address", Err: err}
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return &network.Error{Kind: network.Temporary, Message: "the network did not answer in time", Err: err}
	}
	return &network.Error{Kind: network.Temporary, Message: "could not reach the network", Err: err}
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}
