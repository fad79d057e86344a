package mastodonfake

import (
	"net/http"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/net/websocket"
)

// The public side of the fake, for listening, from
// docs.joinmastodon.org/methods/timelines and /methods/streaming:
//
//   - GET /api/v1/timelines/public (local, remote, only_media, max_id,
//     since_id, min_id, limit ≤ 40) and GET /api/v1/timelines/tag/:hashtag
//     (the same, and any[], all[], none[] for more tags), public statuses
//     newest first with a Link header;
//   - the public streams: over server-sent events GET
//     /api/v1/streaming/public, /public/local, /public/remote,
//     /hashtag?tag=, /hashtag/local?tag=; over a WebSocket GET
//     /api/v1/streaming?stream=public|public:local|public:remote|hashtag|
//     hashtag:local (&tag=), with {"type":"subscribe","stream":…,"tag":…}
//     messages adding streams to the connection. Each message is
//     {"stream": [name, tag?], "event": "update", "payload": "<Status>"}.
//
// Every streaming request needs a token (Mastodon 4.2 requires a user
// token for the public streams). A status is local unless its author's
// username names another domain (AddAccount("bob@elsewhere.test")).

// publicStream is one public stream a connection follows.
type publicStream struct {
	name string // public, public:local, public:remote, hashtag, hashtag:local
	tag  string // lower-case, for hashtag streams
}

var hashtagRE = regexp.MustCompile(`#([\p{L}\p{N}_]+)`)

// tagsOf is the status's hashtags, lower-cased, as Mastodon normalises them.
func tagsOf(text string) []string {
	var out []string
	for _, m := range hashtagRE.FindAllStringSubmatch(text, -1) {
		out = append(out, strings.ToLower(m[1]))
	}
	return out
}

func (st *Status) remote(s *Server) bool { return strings.Contains(s.accounts[st.author()], "@") }

// follows reports whether a status goes out on stream p.
func (s *Server) follows(p publicStream, st *Status) bool {
	if st.Shown != "public" || st.Deleted {
		return false
	}
	remote := st.remote(s)
	switch p.name {
	case "public":
		return true
	case "public:local":
		return !remote
	case "public:remote":
		return remote
	case "hashtag":
		return slices.Contains(tagsOf(st.Text), p.tag)
	case "hashtag:local":
		return !remote && slices.Contains(tagsOf(st.Text), p.tag)
	}
	return false
}

// broadcastPublic pushes a new status to the public streams that follow
// it. The lock is held.
func (s *Server) broadcastPublic(st *Status) {
	if s.MutePublic {
		return
	}
	for sub := range s.subs {
		i := slices.IndexFunc(sub.public, func(p publicStream) bool { return s.follows(p, st) })
		if i < 0 {
			continue
		}
		// Once per connection here; Mastodon may send it once per stream it is
		// on, which a client must bear too.
		p := sub.public[i]
		select {
		case sub.events <- [4]string{"update", s.encode(s.statusJSON(st)), p.name, p.tag}:
		default:
			s.t.Errorf("mastodonfake: a public stream fell behind")
		}
	}
}

func (s *Server) routePublic(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/timelines/public", s.auth(s.publicTimeline))
	mux.HandleFunc("GET /api/v1/timelines/tag/{hashtag}", s.auth(s.tagTimeline))
	for _, name := range []string{"public", "public/local", "public/remote", "hashtag", "hashtag/local"} {
		stream := strings.ReplaceAll(name, "/", ":")
		mux.HandleFunc("GET /api/v1/streaming/"+name, s.streamAuth(func(w http.ResponseWriter, r *http.Request) { s.publicSSE(w, r, stream) }))
	}
}

func (s *Server) publicTimeline(w http.ResponseWriter, r *http.Request) {
	s.timeline(w, r, "/api/v1/timelines/public", nil)
}

func (s *Server) tagTimeline(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if len(q["any"]) > 0 || len(q["all"]) > 0 || len(q["none"]) > 0 {
		s.t.Errorf("mastodonfake: tag timeline with any/all/none without brackets; Mastodon reads any[], all[], none[]")
	}
	any := append([]string{strings.ToLower(r.PathValue("hashtag"))}, lower(q["any[]"])...)
	s.timeline(w, r, "/api/v1/timelines/tag/"+r.PathValue("hashtag"), any)
}

func lower(v []string) []string {
	out := make([]string, len(v))
	for i, s := range v {
		out[i] = strings.ToLower(strings.TrimPrefix(s, "#"))
	}
	return out
}

