// Package xtest is a fake of X's API v2 filtered stream for tests, written
// from docs.x.com (/x-api/posts/filtered-stream: GET and POST
// /2/tweets/search/stream/rules, GET /2/tweets/search/stream;
// /x-api/fundamentals/handling-disconnections). It is the one place the X
// source's tests and the listening use cases' tests reach X.
package xtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is the X API v2 filtered stream as docs.x.com describes it
// (/x-api/posts/filtered-stream: GET and POST /2/tweets/search/stream/rules,
// GET /2/tweets/search/stream; /x-api/fundamentals/handling-disconnections):
// app-only bearer authentication, rules with ids and tags, add and delete
// bodies answered with meta.summary, one stream connection per app (a
// second gets 429 TooManyConnections), posts as one JSON object a line
// with includes.users and matching_rules, a keep-alive "\r\n", and
// backfill_minutes replaying the posts of the last minutes on reconnect.
// It asserts the requests: the fields and expansions the source needs,
// backfill_minutes from 1 to 5.
type Server struct {
	t testing.TB
	// Server is the HTTP server; its URL stands for https://api.x.com.
	*httptest.Server
	// Token is the app's bearer token.
	Token string

	mu        sync.Mutex
	rules     []Rule
	seq       int
	posts     []fakePost
	conn      chan fakePost // the open stream, nil when none
	drop      chan struct{}
	keepAlive time.Duration // 0: silent, as a frozen server
	streams   []string      // query strings of the stream requests
	ruleCalls []string      // bodies of POST rules
	Connected chan struct{} // one value each time a stream opens
	down      bool          // the stream answers 503, as during an outage
	wantsNote bool          // the stream asked for tweet.fields=note_tweet
	// Disconnect makes the open stream end with an operational disconnect.
	Disconnect  chan struct{}
	notEnrolled bool // every call answers 403 client-not-enrolled
}

type fakePost struct {
	id, author, text string
	at               time.Time
}

// New starts a fake X app whose bearer token is Token.
func New(t testing.TB) *Server {
	f := &Server{t: t, Token: "AAAA-bearer", keepAlive: 20 * time.Millisecond, Connected: make(chan struct{}, 100), Disconnect: make(chan struct{}, 1)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2/tweets/search/stream/rules", f.auth(f.listRules))
	mux.HandleFunc("POST /2/tweets/search/stream/rules", f.auth(f.changeRules))
	mux.HandleFunc("GET /2/tweets/search/stream", f.auth(f.stream))
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Server.Close)
	return f
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (f *Server) auth(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		notEnrolled := f.notEnrolled
		f.mu.Unlock()
		if notEnrolled {
			// An app outside a Project, or a tier without the filtered
			// stream: X's client-not-enrolled answer.
			writeJSON(w, http.StatusForbidden, map[string]any{"client_id": "123", "reason": "client-not-enrolled", "registration_url": "https://developer.x.com/",
				"title": "Client Forbidden", "required_enrollment": "Appropriate Level of API Access", "type": "https://api.twitter.com/2/problems/client-forbidden",
				"detail": "When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a Twitter developer App that is attached to a Project."})
			return
		}
		if r.Header.Get("Authorization") != "Bearer "+f.Token {
			writeJSON(w, http.StatusUnauthorized, map[string]any{"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"})
			return
		}
		h(w, r)
	}
}

func (f *Server) listRules(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	data := []Rule{}
	data = append(data, f.rules...)
	writeJSON(w, http.StatusOK, map[string]any{"data": data, "meta": map[string]any{"sent": time.Now().Format(time.RFC3339), "result_count": len(data)}})
}

// valid is the fake's idea of a rule: X checks the operators; the fake
// checks that quotes and parentheses close.
func valid(v string) string {
	if strings.Count(v, `"`)%2 != 0 {
		return "There is an unclosed quote"
	}
	depth := 0
	for _, r := range v {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
		}
		if depth < 0 {
			break
		}
	}
	if depth != 0 {
		return "There are mismatched parentheses"
	}
	if len(v) > 512 {
		return "Rule is too long (max 512)"
	}
	return ""
}

