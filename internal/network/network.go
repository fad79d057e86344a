// Package network defines what Tribune asks of a social network: the Connector
// contract every network package implements (sandbox, mastodon, bluesky, …),
// the account and post shapes passed to it, and the error classification the
// publisher uses to decide between retrying, waiting and giving up.
//
// A publication is split into steps so that a post is never sent twice:
// UploadMedia and MediaReady may be retried freely; Publish is called at most
// once per AttemptKey (the caller writes an in-flight mark before the call);
// Recover answers "did that attempt land?" after a crash; CheckLive polls
// until the network shows the post.
//
// Connectors make their HTTP calls through package httpx, which classifies
// failures into the Error kinds below, never lets the transport send a
// publishing call twice, and keeps calls to user-supplied addresses off
// private networks.
package network

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Account is a connected channel as a connector sees it: where the network
// lives, who we act as, and the decrypted credentials.
type Account struct {
	// BaseURL is the network's API root: a Mastodon instance, a Bluesky PDS,
	// the sandbox server.
	BaseURL string
	// ExternalID is the network's id of the account (Mastodon account id,
	// Bluesky DID, sandbox account name).
	ExternalID string
	// Handle is the human-readable name (@alice@example.social, alice.bsky.social).
	Handle string
	Token  Token
}

// Token holds a channel's credentials. It is stored encrypted at rest.
type Token struct {
	AccessToken  string            `json:"access_token,omitempty"`
	RefreshToken string            `json:"refresh_token,omitempty"`
	Expiry       time.Time         `json:"expiry,omitzero"`
	Extra        map[string]string `json:"extra,omitempty"`
}

// Media is one file to upload, read from Tribune's media library.
type Media struct {
	Filename string
	MIME     string
	Size     int64
	Width    int
	Height   int
	Alt      string
	// Open returns the file's content; each call starts from the beginning.
	Open func() (io.ReadCloser, error)
}

// UploadedMedia is a media item the network has accepted.
type UploadedMedia struct {
	// RemoteID is the network's handle for the upload (Mastodon media id,
	// a Bluesky blob CID, the sandbox media id).
	RemoteID string `json:"remote_id"`
	// Extra keeps what a later step needs (for Bluesky the blob ref JSON).
	Extra map[string]string `json:"extra,omitempty"`
}

// Ref identifies a published post on the network.
type Ref struct {
	ID  string `json:"id"`            // Mastodon status id, Bluesky at:// URI, sandbox post id
	CID string `json:"cid,omitempty"` // Bluesky record CID (needed to reply)
	URL string `json:"url,omitempty"` // public web address, when the network gives one
	// Live is set by Publish when the network's own answer says the new
	// post already shows, so nobody needs to ask it again (CheckLive).
	Live bool `json:"-"`
}

// PostRequest is one message to publish: a main post, a thread item or a
// first comment.
type PostRequest struct {
	// AttemptKey identifies this attempt; it is written before Publish is
	// called. It is a 13-character atproto TID (base32-sortable), valid as an
	// Idempotency-Key header and as a Bluesky record key, so networks that
	// accept a client-chosen key can make a repeated call harmless.
	AttemptKey string
	Text       string
	Link       string
	Media      []UploadedMedia
	// ReplyTo is set for thread items and first comments.
	ReplyTo *Ref
	// Root is the first post of a thread (Bluesky needs both root and parent).
	Root *Ref
	// CreatedAt is the time the attempt was marked in flight.
	CreatedAt time.Time
	// Visibility is who may see the post, on networks that let the author
	// choose (Mastodon); empty elsewhere. Thread items and first comments
	// carry the post's.
	Visibility Visibility
}

// Connector is what every network implements.
type Connector interface {
	// Network returns the network's key in the rules table ("sandbox", "mastodon", "bluesky").
	Network() string
	// UploadMedia sends one file. Retryable.
	UploadMedia(ctx context.Context, acct Account, m Media) (UploadedMedia, error)
	// MediaReady reports whether an upload finished processing (Mastodon's
	// asynchronous media answer 202 until then). Retryable.
	MediaReady(ctx context.Context, acct Account, m UploadedMedia) (bool, error)
	// Publish creates the post. The caller calls it at most once per AttemptKey.
	Publish(ctx context.Context, acct Account, req PostRequest) (Ref, error)
	// Recover looks up whether the attempt req (sent at or after
	// req.CreatedAt) reached the network. It returns the post's Ref when found,
	// ErrNotPublished when the network proves it was not, and ErrUnknownOutcome
	// when the network cannot tell.
	Recover(ctx context.Context, acct Account, req PostRequest) (Ref, error)
	// CheckLive reports whether the post is visible on the network. Retryable.
	CheckLive(ctx context.Context, acct Account, ref Ref) (bool, error)
	// Delete removes a published post. Networks that cannot delete return ErrUnsupported.
	Delete(ctx context.Context, acct Account, ref Ref) error
}