// timeline answers a public timeline: public statuses, newest first,
// filtered by local/remote and, for a tag timeline, by any of the tags.
func (s *Server) timeline(w http.ResponseWriter, r *http.Request, path string, tags []string) {
	q := r.URL.Query()
	for _, flag := range []string{"local", "remote", "only_media"} {
		if v := q.Get(flag); v != "" && v != "true" && v != "false" {
			s.refuse(w, http.StatusBadRequest, flag+" must be a boolean")
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for i := len(s.statuses) - 1; i >= 0; i-- {
		st := s.statuses[i]
		if st.Shown != "public" || st.Deleted {
			continue
		}
		if q.Get("local") == "true" && st.remote(s) || q.Get("remote") == "true" && !st.remote(s) {
			continue
		}
		if tags != nil && !slices.ContainsFunc(tagsOf(st.Text), func(t string) bool { return slices.Contains(tags, t) }) {
			continue
		}
		ids = append(ids, st.ID)
	}
	out := []any{}
	for _, id := range s.page(w, r, path, ids, 40) {
		out = append(out, s.statusJSON(s.findAny(id)))
	}
	writeJSON(w, http.StatusOK, out)
}

// subscribePublic opens a connection following stream p.
func (s *Server) subscribePublic(p publicStream) *subscriber {
	sub := &subscriber{events: make(chan [4]string, 256), drop: make(chan struct{}), streams: map[string]bool{}, public: []publicStream{p}}
	s.mu.Lock()
	s.subs[sub] = true
	s.mu.Unlock()
	s.connected <- struct{}{}
	return sub
}

// checkStream validates a public stream request's name and tag.
func (s *Server) checkStream(w http.ResponseWriter, name, tag string) (publicStream, bool) {
	switch name {
	case "public", "public:local", "public:remote":
		return publicStream{name: name}, true
	case "hashtag", "hashtag:local":
		if tag == "" {
			s.refuse(w, http.StatusBadRequest, "Missing tag name parameter")
			return publicStream{}, false
		}
		return publicStream{name: name, tag: strings.ToLower(strings.TrimPrefix(tag, "#"))}, true
	}
	s.refuse(w, http.StatusBadRequest, "Unknown stream type "+name)
	return publicStream{}, false
}

func isPublicStream(name string) bool {
	return strings.HasPrefix(name, "public") || strings.HasPrefix(name, "hashtag")
}

func streamNames(ev [4]string) []string {
	if ev[3] != "" {
		return []string{ev[2], ev[3]}
	}
	return []string{ev[2]}
}

// publicSSE is GET /api/v1/streaming/{public,hashtag}…: one stream per
// connection, "event: update" with the status as data.
func (s *Server) publicSSE(w http.ResponseWriter, r *http.Request, name string) {
	if s.Software == GoToSocial {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "404 page not found"})
		return
	}
	p, ok := s.checkStream(w, name, r.URL.Query().Get("tag"))
	if !ok {
		return
	}
	sub := s.subscribePublic(p)
	defer s.unsubscribe(sub)
	s.sendSSE(w, r, sub)
}

// publicWebSocket is GET /api/v1/streaming?stream=<public stream>.
func (s *Server) publicWebSocket(w http.ResponseWriter, r *http.Request) {
	p, ok := s.checkStream(w, r.URL.Query().Get("stream"), r.URL.Query().Get("tag"))
	if !ok {
		return
	}
	websocket.Server{Handler: func(c *websocket.Conn) {
		sub := s.subscribePublic(p)
		defer s.unsubscribe(sub)
		defer c.Close()
		gone := make(chan struct{})
		go func() {
			defer close(gone)
			for {
				var m struct{ Type, Stream, Tag string }
				if websocket.JSON.Receive(c, &m) != nil {
					return
				}
				if m.Type != "subscribe" && m.Type != "unsubscribe" || !isPublicStream(m.Stream) || strings.HasPrefix(m.Stream, "hashtag") && m.Tag == "" {
					s.t.Errorf("mastodonfake: unexpected streaming message %+v", m)
					continue
				}
				ps := publicStream{name: m.Stream, tag: strings.ToLower(strings.TrimPrefix(m.Tag, "#"))}
				s.mu.Lock()
				sub.public = slices.DeleteFunc(sub.public, func(x publicStream) bool { return x == ps })
				if m.Type == "subscribe" {
					sub.public = append(sub.public, ps)
				}
				s.mu.Unlock()
			}
		}()
		s.sendWebSocket(c, sub, gone, streamNames)
	}}.ServeHTTP(w, r)
}

// PublicStreams lists the public streams open connections follow, as
// "name" or "name tag", for tests waiting for a subscription to land.
func (s *Server) PublicStreams() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for sub := range s.subs {
		for _, p := range sub.public {
			out = append(out, strings.TrimSpace(p.name+" "+p.tag))
		}
	}
	slices.Sort(out)
	return out
}
