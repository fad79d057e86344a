// Package reddit is the listening source of Reddit: a search sorted by new
// (GET /search?q=&sort=new, or /r/{subs}/search restricted to some
// subreddits) or the newest posts of some subreddits (GET /r/{subs}/new),
// polled through Reddit's OAuth API with an application-only token (the
// client_credentials grant of the user's own Reddit app:
// github.com/reddit-archive/reddit/wiki/OAuth2#application-only-oauth).
//
// Reddit's API rules are kept: a descriptive User-Agent
// ("<platform>:<app ID>:<version> (by /u/<username>)"), and the
// X-Ratelimit-Remaining and X-Ratelimit-Reset headers of every answer are
// obeyed: when the allowance is spent the source waits for the period's
// end before its next call. The cursor is the newest post's fullname seen
// (with its time, to stop paging back when that post was deleted).
package reddit

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tribune-social/tribune/internal/listen/source"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/httpx"
	"github.com/tribune-social/tribune/internal/network/stream"
	"github.com/tribune-social/tribune/internal/text/htmltext"
)

// clientVersion goes in the User-Agent. Reddit asks for a version so that
// it can block one buggy release rather than the whole application: bump it
// when this source's calls change.
const clientVersion = "1.0"

// pageSize is the most a listing page holds (Reddit's limit).
const pageSize = 100

// maxPages bounds how far back one poll pages: 1,000 posts, as far as a
// Reddit listing goes anyway.
const maxPages = 10

// MinInterval is the shortest polling interval: Reddit caches a listing
// for 30 seconds and asks that the same page not be fetched more often.
const MinInterval = time.Minute

// DefaultInterval is the interval when none is set.
const DefaultInterval = 5 * time.Minute

// The hosts of Reddit's OAuth API.
const (
	tokenURL = "https://www.reddit.com/api/v1/access_token"
	apiURL   = "https://oauth.reddit.com"
)

// Kind is the Reddit source kind.
func Kind() source.Kind {
	return source.Kind{
		Name:    "reddit",
		Label:   "Reddit search or subreddits",
		Network: "reddit",
		Needs:   "Reddit app credentials: create a \"script\" or \"web app\" at reddit.com/prefs/apps and give its client id and secret.",
		Fields: []source.Field{
			{Name: "query", Label: "Search", Help: "Words to search Reddit for (Reddit's search syntax); empty lists the newest posts of the subreddits.", Placeholder: "tribune OR \"ma marque\""},
			{Name: "subreddits", Label: "Subreddits", Help: "Search or list only these subreddits, separated by commas.", Placeholder: "france, marketing"},
			{Name: "client_id", Label: "App client id", Help: "Shown under the app's name at reddit.com/prefs/apps.", Required: true},
			{Name: "client_secret", Label: "App secret", Required: true, Secret: true},
			{Name: "username", Label: "Your Reddit username", Help: "Named in the User-Agent as Reddit's API rules ask, so Reddit can reach the app's owner.", Placeholder: "u/moncompte"},
			{Name: "interval", Label: "Check every (minutes)", Help: "At least 1 minute; 5 by default."},
		},
		New: New,
	}
}

// Source polls one search or listing.
type Source struct {
	path     string     // /search, /r/a+b/search or /r/a+b/new
	query    url.Values // its parameters
	id       string
	secret   string
	agent    string
	interval time.Duration
	client   *httpx.Client
	now      func() time.Time
	tokenURL string
	apiURL   string

	mu      sync.Mutex
	token   string
	expires time.Time
	// waitUntil is when the rate-limit period ends, set when an answer
	// said no call is left in it.
	waitUntil time.Time
}