func (f *Server) changeRules(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Add    []Rule `json:"add"`
		Delete *struct {
			IDs []string `json:"ids"`
		} `json:"delete"`
	}
	if r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(&body) != nil || (body.Add == nil) == (body.Delete == nil) {
		f.t.Errorf("fakex: POST rules wants a JSON body with add or delete")
		writeJSON(w, http.StatusBadRequest, map[string]any{"title": "Invalid Request", "detail": "One or more parameters to your request was invalid."})
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	raw, _ := json.Marshal(body)
	f.ruleCalls = append(f.ruleCalls, string(raw))
	summary := map[string]int{}
	var errs []any
	var created []Rule
	if body.Delete != nil {
		for _, id := range body.Delete.IDs {
			n := len(f.rules)
			f.rules = slices.DeleteFunc(f.rules, func(r Rule) bool { return r.ID == id })
			if len(f.rules) < n {
				summary["deleted"]++
			} else {
				summary["not_deleted"]++
				errs = append(errs, map[string]any{"errors": []any{map[string]any{"parameters": map[string]any{}, "message": "Rule does not exist"}}, "title": "RuleNotFound"})
			}
		}
	}
	for _, a := range body.Add {
		if why := valid(a.Value); why != "" {
			summary["invalid"]++
			summary["not_created"]++
			errs = append(errs, map[string]any{"value": a.Value, "details": []string{why}, "title": "UnprocessableEntity", "type": "https://api.twitter.com/2/problems/invalid-rules"})
			continue
		}
		if slices.ContainsFunc(f.rules, func(r Rule) bool { return r.Value == a.Value }) {
			summary["not_created"]++
			errs = append(errs, map[string]any{"value": a.Value, "id": "", "title": "DuplicateRule", "type": "https://api.twitter.com/2/problems/duplicate-rules"})
			continue
		}
		f.seq++
		a.ID = strconv.Itoa(1500000000000000000 + f.seq)
		f.rules = append(f.rules, a)
		created = append(created, a)
		summary["created"]++
		summary["valid"]++
	}
	out := map[string]any{"meta": map[string]any{"sent": time.Now().Format(time.RFC3339), "summary": summary}}
	if created != nil {
		out["data"] = created
	}
	if errs != nil {
		out["errors"] = errs
	}
	writeJSON(w, http.StatusOK, out)
}

// matches is the fake's rule matching: every word of the rule, quotes and
// parentheses aside, in the text (enough for the tests' rules).
func matches(rule, text string) bool {
	text = strings.ToLower(text)
	for _, w := range strings.Fields(strings.NewReplacer(`"`, "", "(", "", ")", "").Replace(strings.ToLower(rule))) {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}

func (f *Server) line(p fakePost) (string, bool) {
	var mr []map[string]string
	for _, r := range f.rules {
		if matches(r.Value, p.text) {
			mr = append(mr, map[string]string{"id": r.ID, "tag": r.Tag})
		}
	}
	if mr == nil {
		return "", false
	}
	data := map[string]any{"id": p.id, "text": p.text, "author_id": "u-" + p.author, "created_at": p.at.Format("2006-01-02T15:04:05.000Z"),
		"lang": "fr", "edit_history_tweet_ids": []string{p.id}}
	if r := []rune(p.text); len(r) > 280 {
		// A long post: text is cut, the whole is in note_tweet, when asked.
		data["text"] = string(r[:280]) + "…"
		if f.wantsNote {
			data["note_tweet"] = map[string]any{"text": p.text}
		}
	}
	raw, _ := json.Marshal(map[string]any{
		"data":           data,
		"includes":       map[string]any{"users": []any{map[string]any{"id": "u-" + p.author, "username": p.author, "name": strings.ToUpper(p.author), "public_metrics": map[string]int{"followers_count": 321, "following_count": 5, "tweet_count": 9, "listed_count": 0}}}},
		"matching_rules": mr,
	})
	return string(raw), true
}

func (f *Server) stream(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for _, want := range []struct{ param, value string }{{"expansions", "author_id"}, {"user.fields", "public_metrics"}, {"tweet.fields", "created_at"}, {"tweet.fields", "author_id"}} {
		if !slices.Contains(strings.Split(q.Get(want.param), ","), want.value) {
			f.t.Errorf("fakex: stream without %s=%s: %s", want.param, want.value, r.URL.RawQuery)
		}
	}
	f.mu.Lock()
	f.wantsNote = slices.Contains(strings.Split(q.Get("tweet.fields"), ","), "note_tweet")
	f.mu.Unlock()
	backfill := 0
	if v := q.Get("backfill_minutes"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 5 {
			f.t.Errorf("fakex: backfill_minutes=%s, X takes 1 to 5", v)
		}
		backfill = n
	}
	f.mu.Lock()
	f.streams = append(f.streams, r.URL.RawQuery)
	if f.down {
		f.mu.Unlock()
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"title": "Service Unavailable", "detail": "Service Unavailable", "type": "about:blank", "status": 503})
		return
	}
	if f.conn != nil {
		f.mu.Unlock()
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"title": "ConnectionException", "connection_issue": "TooManyConnections",
			"detail": "This stream is currently at the maximum allowed connection limit.", "type": "https://api.twitter.com/2/problems/streaming-connection"})
		return
	}
	conn, drop := make(chan fakePost, 256), make(chan struct{})
	f.conn, f.drop = conn, drop
	var replay []string
	for _, p := range f.posts {
		if backfill > 0 && time.Since(p.at) <= time.Duration(backfill)*time.Minute {
			if l, ok := f.line(p); ok {
				replay = append(replay, l)
			}
		}
	}
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		if f.conn == conn {
			f.conn = nil
		}
		f.mu.Unlock()
	}()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	for _, l := range replay {
		fmt.Fprint(w, l+"\r\n")
	}
	_ = rc.Flush()
	f.Connected <- struct{}{}
	for {
		f.mu.Lock()
		ka := f.keepAlive
		f.mu.Unlock()
		tick := time.After(ka)
		if ka == 0 {
			tick = nil
		}
		select {
		case p := <-conn:
			f.mu.Lock()
			l, ok := f.line(p)
			f.mu.Unlock()
			if ok {
				fmt.Fprint(w, l+"\r\n")
				_ = rc.Flush()
			}
		case <-tick:
			fmt.Fprint(w, "\r\n")
			_ = rc.Flush()
		case <-drop:
			return
		case <-f.Disconnect:
			// X's operational disconnect: an error object on the stream,
			// then the end of it.
			fmt.Fprint(w, `{"errors":[{"title":"operational-disconnect","disconnect_type":"UpstreamOperationalDisconnect","detail":"This stream has been disconnected upstream for operational reasons.","type":"https://api.twitter.com/2/problems/operational-disconnect"}]}`+"\r\n")
			_ = rc.Flush()
			return
		case <-r.Context().Done():
			return
		}
	}
}