// Sentinel outcomes of Recover and of unsupported operations.
var (
	ErrNotPublished   = errors.New("network: the attempt did not reach the network")
	ErrUnknownOutcome = errors.New("network: the network cannot tell whether the attempt was published")
	ErrUnsupported    = errors.New("network: the network does not allow this")
)

// Kind classifies a failed call.
type Kind int

// The kinds of failure, from the publisher's point of view.
const (
	// Temporary failures (5xx, time-outs, connection resets) are retried with backoff.
	Temporary Kind = iota
	// RateLimited failures are retried after RetryAfter.
	RateLimited
	// Permanent failures (the network refuses the content: 4xx other than
	// 401, 408, 429) are never retried automatically.
	Permanent
	// Unauthorized means the channel must be reconnected.
	Unauthorized
)

func (k Kind) String() string {
	switch k {
	case Temporary:
		return "temporary"
	case RateLimited:
		return "rate_limited"
	case Permanent:
		return "permanent"
	case Unauthorized:
		return "unauthorized"
	}
	return "unknown"
}

// Error is a failed call to a network, with the network's own message.
type Error struct {
	Kind       Kind
	Status     int           // HTTP status, 0 when the call got no answer
	RetryAfter time.Duration // for RateLimited: how long the network asked us to wait
	Message    string        // the network's own words, shown to the user
	Err        error         // the underlying transport error, if any
}

func (e *Error) Error() string {
	s := e.Kind.String()
	if e.Status != 0 {
		s += " (HTTP " + strconv.Itoa(e.Status) + ")"
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// AsError returns err as a *Error. Errors that are not classified are treated
// as Temporary: a context deadline or a reset connection means "try again".
func AsError(err error) *Error {
	var ne *Error
	if errors.As(err, &ne) {
		return ne
	}
	return &Error{Kind: Temporary, Err: err}
}

// FromResponse classifies a non-2xx HTTP answer. message is the network's
// error text extracted by the caller (it may be empty); the Retry-After header
// and the common rate-limit headers are read from resp.
func FromResponse(resp *http.Response, message string) *Error {
	e := &Error{Status: resp.StatusCode, Message: message}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		e.Kind = RateLimited
		e.RetryAfter = RetryAfter(resp.Header, time.Now())
	case resp.StatusCode == http.StatusUnauthorized:
		e.Kind = Unauthorized
	case resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode >= 500:
		e.Kind = Temporary
		e.RetryAfter = RetryAfter(resp.Header, time.Now())
	default:
		e.Kind = Permanent
	}
	if e.Message == "" {
		e.Message = http.StatusText(resp.StatusCode)
	}
	return e
}

// RetryAfter reads how long a network asks us to wait: Retry-After (seconds
// or an HTTP date), then the X-RateLimit-Reset / RateLimit-Reset family
// (an epoch second or an ISO time, as Mastodon sends). It returns 0 when the
// headers say nothing usable.
func RetryAfter(h http.Header, now time.Time) time.Duration {
	if v := h.Get("Retry-After"); v != "" {
		if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
			return time.Duration(secs) * time.Second
		}
		if t, err := http.ParseTime(v); err == nil {
			return clampPositive(t.Sub(now))
		}
	}
	for _, name := range []string{"X-RateLimit-Reset", "RateLimit-Reset", "X-Rate-Limit-Reset", "ratelimit-reset"} {
		v := h.Get(name)
		if v == "" {
			continue
		}
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return clampPositive(t.Sub(now))
		}
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			if n > 1_000_000_000 { // an epoch second
				return clampPositive(time.Unix(n, 0).Sub(now))
			}
			return time.Duration(n) * time.Second // a delta in seconds
		}
	}
	return 0
}

func clampPositive(d time.Duration) time.Duration {
	if d < 0 {
		return 0
	}
	return d
}

// Errorf builds a Permanent error with a message of Tribune's own, for content
// a connector refuses before calling the network.
func Errorf(format string, args ...any) *Error {
	return &Error{Kind: Permanent, Message: fmt.Sprintf(format, args...)}
}
