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

	"github.com/tribune-social/tribune/internal/network/bluesky/xrpcfake"
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

	mu      sync.Mutex
	seq     int
	handles map[string]string
	convos  []*convo
	logs    map[string][]map[string]any // viewer DID → log entries, oldest first
	read    map[string]map[string]string
	calls   []Call

	// Refusals keeps the requests that broke the lexicons or the routing.
	xrpcfake.Refusals
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

// caller checks the PDS's service token: audience this service, method
// this call, not expired. The signature is the PDS's and is not checked.
func (s *Server) caller(r *http.Request, nsid string) (string, error) {
	tok := xrpcfake.BearerToken(r)
	if tok != "" && !xrpcfake.IsServiceToken(tok) && s.Direct != nil {
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
	if !xrpcfake.IsServiceToken(tok) {
		return "", fmt.Errorf("no service token: the call did not come through a PDS")
	}
	c, err := xrpcfake.ServiceToken(tok, s.DID, nsid, s.now())
	switch {
	case err != nil:
		return "", err
	case c.Lxm == "":
		// A PDS names the method it forwards; without it the token would
		// let the service be called for any method.
		return "", fmt.Errorf("service token for no method, not %q", nsid)
	}
	return c.Iss, nil
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

var queries = map[string]map[string]xrpcfake.Param{
	"chat.bsky.convo.getLog": {"cursor": {Kind: xrpcfake.String}},
	"chat.bsky.convo.listConvos": {"limit": {Kind: xrpcfake.Integer, Min: 1, Max: 100}, "cursor": {Kind: xrpcfake.String},
		"readState": {Kind: xrpcfake.String}, "status": {Kind: xrpcfake.String}, "kind": {Kind: xrpcfake.String}, "lockStatus": {Kind: xrpcfake.String}},
	"chat.bsky.convo.getMessages": {"convoId": {Kind: xrpcfake.String, Required: true}, "limit": {Kind: xrpcfake.Integer, Min: 1, Max: 100},
		"cursor": {Kind: xrpcfake.String}},
	"chat.bsky.convo.getConvoForMembers": {"members": {Kind: xrpcfake.DID, Array: true, Required: true, MaxItems: 10}},
}

// procedures lists each procedure's input fields and the required ones.
var procedures = map[string]struct{ fields, required []string }{
	"chat.bsky.convo.sendMessage":          {[]string{"convoId", "message"}, []string{"convoId", "message"}},
	"chat.bsky.convo.updateRead":           {[]string{"convoId", "messageId"}, []string{"convoId"}},
	"chat.bsky.convo.deleteMessageForSelf": {[]string{"convoId", "messageId"}, []string{"convoId", "messageId"}},
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/.well-known/did.json" {
		host := strings.TrimPrefix(s.DID, "did:web:")
		host = strings.ReplaceAll(host, "%3A", ":")
		xrpcfake.WriteJSON(w, http.StatusOK, map[string]any{
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
		s.Refuse(w, nsid, "method %s", r.Method)
		return
	case !isQuery && !isProc:
		s.Refuse(w, nsid, "not a method of the fake chat service")
		return
	}
	who, err := s.caller(r, nsid)
	if err == errBadTokenMethod {
		// What a PDS answers an app password without access to direct
		// messages (pipethrough.ts): not a violation.
		xrpcfake.Error(w, http.StatusBadRequest, "InvalidToken", "Bad token method")
		return
	}
	if err != nil {
		s.Refuse(w, nsid, "%v", err)
		return
	}
	q := r.URL.Query()
	body := map[string]any{}
	if isQuery {
		if err := xrpcfake.CheckQuery(spec, q); err != nil {
			s.Refuse(w, nsid, "%v", err)
			return
		}
	} else {
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			s.Refuse(w, nsid, "body: %v", err)
			return
		}
		for k := range body {
			if !slices.Contains(proc.fields, k) {
				s.Refuse(w, nsid, "unknown field %q", k)
				return
			}
		}
		for _, k := range proc.required {
			if v, ok := body[k]; !ok || v == "" {
				s.Refuse(w, nsid, "missing %q", k)
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
		xrpcfake.WriteJSON(w, http.StatusOK, map[string]any{"logs": []any{}, "cursor": head})
		return
	}
	if len(cursor) != 13 || strings.Trim(cursor, "0123456789") != "" {
		xrpcfake.Error(w, http.StatusBadRequest, "InvalidCursor", "unknown cursor")
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
	xrpcfake.WriteJSON(w, http.StatusOK, map[string]any{"logs": out, "cursor": next})
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
	xrpcfake.WriteJSON(w, http.StatusOK, out)
}

func (s *Server) getMessages(w http.ResponseWriter, viewer, convoID, limit, cursor string) {
	c := s.convo(convoID, viewer)
	if c == nil {
		xrpcfake.Error(w, http.StatusBadRequest, "InvalidConvo", "no such conversation")
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
	xrpcfake.WriteJSON(w, http.StatusOK, out)
}

func (s *Server) getConvoForMembers(w http.ResponseWriter, viewer string, members []string) {
	xrpcfake.WriteJSON(w, http.StatusOK, map[string]any{"convo": s.convoView(s.directConvo(viewer, members), viewer)})
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
		xrpcfake.Error(w, http.StatusBadRequest, "InvalidConvo", "no such conversation")
		return
	}
	in, _ := body["message"].(map[string]any)
	text, _ := in["text"].(string)
	for k := range in {
		if !slices.Contains([]string{"text", "facets", "embed", "replyTo"}, k) {
			s.Refuse(w, nsid, "unknown message field %s", k)
			return
		}
	}
	// messageInput.text: maxLength 10000 bytes, maxGraphemes 1000 (runes
	// stand in for graphemes: never fewer).
	if _, ok := in["text"].(string); !ok || len(text) > 10000 || utf8.RuneCountInString(text) > 1000 {
		s.Refuse(w, nsid, "message text missing or too long")
		return
	}
	xrpcfake.WriteJSON(w, http.StatusOK, s.messageView(s.addMessage(c, viewer, text), viewer))
}

func (s *Server) updateRead(w http.ResponseWriter, viewer string, body map[string]any) {
	id, _ := body["convoId"].(string)
	c := s.convo(id, viewer)
	if c == nil {
		xrpcfake.Error(w, http.StatusBadRequest, "InvalidConvo", "no such conversation")
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
	xrpcfake.WriteJSON(w, http.StatusOK, map[string]any{"convo": s.convoView(c, viewer)})
}

func (s *Server) deleteForSelf(w http.ResponseWriter, viewer string, body map[string]any) {
	id, _ := body["convoId"].(string)
	msgID, _ := body["messageId"].(string)
	c := s.convo(id, viewer)
	if c == nil {
		xrpcfake.Error(w, http.StatusBadRequest, "InvalidConvo", "no such conversation")
		return
	}
	for _, m := range c.messages {
		if m.id == msgID {
			m.hiddenFor[viewer] = true
			rev := s.nextRev()
			s.logs[viewer] = append(s.logs[viewer], map[string]any{"$type": "chat.bsky.convo.defs#logDeleteMessage", "rev": rev,
				"convoId": c.id, "message": s.messageView(m, viewer)})
			xrpcfake.WriteJSON(w, http.StatusOK, s.messageView(m, viewer))
			return
		}
	}
	xrpcfake.Error(w, http.StatusBadRequest, "InvalidRequest", "no such message")
}
