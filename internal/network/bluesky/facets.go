package bluesky

import (
	"context"
	"regexp"
	"strings"

	"github.com/tribune-social/tribune/internal/text/hashtags"
	"github.com/tribune-social/tribune/internal/text/links"
)

// Facet is app.bsky.richtext.facet: a byte range of the text and what it is.
type Facet struct {
	Index    ByteSlice `json:"index"`
	Features []Feature `json:"features"`
}

// ByteSlice is a range of UTF-8 bytes (not characters) of the post's text.
type ByteSlice struct {
	ByteStart int `json:"byteStart"`
	ByteEnd   int `json:"byteEnd"`
}

// Feature is a link, a mention or a tag.
type Feature struct {
	Type string `json:"$type"`
	URI  string `json:"uri,omitempty"`
	DID  string `json:"did,omitempty"`
	Tag  string `json:"tag,omitempty"`
}

// Patterns follow the Bluesky "Links, mentions, and rich text" guide
// (docs.bsky.app/docs/advanced-guides/post-richtext); Go's regexp has no
// look-behind, so the leading boundary is a group. Links and tags are found
// by internal/text/links and internal/text/hashtags with the Bluesky app's
// rules.
var (
	mentionRe = regexp.MustCompile(`(?:^|[\s(])(@(([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?))`)
)

// Facets finds links, mentions and hashtags in text, with byte offsets.
// resolve turns a handle into a DID; a mention that does not resolve gets
// no facet (it stays plain text, as in the Bluesky app).
func Facets(ctx context.Context, text string, resolve func(ctx context.Context, handle string) (string, error)) []Facet {
	var out []Facet
	for _, m := range mentionRe.FindAllStringSubmatchIndex(text, -1) {
		start, end := m[2], m[3]
		handle := strings.ToLower(text[start+1 : end])
		if resolve == nil {
			continue
		}
		did, err := resolve(ctx, handle)
		if err != nil || did == "" {
			continue
		}
		out = append(out, Facet{Index: ByteSlice{start, end}, Features: []Feature{{Type: "app.bsky.richtext.facet#mention", DID: did}}})
	}
	for _, l := range links.Find(text, links.Bluesky) {
		uri := l.URL
		if !l.HasScheme {
			// A bare domain links to its https:// address, as in the app.
			uri = "https://" + uri
		}
		out = append(out, Facet{Index: ByteSlice{l.Start, l.End}, Features: []Feature{{Type: "app.bsky.richtext.facet#link", URI: uri}}})
	}
	for _, h := range hashtags.Find(text, hashtags.Bluesky) {
		out = append(out, Facet{Index: ByteSlice{h.Start, h.End}, Features: []Feature{{Type: "app.bsky.richtext.facet#tag", Tag: h.Name}}})
	}
	return dropOverlaps(out)
}

// dropOverlaps keeps the first facet of any overlapping pair (a link that
// contains an @ or a # is one link) and sorts by position.
func dropOverlaps(fs []Facet) []Facet {
	var out []Facet
	for _, f := range fs {
		ok := true
		for _, g := range out {
			if f.Index.ByteStart < g.Index.ByteEnd && g.Index.ByteStart < f.Index.ByteEnd {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, f)
		}
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Index.ByteStart < out[j-1].Index.ByteStart; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
