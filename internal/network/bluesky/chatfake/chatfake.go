// Package chatfake is a Bluesky chat service for tests, written from the
// chat.bsky.convo lexicons (getLog, listConvos, getMessages,
// getConvoForMembers, sendMessage, updateRead, deleteMessageForSelf) and
// chat.bsky.convo.defs (convoView, messageView, deletedMessageView, the
// log entries).
//
// A real PDS forwards a call to it when the call's atproto-proxy header
// names its DID and the #bsky_chat service: the PDS resolves the DID
// (did:web:localhost%3A<port>, read over plain http because the host is
// localhost) to the endpoint in the document the fake serves at
// /.well-known/did.json, and sends a service token whose audience is the
// DID and whose lxm is the method. The fake checks both and the lexicons'
// parameters; a request that breaks them is answered 400 and kept in
// Violations, which a test checks is empty.
package chatfake

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// ServiceID is the id of the chat service in a DID document, the part
// after # in the atproto-proxy header.
const ServiceID = "bsky_chat"

// Server is the fake chat service.
type Server struct {
	// DID is the service's did:web; Proxy is the atproto-proxy header
	// that routes to it.
	DID, Proxy string
	// URL is where it listens.
	URL string
	// Direct returns the account a bearer token that is not a service token
	// belongs to: unit tests call the fake in place of a PDS (the header
	// atproto-proxy must then name it). It may answer refuse to play a
	// PDS refusing an app password without access to direct messages.
	Direct func(token string) (did string, refuse bool)

	http []*http.Server
	now  func() time.Time

	mu         sync.Mutex
	seq        int
	handles    map[string]string
	convos     []*convo
	logs       map[string][]map[string]any // viewer DID → log entries, oldest first
	read       map[string]map[string]string
	violations []string
	calls      []Call
}

type convo struct {
	id       string
	rev      string
	members  []string
	messages []*message
}

type message struct {
	id, rev, sender, text string
	sentAt                time.Time
	hiddenFor             map[string]bool
}

// Call is one request the fake answered.
type Call struct {
	NSID string
	// Caller is the issuer of the service token: the account the PDS
	// forwarded the call for.
	Caller string
	Query  map[string][]string
	Body   map[string]any
}

// New returns a fake that does not listen, for use as a handler.
func New() *Server {
	s := &Server{now: time.Now, handles: map[string]string{}, logs: map[string][]map[string]any{}, read: map[string]map[string]string{}}
	s.DID = "did:web:chat.tribune.test"
	s.Proxy = s.DID + "#" + ServiceID
	return s
}

// Start listens on a free port of 127.0.0.1 (and of ::1 when it can, as
// Node may try localhost there first); Close stops it.
func Start() (*Server, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	s := New()
	s.DID = "did:web:localhost%3A" + strconv.Itoa(port)
	s.Proxy = s.DID + "#" + ServiceID
	s.URL = "http://127.0.0.1:" + strconv.Itoa(port)
	listeners := []net.Listener{l}
	if l6, err := net.Listen("tcp", "[::1]:"+strconv.Itoa(port)); err == nil {
		listeners = append(listeners, l6)
	}
	for _, ln := range listeners {
		srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
		s.http = append(s.http, srv)
		go func() { _ = srv.Serve(ln) }()
	}
	return s, nil
}

// Close stops the server.
func (s *Server) Close() {
	for _, srv := range s.http {
		_ = srv.Close()
	}
}

// SetHandle names an account in the profiles the fake returns.
func (s *Server) SetHandle(did, handle string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handles[did] = handle
}

// Violations are the requests that broke the lexicons or the routing.
func (s *Server) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.violations)
}

// Calls are the requests answered, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// ReadUpTo is the message a viewer marked a conversation read up to
// (updateRead), "" if never.
func (s *Server) ReadUpTo(viewer, convoID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.read[viewer][convoID]
}

// Messages are a conversation's messages by one sender, oldest first.
func (s *Server) Messages(convoID, sender string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, c := range s.convos {
		if c.id != convoID {
			continue
		}
		for _, m := range c.messages {
			if m.sender == sender {
				out = append(out, m.text)
			}
		}
	}
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func xrpcErr(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]string{"error": code, "message": msg})
}

