package reddit

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeReddit is Reddit's OAuth API as its documentation describes it
// (github.com/reddit-archive/reddit/wiki/OAuth2, /wiki/API, and
// www.reddit.com/dev/api: listings, /search, /r/{sub}/new): the
// application-only token endpoint, listings newest first paged with after
// and limit (≤ 100), and the X-Ratelimit-* headers. It asserts what Reddit
// requires of a client: HTTP Basic with the app's credentials and the
// client_credentials grant for a token, a bearer token on every API call,
// a descriptive User-Agent, and no call once the period's allowance is
// spent until it resets.
type fakeReddit struct {
	t   *testing.T
	srv *httptest.Server
	id  string
	sec string

	mu        sync.Mutex
	posts     []fakePost // oldest first
	tokens    map[string]bool
	tokenHits int
	calls     []string // paths with queries of API calls
	remaining int      // calls left in the period
	period    time.Duration
	resetAt   time.Time
	seq       int
}

type fakePost struct {
	name, sub, author, title, body string
	created                        float64
}

var userAgentRE = regexp.MustCompile(`^[a-z]+:[^:\s]+:[^\s:]+( \(by /u/[A-Za-z0-9_-]+\))?$`)

func newFakeReddit(t *testing.T) *fakeReddit {
	f := &fakeReddit{t: t, id: "app123", sec: "s3cret", tokens: map[string]bool{}, remaining: 1000, period: time.Minute}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/access_token", f.token)
	mux.HandleFunc("GET /r/{subs}/new", f.listing)
	mux.HandleFunc("GET /r/{subs}/search", f.listing)
	mux.HandleFunc("GET /search", f.listing)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeReddit) checkAgent(r *http.Request) {
	if ua := r.Header.Get("User-Agent"); !userAgentRE.MatchString(ua) {
		f.t.Errorf("fakereddit: User-Agent %q, Reddit asks for <platform>:<app ID>:<version> (by /u/<username>)", ua)
	}
}

func (f *fakeReddit) token(w http.ResponseWriter, r *http.Request) {
	f.checkAgent(r)
	id, sec, ok := r.BasicAuth()
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" {
		f.t.Errorf("fakereddit: token request with grant_type %q, want client_credentials", r.PostForm.Get("grant_type"))
	}
	if !ok || id != f.id || sec != f.sec {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"message": "Unauthorized", "error": 401}`)
		return
	}
	f.mu.Lock()
	f.tokenHits++
	tok := fmt.Sprintf("tok-%d", f.tokenHits)
	f.tokens[tok] = true
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"access_token": %q, "token_type": "bearer", "expires_in": 86400, "scope": "*"}`, tok)
}

func (f *fakeReddit) listing(w http.ResponseWriter, r *http.Request) {
	f.checkAgent(r)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, r.URL.RequestURI())
	now := time.Now()
	if now.After(f.resetAt) {
		f.resetAt = now.Add(f.period)
		if f.remaining <= 0 {
			f.remaining = 1000
		}
	}
	if f.remaining <= 0 {
		f.t.Errorf("fakereddit: a call with no allowance left, %v before the reset the headers announced", f.resetAt.Sub(now))
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	f.remaining--
	w.Header().Set("X-Ratelimit-Used", "1")
	w.Header().Set("X-Ratelimit-Remaining", strconv.Itoa(f.remaining))
	w.Header().Set("X-Ratelimit-Reset", strconv.Itoa(int(f.resetAt.Sub(now).Seconds()+0.999)))
	scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "bearer") || !f.tokens[tok] {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"message": "Unauthorized", "error": 401}`)
		return
	}
	q := r.URL.Query()
	limit := 25
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			f.t.Errorf("fakereddit: limit=%s, Reddit's range is 1–100", v)
		}
		limit = n
	}
	if q.Get("raw_json") != "1" {
		f.t.Errorf("fakereddit: no raw_json=1: Reddit then escapes <, > and & in every text")
	}
	search := strings.HasSuffix(r.URL.Path, "/search")
	if search && (q.Get("q") == "" || q.Get("sort") != "new") {
		f.t.Errorf("fakereddit: search with q=%q sort=%q, want words and sort=new", q.Get("q"), q.Get("sort"))
	}
	var subs []string
	if s := r.PathValue("subs"); s != "" {
		subs = strings.Split(strings.ToLower(s), "+")
		if search && q.Get("restrict_sr") != "true" && q.Get("restrict_sr") != "on" {
			f.t.Errorf("fakereddit: /r/%s/search without restrict_sr searches all of Reddit", s)
		}
	}
	var sel []fakePost
	for i := len(f.posts) - 1; i >= 0; i-- {
		p := f.posts[i]
		if subs != nil && !slices.Contains(subs, strings.ToLower(p.sub)) {
			continue
		}
		if search && !strings.Contains(strings.ToLower(p.title+" "+p.body), strings.ToLower(q.Get("q"))) {
			continue
		}
		sel = append(sel, p)
	}
	if a := q.Get("after"); a != "" {
		i := slices.IndexFunc(sel, func(p fakePost) bool { return p.name == a })
		sel = sel[i+1:] // Reddit answers an unknown after with what follows nothing: i = -1 gives all, close enough
	}
	after := any(nil)
	if len(sel) > limit {
		sel = sel[:limit]
		after = sel[limit-1].name
	}
	children := []any{}
	for _, p := range sel {
		children = append(children, map[string]any{"kind": "t3", "data": map[string]any{
			"name": p.name, "id": strings.TrimPrefix(p.name, "t3_"), "title": p.title, "selftext": p.body, "is_self": true,
			"author": p.author, "subreddit": p.sub, "permalink": "/r/" + p.sub + "/comments/" + strings.TrimPrefix(p.name, "t3_") + "/x/",
			"url": "https://www.reddit.com/r/" + p.sub + "/comments/" + strings.TrimPrefix(p.name, "t3_") + "/x/", "created_utc": p.created,
			"subreddit_subscribers": 1234}})
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"kind": "Listing", "data": map[string]any{"after": after, "before": nil, "children": children}})
}

// add posts to sub, a second apart, and returns their fullnames.
func (f *fakeReddit) add(sub string, n int, title string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var names []string
	for i := range n {
		f.seq++
		name := "t3_" + strconv.FormatInt(int64(1000+f.seq), 36)
		f.posts = append(f.posts, fakePost{name: name, sub: sub, author: "user" + strconv.Itoa(f.seq),
			title: fmt.Sprintf("%s %d", title, i), body: "body & text", created: float64(1_780_000_000 + f.seq)})
		names = append(names, name)
	}
	return names
}

func (f *fakeReddit) remove(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.posts = slices.DeleteFunc(f.posts, func(p fakePost) bool { return p.name == name })
}

func (f *fakeReddit) revokeTokens() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokens = map[string]bool{}
}

func (f *fakeReddit) limit(remaining int, period time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.remaining, f.period, f.resetAt = remaining, period, time.Now().Add(period)
}

func (f *fakeReddit) apiCalls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}
