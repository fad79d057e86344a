package mastodonfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/websocket"
)

// The inbox side of the fake, from docs.joinmastodon.org/methods/:
// notifications (with Link paging and min_id), conversations, markers,
// statuses/:id/context, favourite, block, and the streaming API (WebSocket
// and server-sent events) whose connections a test can drop. Other
// accounts act through Post, Edit and Remove, as people on the network do.

// Followers is every account's followers_count.
const Followers = 42

// Alice is the id of the account the fake's tokens act as.
const Alice = "109"

type notification struct {
	id, typ, statusID, accountID string
	at                           time.Time
}

type conversation struct {
	id     string
	last   string // last status id
	unread bool
	root   string // the thread's first status, which the conversation follows
}

type subscriber struct {
	// events are {event, payload} and, on a public stream, the stream's
	// name and tag.
	events  chan [4]string
	drop    chan struct{}
	streams map[string]bool // "user", "direct"
	public  []publicStream  // the public streams followed (public.go)
}

type inbox struct {
	accounts      map[string]string // id → username
	notifications []*notification
	conversations []*conversation
	marker        string
	favourites    map[string]bool
	blocks        map[string]bool
	subs          map[*subscriber]bool
	connected     chan struct{}
	requests      []string
	streamHosts   []string
	heartbeat     time.Duration
	heartbeats    int
}

func newInbox() inbox {
	return inbox{accounts: map[string]string{Alice: "alice"}, favourites: map[string]bool{}, blocks: map[string]bool{},
		subs: map[*subscriber]bool{}, connected: make(chan struct{}, 100)}
}

func (s *Server) routeInbox(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/notifications", s.auth(s.listNotifications))
	mux.HandleFunc("GET /api/v1/conversations", s.auth(s.listConversations))
	mux.HandleFunc("POST /api/v1/conversations/{id}/read", s.auth(s.readConversation))
	mux.HandleFunc("GET /api/v1/markers", s.auth(s.getMarkers))
	mux.HandleFunc("POST /api/v1/markers", s.auth(s.setMarkers))
	mux.HandleFunc("GET /api/v1/statuses/{id}/context", s.auth(s.statusContext))
	mux.HandleFunc("POST /api/v1/statuses/{id}/favourite", s.auth(s.favourite(true)))
	mux.HandleFunc("POST /api/v1/statuses/{id}/unfavourite", s.auth(s.favourite(false)))
	mux.HandleFunc("POST /api/v1/accounts/{id}/block", s.auth(s.block(true)))
	mux.HandleFunc("POST /api/v1/accounts/{id}/unblock", s.auth(s.block(false)))
	mux.HandleFunc("GET /api/v1/streaming", s.streamAuth(s.streamWebSocket))
	mux.HandleFunc("GET /api/v1/streaming/user", s.streamAuth(s.streamSSE))
}

// logging records every request, for tests asserting which endpoints an
// action reached.
func (s *Server) logging(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests = append(s.requests, r.Method+" "+r.URL.Path)
		if s.RateLimit > 0 {
			now := time.Now()
			if now.Sub(s.window) >= 5*time.Minute {
				s.window, s.used = now, 0
			}
			s.used++
			w.Header().Set("X-RateLimit-Limit", strconv.Itoa(s.RateLimit))
			w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(max(s.RateLimit-s.used, 0)))
			w.Header().Set("X-RateLimit-Reset", s.window.Add(5*time.Minute).UTC().Format(time.RFC3339Nano))
		}
		s.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

// Requests returns "METHOD /path" of every request so far.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// AddAccount creates an account on the instance and returns its id.
func (s *Server) AddAccount(username string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	id := strconv.Itoa(200 + s.seq)
	s.accounts[id] = username
	return id
}

func (s *Server) accountJSON(id string) map[string]any {
	user := s.accounts[id]
	if user == "" {
		user = "unknown" + id
	}
	return map[string]any{"id": id, "username": user, "acct": user, "display_name": strings.ToUpper(user[:1]) + user[1:],
		"url": s.URL() + "/@" + user, "avatar": s.URL() + "/avatars/" + id + ".png", "followers_count": Followers}
}