func (s *Server) refuse(w http.ResponseWriter, nsid, format string, args ...any) {
	msg := nsid + ": " + fmt.Sprintf(format, args...)
	s.mu.Lock()
	s.violations = append(s.violations, msg)
	s.mu.Unlock()
	xrpcErr(w, http.StatusBadRequest, "InvalidRequest", msg)
}

// caller checks the PDS's service token: audience this service, method
// this call, not expired. The signature is the PDS's and is not checked.
func (s *Server) caller(r *http.Request, nsid string) (string, error) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	parts := strings.Split(tok, ".")
	if ok && len(parts) != 3 && s.Direct != nil {
		did, refuse := s.Direct(tok)
		switch {
		case did == "":
			return "", fmt.Errorf("unknown token")
		case r.Header.Get("Atproto-Proxy") != s.Proxy:
			return "", fmt.Errorf("atproto-proxy %q, not %q", r.Header.Get("Atproto-Proxy"), s.Proxy)
		case refuse:
			return "", errBadTokenMethod
		}
		return did, nil
	}
	if !ok || len(parts) != 3 {
		return "", fmt.Errorf("no service token: the call did not come through a PDS")
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	var claims struct {
		Iss string `json:"iss"`
		Aud string `json:"aud"`
		Lxm string `json:"lxm"`
		Exp int64  `json:"exp"`
	}
	if err == nil {
		err = json.Unmarshal(raw, &claims)
	}
	switch {
	case err != nil:
		return "", fmt.Errorf("unreadable service token: %v", err)
	case claims.Aud != s.DID:
		return "", fmt.Errorf("service token for %q, not %q", claims.Aud, s.DID)
	case claims.Lxm != nsid:
		return "", fmt.Errorf("service token for method %q, not %q", claims.Lxm, nsid)
	case claims.Exp != 0 && time.Unix(claims.Exp, 0).Before(s.now()):
		return "", fmt.Errorf("expired service token")
	case !strings.HasPrefix(claims.Iss, "did:"):
		return "", fmt.Errorf("service token issued by %q", claims.Iss)
	}
	iss, _, _ := strings.Cut(claims.Iss, "#")
	return iss, nil
}

var errBadTokenMethod = errors.New("bad token method")

// Send writes a message from one account to another, opening their
// conversation if needed, as the Bluesky app would; it returns the
// conversation and message ids.
func (s *Server) Send(from, to, text string) (convoID, messageID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.directConvo(from, []string{to})
	m := s.addMessage(c, from, text)
	return c.id, m.id
}

type param struct {
	kind     string // "string", "integer", "did"
	array    bool
	required bool
	min, max int
}

var queries = map[string]map[string]param{
	"chat.bsky.convo.getLog": {"cursor": {kind: "string"}},
	"chat.bsky.convo.listConvos": {"limit": {kind: "integer", min: 1, max: 100}, "cursor": {kind: "string"},
		"readState": {kind: "string"}, "status": {kind: "string"}, "kind": {kind: "string"}, "lockStatus": {kind: "string"}},
	"chat.bsky.convo.getMessages": {"convoId": {kind: "string", required: true}, "limit": {kind: "integer", min: 1, max: 100},
		"cursor": {kind: "string"}},
	"chat.bsky.convo.getConvoForMembers": {"members": {kind: "did", array: true, required: true, min: 1, max: 10}},
}

// procedures lists each procedure's input fields and the required ones.
var procedures = map[string]struct{ fields, required []string }{
	"chat.bsky.convo.sendMessage":          {[]string{"convoId", "message"}, []string{"convoId", "message"}},
	"chat.bsky.convo.updateRead":           {[]string{"convoId", "messageId"}, []string{"convoId"}},
	"chat.bsky.convo.deleteMessageForSelf": {[]string{"convoId", "messageId"}, []string{"convoId", "messageId"}},
}