// Post publishes a post; it returns the post's id, streamed at once when a connection is open.
func (f *Server) Post(author, text string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq++
	p := fakePost{id: strconv.Itoa(1800000000000000000 + f.seq), author: author, text: text, at: time.Now().UTC()}
	f.posts = append(f.posts, p)
	if f.conn != nil {
		f.conn <- p
	}
	return p.id
}

// Cut drops the open connection, as X does on a deploy.
func (f *Server) Cut() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.conn != nil {
		close(f.drop)
		f.conn = nil
	}
}

// SetKeepAlive sets the keep-alive interval; 0 is a silent, frozen server.
func (f *Server) SetKeepAlive(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.keepAlive = d
}

// Snapshot returns the app's rules, the query strings of the stream
// requests and the bodies of the POST rules requests.
func (f *Server) Snapshot() (rules []Rule, streams, ruleCalls []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.rules), slices.Clone(f.streams), slices.Clone(f.ruleCalls)
}

// SetDown makes the stream answer 503, as during an outage.
func (f *Server) SetDown(down bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.down = down
}

// Rule is one of the app's rules, as X lists it.
type Rule struct {
	ID    string `json:"id,omitempty"`
	Value string `json:"value"`
	Tag   string `json:"tag,omitempty"`
}

// SetRules replaces the app's rules.
func (f *Server) SetRules(rules []Rule) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules = slices.Clone(rules)
}

// SetNotEnrolled makes every call answer 403 client-not-enrolled, as for
// an app whose access does not include the filtered stream.
func (f *Server) SetNotEnrolled(v bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.notEnrolled = v
}

// Client is an HTTP client that sends every request, whatever its host
// (https://api.x.com included), to the fake: for code that builds the X
// source with its real API address.
func (f *Server) Client() *http.Client {
	u, _ := url.Parse(f.URL)
	base := f.Server.Client().Transport
	return &http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
		r = r.Clone(r.Context())
		r.URL.Scheme, r.URL.Host, r.Host = u.Scheme, u.Host, u.Host
		return base.RoundTrip(r)
	})}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (rt roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return rt(r) }
