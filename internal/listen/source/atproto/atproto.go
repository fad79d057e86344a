// Package atproto holds what the two Bluesky listening sources share: the
// post record they both decode (text, languages, creation time), the Post
// a create of app.bsky.feed.post becomes, the handles learnt from identity
// events, and the pump that turns a stream of decoded events into the
// runner's batches.
package atproto

import (
	"strings"
	"time"

	"github.com/tribune-social/tribune/internal/listen/source"
)

// PostCollection is the NSID of a Bluesky post record.
const PostCollection = "app.bsky.feed.post"

// Network is the Post.Network of what the Bluesky sources emit.
const Network = "bluesky"

// Record is the part of an app.bsky.feed.post record a listening source
// keeps. The same struct decodes the JSON of Jetstream and the DAG-CBOR of
// the firehose (both name the fields alike).
type Record struct {
	Type      string   `json:"$type" cbor:"$type"`
	Text      string   `json:"text" cbor:"text"`
	Langs     []string `json:"langs" cbor:"langs"`
	CreatedAt string   `json:"createdAt" cbor:"createdAt"`
}

// NewPost is the Post for the record created at did's rkey; seen is when
// the stream saw it, used when the record's own createdAt does not parse.
func NewPost(did, rkey string, rec Record, handle string, seen time.Time) source.Post {
	created, err := time.Parse(time.RFC3339Nano, rec.CreatedAt)
	if err != nil {
		created = seen
	}
	author := did
	if handle != "" {
		author = handle
	}
	lang := ""
	if len(rec.Langs) > 0 {
		lang = rec.Langs[0]
	}
	return source.Post{
		Network:         Network,
		ExternalID:      "at://" + did + "/" + PostCollection + "/" + rkey,
		URL:             "https://bsky.app/profile/" + did + "/post/" + rkey,
		Author:          author,
		AuthorFollowers: -1,
		Text:            rec.Text,
		Lang:            lang,
		CreatedAt:       created.UTC(),
	}
}

// ValidDID reports whether s looks like a DID (did:method:identifier).
func ValidDID(s string) bool {
	rest, ok := strings.CutPrefix(s, "did:")
	if !ok {
		return false
	}
	method, id, ok := strings.Cut(rest, ":")
	if !ok || method == "" || id == "" {
		return false
	}
	for _, r := range method {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._:%-", r)) {
			return false
		}
	}
	return true
}

// Handles remembers the handles identity events announced, so a post can
// be credited to @alice.bsky.social rather than to a DID. It is bounded:
// once full it starts over (an author then shows as a DID until the next
// identity event, which is what an unknown author shows anyway).
type Handles struct {
	m   map[string]string
	max int
}

// NewHandles remembers at most max handles.
func NewHandles(max int) *Handles { return &Handles{m: map[string]string{}, max: max} }

// Set records did's handle ("" forgets it: the account dropped its handle).
func (h *Handles) Set(did, handle string) {
	if handle == "" || handle == "handle.invalid" {
		delete(h.m, did)
		return
	}
	if len(h.m) >= h.max {
		clear(h.m)
	}
	h.m[did] = handle
}

// Get is did's handle, "" when unknown.
func (h *Handles) Get(did string) string { return h.m[did] }