func checkQuery(spec map[string]param, q map[string][]string) error {
	for name, vals := range q {
		p, ok := spec[name]
		if !ok {
			return fmt.Errorf("unknown parameter %q", name)
		}
		if !p.array && len(vals) > 1 {
			return fmt.Errorf("%q given %d times", name, len(vals))
		}
		if p.array && (len(vals) < p.min || len(vals) > p.max) {
			return fmt.Errorf("%q has %d items, want %d to %d", name, len(vals), p.min, p.max)
		}
		for _, v := range vals {
			switch p.kind {
			case "integer":
				n, err := strconv.Atoi(v)
				if err != nil || n < p.min || n > p.max {
					return fmt.Errorf("%q=%q is not an integer in [%d, %d]", name, v, p.min, p.max)
				}
			case "did":
				if !strings.HasPrefix(v, "did:") {
					return fmt.Errorf("%q=%q is not a DID", name, v)
				}
			}
		}
	}
	for name, p := range spec {
		if p.required && len(q[name]) == 0 {
			return fmt.Errorf("missing %q", name)
		}
	}
	return nil
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/.well-known/did.json" {
		host := strings.TrimPrefix(s.DID, "did:web:")
		host = strings.ReplaceAll(host, "%3A", ":")
		writeJSON(w, http.StatusOK, map[string]any{
			"@context": []string{"https://www.w3.org/ns/did/v1"},
			"id":       s.DID,
			"service":  []map[string]string{{"id": "#" + ServiceID, "type": "BskyChatService", "serviceEndpoint": "http://" + host}},
		})
		return
	}
	nsid, ok := strings.CutPrefix(r.URL.Path, "/xrpc/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	spec, isQuery := queries[nsid]
	proc, isProc := procedures[nsid]
	switch {
	case isQuery && r.Method != http.MethodGet, isProc && r.Method != http.MethodPost:
		s.refuse(w, nsid, "method %s", r.Method)
		return
	case !isQuery && !isProc:
		s.refuse(w, nsid, "not a method of the fake chat service")
		return
	}
	who, err := s.caller(r, nsid)
	if err == errBadTokenMethod {
		// What a PDS answers an app password without access to direct
		// messages (pipethrough.ts): not a violation.
		xrpcErr(w, http.StatusBadRequest, "InvalidToken", "Bad token method")
		return
	}
	if err != nil {
		s.refuse(w, nsid, "%v", err)
		return
	}
	q := r.URL.Query()
	body := map[string]any{}
	if isQuery {
		if err := checkQuery(spec, q); err != nil {
			s.refuse(w, nsid, "%v", err)
			return
		}
	} else {
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			s.refuse(w, nsid, "body: %v", err)
			return
		}
		for k := range body {
			if !slices.Contains(proc.fields, k) {
				s.refuse(w, nsid, "unknown field %q", k)
				return
			}
		}
		for _, k := range proc.required {
			if v, ok := body[k]; !ok || v == "" {
				s.refuse(w, nsid, "missing %q", k)
				return
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, Call{NSID: nsid, Caller: who, Query: q, Body: body})
	switch nsid {
	case "chat.bsky.convo.getLog":
		s.getLog(w, who, q.Get("cursor"))
	case "chat.bsky.convo.listConvos":
		s.listConvos(w, who, q.Get("limit"), q.Get("cursor"))
	case "chat.bsky.convo.getMessages":
		s.getMessages(w, who, q.Get("convoId"), q.Get("limit"), q.Get("cursor"))
	case "chat.bsky.convo.getConvoForMembers":
		s.getConvoForMembers(w, who, q["members"])
	case "chat.bsky.convo.sendMessage":
		s.sendMessage(w, nsid, who, body)
	case "chat.bsky.convo.updateRead":
		s.updateRead(w, who, body)
	case "chat.bsky.convo.deleteMessageForSelf":
		s.deleteForSelf(w, who, body)
	}
}

// nextRev is a rev: sortable as a string, growing with every change.
func (s *Server) nextRev() string {
	s.seq++
	return fmt.Sprintf("%013d", s.seq)
}

func (s *Server) profile(did string) map[string]any {
	h := s.handles[did]
	if h == "" {
		h = "handle.invalid"
	}
	return map[string]any{"did": did, "handle": h}
}

func (s *Server) convo(id, viewer string) *convo {
	for _, c := range s.convos {
		if c.id == id && slices.Contains(c.members, viewer) {
			return c
		}
	}
	return nil
}

func (s *Server) messageView(m *message, viewer string) map[string]any {
	if m.hiddenFor[viewer] {
		return map[string]any{"$type": "chat.bsky.convo.defs#deletedMessageView", "id": m.id, "rev": m.rev,
			"sender": map[string]string{"did": m.sender}, "sentAt": stamp(m.sentAt)}
	}
	return map[string]any{"$type": "chat.bsky.convo.defs#messageView", "id": m.id, "rev": m.rev, "text": m.text,
		"sender": map[string]string{"did": m.sender}, "sentAt": stamp(m.sentAt)}
}

func (s *Server) convoView(c *convo, viewer string) map[string]any {
	var members []map[string]any
	for _, d := range c.members {
		members = append(members, s.profile(d))
	}
	v := map[string]any{"id": c.id, "rev": c.rev, "members": members, "muted": false, "unreadCount": 0, "status": "accepted",
		"kind": map[string]any{"$type": "chat.bsky.convo.defs#directConvo"}}
	if n := len(c.messages); n > 0 {
		v["lastMessage"] = s.messageView(c.messages[n-1], viewer)
	}
	return v
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func pageSize(limit string) int {
	if n, err := strconv.Atoi(limit); err == nil {
		return n
	}
	return 50 // the lexicons' default
}

// logPage is how many entries getLog returns at once (the lexicon names no
// limit), small so that tests page.
const logPage = 25

func (s *Server) getLog(w http.ResponseWriter, viewer, cursor string) {
	logs := s.logs[viewer]
	if cursor == "" {
		// The head of the log, as the Bluesky app reads it to start.
		head := ""
		if n := len(logs); n > 0 {
			head = logs[n-1]["rev"].(string)
		}
		writeJSON(w, http.StatusOK, map[string]any{"logs": []any{}, "cursor": head})
		return
	}
	if len(cursor) != 13 || strings.Trim(cursor, "0123456789") != "" {
		xrpcErr(w, http.StatusBadRequest, "InvalidCursor", "unknown cursor")
		return
	}
	out := []map[string]any{}
	next := cursor
	for _, e := range logs {
		if rev := e["rev"].(string); rev > cursor && len(out) < logPage {
			out = append(out, e)
			next = rev
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"logs": out, "cursor": next})
}

func (s *Server) listConvos(w http.ResponseWriter, viewer, limit, cursor string) {
	var mine []*convo
	for _, c := range s.convos {
		if slices.Contains(c.members, viewer) && (cursor == "" || c.rev < cursor) {
			mine = append(mine, c)
		}
	}
	slices.SortFunc(mine, func(a, b *convo) int { return strings.Compare(b.rev, a.rev) })
	out := map[string]any{"convos": []any{}}
	views := []any{}
	for i, c := range mine {
		if i == pageSize(limit) {
			out["cursor"] = mine[i-1].rev
			break
		}
		views = append(views, s.convoView(c, viewer))
	}
	out["convos"] = views
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getMessages(w http.ResponseWriter, viewer, convoID, limit, cursor string) {
	c := s.convo(convoID, viewer)
	if c == nil {
		xrpcErr(w, http.StatusBadRequest, "InvalidConvo", "no such conversation")
		return
	}
	views := []any{}
	out := map[string]any{}
	n := pageSize(limit)
	related := map[string]bool{}
	for i := len(c.messages) - 1; i >= 0; i-- {
		m := c.messages[i]
		if cursor != "" && m.rev >= cursor {
			continue
		}
		if len(views) == n {
			out["cursor"] = c.messages[i+1].rev
			break
		}
		views = append(views, s.messageView(m, viewer))
		related[m.sender] = true
	}
	profiles := []any{}
	for _, d := range c.members {
		if related[d] {
			profiles = append(profiles, s.profile(d))
		}
	}
	out["messages"], out["relatedProfiles"] = views, profiles
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getConvoForMembers(w http.ResponseWriter, viewer string, members []string) {
	writeJSON(w, http.StatusOK, map[string]any{"convo": s.convoView(s.directConvo(viewer, members), viewer)})
}

// directConvo finds or opens the conversation of viewer and members.
func (s *Server) directConvo(viewer string, members []string) *convo {
	set := []string{viewer}
	for _, m := range members {
		if !slices.Contains(set, m) {
			set = append(set, m)
		}
	}
	slices.Sort(set)
	for _, c := range s.convos {
		if slices.Equal(c.members, set) {
			return c
		}
	}
	c := &convo{id: fmt.Sprintf("convo%d", len(s.convos)+1), members: set}
	c.rev = s.nextRev()
	s.convos = append(s.convos, c)
	for _, d := range set {
		s.logs[d] = append(s.logs[d], map[string]any{"$type": "chat.bsky.convo.defs#logBeginConvo", "rev": c.rev, "convoId": c.id})
	}
	return c
}

func (s *Server) addMessage(c *convo, sender, text string) *message {
	m := &message{id: fmt.Sprintf("msg%d", s.seq+1), sender: sender, text: text, sentAt: s.now(), hiddenFor: map[string]bool{}}
	m.rev = s.nextRev()
	c.rev = m.rev
	c.messages = append(c.messages, m)
	for _, d := range c.members {
		s.logs[d] = append(s.logs[d], map[string]any{"$type": "chat.bsky.convo.defs#logCreateMessage", "rev": m.rev, "convoId": c.id,
			"message": s.messageView(m, d), "relatedProfiles": []any{s.profile(sender)}})
	}
	return m
}

func (s *Server) sendMessage(w http.ResponseWriter, nsid, viewer string, body map[string]any) {
	id, _ := body["convoId"].(string)
	c := s.convo(id, viewer)
	if c == nil {
		xrpcErr(w, http.StatusBadRequest, "InvalidConvo", "no such conversation")
		return
	}
	in, _ := body["message"].(map[string]any)
	text, _ := in["text"].(string)
	for k := range in {
		if !slices.Contains([]string{"text", "facets", "embed", "replyTo"}, k) {
			s.violations = append(s.violations, nsid+": unknown message field "+k)
			xrpcErr(w, http.StatusBadRequest, "InvalidRequest", "unknown message field "+k)
			return
		}
	}
	// messageInput.text: maxLength 10000 bytes, maxGraphemes 1000 (runes
	// stand in for graphemes: never fewer).
	if _, ok := in["text"].(string); !ok || len(text) > 10000 || utf8.RuneCountInString(text) > 1000 {
		s.violations = append(s.violations, nsid+": message text missing or too long")
		xrpcErr(w, http.StatusBadRequest, "InvalidRequest", "message text missing or too long")
		return
	}
	writeJSON(w, http.StatusOK, s.messageView(s.addMessage(c, viewer, text), viewer))
}

func (s *Server) updateRead(w http.ResponseWriter, viewer string, body map[string]any) {
	id, _ := body["convoId"].(string)
	c := s.convo(id, viewer)
	if c == nil {
		xrpcErr(w, http.StatusBadRequest, "InvalidConvo", "no such conversation")
		return
	}
	upTo, _ := body["messageId"].(string)
	if upTo == "" && len(c.messages) > 0 {
		upTo = c.messages[len(c.messages)-1].id
	}
	if s.read[viewer] == nil {
		s.read[viewer] = map[string]string{}
	}
	s.read[viewer][c.id] = upTo
	writeJSON(w, http.StatusOK, map[string]any{"convo": s.convoView(c, viewer)})
}

func (s *Server) deleteForSelf(w http.ResponseWriter, viewer string, body map[string]any) {
	id, _ := body["convoId"].(string)
	msgID, _ := body["messageId"].(string)
	c := s.convo(id, viewer)
	if c == nil {
		xrpcErr(w, http.StatusBadRequest, "InvalidConvo", "no such conversation")
		return
	}
	for _, m := range c.messages {
		if m.id == msgID {
			m.hiddenFor[viewer] = true
			rev := s.nextRev()
			s.logs[viewer] = append(s.logs[viewer], map[string]any{"$type": "chat.bsky.convo.defs#logDeleteMessage", "rev": rev,
				"convoId": c.id, "message": s.messageView(m, viewer)})
			writeJSON(w, http.StatusOK, s.messageView(m, viewer))
			return
		}
	}
	xrpcErr(w, http.StatusBadRequest, "InvalidRequest", "no such message")
}