// Post is a status another account writes.
type Post struct {
	Text      string
	InReplyTo string
	// Mentions are account ids named in the text, besides the author
	// replied to (Mastodon mentions the replied-to author itself).
	Mentions   []string
	Visibility string // "public" by default
	QuoteOf    string
	Lang       string
}

// PostAs publishes p as account from, with what Mastodon does around it:
// a "mention" notification for Alice when she is mentioned or answered, a
// "quote" notification when one of her statuses is quoted (Mastodon 4.5,
// not GoToSocial), a conversation for a direct status, and the events of
// open streams.
func (s *Server) PostAs(from string, p Post) Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.Visibility == "" {
		p.Visibility = "public"
	}
	s.seq++
	st := &Status{ID: strconv.Itoa(1000 + s.seq), Text: p.Text, InReplyToID: p.InReplyTo, CreatedAt: time.Now().UTC().Add(time.Duration(s.seq) * time.Millisecond),
		Visibility: p.Visibility, Shown: p.Visibility, AccountID: from, Mentions: slices.Clone(p.Mentions), QuoteOf: p.QuoteOf, Lang: p.Lang}
	if p.InReplyTo != "" {
		parent := s.find(p.InReplyTo)
		if parent == nil {
			s.t.Fatalf("mastodonfake: PostAs replies to unknown status %s", p.InReplyTo)
		}
		if a := parent.author(); a != from && !slices.Contains(st.Mentions, a) {
			st.Mentions = append(st.Mentions, a)
		}
	}
	s.statuses = append(s.statuses, st)
	s.broadcastPublic(st)
	if st.Shown == "direct" {
		s.touchConversation(st)
	}
	if slices.Contains(st.Mentions, Alice) && !s.blocks[from] {
		s.notify("mention", st)
	}
	if q := s.findAny(p.QuoteOf); q != nil && q.author() == Alice && s.Software == Mastodon && s.APIVersion >= 7 {
		s.notify("quote", st)
	}
	if slices.Contains(st.Mentions, Alice) {
		s.broadcast("update", s.encode(s.statusJSON(st)))
	}
	return *st
}

// Edit changes a status's text as its author would: edited_at is set, a
// "status.update" event goes to the streams, and Alice gets an "update"
// notification when she favourited it (Mastodon notifies those who
// interacted with an edited status).
func (s *Server) Edit(id, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.find(id)
	if st == nil {
		s.t.Fatalf("mastodonfake: Edit of unknown status %s", id)
	}
	st.Text = text
	// After its creation, which PostAs spaces out by a millisecond per
	// status so that their order is their ids'.
	st.EditedAt = time.Now().UTC()
	if !st.EditedAt.After(st.CreatedAt) {
		st.EditedAt = st.CreatedAt.Add(time.Millisecond)
	}
	if s.favourites[id] {
		s.notify("update", st)
	}
	s.broadcast("status.update", s.encode(s.statusJSON(st)))
}

// Remove deletes a status as its author would: its notifications go (as
// on Mastodon) and a "delete" event goes to the streams.
func (s *Server) Remove(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.find(id); st != nil {
		st.Deleted = true
	}
	s.removeNotifications(id)
	s.broadcast("delete", id)
}

// Favourited reports whether Alice favourites the status.
func (s *Server) Favourited(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.favourites[id]
}

// Blocked reports whether Alice blocks the account.
func (s *Server) Blocked(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.blocks[id]
}

// Marker is the notifications marker's last_read_id.
func (s *Server) Marker() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.marker
}

// ConversationUnread reports whether the conversation is unread.
func (s *Server) ConversationUnread(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conversations {
		if c.id == id {
			return c.unread
		}
	}
	s.t.Fatalf("mastodonfake: no conversation %s", id)
	return false
}

// findAny finds a status, deleted or not.
func (s *Server) findAny(id string) *Status {
	for _, st := range s.statuses {
		if st.ID == id {
			return st
		}
	}
	return nil
}

