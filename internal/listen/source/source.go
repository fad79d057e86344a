// Package source is what every listening source speaks: a long-lived
// consumer of public posts (a Bluesky firehose or Jetstream, a Mastodon
// public or hashtag stream, an RSS or Atom feed, a Reddit listing, X's
// filtered stream, the Sandbox's public stream) that hands over posts in
// batches, each with the cursor that follows it.
//
// The runner (internal/listen) stores a batch's matching mentions and its
// cursor in one transaction, so a source restarted after a crash resumes at
// the last stored cursor and a post seen twice (a replay after the cursor,
// a gap-fill overlapping a stream) is stored once: mentions are unique per
// workspace and (network, external id).
package source

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"
)

// Post is one public post as a source saw it.
type Post struct {
	// Network names where the post lives: bluesky, mastodon, rss, reddit,
	// x, sandbox.
	Network string
	// ExternalID is the network's stable id of the post (at:// URI, the
	// status URI, the feed item's id or link): unique per network.
	ExternalID string
	// URL is the post's web page, when there is one.
	URL string
	// Author is the handle (or feed name); AuthorName the display name.
	Author     string
	AuthorName string
	// AuthorFollowers is the author's follower count when the source says,
	// -1 when it does not (reach is then unknown, not zero).
	AuthorFollowers int64
	Text            string
	// Lang is the language the network declares (BCP 47), "" if none; the
	// runner detects it when absent.
	Lang      string
	CreatedAt time.Time
}

// Batch is a run of posts in the source's order and the cursor to resume
// after them. A batch may carry no post: a cursor move alone (the firehose
// went past events that are not posts) is worth storing too.
type Batch struct {
	Posts  []Post
	Cursor string
}

// Emit hands a batch to the runner. It returns once the batch's mentions
// and its cursor are stored; an error from it ends Run with that error.
type Emit func(ctx context.Context, b Batch) error

// Source is one configured consumer.
type Source interface {
	// Run reads from cursor ("" means from now, or from the start for a
	// feed) and calls emit for each batch, in order, until ctx ends (Run
	// then returns nil) or the connection fails (Run returns the error and
	// the runner reconnects with backoff from the last stored cursor).
	// Errors wrapping ErrPermanent or ErrUnauthorized are not retried.
	Run(ctx context.Context, cursor string, emit Emit) error
}

// Forgetter is a source that leaves something of its own on the network
// while it exists (X's filtered-stream rule, which goes on matching on the
// app's stream and counting against its caps). Deleting the source calls
// Forget; when the network cannot be reached, Leftover tells the user what
// to remove there by hand.
type Forgetter interface {
	Forget(ctx context.Context) error
	// Leftover names what Forget would have removed, in words a user can
	// find on the network's own pages.
	Leftover() string
}

// ErrPermanent marks a failure that reconnecting cannot mend: a malformed
// configuration, a feed URL that is not a feed, a stream the server refuses
// for good. The source is shown as failed with the error until edited.
var ErrPermanent = errors.New("permanent source failure")

// ErrUnauthorized marks credentials the network refused.
var ErrUnauthorized = errors.New("the network refused the source's credentials")

// Config is a source's stored settings: the values of its kind's fields
// (listen_sources.config holds the plain ones as a JSON object; fields marked
// Secret are sealed in listen_sources.secret and opened into the same map).
type Config struct {
	Kind   string
	Name   string
	Values map[string]string
}

// Field is one setting of a kind, as the sources page asks for it.
type Field struct {
	Name        string
	Label       string // English; translated through the UI catalogue
	Help        string
	Placeholder string
	Required    bool
	// Secret values (tokens, API keys) are sealed at rest and never shown
	// again.
	Secret bool
}

// Deps are what a source may use from the process.
type Deps struct {
	// HTTP is the safe outgoing client (internal/network/httpx): https to
	// public addresses only unless the operator allowed private networks.
	HTTP *http.Client
	Now  func() time.Time
	Log  *slog.Logger
}

// Kind describes one kind of source: its settings, what it needs from the
// user (shown on the sources page and in the README), and how to build it.
type Kind struct {
	Name    string // jetstream, firehose, mastodon, rss, reddit, x, sandbox
	Label   string // English; translated through the UI catalogue
	Network string // the Post.Network of what it emits
	// Needs says what the user must bring (an instance and a token, API
	// access…), or that it needs nothing.
	Needs  string
	Fields []Field
	// New validates cfg and builds the source; a bad setting is an error
	// wrapping ErrPermanent that names the field.
	New func(cfg Config, deps Deps) (Source, error)
}

// Registry is the kinds a process knows, by name.
type Registry map[string]Kind

// Add registers k.
func (r Registry) Add(k Kind) { r[k.Name] = k }
