// Package mastodonfake is a fake Mastodon server written from the client API
// documentation (docs.joinmastodon.org/methods/…), for tests. It answers like
// Mastodon and asserts the requests Tribune sends: a request Mastodon would
// refuse gets Mastodon's error and is reported with t.Errorf.
//
// With Software set to GoToSocial it answers GoToSocial's instance document
// and counts a status the way GoToSocial does (every character, links
// included: gotosocial internal/processing/status/common.go), so a client
// counting like Mastodon sees its over-long status refused.
package mastodonfake

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

// Status is a status the fake holds.
type Status struct {
	ID          string
	Text        string
	MediaIDs    []string
	InReplyToID string
	CreatedAt   time.Time
	Deleted     bool
	Key         string
	// Visibility is what the client sent ("" when it sent none).
	Visibility string
	// Shown is the visibility the status got: the one sent, or the
	// account's default.
	Shown string
	// AccountID is the author ("109", the token's account, for a status
	// created through the API).
	AccountID string
	// Mentions are the ids of the accounts the status mentions.
	Mentions []string
	// QuoteOf is the id of the status it quotes (Mastodon 4.5).
	QuoteOf string
	// EditedAt is set by Edit.
	EditedAt time.Time
	// Lang is the language the author declared.
	Lang string
}

// Software is the server program the fake plays.
type Software string

// The programs the fake can play.
const (
	Mastodon   Software = "mastodon"
	GoToSocial Software = "gotosocial"
)

type media struct {
	id, description string
	polls           int // GETs before it is processed
}

type failure struct {
	path   string
	status int
	body   string
	header http.Header
	count  int
}

// Server is a fake instance.
type Server struct {
	t   testing.TB
	srv *httptest.Server

	// MaxChars is the instance's limit (500 by default).
	MaxChars int
	// IgnoreIdempotency makes the fake act like GoToSocial.
	IgnoreIdempotency bool
	// ProcessingPolls is how many GET /api/v1/media/:id answer 206 first.
	ProcessingPolls int
	// Software is the program played (Mastodon by default): its instance
	// document and its way of counting characters.
	Software Software
	// Domain is the instance's own domain, the one of its handles; it
	// differs from the host the fake listens on ("fake.test" by default).
	Domain string
	// V1Only answers 404 to /api/v2/instance, like Mastodon before 4.0.
	V1Only bool
	// DefaultVisibility is the account's default, applied when a status
	// comes without one ("unlisted", like a new GoToSocial account, by
	// default: a client that relies on it is caught).
	DefaultVisibility string
	// APIVersion is the instance's api_versions.mastodon (7, Mastodon
	// 4.5, by default; 0 leaves it out). Quote notifications need 7.
	APIVersion int
	// RefuseWebSocket answers the WebSocket upgrade with 426, like a proxy
	// that does not pass WebSockets.
	RefuseWebSocket bool
	// MutePublic accepts public and hashtag streams but pushes nothing on
	// them, as GoToSocial 0.19 does.
	MutePublic bool
	// StreamingURL is the configuration.urls.streaming the instance
	// document gives (ws:// on the fake's own address by default).
	StreamingURL string
	// RateLimit, when set, is the requests allowed per 5-minute window:
	// answers then carry X-RateLimit-Limit, X-RateLimit-Remaining and
	// X-RateLimit-Reset (an ISO 8601 time), as Mastodon's rate limits page
	// documents, counting every request of the window.
	RateLimit int

	mu       sync.Mutex
	used     int               // requests in the rate window
	window   time.Time         // when the rate window started
	apps     map[string]string // client_id → redirect_uri
	secrets  map[string]string
	codes    map[string]string // code → PKCE challenge
	tokens   map[string]bool
	statuses []*Status
	media    map[string]*media
	keys     map[string]*Status
	failures []*failure
	seq      int
	inbox
}