func (s *Server) rootOf(st *Status) *Status {
	for st.InReplyToID != "" {
		p := s.findAny(st.InReplyToID)
		if p == nil {
			break
		}
		st = p
	}
	return st
}

// notify adds a notification for Alice and pushes it. The lock is held.
func (s *Server) notify(typ string, st *Status) {
	s.seq++
	at := time.Now().UTC()
	if typ != "update" {
		at = st.CreatedAt // created with the status
	}
	n := &notification{id: strconv.Itoa(1000 + s.seq), typ: typ, statusID: st.ID, accountID: st.author(), at: at}
	s.notifications = append(s.notifications, n)
	s.broadcast("notification", s.encode(s.notificationJSON(n)))
}

func (s *Server) removeNotifications(statusID string) {
	s.notifications = slices.DeleteFunc(s.notifications, func(n *notification) bool { return n.statusID == statusID })
}

// touchConversation files a direct status in its conversation (one per
// thread, as Mastodon groups them). The lock is held.
func (s *Server) touchConversation(st *Status) {
	root := s.rootOf(st).ID
	var c *conversation
	for _, x := range s.conversations {
		if x.root == root {
			c = x
		}
	}
	if c == nil {
		s.seq++
		c = &conversation{id: strconv.Itoa(500 + s.seq), root: root}
		s.conversations = append(s.conversations, c)
	}
	c.last, c.unread = st.ID, st.author() != Alice
	s.broadcast("conversation", s.encode(s.conversationJSON(c)))
}

func (s *Server) notificationJSON(n *notification) map[string]any {
	return map[string]any{"id": n.id, "type": n.typ, "created_at": n.at.Format(time.RFC3339Nano), "account": s.accountJSON(n.accountID),
		"status": s.statusJSON(s.findAny(n.statusID))}
}

func (s *Server) conversationJSON(c *conversation) map[string]any {
	last := s.findAny(c.last)
	accounts := []any{}
	if last.author() != Alice {
		accounts = append(accounts, s.accountJSON(last.author()))
	}
	return map[string]any{"id": c.id, "unread": c.unread, "accounts": accounts, "last_status": s.statusJSON(last)}
}

// encode is a payload as the streaming API sends it: JSON in a string.
func (s *Server) encode(v any) string {
	raw, _ := json.Marshal(v)
	return string(raw)
}

