// Package rss is the listening source of news sites and blogs: an RSS 2.0,
// RSS 1.0 (RDF) or Atom 1.0 feed polled at an interval with a conditional
// GET (If-None-Match with the last ETag, If-Modified-Since with the last
// Last-Modified), so that an unchanged feed costs one 304 and no parsing.
// Each new item becomes a Post; the cursor remembers the validators and the
// ids of the items already handed over.
package rss

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tribune-social/tribune/internal/listen/source"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/httpx"
	"github.com/tribune-social/tribune/internal/network/stream"
	"github.com/tribune-social/tribune/internal/text/htmltext"
)

// MaxFeed bounds the body of a feed: the largest news feeds weigh a few
// hundred kilobytes; beyond this something is wrong (a podcast's
// transcripts, a page that is not a feed) and it is not read.
const MaxFeed = 5 << 20

// MinInterval is the shortest polling interval a source may ask for: a
// feed is not a stream, and its publisher pays for every fetch.
const MinInterval = 5 * time.Minute

// DefaultInterval is the interval when none is set.
const DefaultInterval = 15 * time.Minute

// maxSeen bounds the ids the cursor remembers.
const maxSeen = 1000

// Kind is the RSS and Atom source kind.
func Kind() source.Kind {
	return source.Kind{
		Name:    "rss",
		Label:   "RSS or Atom feed",
		Network: "rss",
		Needs:   "Nothing but the feed's address.",
		Fields: []source.Field{
			{Name: "url", Label: "Feed address", Help: "The address of an RSS or Atom feed (often /feed, /rss or /atom.xml on the site).", Placeholder: "https://example.com/feed.xml", Required: true},
			{Name: "interval", Label: "Check every (minutes)", Help: "At least 5 minutes; 15 by default.", Placeholder: "15"},
		},
		New: New,
	}
}

// Source polls one feed.
type Source struct {
	url      string
	interval time.Duration
	http     *http.Client
	now      func() time.Time
}

// New validates cfg and builds the source.
func New(cfg source.Config, deps source.Deps) (source.Source, error) {
	raw := strings.TrimSpace(cfg.Values["url"])
	if raw == "" {
		return nil, source.Permanentf("url: the feed's address is required")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, source.Permanentf("url: %q is not an http or https address", raw)
	}
	interval := DefaultInterval
	if v := strings.TrimSpace(cfg.Values["interval"]); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return nil, source.Permanentf("interval: %q is not a number of minutes", v)
		}
		interval = time.Duration(n) * time.Minute
		if interval < MinInterval {
			return nil, source.Permanentf("interval: %d minutes is too often, the least is %d", n, int(MinInterval/time.Minute))
		}
	}
	s := &Source{url: u.String(), interval: interval, http: deps.HTTP, now: deps.Now}
	if s.http == nil {
		s.http = httpx.NewClient(httpx.Options{})
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s, nil
}

// cursor is what the source stores between polls.
type cursor struct {
	ETag         string   `json:"etag,omitempty"`
	LastModified string   `json:"last_modified,omitempty"`
	Seen         []string `json:"seen,omitempty"`
}

func parseCursor(s string) cursor {
	var c cursor
	if s != "" {
		_ = json.Unmarshal([]byte(s), &c) // an unreadable cursor starts over: items seen again are stored once
	}
	return c
}

func (c cursor) String() string {
	raw, _ := json.Marshal(c)
	return string(raw)
}

// Run polls the feed now and then every interval, emitting the items not
// seen before. A cursor of "" takes every item the feed holds.
func (s *Source) Run(ctx context.Context, cur string, emit source.Emit) error {
	c := parseCursor(cur)
	for {
		b, changed, err := s.poll(ctx, &c)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		// A feed without validators comes whole every time: store a batch
		// only when it brings items or moves the cursor.
		if changed && (len(b.Posts) > 0 || b.Cursor != cur) {
			cur = b.Cursor
			if err := emit(ctx, b); err != nil {
				return err
			}
		}
		if stream.Sleep(ctx, s.interval) != nil {
			return nil
		}
	}
}