// New starts a fake instance, closed with the test.
func New(t testing.TB) *Server {
	s := &Server{t: t, MaxChars: 500, Software: Mastodon, Domain: "fake.test", DefaultVisibility: "unlisted", APIVersion: 7, apps: map[string]string{}, secrets: map[string]string{}, codes: map[string]string{},
		tokens: map[string]bool{}, media: map[string]*media{}, keys: map[string]*Status{}, inbox: newInbox()}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/apps", s.registerApp)
	mux.HandleFunc("GET /oauth/authorize", s.authorize)
	mux.HandleFunc("POST /oauth/token", s.token)
	mux.HandleFunc("GET /api/v1/accounts/verify_credentials", s.auth(s.verify))
	mux.HandleFunc("GET /api/v2/instance", s.instanceV2)
	mux.HandleFunc("GET /api/v1/instance", s.instanceV1)
	mux.HandleFunc("POST /api/v2/media", s.auth(s.uploadMedia))
	mux.HandleFunc("GET /api/v1/media/{id}", s.auth(s.getMedia))
	mux.HandleFunc("POST /api/v1/statuses", s.auth(s.createStatus))
	mux.HandleFunc("GET /api/v1/statuses/{id}", s.auth(s.getStatus))
	mux.HandleFunc("DELETE /api/v1/statuses/{id}", s.auth(s.deleteStatus))
	mux.HandleFunc("GET /api/v1/accounts/{id}/statuses", s.auth(s.accountStatuses))
	s.routeInbox(mux)
	s.routePublic(mux)
	s.srv = httptest.NewServer(s.logging(s.failing(mux)))
	t.Cleanup(s.srv.Close)
	return s
}

// URL is the instance's address.
func (s *Server) URL() string { return s.srv.URL }

// Token creates an access token directly (for tests that skip OAuth).
func (s *Server) Token() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	tok := fmt.Sprintf("token-%d", s.seq)
	s.tokens[tok] = true
	return tok
}

// FailNext makes the next count requests to path (e.g. "/api/v1/statuses")
// answer status with body and header.
func (s *Server) FailNext(path string, count, status int, body string, header http.Header) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, &failure{path, status, body, header, count})
}

// Statuses returns the statuses created, in order.
func (s *Server) Statuses() []Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Status, 0, len(s.statuses))
	for _, st := range s.statuses {
		out = append(out, *st)
	}
	return out
}

func (s *Server) failing(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		var f *failure
		for i, c := range s.failures {
			if c.path == r.URL.Path && c.count > 0 {
				c.count--
				f = c
				if c.count == 0 {
					s.failures = append(s.failures[:i], s.failures[i+1:]...)
				}
				break
			}
		}
		s.mu.Unlock()
		if f == nil {
			next.ServeHTTP(w, r)
			return
		}
		for k, v := range f.header {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(f.status)
		io.WriteString(w, f.body)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) refuse(w http.ResponseWriter, status int, msg string) {
	s.t.Errorf("mastodonfake: refused a request Mastodon would refuse: %d %s", status, msg)
	writeJSON(w, status, map[string]string{"error": msg})
}

func (s *Server) auth(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		s.mu.Lock()
		valid := ok && s.tokens[tok]
		s.mu.Unlock()
		if !valid {
			// Not asserted: tests send bad tokens on purpose.
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "The access token is invalid"})
			return
		}
		h(w, r)
	}
}

func (s *Server) registerApp(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.FormValue("client_name") == "" || r.FormValue("redirect_uris") == "" {
		s.refuse(w, http.StatusUnprocessableEntity, "Validation failed: Application name can't be blank, Redirect URI can't be blank")
		return
	}
	if r.FormValue("scopes") != "read write" {
		s.refuse(w, http.StatusUnprocessableEntity, "Validation failed: unexpected scopes "+r.FormValue("scopes"))
		return
	}
	s.mu.Lock()
	s.seq++
	id, sec := fmt.Sprintf("client-%d", s.seq), fmt.Sprintf("secret-%d", s.seq)
	s.apps[id], s.secrets[id] = r.FormValue("redirect_uris"), sec
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"id": strconv.Itoa(s.seq), "name": r.FormValue("client_name"), "client_id": id, "client_secret": sec,
		"redirect_uri": r.FormValue("redirect_uris"), "vapid_key": ""})
}