// page cuts a newest-first list of ids as Mastodon's paginated lists do
// (docs.joinmastodon.org/api/guidelines/#pagination): max_id older than,
// since_id newer than (the newest page), min_id immediately newer than (the
// page right after it), at most limit; and writes the Link header.
func (s *Server) page(w http.ResponseWriter, r *http.Request, path string, ids []string, most int) []string {
	q := r.URL.Query()
	limit := 20
	if path == "/api/v1/notifications" {
		limit = 40
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 || n > most {
			s.t.Errorf("mastodonfake: %s?limit=%s, documented range 1–%d", path, v, most)
		}
		limit = min(max(n, 1), most)
	}
	if q.Get("min_id") != "" && q.Get("since_id") != "" {
		s.t.Errorf("mastodonfake: %s with both min_id and since_id", path)
	}
	older := func(a, b string) bool { return len(a) < len(b) || (len(a) == len(b) && a < b) }
	var sel []string
	for _, id := range ids { // newest first
		if m := q.Get("max_id"); m != "" && !older(id, m) {
			continue
		}
		if m := q.Get("since_id"); m != "" && !older(m, id) {
			continue
		}
		if m := q.Get("min_id"); m != "" && !older(m, id) {
			continue
		}
		sel = append(sel, id)
	}
	if q.Get("min_id") != "" && len(sel) > limit {
		sel = sel[len(sel)-limit:] // the page immediately after min_id
	} else if len(sel) > limit {
		sel = sel[:limit]
	}
	if len(sel) > 0 {
		keep := url.Values{}
		for k, v := range q {
			if k != "max_id" && k != "min_id" && k != "since_id" {
				keep[k] = v
			}
		}
		next, prev := cloneValues(keep), cloneValues(keep)
		next.Set("max_id", sel[len(sel)-1])
		prev.Set("min_id", sel[0])
		w.Header().Set("Link", fmt.Sprintf(`<%s%s?%s>; rel="next", <%s%s?%s>; rel="prev"`, s.URL(), path, next.Encode(), s.URL(), path, prev.Encode()))
	}
	return sel
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

var notificationTypes = []string{"mention", "status", "reblog", "follow", "follow_request", "favourite", "poll", "update",
	"admin.sign_up", "admin.report", "severed_relationships", "moderation_warning", "quote", "quoted_update"}

func (s *Server) listNotifications(w http.ResponseWriter, r *http.Request) {
	types := r.URL.Query()["types[]"]
	for _, t := range types {
		if !slices.Contains(notificationTypes, t) {
			s.t.Errorf("mastodonfake: unknown notification type %q", t)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	byID := map[string]*notification{}
	for i := len(s.notifications) - 1; i >= 0; i-- {
		n := s.notifications[i]
		// GoToSocial 0.19 reads exclude_types[] only: it ignores types[]
		// and a client must filter what it gets.
		if len(types) > 0 && s.Software == Mastodon && !slices.Contains(types, n.typ) {
			continue
		}
		ids = append(ids, n.id)
		byID[n.id] = n
	}
	out := []any{}
	for _, id := range s.page(w, r, "/api/v1/notifications", ids, 80) {
		out = append(out, s.notificationJSON(byID[id]))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) listConversations(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// Newest first by last status; paged by the last status's id.
	convs := slices.Clone(s.conversations)
	slices.SortFunc(convs, func(a, b *conversation) int {
		if len(a.last) != len(b.last) {
			return len(b.last) - len(a.last)
		}
		return strings.Compare(b.last, a.last)
	})
	var ids []string
	byLast := map[string]*conversation{}
	for _, c := range convs {
		ids = append(ids, c.last)
		byLast[c.last] = c
	}
	out := []any{}
	for _, id := range s.page(w, r, "/api/v1/conversations", ids, 40) {
		out = append(out, s.conversationJSON(byLast[id]))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) readConversation(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conversations {
		if c.id == r.PathValue("id") {
			c.unread = false
			writeJSON(w, http.StatusOK, s.conversationJSON(c))
			return
		}
	}
	s.refuse(w, http.StatusNotFound, "Record not found")
}

func (s *Server) markersJSON() map[string]any {
	out := map[string]any{}
	if s.marker != "" {
		out["notifications"] = map[string]any{"last_read_id": s.marker, "version": 1, "updated_at": time.Now().UTC().Format(time.RFC3339)}
	}
	return out
}

func (s *Server) getMarkers(w http.ResponseWriter, r *http.Request) {
	tl := r.URL.Query()["timeline[]"]
	if len(tl) == 0 {
		s.t.Errorf("mastodonfake: GET /api/v1/markers without timeline[] (Mastodon then answers nothing)")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	writeJSON(w, http.StatusOK, s.markersJSON())
}

func (s *Server) setMarkers(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	id := r.PostForm.Get("notifications[last_read_id]")
	if id == "" {
		s.refuse(w, http.StatusUnprocessableEntity, "notifications[last_read_id] expected")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.marker = id
	writeJSON(w, http.StatusOK, s.markersJSON())
}

func (s *Server) statusContext(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.find(r.PathValue("id"))
	if st == nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "Record not found"})
		return
	}
	ancestors := []any{}
	for p := st; p.InReplyToID != ""; {
		p = s.findAny(p.InReplyToID)
		if p == nil || p.Deleted {
			break
		}
		ancestors = slices.Insert(ancestors, 0, any(s.statusJSON(p)))
	}
	descendants := []any{}
	for _, d := range s.statuses {
		if !d.Deleted && d != st && s.descends(d, st.ID) {
			descendants = append(descendants, s.statusJSON(d))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"ancestors": ancestors, "descendants": descendants})
}

func (s *Server) descends(d *Status, id string) bool {
	for d.InReplyToID != "" {
		if d.InReplyToID == id {
			return true
		}
		if d = s.findAny(d.InReplyToID); d == nil {
			return false
		}
	}
	return false
}

func (s *Server) favourite(on bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		st := s.find(r.PathValue("id"))
		if st == nil {
			s.refuse(w, http.StatusNotFound, "Record not found")
			return
		}
		s.favourites[st.ID] = on
		out := s.statusJSON(st)
		out["favourited"] = on
		writeJSON(w, http.StatusOK, out)
	}
}

func (s *Server) block(on bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		s.mu.Lock()
		defer s.mu.Unlock()
		if _, ok := s.accounts[id]; !ok {
			s.refuse(w, http.StatusNotFound, "Record not found")
			return
		}
		if id == Alice {
			s.refuse(w, http.StatusForbidden, "This action is not allowed")
			return
		}
		s.blocks[id] = on
		writeJSON(w, http.StatusOK, map[string]any{"id": id, "blocking": on, "following": false, "followed_by": false})
	}
}

// streamAuth reads the token as Mastodon's streaming server does: the
// Authorization header, the access_token parameter or the
// Sec-WebSocket-Protocol header.
func (s *Server) streamAuth(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if tok == "" {
			tok = r.URL.Query().Get("access_token")
		}
		if tok == "" {
			tok = r.Header.Get("Sec-WebSocket-Protocol")
		}
		s.mu.Lock()
		valid := s.tokens[tok]
		s.streamHosts = append(s.streamHosts, r.Host)
		s.mu.Unlock()
		if !valid {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "Error: Invalid access token"})
			return
		}
		h(w, r)
	}
}

