// Package linkcard reads what a web page says about itself (its Open Graph
// title, description and image, else its <title> and meta description) for
// the link card of the composer's preview: the networks build their cards
// from the same tags. Pages are fetched through the safe outgoing client,
// read up to a limit, and remembered per address for a while.
package linkcard

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/network/httpx"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/store"
)

// Defaults of a Service.
const (
	// MaxBytes is how much of a page is read: the tags a card needs are in
	// its head, which is far smaller on every page that declares them.
	MaxBytes = 512 << 10
	// Timeout bounds one page's fetch: the card appears after the typing,
	// and a slow page just leaves the host shown.
	Timeout = 5 * time.Second
	// CacheSize is how many addresses are remembered; the oldest used is
	// forgotten first.
	CacheSize = 512
	// CacheFor is how long a card is remembered; a failure is remembered
	// for FailureFor only, so a page that was down is tried again soon.
	CacheFor   = time.Hour
	FailureFor = time.Minute
)

// Card is what the link card shows. A page without metadata, or that could
// not be read, gives a card with its host only.
type Card struct {
	URL         string
	Host        string // without "www."
	Title       string
	Description string
	// Image is the absolute http(s) address of the page's image, "" when
	// it declares none.
	Image string
	// Err says why the page could not be read (nil when it was, even
	// without metadata); the card then shows the host only.
	Err error
}

// Errors of a card whose page could not be read.
var (
	ErrRefused     = problem.New(http.StatusUnprocessableEntity, "link_refused", "Tribune reads link previews from public https addresses only.")
	ErrUnreachable = problem.New(http.StatusBadGateway, "link_unreachable", "The page could not be read.")
	ErrNotAPage    = problem.New(http.StatusUnprocessableEntity, "link_not_a_page", "This address is not a web page (it is %s).")
	errBadLink     = problem.Invalidf("url", "bad_link", "This is not a web address.")
)

// Service fetches and remembers link cards.
type Service struct {
	Auth *auth.Service
	// Client is the safe outgoing client (httpx.NewClient): https to
	// public addresses only, unless -allow-private-networks.
	Client   *http.Client
	MaxBytes int64
	Timeout  time.Duration
	Now      func() time.Time

	mu    sync.Mutex
	size  int
	order *list.List // of *entry, most recently used first
	byURL map[string]*list.Element
}

type entry struct {
	url     string
	card    Card
	expires time.Time
}

// New returns a Service with the default limits and a cache of size cards.
func New(a *auth.Service, client *http.Client, now func() time.Time, size int) *Service {
	return &Service{Auth: a, Client: client, MaxBytes: MaxBytes, Timeout: Timeout, Now: now,
		size: max(size, 1), order: list.New(), byURL: map[string]*list.Element{}}
}

// Card returns the card of rawURL for a member who may compose in the
// workspace: from the cache, or read from the page now.
func (s *Service) Card(ctx context.Context, user store.User, workspaceID int64, rawURL string) (Card, error) {
	if _, _, err := s.Auth.Authorize(ctx, user, workspaceID, auth.Compose); err != nil {
		return Card{}, err
	}
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Hostname() == "" {
		return Card{}, errBadLink
	}
	if c, ok := s.Cached(rawURL); ok {
		return c, nil
	}
	c := s.fetch(ctx, u)
	ttl := CacheFor
	if c.Err != nil {
		ttl = FailureFor
	}
	s.remember(rawURL, c, ttl)
	return c, nil
}

// Cached returns the card of rawURL when it is remembered, without
// fetching: the preview draws it at once, and asks for it otherwise.
func (s *Service) Cached(rawURL string) (Card, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	el, ok := s.byURL[rawURL]
	if !ok {
		return Card{}, false
	}
	e := el.Value.(*entry)
	if !s.Now().Before(e.expires) {
		s.order.Remove(el)
		delete(s.byURL, rawURL)
		return Card{}, false
	}
	s.order.MoveToFront(el)
	return e.card, true
}

// remember keeps a card, forgetting the least recently used past the bound.
func (s *Service) remember(rawURL string, c Card, ttl time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if el, ok := s.byURL[rawURL]; ok {
		s.order.Remove(el)
	}
	s.byURL[rawURL] = s.order.PushFront(&entry{url: rawURL, card: c, expires: s.Now().Add(ttl)})
	for s.order.Len() > s.size {
		last := s.order.Back()
		s.order.Remove(last)
		delete(s.byURL, last.Value.(*entry).url)
	}
}