// authorize approves at once (the user clicked "Authorise") and redirects
// with a code, as the instance's page does.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	redirect, ok := s.apps[q.Get("client_id")]
	s.mu.Unlock()
	switch {
	case !ok:
		s.refuse(w, http.StatusUnauthorized, "invalid_client")
		return
	case q.Get("redirect_uri") != redirect:
		s.refuse(w, http.StatusBadRequest, "invalid_redirect_uri")
		return
	case q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("state") == "":
		s.refuse(w, http.StatusBadRequest, "invalid_request: response_type=code, PKCE S256 and state expected")
		return
	}
	s.mu.Lock()
	s.seq++
	code := fmt.Sprintf("code-%d", s.seq)
	s.codes[code] = q.Get("code_challenge")
	s.mu.Unlock()
	http.Redirect(w, r, redirect+"?code="+code+"&state="+q.Get("state"), http.StatusFound)
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	s.mu.Lock()
	challenge, okCode := s.codes[r.FormValue("code")]
	delete(s.codes, r.FormValue("code"))
	secret := s.secrets[r.FormValue("client_id")]
	redirect := s.apps[r.FormValue("client_id")]
	s.mu.Unlock()
	sum := sha256.Sum256([]byte(r.FormValue("code_verifier")))
	switch {
	case r.FormValue("grant_type") != "authorization_code":
		s.refuse(w, http.StatusBadRequest, "unsupported_grant_type")
	case secret == "" || r.FormValue("client_secret") != secret:
		s.refuse(w, http.StatusUnauthorized, "invalid_client")
	case !okCode:
		// Not asserted: codes expire and are used once; tests try that.
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": "The provided authorization grant is invalid, expired or revoked"})
	case r.FormValue("redirect_uri") != redirect:
		s.refuse(w, http.StatusBadRequest, "invalid_grant")
	case base64.RawURLEncoding.EncodeToString(sum[:]) != challenge:
		s.refuse(w, http.StatusBadRequest, "invalid_grant: PKCE verification failed")
	default:
		writeJSON(w, http.StatusOK, map[string]any{"access_token": s.Token(), "token_type": "Bearer", "scope": "read write", "created_at": time.Now().Unix()})
	}
}

func (s *Server) verify(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"id": "109", "username": "alice", "acct": "alice", "url": s.URL() + "/@alice"})
}

// urlReserved is characters_reserved_per_url: Mastodon's 23, GoToSocial's
// 25 (which GoToSocial reports but does not apply).
func (s *Server) urlReserved() int {
	if s.Software == GoToSocial {
		return 25
	}
	return 23
}

// instanceV2 answers docs.joinmastodon.org/entities/Instance/ as each
// program fills it (GoToSocial: internal/typeutils InstanceToAPIV2Instance).
func (s *Server) instanceV2(w http.ResponseWriter, r *http.Request) {
	if s.V1Only {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "Not Found"})
		return
	}
	doc := map[string]any{"domain": s.Domain, "title": "Fake", "version": "4.3.2", "source_url": "https://github.com/mastodon/mastodon",
		"configuration": map[string]any{"statuses": map[string]any{"max_characters": s.MaxChars, "max_media_attachments": 4,
			"characters_reserved_per_url": s.urlReserved()}, "urls": map[string]any{"streaming": s.streamingURL()}}}
	if s.APIVersion > 0 && s.Software == Mastodon {
		doc["api_versions"] = map[string]any{"mastodon": s.APIVersion}
	}
	if s.Software == GoToSocial {
		doc["version"] = "0.19.1 git-8d0c9ba"
		doc["source_url"] = "https://codeberg.org/superseriousbusiness/gotosocial"
		doc["account_domain"] = s.Domain
	}
	writeJSON(w, http.StatusOK, doc)
}

func (s *Server) streamingURL() string {
	if s.StreamingURL != "" {
		return s.StreamingURL
	}
	return "ws" + strings.TrimPrefix(s.URL(), "http")
}

// instanceV1 answers docs.joinmastodon.org/entities/V1_Instance/: the
// domain is in uri.
func (s *Server) instanceV1(w http.ResponseWriter, r *http.Request) {
	doc := map[string]any{"uri": s.Domain, "title": "Fake", "version": "3.5.3",
		"configuration": map[string]any{"statuses": map[string]any{"max_characters": s.MaxChars, "max_media_attachments": 4,
			"characters_reserved_per_url": s.urlReserved()}}}
	if s.Software == GoToSocial {
		doc["version"] = "0.19.1 git-8d0c9ba"
		doc["max_toot_chars"] = s.MaxChars
	}
	writeJSON(w, http.StatusOK, doc)
}