func (s *Server) subscribe() *subscriber {
	sub := &subscriber{events: make(chan [4]string, 256), drop: make(chan struct{}), streams: map[string]bool{"user": true}}
	s.mu.Lock()
	s.subs[sub] = true
	s.mu.Unlock()
	s.connected <- struct{}{}
	return sub
}

func (s *Server) unsubscribe(sub *subscriber) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.subs[sub] {
		delete(s.subs, sub)
		close(sub.drop)
	}
}

// streamOf is the stream an event goes out on: direct conversations on
// "direct", the rest on "user".
func streamOf(event string) string {
	if event == "conversation" {
		return "direct"
	}
	return "user"
}

// broadcast pushes an event to every open stream subscribed to it. The
// lock is held.
func (s *Server) broadcast(event, payload string) {
	for sub := range s.subs {
		if !sub.streams[streamOf(event)] {
			continue
		}
		select {
		case sub.events <- [4]string{event, payload}:
		default:
			s.t.Errorf("mastodonfake: a stream fell behind")
		}
	}
}

// SetHeartbeat makes open and future streams send a heartbeat every d (an
// SSE comment, a WebSocket ping), as Mastodon does; 0 stops them, as a
// server that froze.
func (s *Server) SetHeartbeat(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.heartbeat = d
}

// Heartbeats is how many heartbeats the streams sent.
func (s *Server) Heartbeats() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.heartbeats
}

// tick returns a channel that fires at the next heartbeat (never when
// there are none), counting it.
func (s *Server) tick() <-chan time.Time {
	s.mu.Lock()
	d := s.heartbeat
	s.mu.Unlock()
	if d <= 0 {
		return time.After(10 * time.Millisecond) // look again soon: heartbeats may be turned on
	}
	return time.After(d)
}

func (s *Server) beat() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.heartbeat > 0 {
		s.heartbeats++
		return true
	}
	return false
}

// StreamHosts returns the Host of every streaming request, in order.
func (s *Server) StreamHosts() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.streamHosts)
}

// Connected receives once per stream connection that opened.
func (s *Server) Connected() <-chan struct{} { return s.connected }