// fetch reads the page's head for its card; on any failure the card has
// the host only and Err says why.
func (s *Service) fetch(ctx context.Context, u *url.URL) Card {
	c := Card{URL: u.String(), Host: strings.TrimPrefix(u.Hostname(), "www.")}
	ctx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		c.Err = errBadLink
		return c
	}
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	// Some sites answer a bare Go client with a bot wall; this one says
	// who is asking and why.
	req.Header.Set("User-Agent", "Tribune link preview")
	resp, err := s.Client.Do(req)
	if err != nil {
		if httpx.Blocked(err) {
			c.Err = ErrRefused.Wrap(err)
		} else {
			c.Err = ErrUnreachable.Wrap(fmt.Errorf("no answer: %w", err))
		}
		return c
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		c.Err = ErrUnreachable.Wrap(errors.New(resp.Status))
		return c
	}
	ct := resp.Header.Get("Content-Type")
	if mt, _, _ := mime.ParseMediaType(ct); ct != "" && mt != "text/html" && mt != "application/xhtml+xml" {
		c.Err = ErrNotAPage.Format(mt)
		return c
	}
	body, err := charset.NewReader(io.LimitReader(resp.Body, s.MaxBytes), ct)
	if err != nil {
		c.Err = ErrUnreachable.Wrap(fmt.Errorf("unknown character set: %w", err))
		return c
	}
	m := parseHead(body)
	c.Title = first(m["og:title"], m["twitter:title"], m["title"])
	c.Description = first(m["og:description"], m["twitter:description"], m["description"])
	// The image is resolved against the address the page was served from
	// (after redirects), as the networks do.
	if img := first(m["og:image:secure_url"], m["og:image"], m["og:image:url"], m["twitter:image"]); img != "" {
		if iu, err := resp.Request.URL.Parse(img); err == nil && (iu.Scheme == "https" || iu.Scheme == "http") {
			c.Image = iu.String()
		}
	}
	return c
}

// maxField bounds each text kept: a card shows a line or two.
const maxField = 300

// parseHead reads the page's head: meta tags by property or name, and the
// title's text under "title". It stops at the body or at the end of what
// was read: a page cut at the limit keeps the tags before the cut.
func parseHead(r io.Reader) map[string]string {
	out := map[string]string{}
	z := html.NewTokenizer(r)
	inTitle := false
	for {
		switch z.Next() {
		case html.ErrorToken:
			return out
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch string(name) {
			case "body":
				return out
			case "title":
				inTitle = true
			case "meta":
				var key, content string
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					switch string(k) {
					case "property", "name":
						if key == "" {
							key = strings.ToLower(strings.TrimSpace(string(v)))
						}
					case "content":
						content = string(v)
					}
				}
				if _, seen := out[key]; key != "" && !seen && key != "title" {
					out[key] = clean(content)
				}
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "head":
				return out
			case "title":
				inTitle = false
			}
		case html.TextToken:
			if _, seen := out["title"]; inTitle && !seen {
				out["title"] = clean(string(z.Text()))
			}
		}
	}
}

// clean folds white space and bounds the length.
func clean(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > maxField {
		s = string(r[:maxField-1]) + "…"
	}
	return s
}

func first(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// MaxImageBytes bounds a card's image served through Tribune.
const MaxImageBytes = 5 << 20

// imageTypes are the images a card shows, by their content.
var imageTypes = map[string]bool{"image/jpeg": true, "image/png": true, "image/gif": true, "image/webp": true}

// errNoImage is a card without an image, or a page never read.
var (
	errNoImage    = problem.New(http.StatusNotFound, "no_card_image", "This link has no image.")
	errNotAnImage = problem.New(http.StatusUnprocessableEntity, "card_image_type", "The link's image is not a JPEG, PNG, GIF or WebP image (it is %s).")
)

// Image returns the image of the card remembered for pageURL (its type,
// from its content, and its bytes), read through the safe outgoing client.
// The composer's page loads images from Tribune only (its Content Security
// Policy keeps the author's browser from calling arbitrary sites), so
// Tribune fetches it; only the image a remembered card names is fetched,
// so this is no open proxy either.
func (s *Service) Image(ctx context.Context, user store.User, workspaceID int64, pageURL string) (string, []byte, error) {
	if _, _, err := s.Auth.Authorize(ctx, user, workspaceID, auth.Compose); err != nil {
		return "", nil, err
	}
	c, ok := s.Cached(pageURL)
	if !ok || c.Image == "" {
		return "", nil, errNoImage
	}
	ctx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.Image, nil)
	if err != nil {
		return "", nil, errNoImage.Wrap(err)
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		if httpx.Blocked(err) {
			return "", nil, ErrRefused.Wrap(err)
		}
		return "", nil, ErrUnreachable.Wrap(fmt.Errorf("no answer: %w", err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", nil, ErrUnreachable.Wrap(errors.New(resp.Status))
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxImageBytes+1))
	if err != nil {
		return "", nil, ErrUnreachable.Wrap(fmt.Errorf("cut off: %w", err))
	}
	if len(data) > MaxImageBytes {
		return "", nil, ErrUnreachable.Wrap(errors.New("image too large"))
	}
	mt := http.DetectContentType(data)
	if !imageTypes[mt] {
		return "", nil, errNotAnImage.Format(mt)
	}
	return mt, data, nil
}