// poll fetches the feed once. changed is false when the server answered
// 304 Not Modified (nothing to store); otherwise b holds the new items and
// the cursor after them, and c is moved to it.
func (s *Source) poll(ctx context.Context, c *cursor) (b source.Batch, changed bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
	if err != nil {
		return b, false, source.Permanentf("url: %v", err)
	}
	req.Header.Set("Accept", "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1")
	if c.ETag != "" {
		req.Header.Set("If-None-Match", c.ETag)
	}
	if c.LastModified != "" {
		req.Header.Set("If-Modified-Since", c.LastModified)
	}
	resp, err := s.http.Do(req)
	if err != nil {
		if httpx.Blocked(err) {
			return b, false, source.Permanentf("url: Tribune does not fetch this address: it must be a public https address")
		}
		return b, false, source.FromNetwork(network.AsError(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotModified {
		return b, false, nil
	}
	if resp.StatusCode != http.StatusOK {
		return b, false, source.FromNetwork(network.FromResponse(resp, "the feed's server answered "+resp.Status))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxFeed+1))
	if err != nil {
		return b, false, fmt.Errorf("rss: the feed could not be read: %w", err)
	}
	if len(body) > MaxFeed {
		return b, false, fmt.Errorf("rss: the feed is larger than %d MB, it is not read", MaxFeed>>20)
	}
	f, err := parse(body, resp.Header.Get("Content-Type"))
	if err != nil {
		return b, false, err
	}
	seen := make(map[string]bool, len(c.Seen))
	for _, id := range c.Seen {
		seen[id] = true
	}
	now := s.now().UTC()
	ids := make([]string, 0, len(f.Items))
	for _, it := range f.Items {
		id := itemID(it)
		ids = append(ids, id)
		if seen[id] {
			continue
		}
		seen[id] = true
		b.Posts = append(b.Posts, toPost(f, it, id, now))
	}
	// Feeds list the newest first; the runner wants the source's order of
	// events, oldest first.
	slices.SortStableFunc(b.Posts, func(a, b source.Post) int { return a.CreatedAt.Compare(b.CreatedAt) })
	// Remember the feed's current ids first, then older ones, up to maxSeen:
	// an item that left the feed does not come back.
	next := slices.Clone(ids)
	for _, id := range c.Seen {
		if len(next) >= maxSeen {
			break
		}
		if !slices.Contains(ids, id) {
			next = append(next, id)
		}
	}
	c.Seen = next
	c.ETag = resp.Header.Get("ETag")
	c.LastModified = resp.Header.Get("Last-Modified")
	b.Cursor = c.String()
	return b, true, nil
}

// itemID is the item's stable id: its guid or Atom id, else its link, else
// a digest of its title and date (a feed that gives neither is rare, and
// such an item edited later counts as new).
func itemID(it item) string {
	if it.ID != "" {
		return it.ID
	}
	if it.Link != "" {
		return it.Link
	}
	sum := sha256.Sum256([]byte(it.Title + "\x00" + it.Published + "\x00" + it.Summary))
	return "sha256:" + hex.EncodeToString(sum[:12])
}

func toPost(f *feed, it item, id string, now time.Time) source.Post {
	text := htmltext.Plain(it.Title)
	if body := htmltext.Plain(it.Summary); body != "" && body != text {
		if text != "" {
			text += " — "
		}
		text += body
	}
	author := strings.TrimSpace(it.Author)
	if author == "" {
		author = f.Author
	}
	if author == "" {
		author = f.Title
	}
	created, ok := parseDate(it.Published)
	if !ok {
		created, ok = parseDate(it.Updated)
	}
	if !ok || created.After(now) {
		created = now
	}
	lang := it.Lang
	if lang == "" {
		lang = f.Lang
	}
	return source.Post{
		Network: "rss", ExternalID: id, URL: it.Link,
		Author: author, AuthorName: author, AuthorFollowers: -1,
		Text: text, Lang: lang, CreatedAt: created.UTC(),
	}
}

var dateLayouts = []string{
	time.RFC1123Z, time.RFC1123, time.RFC3339Nano, time.RFC3339,
	"Mon, 2 Jan 2006 15:04:05 -0700", "Mon, 2 Jan 2006 15:04:05 MST",
	"2 Jan 2006 15:04:05 -0700", "02 Jan 2006 15:04:05 -0700", "2 Jan 2006 15:04:05 MST",
	"Mon, 2 Jan 2006 15:04 -0700", "Mon, 02 Jan 06 15:04:05 -0700", time.RFC822Z, time.RFC822,
	"2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02",
}

func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