// DropStreams cuts every open streaming connection, as a restart of the
// streaming server does; what happens until the client reconnects is not
// pushed to it.
func (s *Server) DropStreams() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for sub := range s.subs {
		delete(s.subs, sub)
		close(sub.drop)
	}
}

// streamWebSocket is GET /api/v1/streaming?stream=user: every message a
// JSON object {"stream": ["user"], "event": …, "payload": "…"}.
func (s *Server) streamWebSocket(w http.ResponseWriter, r *http.Request) {
	if s.RefuseWebSocket {
		writeJSON(w, http.StatusUpgradeRequired, map[string]string{"error": "WebSockets are not passed by this proxy"})
		return
	}
	if isPublicStream(r.URL.Query().Get("stream")) {
		s.publicWebSocket(w, r)
		return
	}
	if r.URL.Query().Get("stream") != "user" {
		s.refuse(w, http.StatusBadRequest, "stream=user expected")
		return
	}
	websocket.Server{Handler: func(c *websocket.Conn) {
		sub := s.subscribe()
		defer s.unsubscribe(sub)
		defer c.Close()
		gone := make(chan struct{})
		go func() { // subscriptions, until the client's close frame or the connection ends
			defer close(gone)
			for {
				var m struct{ Type, Stream string }
				if websocket.JSON.Receive(c, &m) != nil {
					return
				}
				if m.Type != "subscribe" && m.Type != "unsubscribe" || m.Stream != "user" && m.Stream != "direct" {
					s.t.Errorf("mastodonfake: unexpected streaming message %+v", m)
					continue
				}
				s.mu.Lock()
				sub.streams[m.Stream] = m.Type == "subscribe"
				s.mu.Unlock()
			}
		}()
		s.sendWebSocket(c, sub, gone, func(ev [4]string) []string { return []string{streamOf(ev[0])} })
	}}.ServeHTTP(w, r)
}

// streamSSE is GET /api/v1/streaming/user: "event:" and "data:" lines, and
// a heartbeat comment.
func (s *Server) streamSSE(w http.ResponseWriter, r *http.Request) {
	if s.Software == GoToSocial {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "404 page not found"}) // GoToSocial streams over WebSockets only
		return
	}
	sub := s.subscribe()
	defer s.unsubscribe(sub)
	s.sendSSE(w, r, sub)
}

// sendSSE sends sub's events as server-sent events ("event:" and "data:"
// lines, a comment as heartbeat) until the subscription is dropped or the
// client leaves.
func (s *Server) sendSSE(w http.ResponseWriter, r *http.Request, sub *subscriber) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, ":)\n\n")
	rc := http.NewResponseController(w)
	_ = rc.Flush()
	for {
		select {
		case ev := <-sub.events:
			fmt.Fprintf(w, "event: %s\ndata: %s\n\n", ev[0], ev[1])
			_ = rc.Flush()
		case <-s.tick():
			if s.beat() {
				fmt.Fprint(w, ":thump\n")
				_ = rc.Flush()
			}
		case <-sub.drop:
			return
		case <-r.Context().Done():
			return
		}
	}
}

// sendWebSocket sends sub's events on c, each a JSON object {"stream":
// streams(event), "event": …, "payload": "…"}, and pings as heartbeat,
// until the subscription is dropped, the client's reader ends (gone) or a
// send fails.
func (s *Server) sendWebSocket(c *websocket.Conn, sub *subscriber, gone <-chan struct{}, streams func(ev [4]string) []string) {
	for {
		select {
		case ev := <-sub.events:
			msg := s.encode(map[string]any{"stream": streams(ev), "event": ev[0], "payload": ev[1]})
			if websocket.Message.Send(c, msg) != nil {
				return
			}
		case <-s.tick():
			if s.beat() {
				c.PayloadType = websocket.PingFrame
				_, err := c.Write([]byte("thump"))
				c.PayloadType = websocket.TextFrame
				if err != nil {
					return
				}
			}
		case <-sub.drop:
			return
		case <-gone:
			return
		}
	}
}