// mastodonLink is what Mastodon counts as characters_reserved_per_url: an
// http(s) link (app/validators/status_length_validator.rb).
var mastodonLink = regexp.MustCompile(`(?i)\bhttps?://[^\s<>"]+`)

// mentionDomain: Mastodon counts a mention without its domain.
var mentionDomain = regexp.MustCompile(`(@[A-Za-z0-9_]+)@[A-Za-z0-9.-]+[A-Za-z0-9]`)

// length counts text as the program played does.
func (s *Server) length(text string) int {
	if s.Software == GoToSocial {
		return utf8.RuneCountInString(text)
	}
	text = mastodonLink.ReplaceAllString(text, strings.Repeat("x", s.urlReserved()))
	return utf8.RuneCountInString(mentionDomain.ReplaceAllString(text, "$1"))
}

func (s *Server) uploadMedia(w http.ResponseWriter, r *http.Request) {
	file, hdr, err := r.FormFile("file")
	if err != nil {
		s.refuse(w, http.StatusUnprocessableEntity, "Validation failed: File can't be blank")
		return
	}
	file.Close()
	if ct := hdr.Header.Get("Content-Type"); !strings.HasPrefix(ct, "image/") && !strings.HasPrefix(ct, "video/") {
		s.refuse(w, http.StatusUnprocessableEntity, "Validation failed: File content type is invalid")
		return
	}
	s.mu.Lock()
	s.seq++
	m := &media{id: strconv.Itoa(s.seq), description: r.FormValue("description"), polls: s.ProcessingPolls}
	s.media[m.id] = m
	s.mu.Unlock()
	if m.polls > 0 {
		writeJSON(w, http.StatusAccepted, map[string]any{"id": m.id, "type": "image", "url": nil, "description": m.description})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": m.id, "type": "image", "url": s.URL() + "/media/" + m.id, "description": m.description})
}

func (s *Server) getMedia(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	m := s.media[r.PathValue("id")]
	var processing bool
	if m != nil && m.polls > 0 {
		m.polls--
		processing = true
	}
	s.mu.Unlock()
	switch {
	case m == nil:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "Record not found"})
	case processing:
		writeJSON(w, http.StatusPartialContent, map[string]any{"id": m.id, "url": nil})
	default:
		writeJSON(w, http.StatusOK, map[string]any{"id": m.id, "url": s.URL() + "/media/" + m.id, "description": m.description})
	}
}

// statusJSON is docs.joinmastodon.org/entities/Status/ (the fields
// Tribune reads, and a few more).
func (s *Server) statusJSON(st *Status) map[string]any {
	var reply, replyAccount, edited, lang any
	if st.InReplyToID != "" {
		reply = st.InReplyToID
		if p := s.findAny(st.InReplyToID); p != nil {
			replyAccount = p.author()
		}
	}
	if !st.EditedAt.IsZero() {
		edited = st.EditedAt.Format(time.RFC3339Nano)
	}
	if st.Lang != "" {
		lang = st.Lang
	}
	author := s.accountJSON(st.author())
	user := author["username"].(string)
	mentions := []map[string]any{}
	for _, id := range st.Mentions {
		a := s.accountJSON(id)
		mentions = append(mentions, map[string]any{"id": id, "username": a["username"], "acct": a["acct"], "url": a["url"]})
	}
	out := map[string]any{"id": st.ID, "uri": s.URL() + "/users/" + user + "/statuses/" + st.ID, "url": s.URL() + "/@" + user + "/" + st.ID,
		"content": "<p>" + strings.ReplaceAll(html.EscapeString(st.Text), "\n", "<br />") + "</p>", "created_at": st.CreatedAt.Format(time.RFC3339Nano),
		"in_reply_to_id": reply, "in_reply_to_account_id": replyAccount, "visibility": st.Shown, "edited_at": edited, "language": lang,
		"spoiler_text": "", "account": author, "mentions": mentions, "media_attachments": []any{}}
	if st.QuoteOf != "" {
		// Mastodon 4.5's Quote entity; nested once, as Mastodon does
		// (a quote inside a quote is a ShallowQuote).
		var quoted any
		if q := s.findAny(st.QuoteOf); q != nil && !q.Deleted {
			quoted = map[string]any{"id": q.ID, "url": s.URL() + "/@" + s.accountJSON(q.author())["username"].(string) + "/" + q.ID, "account": s.accountJSON(q.author())}
		}
		out["quote"] = map[string]any{"state": "accepted", "quoted_status": quoted}
	}
	return out
}