// New validates cfg and builds the source.
func New(cfg source.Config, deps source.Deps) (source.Source, error) {
	v := cfg.Values
	q := strings.TrimSpace(v["query"])
	var subs []string
	for _, s := range strings.FieldsFunc(v["subreddits"], func(r rune) bool { return r == ',' || r == ' ' || r == '+' }) {
		s = strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(s), "/"), "r/")
		if s == "" {
			continue
		}
		for _, r := range s {
			if !(r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') || len(s) > 21 {
				return nil, source.Permanentf("subreddits: %q is not a subreddit's name", s)
			}
		}
		subs = append(subs, s)
	}
	if q == "" && len(subs) == 0 {
		return nil, source.Permanentf("query: give words to search, or subreddits to follow, or both")
	}
	if len(q) > 512 {
		return nil, source.Permanentf("query: %d characters, Reddit's search takes at most 512", len(q))
	}
	id, secret := strings.TrimSpace(v["client_id"]), strings.TrimSpace(v["client_secret"])
	if id == "" {
		return nil, source.Permanentf("client_id: the Reddit app's client id is required")
	}
	if secret == "" {
		return nil, source.Permanentf("client_secret: the Reddit app's secret is required")
	}
	user := strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(v["username"]), "/"), "u/")
	interval := DefaultInterval
	if s := strings.TrimSpace(v["interval"]); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			return nil, source.Permanentf("interval: %q is not a number of minutes", s)
		}
		interval = time.Duration(n) * time.Minute
		if interval < MinInterval {
			return nil, source.Permanentf("interval: the least is 1 minute")
		}
	}
	s := &Source{id: id, secret: secret, interval: interval, now: deps.Now, tokenURL: tokenURL, apiURL: apiURL,
		client: &httpx.Client{HTTP: deps.HTTP, ErrorText: errorText}}
	if s.now == nil {
		s.now = time.Now
	}
	// The app id in the User-Agent is the user's Reddit app, which is
	// what Reddit identifies; Tribune names itself as the platform.
	s.agent = "web:tribune-" + id + ":" + clientVersion
	if user != "" {
		s.agent += " (by /u/" + user + ")"
	}
	s.query = url.Values{"limit": {strconv.Itoa(pageSize)}, "raw_json": {"1"}}
	switch {
	case q != "" && len(subs) > 0:
		s.path = "/r/" + strings.Join(subs, "+") + "/search"
		s.query.Set("restrict_sr", "true")
	case q != "":
		s.path = "/search"
	default:
		s.path = "/r/" + strings.Join(subs, "+") + "/new"
	}
	if q != "" {
		s.query.Set("q", q)
		s.query.Set("sort", "new")
		s.query.Set("type", "link")
	}
	return s, nil
}

func errorText(body []byte) string {
	var e struct {
		Error   any    `json:"error"`
		Message string `json:"message"`
	}
	_ = json.Unmarshal(body, &e)
	if e.Message != "" {
		return e.Message
	}
	if s, ok := e.Error.(string); ok {
		return s
	}
	return ""
}

// cursor is the newest post seen.
type cursor struct {
	Name    string  `json:"name"`
	Created float64 `json:"created"`
}

func parseCursor(s string) cursor {
	var c cursor
	if s != "" && json.Unmarshal([]byte(s), &c) != nil {
		c = cursor{Name: s} // a bare fullname
	}
	return c
}

// Run polls now and every interval. From "" it takes the first page only
// (the newest posts), not the whole history.
func (s *Source) Run(ctx context.Context, cur string, emit source.Emit) error {
	c := parseCursor(cur)
	for {
		b, err := s.poll(ctx, c)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		if len(b.Posts) > 0 {
			c = parseCursor(b.Cursor)
			if err := emit(ctx, b); err != nil {
				return err
			}
		}
		if stream.Sleep(ctx, s.interval) != nil {
			return nil
		}
	}
}

// poll pages back from the newest post until it reaches the cursor's post
// (or one older than it), and returns what is newer, oldest first.
func (s *Source) poll(ctx context.Context, c cursor) (source.Batch, error) {
	var b source.Batch
	var fresh []source.Post
	newest := c
	after := ""
	pages := maxPages
	if c.Name == "" {
		pages = 1
	}
page:
	for range pages {
		q := url.Values{}
		for k, v := range s.query {
			q[k] = v
		}
		if after != "" {
			q.Set("after", after)
		}
		var l listing
		if err := s.get(ctx, s.path+"?"+q.Encode(), &l); err != nil {
			return b, err
		}
		for _, ch := range l.Data.Children {
			d := ch.Data
			if d.Name == c.Name || c.Name != "" && d.Created < c.Created {
				break page
			}
			if len(fresh) == 0 { // a listing runs newest first
				newest = cursor{Name: d.Name, Created: d.Created}
			}
			fresh = append(fresh, d.post())
		}
		if l.Data.After == "" || len(l.Data.Children) == 0 {
			break
		}
		after = l.Data.After
	}
	for i := len(fresh) - 1; i >= 0; i-- {
		b.Posts = append(b.Posts, fresh[i])
	}
	raw, _ := json.Marshal(newest)
	b.Cursor = string(raw)
	return b, nil
}

// listing is a Listing of links (kind t3).
type listing struct {
	Data struct {
		After    string `json:"after"`
		Children []struct {
			Kind string `json:"kind"`
			Data link   `json:"data"`
		} `json:"children"`
	} `json:"data"`
}

type link struct {
	Name        string  `json:"name"` // the fullname, t3_…
	Title       string  `json:"title"`
	Selftext    string  `json:"selftext"`
	Author      string  `json:"author"`
	Subreddit   string  `json:"subreddit"`
	Permalink   string  `json:"permalink"`
	URL         string  `json:"url"`
	Created     float64 `json:"created_utc"`
	Lang        string  `json:"lang"`
	IsSelf      bool    `json:"is_self"`
	Subscribers int64   `json:"subreddit_subscribers"`
}

