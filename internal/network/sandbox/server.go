// Package sandbox is Tribune's built-in simulated social network, labelled
// "Sandbox" everywhere. It speaks HTTP like a real network and goes through
// the same connector path, so the demo, the tests and the benchmarks exercise
// exactly what publishing to Mastodon or Bluesky exercises.
//
// It enforces limits like a real network (500 characters, four images or one
// video, a moderation filter), can be told to fail, rate-limit or time out,
// and records every post it received. It is mounted inside `tribune serve`
// at /sandbox for the demo and runs on its own with `tribune sandbox`, so a
// test can kill Tribune without killing the network.
package sandbox

import (
	"bufio"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Limits the sandbox enforces, like a real network. They match the "sandbox"
// entry of the rules table, so Tribune's validator catches content first.
const (
	MaxChars      = 500
	MaxImages     = 4
	MaxImageBytes = 10 << 20
	MaxVideoBytes = 50 << 20
	// RejectTag in a post makes the moderation filter refuse it (to show how
	// a network's refusal reaches the user).
	RejectTag = "#sandbox-reject"
)

// Options configure a Server.
type Options struct {
	// DataFile keeps accounts and posts as JSON lines; empty keeps them in memory.
	DataFile string
	// Idempotency honours the Idempotency-Key header as Mastodon does: a
	// repeated key returns the first post. Off, the sandbox behaves like a
	// server that ignores it (GoToSocial), which tests Tribune's own protection.
	Idempotency bool
	// PublicURL is where the sandbox answers, for the posts' web addresses.
	PublicURL string
	Logger    *slog.Logger
	// Hang bounds how long a "timeout" fault holds a request (default 30 s).
	Hang time.Duration
	// ControlToken is the bearer token the control endpoints (/_sandbox/…)
	// require, and that lets a caller sign in again to an existing account
	// (Tribune holds it). Empty: the control endpoints refuse everyone.
	ControlToken string
	// Now is the sandbox's clock (default time.Now): the audience writes up
	// to it, so a test moves time forward instead of waiting.
	Now func() time.Time
	// Seed makes the audience's random choices repeatable (0: random).
	Seed uint64
}

// Post is a post the sandbox received.
type Post struct {
	ID             string    `json:"id"`
	Account        string    `json:"account"`
	Text           string    `json:"text"`
	Link           string    `json:"link,omitempty"`
	Media          []string  `json:"media,omitempty"`
	ReplyTo        string    `json:"reply_to,omitempty"`
	IdempotencyKey string    `json:"idempotency_key,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
	Deleted        bool      `json:"deleted,omitempty"`
	URL            string    `json:"url"`
	// VisibleAt is when the post shows on the network, when not at once
	// (the "hidden" fault).
	VisibleAt time.Time `json:"visible_at,omitzero"`
}

// visible reports whether the post shows at now.
func (p *Post) visible(now time.Time) bool { return !p.Deleted && !now.Before(p.VisibleAt) }

// created is the answer to a new post: the post, and whether it already
// shows (a client need not ask again).
type created struct {
	Post
	Visible bool `json:"visible"`
}

type account struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Token string `json:"token"`
}

type mediaItem struct {
	ID      string `json:"id"`
	Account string `json:"account"`
	MIME    string `json:"mime"`
	Size    int64  `json:"size"`
	Alt     string `json:"alt,omitempty"`
}

// Faults tell the sandbox to misbehave on writes (posts and uploads).
type Faults struct {
	// Mode is "rate_limit" (429 with Retry-After), "error" (Status, default
	// 503), "timeout" (the post is recorded but the answer never comes, the
	// nastiest case for exactly-once), "refuse" (422 with Message), "hidden"
	// (the post is accepted but shows only HideSeconds later, like a network
	// whose timelines lag behind its writes), "slow" (every post or upload
	// waits DelayMS before the network takes it, even if the client has
	// gone meanwhile: a crash test can land while messages are in flight),
	// or "" / "none" to clear.
	Mode        string `json:"mode" enum:"none,rate_limit,error,timeout,refuse,hidden,slow," doc:"How the sandbox misbehaves on posts and uploads"`
	Status      int    `json:"status,omitempty" doc:"HTTP status for mode error (default 503)"`
	HideSeconds int    `json:"hide_seconds,omitempty" doc:"Seconds a post stays invisible for mode hidden (default 5)"`
	RetryAfter  int    `json:"retry_after,omitempty" doc:"Seconds sent in Retry-After for mode rate_limit (default 2)"`
	DelayMS     int    `json:"delay_ms,omitempty" doc:"Milliseconds each post or upload waits for mode slow (default 200)"`
	// Count limits the fault to the next Count matching requests; ForSeconds
	// to a duration; with neither the fault lasts until cleared.
	Count      int    `json:"count,omitempty"`
	ForSeconds int    `json:"for_seconds,omitempty"`
	Message    string `json:"message,omitempty"`
	// Account limits the fault to one account (its id); empty is every account.
	Account string `json:"account,omitempty"`
}

type fault struct {
	Faults
	until time.Time
}

// record is one line of the data file.
type record struct {
	Type     string         `json:"type"` // account, post, media, delete, audience, item, block
	Account  *account       `json:"account,omitempty"`
	Post     *Post          `json:"post,omitempty"`
	Media    *mediaItem     `json:"media,omitempty"`
	ID       string         `json:"id,omitempty"`
	Audience *audienceState `json:"audience,omitempty"`
	// Item is an inbox item as it stands after a change (new, edited,
	// hidden, deleted…): the last record of an id wins.
	Item  *InboxItem   `json:"item,omitempty"`
	Block *blockRecord `json:"block,omitempty"`
}

// Server is the sandbox network.
type Server struct {
	opt  Options
	mux  *http.ServeMux
	file *os.File

	mu       sync.Mutex
	accounts map[string]*account // by id: namespace "." name
	byToken  map[string]*account
	posts    []*Post
	byID     map[string]*Post
	byKey    map[string]*Post // account + "\x00" + idempotency key
	media    map[string]*mediaItem
	faults   []*fault
	seq      int64

	audiences map[string]*audienceState // by account id
	items     map[string]*InboxItem
	itemSeq   int64
	// readDelay slows an account's inbox listings (a backlog's setting).
	readDelay map[string]time.Duration
	// public is the public stream listening reads (public.go).
	public *publicStream
}

// NewServer opens (or creates) the sandbox's data and returns the network.
func NewServer(opt Options) (*Server, error) {
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opt.Hang == 0 {
		opt.Hang = 30 * time.Second
	}
	s := &Server{opt: opt, accounts: map[string]*account{}, byToken: map[string]*account{},
		byID: map[string]*Post{}, byKey: map[string]*Post{}, media: map[string]*mediaItem{},
		audiences: map[string]*audienceState{}, items: map[string]*InboxItem{}, readDelay: map[string]time.Duration{},
		public: newPublicStream(opt.Seed)}
	if opt.DataFile != "" {
		if err := s.load(); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(opt.DataFile, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			return nil, fmt.Errorf("sandbox: %w", err)
		}
		s.file = f
	}
	s.routes()
	return s, nil
}

func (s *Server) load() error {
	f, err := os.Open(s.opt.DataFile)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var r record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			// A line cut by a crash ends the file; what came before stands.
			s.opt.Logger.Warn("sandbox data: unreadable line skipped", "err", err)
			continue
		}
		s.apply(r)
	}
	return sc.Err()
}

// apply adds a record to memory; the caller holds mu (or is loading).
func (s *Server) apply(r record) {
	switch r.Type {
	case "account":
		a := r.Account
		s.accounts[a.ID], s.byToken[a.Token] = a, a
	case "post":
		p := r.Post
		s.posts = append(s.posts, p)
		s.byID[p.ID] = p
		if p.IdempotencyKey != "" {
			s.byKey[p.Account+"\x00"+p.IdempotencyKey] = p
		}
	case "media":
		s.media[r.Media.ID] = r.Media
	case "delete":
		if p := s.byID[r.ID]; p != nil {
			p.Deleted = true
		}
	case "audience":
		s.applyAudience(r.Audience)
	case "item":
		s.applyItem(r.Item)
	case "block":
		s.applyBlock(r.Block)
	}
	s.seq++
}

// persist writes a record; the caller holds mu.
func (s *Server) persist(r record) {
	s.apply(r)
	if s.file == nil {
		return
	}
	raw, _ := json.Marshal(r)
	if _, err := s.file.Write(append(raw, '\n')); err != nil {
		s.opt.Logger.Error("sandbox data: write failed", "err", err)
	}
}

// Close closes the data file.
func (s *Server) Close() error {
	if s.file != nil {
		return s.file.Close()
	}
	return nil
}

// Received returns every post the sandbox accepted, in order.
func (s *Server) Received() []Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Post, 0, len(s.posts))
	for _, p := range s.posts {
		out = append(out, *p)
	}
	return out
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *Server) routes() {
	m := http.NewServeMux()
	m.HandleFunc("POST /api/accounts", s.createAccount)
	m.HandleFunc("POST /api/media", s.auth(s.uploadMedia))
	m.HandleFunc("GET /api/media/{id}", s.auth(s.getMedia))
	m.HandleFunc("POST /api/posts", s.auth(s.createPost))
	m.HandleFunc("GET /api/posts", s.auth(s.listPosts))
	m.HandleFunc("GET /api/posts/{id}", s.auth(s.getPost))
	m.HandleFunc("DELETE /api/posts/{id}", s.auth(s.deletePost))
	m.HandleFunc("POST /_sandbox/faults", s.control(s.setFaults))
	m.HandleFunc("GET /_sandbox/received", s.control(s.received))
	m.HandleFunc("GET /api/inbox", s.auth(s.listInbox))
	m.HandleFunc("POST /api/inbox/{id}/{action}", s.auth(s.actOnItem))
	m.HandleFunc("GET /_sandbox/audience", s.control(s.getAudience))
	m.HandleFunc("POST /_sandbox/audience", s.control(s.postAudience))
	m.HandleFunc("POST /_sandbox/backlog", s.control(s.postBacklog))
	m.HandleFunc("GET /api/public/stream", s.publicStream)
	m.HandleFunc("GET /_sandbox/storm", s.control(s.getStorm))
	m.HandleFunc("POST /_sandbox/storm", s.control(s.postStorm))
	m.HandleFunc("GET /u/{name}/items/{id}", s.itemPage)
	m.HandleFunc("GET /{$}", s.home)
	m.HandleFunc("GET /u/{name}/posts/{id}", s.postPage)
	s.mux = m
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func newID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (s *Server) auth(h func(http.ResponseWriter, *http.Request, *account)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		s.mu.Lock()
		a := s.byToken[tok]
		s.mu.Unlock()
		if !ok || a == nil {
			fail(w, http.StatusUnauthorized, "The access token is invalid")
			return
		}
		h(w, r, a)
	}
}

// bearer is the request's bearer token, or "".
func bearer(r *http.Request) string {
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return tok
}

// isControl reports whether the request carries the control token.
func (s *Server) isControl(r *http.Request) bool {
	return s.opt.ControlToken != "" && subtle.ConstantTimeCompare([]byte(bearer(r)), []byte(s.opt.ControlToken)) == 1
}

// control guards an endpoint that drives or reads the whole network (every
// account's posts, faults for everyone): only the holder of the control
// token, Tribune, which checks the member's role before it calls.
func (s *Server) control(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		switch {
		case s.opt.ControlToken == "":
			fail(w, http.StatusForbidden, "This sandbox has no control token: start it with one to use /_sandbox/")
		case !s.isControl(r):
			w.Header().Set("WWW-Authenticate", `Bearer realm="sandbox control"`)
			fail(w, http.StatusUnauthorized, "The control endpoints need the sandbox's control token")
		default:
			h(w, r)
		}
	}
}

// validNamespace: Tribune's namespaces are "w" and a workspace id; no dot,
// so "namespace.name" reads back one way.
func validNamespace(ns string) bool {
	if len(ns) > 40 {
		return false
	}
	for _, c := range ns {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

// createAccount signs up an account, named within a namespace (Tribune
// uses one per workspace, so two workspaces never share an account by
// choosing the same name). An account that exists is signed in to only by
// the holder of its own token or of the control token: anyone else who
// names it gets 409, not its token.
func (s *Server) createAccount(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&in); err != nil {
		fail(w, http.StatusBadRequest, "Send a JSON object with a name")
		return
	}
	name := strings.TrimSpace(in.Name)
	// No dot in a name: "w1.shop" must be workspace 1's shop, not a name
	// someone chose first to sit in its place.
	if name == "" || utf8.RuneCountInString(name) > 60 || strings.ContainsAny(name, "/?#@ .") {
		fail(w, http.StatusUnprocessableEntity, "A name has 1 to 60 characters, without spaces, dots, / ? # or @")
		return
	}
	if !validNamespace(in.Namespace) {
		fail(w, http.StatusUnprocessableEntity, "A namespace has up to 40 lower-case letters, digits or -")
		return
	}
	id := name
	if in.Namespace != "" {
		id = in.Namespace + "." + name
	}
	control := s.isControl(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[id]
	switch {
	case a == nil:
		a = &account{ID: id, Name: name, Token: newID() + newID()}
		s.persist(record{Type: "account", Account: a})
	case !control && subtle.ConstantTimeCompare([]byte(bearer(r)), []byte(a.Token)) != 1:
		fail(w, http.StatusConflict, "This account exists: choose another name")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"id": a.ID, "name": a.Name, "token": a.Token})
}

// injected answers with the current fault, if one applies to this request.
// It reports whether the request was answered (or must be held, for timeout:
// then hold is true and the post is recorded before hanging), and for how
// long a post made now stays invisible.
func (s *Server) injected(w http.ResponseWriter, a *account) (answered, hold bool, hide time.Duration) {
	s.mu.Lock()
	var f *fault
	now := time.Now()
	for i := 0; i < len(s.faults); i++ {
		c := s.faults[i]
		if c.Count < 0 || (!c.until.IsZero() && now.After(c.until)) {
			s.faults = slices.Delete(s.faults, i, i+1)
			i--
			continue
		}
		if c.Account == "" || c.Account == a.ID {
			f = c
			break
		}
	}
	var cp Faults
	if f != nil {
		cp = f.Faults
		if f.Count > 0 {
			f.Count--
			if f.Count == 0 {
				f.Count = -1 // spent
			}
		}
	}
	s.mu.Unlock()
	if f == nil {
		return false, false, 0
	}
	switch cp.Mode {
	case "rate_limit":
		ra := cp.RetryAfter
		if ra <= 0 {
			ra = 2
		}
		w.Header().Set("Retry-After", strconv.Itoa(ra))
		w.Header().Set("X-RateLimit-Remaining", "0")
		fail(w, http.StatusTooManyRequests, orDefault(cp.Message, "Too many requests"))
		return true, false, 0
	case "error":
		st := cp.Status
		if st < 400 || st > 599 {
			st = http.StatusServiceUnavailable
		}
		fail(w, st, orDefault(cp.Message, http.StatusText(st)))
		return true, false, 0
	case "refuse":
		fail(w, http.StatusUnprocessableEntity, orDefault(cp.Message, "Refused by the sandbox"))
		return true, false, 0
	case "timeout":
		return false, true, 0
	case "hidden":
		sec := cp.HideSeconds
		if sec <= 0 {
			sec = 5
		}
		return false, false, time.Duration(sec) * time.Second
	case "slow":
		// A plain sleep, not bound to the request: a network goes on with a
		// request it has read even when the client dies meanwhile.
		ms := cp.DelayMS
		if ms <= 0 {
			ms = 200
		}
		time.Sleep(time.Duration(ms) * time.Millisecond)
	}
	return false, false, 0
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func (s *Server) hang(r *http.Request) {
	t := time.NewTimer(s.opt.Hang)
	defer t.Stop()
	select {
	case <-r.Context().Done():
	case <-t.C:
	}
}

func (s *Server) uploadMedia(w http.ResponseWriter, r *http.Request, a *account) {
	if done, hold, _ := s.injected(w, a); done {
		return
	} else if hold {
		s.hang(r)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxVideoBytes+1<<20)
	file, hdr, err := r.FormFile("file")
	if err != nil {
		fail(w, http.StatusUnprocessableEntity, "Send the file as multipart field \"file\" (at most 50 MB)")
		return
	}
	defer file.Close()
	n, err := io.Copy(io.Discard, file)
	if err != nil {
		fail(w, http.StatusUnprocessableEntity, "The upload was cut short")
		return
	}
	mime := hdr.Header.Get("Content-Type")
	switch {
	case slices.Contains([]string{"image/jpeg", "image/png", "image/gif", "image/webp"}, mime):
		if n > MaxImageBytes {
			fail(w, http.StatusUnprocessableEntity, "Images are limited to 10 MB")
			return
		}
	case mime == "video/mp4":
	default:
		fail(w, http.StatusUnprocessableEntity, "Unsupported media type "+mime+": send JPEG, PNG, GIF, WebP or MP4")
		return
	}
	alt := r.FormValue("description")
	if utf8.RuneCountInString(alt) > 1500 {
		fail(w, http.StatusUnprocessableEntity, "Alt text is limited to 1,500 characters")
		return
	}
	m := &mediaItem{ID: newID(), Account: a.ID, MIME: mime, Size: n, Alt: alt}
	s.mu.Lock()
	s.persist(record{Type: "media", Media: m})
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"id": m.ID, "ready": true})
}

func (s *Server) getMedia(w http.ResponseWriter, r *http.Request, a *account) {
	s.mu.Lock()
	m := s.media[r.PathValue("id")]
	s.mu.Unlock()
	if m == nil || m.Account != a.ID {
		fail(w, http.StatusNotFound, "Record not found")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": m.ID, "ready": true})
}

type postInput struct {
	Text     string   `json:"text"`
	Link     string   `json:"link"`
	MediaIDs []string `json:"media_ids"`
	ReplyTo  string   `json:"reply_to"`
}

func (s *Server) createPost(w http.ResponseWriter, r *http.Request, a *account) {
	var in postInput
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&in); err != nil {
		fail(w, http.StatusBadRequest, "Send a JSON object")
		return
	}
	key := r.Header.Get("Idempotency-Key")
	if s.opt.Idempotency && key != "" {
		s.mu.Lock()
		p := s.byKey[a.ID+"\x00"+key]
		s.mu.Unlock()
		if p != nil {
			writeJSON(w, http.StatusOK, created{Post: *p, Visible: p.visible(time.Now())})
			return
		}
	}
	done, hold, hide := s.injected(w, a)
	if done {
		return
	}
	if msg := s.check(a, in); msg != "" {
		fail(w, http.StatusUnprocessableEntity, msg)
		return
	}
	s.mu.Lock()
	now := s.now()
	p := &Post{ID: fmt.Sprintf("%d%s", now.UnixMilli(), newID()[:6]), Account: a.ID, Text: in.Text, Link: in.Link, Media: in.MediaIDs,
		ReplyTo: in.ReplyTo, IdempotencyKey: key, CreatedAt: now}
	if hide > 0 {
		p.VisibleAt = now.Add(hide)
	}
	p.URL = strings.TrimRight(s.opt.PublicURL, "/") + "/u/" + a.Name + "/posts/" + p.ID
	s.persist(record{Type: "post", Post: p})
	answer := created{Post: *p, Visible: p.visible(now)}
	s.mu.Unlock()
	if hold {
		// The network got the post but the answer never arrives.
		s.hang(r)
		return
	}
	writeJSON(w, http.StatusOK, answer)
}

// check applies the network's rules; it returns the refusal message.
func (s *Server) check(a *account, in postInput) string {
	if strings.TrimSpace(in.Text) == "" && len(in.MediaIDs) == 0 {
		return "Validation failed: a post needs text or media"
	}
	if n := utf8.RuneCountInString(in.Text); n > MaxChars {
		return fmt.Sprintf("Validation failed: text is %d characters, the limit is %d", n, MaxChars)
	}
	if strings.Contains(strings.ToLower(in.Text), RejectTag) {
		return "Refused by moderation: this content breaks the sandbox's community rules"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	videos := 0
	for _, id := range in.MediaIDs {
		m := s.media[id]
		if m == nil || m.Account != a.ID {
			return "Validation failed: unknown media " + id
		}
		if m.MIME == "video/mp4" {
			videos++
		}
	}
	if len(in.MediaIDs) > MaxImages || (videos > 0 && len(in.MediaIDs) > 1) {
		return "Validation failed: attach up to 4 images or one video"
	}
	if in.ReplyTo != "" {
		// A reply answers a post or something the audience wrote.
		p, it := s.byID[in.ReplyTo], s.items[in.ReplyTo]
		if (p == nil || p.Deleted) && (it == nil || it.Deleted || it.Account != a.ID) {
			return "Validation failed: the post replied to does not exist"
		}
	}
	return ""
}

func (s *Server) getPost(w http.ResponseWriter, r *http.Request, a *account) {
	s.mu.Lock()
	p := s.byID[r.PathValue("id")]
	var cp Post
	if p != nil {
		cp = *p
	}
	s.mu.Unlock()
	if p == nil || !cp.visible(time.Now()) {
		fail(w, http.StatusNotFound, "Record not found")
		return
	}
	writeJSON(w, http.StatusOK, cp)
}

// listPosts is the account's record since a time, newest first (what
// Tribune reads to find out whether an interrupted attempt landed).
func (s *Server) listPosts(w http.ResponseWriter, r *http.Request, a *account) {
	since, _ := time.Parse(time.RFC3339Nano, r.URL.Query().Get("since"))
	s.mu.Lock()
	out := []Post{}
	for i := len(s.posts) - 1; i >= 0; i-- {
		p := s.posts[i]
		if p.CreatedAt.Before(since) {
			break
		}
		if p.Account == a.ID {
			out = append(out, *p)
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"posts": out})
}

func (s *Server) deletePost(w http.ResponseWriter, r *http.Request, a *account) {
	id := r.PathValue("id")
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.byID[id]
	if p == nil || p.Account != a.ID {
		fail(w, http.StatusNotFound, "Record not found")
		return
	}
	if !p.Deleted {
		s.persist(record{Type: "delete", ID: id})
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) setFaults(w http.ResponseWriter, r *http.Request) {
	var f Faults
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&f); err != nil {
		fail(w, http.StatusBadRequest, "Send a JSON object")
		return
	}
	switch f.Mode {
	case "", "none", "rate_limit", "error", "timeout", "refuse", "hidden", "slow":
	default:
		fail(w, http.StatusUnprocessableEntity, "mode is one of none, rate_limit, error, timeout, refuse, hidden, slow")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// A new setting replaces the account's (or the global) one.
	s.faults = slices.DeleteFunc(s.faults, func(c *fault) bool { return c.Account == f.Account })
	if f.Mode != "" && f.Mode != "none" {
		nf := &fault{Faults: f}
		if f.ForSeconds > 0 {
			nf.until = time.Now().Add(time.Duration(f.ForSeconds) * time.Second)
		}
		s.faults = append(s.faults, nf)
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) received(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"posts": s.Received()})
}

var homePage = template.Must(template.New("home").Parse(`<!doctype html><html><head><meta charset="utf-8"><title>Sandbox network</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem}article{border-bottom:1px solid #ddd;padding:.6rem 0}small{color:#666}</style></head>
<body><h1>Sandbox network</h1><p>A simulated network built into Tribune: nothing here leaves this machine. {{len .}} most recent posts.</p>
{{range .}}<article id="{{.ID}}"><small>@{{.Account}} · {{.CreatedAt.Format "2006-01-02 15:04:05"}} UTC{{if .ReplyTo}} · reply to <a href="#{{.ReplyTo}}">{{.ReplyTo}}</a>{{end}}{{if .Deleted}} · deleted{{end}}</small><p>{{.Text}}</p>{{if .Link}}<a href="{{.Link}}">{{.Link}}</a>{{end}}
{{if .Attached}}<ul class="media">{{range .Attached}}<li data-media="{{.ID}}">{{.MIME}}, {{.Size}} bytes · {{if .Alt}}alt: <q>{{.Alt}}</q>{{else}}no alt text{{end}}</li>{{end}}</ul>{{end}}</article>{{end}}</body></html>`))

// shownPost is a post on the sandbox's public pages with the media it
// carries: the sandbox keeps no file, but shows what was sent with each one
// (type, size and alt text), so a user can check the alt text arrived.
type shownPost struct {
	Post
	Attached []mediaItem
}

// shown pairs posts with their media; the caller holds no lock.
func (s *Server) shown(list []Post) []shownPost {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]shownPost, len(list))
	for i, p := range list {
		out[i] = shownPost{Post: p}
		for _, id := range p.Media {
			if m := s.media[id]; m != nil {
				out[i].Attached = append(out[i].Attached, *m)
			}
		}
	}
	return out
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	all := s.Received()
	slices.Reverse(all)
	if len(all) > 200 {
		all = all[:200]
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = homePage.Execute(w, s.shown(all))
}

func (s *Server) postPage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	p := s.byID[r.PathValue("id")]
	var list []Post
	if p != nil {
		list = []Post{*p}
	}
	s.mu.Unlock()
	if p == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = homePage.Execute(w, s.shown(list))
}