func (st *Status) author() string {
	if st.AccountID == "" {
		return Alice
	}
	return st.AccountID
}

func (s *Server) createStatus(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.refuse(w, http.StatusBadRequest, "bad form")
		return
	}
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		s.t.Errorf("mastodonfake: POST /api/v1/statuses without Idempotency-Key")
	}
	text, mediaIDs := r.PostForm.Get("status"), r.PostForm["media_ids[]"]
	if strings.TrimSpace(text) == "" && len(mediaIDs) == 0 {
		s.refuse(w, http.StatusUnprocessableEntity, "Validation failed: Text can't be blank")
		return
	}
	visibility := r.PostForm.Get("visibility")
	switch visibility {
	case "", "public", "unlisted", "private", "direct":
	default:
		s.refuse(w, http.StatusUnprocessableEntity, "Validation failed: Visibility is not included in the list")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if prev := s.keys[key]; prev != nil && !s.IgnoreIdempotency {
		writeJSON(w, http.StatusOK, s.statusJSON(prev))
		return
	}
	if n := s.length(text); n > s.MaxChars {
		// Not asserted: refusing over-long text is a test of its own.
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": fmt.Sprintf("Validation failed: Text character limit of %d exceeded", s.MaxChars)})
		return
	}
	for _, id := range mediaIDs {
		if m := s.media[id]; m == nil || m.polls > 0 {
			writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": "Validation failed: media not found or still processing"})
			return
		}
	}
	reply := r.PostForm.Get("in_reply_to_id")
	if reply != "" {
		found := false
		for _, st := range s.statuses {
			found = found || (st.ID == reply && !st.Deleted)
		}
		if !found {
			s.t.Errorf("mastodonfake: reply to unknown status %s", reply)
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "Record not found"})
			return
		}
	}
	s.seq++
	st := &Status{ID: strconv.Itoa(1000 + s.seq), Text: text, MediaIDs: mediaIDs, InReplyToID: reply, CreatedAt: time.Now().UTC(), Key: key,
		Visibility: visibility, Shown: visibility, AccountID: Alice}
	if st.Shown == "" {
		st.Shown = s.DefaultVisibility
	}
	s.statuses = append(s.statuses, st)
	if st.Shown == "direct" && reply != "" {
		s.touchConversation(st)
	}
	if key != "" {
		s.keys[key] = st
	}
	writeJSON(w, http.StatusOK, s.statusJSON(st))
}

func (s *Server) find(id string) *Status {
	for _, st := range s.statuses {
		if st.ID == id && !st.Deleted {
			return st
		}
	}
	return nil
}

func (s *Server) getStatus(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	st := s.find(r.PathValue("id"))
	s.mu.Unlock()
	if st == nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "Record not found"})
		return
	}
	writeJSON(w, http.StatusOK, s.statusJSON(st))
}

func (s *Server) deleteStatus(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.find(r.PathValue("id"))
	if st != nil && st.author() != Alice {
		// Mastodon looks the status up among the account's own: someone
		// else's is "not found". Tribune must never ask.
		s.t.Errorf("mastodonfake: DELETE of status %s, which belongs to account %s", st.ID, st.author())
		st = nil
	}
	if st == nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "Record not found"})
		return
	}
	st.Deleted = true
	s.removeNotifications(st.ID)
	s.broadcast("delete", st.ID)
	writeJSON(w, http.StatusOK, s.statusJSON(st))
}

func (s *Server) accountStatuses(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("id") != "109" {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "Record not found"})
		return
	}
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if limit <= 0 || limit > 40 {
		limit = 20
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []map[string]any{}
	for i := len(s.statuses) - 1; i >= 0 && len(out) < limit; i-- {
		if !s.statuses[i].Deleted && s.statuses[i].author() == Alice {
			out = append(out, s.statusJSON(s.statuses[i]))
		}
	}
	writeJSON(w, http.StatusOK, out)
}