func (d link) post() source.Post {
	text := strings.TrimSpace(d.Title)
	if body := htmltext.Plain(d.Selftext); body != "" {
		text += " — " + body
	} else if !d.IsSelf && d.URL != "" {
		text += " " + d.URL
	}
	author := "u/" + d.Author
	sec, frac := int64(d.Created), d.Created-float64(int64(d.Created))
	return source.Post{
		Network: "reddit", ExternalID: d.Name, URL: "https://www.reddit.com" + d.Permalink,
		Author: author, AuthorName: author + " · r/" + d.Subreddit,
		// Reddit says nothing of an author's audience; the subreddit's
		// subscribers are who may see the post, not who follows its author.
		AuthorFollowers: -1,
		Text:            text, Lang: d.Lang, CreatedAt: time.Unix(sec, int64(frac*1e9)).UTC(),
	}
}

// get calls the API with the app token, fetching a new one when it is
// missing, expired or refused, and waiting first when the rate limit's
// allowance is spent.
func (s *Source) get(ctx context.Context, path string, out any) error {
	for attempt := 0; ; attempt++ {
		s.mu.Lock()
		wait := s.waitUntil.Sub(s.now())
		s.mu.Unlock()
		if wait > 0 {
			if err := stream.Sleep(ctx, wait); err != nil {
				return err
			}
		}
		tok, err := s.appToken(ctx)
		if err != nil {
			return err
		}
		resp, err := s.client.Do(ctx, httpx.Request{Method: http.MethodGet, URL: s.apiURL + path, Header: http.Header{
			"Authorization": {"bearer " + tok}, "User-Agent": {s.agent}}}, out)
		s.noteLimits(resp.Header)
		if err == nil {
			return nil
		}
		ne := network.AsError(err)
		switch {
		case ne.Kind == network.Unauthorized && attempt == 0:
			s.mu.Lock()
			s.token = "" // expired early or revoked: ask for another once
			s.mu.Unlock()
			continue
		case ne.Kind == network.RateLimited && attempt < 2:
			d := ne.RetryAfter
			if d <= 0 {
				d = time.Minute
			}
			s.mu.Lock()
			s.waitUntil = s.now().Add(d)
			s.mu.Unlock()
			continue
		}
		return source.FromNetwork(err)
	}
}

// noteLimits reads X-Ratelimit-Remaining and X-Ratelimit-Reset (seconds
// to the period's end): with nothing left, the next call waits for the end.
func (s *Source) noteLimits(h http.Header) {
	rem, err1 := strconv.ParseFloat(h.Get("X-Ratelimit-Remaining"), 64)
	reset, err2 := strconv.ParseFloat(h.Get("X-Ratelimit-Reset"), 64)
	if err1 != nil || err2 != nil {
		return
	}
	if rem < 1 {
		s.mu.Lock()
		s.waitUntil = s.now().Add(time.Duration(reset * float64(time.Second)))
		s.mu.Unlock()
	}
}

// appToken returns an application-only token, asking for one with the
// client_credentials grant (HTTP Basic with the app's id and secret) when
// there is none or it is about to expire.
func (s *Source) appToken(ctx context.Context) (string, error) {
	s.mu.Lock()
	tok, exp := s.token, s.expires
	s.mu.Unlock()
	if tok != "" && s.now().Before(exp.Add(-time.Minute)) {
		return tok, nil
	}
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(s.id+":"+s.secret))
	var out struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int    `json:"expires_in"`
		Error       string `json:"error"`
	}
	_, err := s.client.Do(ctx, httpx.Request{Method: http.MethodPost, URL: s.tokenURL,
		Body: strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()), ContentType: "application/x-www-form-urlencoded",
		Header: http.Header{"Authorization": {basic}, "User-Agent": {s.agent}}}, &out)
	if err != nil {
		if ne := network.AsError(err); ne.Kind == network.Unauthorized {
			return "", fmt.Errorf("%w: client_id, client_secret: Reddit refused the app's credentials", source.ErrUnauthorized)
		}
		return "", source.FromNetwork(err)
	}
	if out.AccessToken == "" {
		// Reddit answers a bad grant with 200 and {"error": "…"}.
		return "", fmt.Errorf("%w: client_id, client_secret: Reddit gave no token (%s)", source.ErrUnauthorized, out.Error)
	}
	if out.ExpiresIn <= 0 {
		out.ExpiresIn = 3600
	}
	s.mu.Lock()
	s.token, s.expires = out.AccessToken, s.now().Add(time.Duration(out.ExpiresIn)*time.Second)
	s.mu.Unlock()
	return out.AccessToken, nil
}
