package appviewfake

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tribune-social/tribune/internal/network/bluesky/xrpcfake"
)

// replyNotifDepth is how many ancestors of a reply get a "reply"
// notification in the reference AppView (REPLY_NOTIF_DEPTH).
const replyNotifDepth = 5

type postRecord struct {
	Text      string `json:"text"`
	CreatedAt string `json:"createdAt"`
	Reply     *struct {
		Root   ref `json:"root"`
		Parent ref `json:"parent"`
	} `json:"reply"`
	Facets []struct {
		Features []struct {
			Type string `json:"$type"`
			DID  string `json:"did"`
		} `json:"features"`
	} `json:"facets"`
	Embed *struct {
		Type   string          `json:"$type"`
		Record json.RawMessage `json:"record"`
	} `json:"embed"`
}

type ref struct {
	URI string `json:"uri"`
	CID string `json:"cid"`
}

func (r postRecord) quoted() string {
	if r.Embed == nil {
		return ""
	}
	var q ref
	switch r.Embed.Type {
	case "app.bsky.embed.record":
		_ = json.Unmarshal(r.Embed.Record, &q)
	case "app.bsky.embed.recordWithMedia":
		var rm struct {
			Record ref `json:"record"`
		}
		_ = json.Unmarshal(r.Embed.Record, &rm)
		q = rm.Record
	}
	return q.URI
}

type post struct {
	Record
	author string
	rec    postRecord
	sortAt time.Time
}

type gate struct {
	Record
	hidden []string
}

type index struct {
	posts    map[string]*post
	replies  map[string][]*post           // parent URI → replies, oldest first
	gates    map[string]gate              // root post URI → its threadgate
	blocks   map[string]map[string]string // blocker → blocked DID → block record URI
	likes    map[string]map[string]string // liker → subject URI → like record URI
	handles  map[string]string
	byAuthor []*post
}

func didOf(uri string) string {
	rest, _ := strings.CutPrefix(uri, "at://")
	did, _, _ := strings.Cut(rest, "/")
	return did
}

func rkeyOf(uri string) string { return uri[strings.LastIndex(uri, "/")+1:] }

func iso(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// index reads every followed repository again, as the firehose would have
// told a real AppView.
func (s *Server) index(ctx context.Context) (*index, error) {
	s.mu.Lock()
	repos := slices.Clone(s.repos)
	s.mu.Unlock()
	ix := &index{posts: map[string]*post{}, replies: map[string][]*post{}, gates: map[string]gate{},
		blocks: map[string]map[string]string{}, likes: map[string]map[string]string{}, handles: map[string]string{}}
	now := s.now()
	for _, did := range repos {
		h, err := s.src.Handle(ctx, did)
		if err != nil {
			return nil, err
		}
		ix.handles[did] = h
		posts, err := s.src.Records(ctx, did, "app.bsky.feed.post")
		if err != nil {
			return nil, err
		}
		for _, r := range posts {
			p := &post{Record: r, author: did}
			if json.Unmarshal(r.Value, &p.rec) != nil {
				continue
			}
			s.mu.Lock()
			seen, ok := s.indexedAt[r.URI]
			if !ok {
				seen = now
				s.indexedAt[r.URI] = seen
			}
			s.mu.Unlock()
			// The reference AppView sorts by the earlier of the two, at
			// millisecond precision (an ISO string in its database).
			p.sortAt = seen.Truncate(time.Millisecond)
			if c, err := time.Parse(time.RFC3339Nano, p.rec.CreatedAt); err == nil && c.Before(p.sortAt) {
				p.sortAt = c.Truncate(time.Millisecond)
			}
			ix.posts[r.URI] = p
			ix.byAuthor = append(ix.byAuthor, p)
		}
		gates, err := s.src.Records(ctx, did, "app.bsky.feed.threadgate")
		if err != nil {
			return nil, err
		}
		for _, r := range gates {
			var g struct {
				Post          string   `json:"post"`
				HiddenReplies []string `json:"hiddenReplies"`
			}
			// The lexicon: the gate's key is its post's key, in the same repository.
			if json.Unmarshal(r.Value, &g) == nil && didOf(g.Post) == did && rkeyOf(g.Post) == rkeyOf(r.URI) {
				ix.gates[g.Post] = gate{Record: r, hidden: g.HiddenReplies}
			}
		}
		blocks, err := s.src.Records(ctx, did, "app.bsky.graph.block")
		if err != nil {
			return nil, err
		}
		ix.blocks[did] = map[string]string{}
		for _, r := range blocks {
			var b struct {
				Subject string `json:"subject"`
			}
			if json.Unmarshal(r.Value, &b) == nil {
				ix.blocks[did][b.Subject] = r.URI
			}
		}
		likes, err := s.src.Records(ctx, did, "app.bsky.feed.like")
		if err != nil {
			return nil, err
		}
		ix.likes[did] = map[string]string{}
		for _, r := range likes {
			var l struct {
				Subject ref `json:"subject"`
			}
			if json.Unmarshal(r.Value, &l) == nil {
				ix.likes[did][l.Subject.URI] = r.URI
			}
		}
	}
	sort.SliceStable(ix.byAuthor, func(i, j int) bool { return ix.byAuthor[i].sortAt.Before(ix.byAuthor[j].sortAt) })
	for _, p := range ix.byAuthor {
		if p.rec.Reply != nil {
			ix.replies[p.rec.Reply.Parent.URI] = append(ix.replies[p.rec.Reply.Parent.URI], p)
		}
	}
	return ix, nil
}

func (ix *index) blocked(a, b string) bool { return ix.blocks[a][b] != "" || ix.blocks[b][a] != "" }

func (ix *index) profile(did string) map[string]any {
	return map[string]any{"did": did, "handle": ix.handles[did]}
}

type notif struct {
	p             *post
	reason        string
	reasonSubject string
}

// notificationsFor builds what the reference AppView's indexer would have
// written for viewer: one notification per post, mention before quote
// before reply.
func (ix *index) notificationsFor(viewer string) []notif {
	var out []notif
	for _, p := range ix.byAuthor {
		if p.author == viewer || ix.blocked(viewer, p.author) {
			continue
		}
		if n, ok := ix.notifFor(viewer, p); ok {
			out = append(out, n)
		}
	}
	return out
}

func (ix *index) notifFor(viewer string, p *post) (notif, bool) {
	for _, f := range p.rec.Facets {
		for _, ft := range f.Features {
			if ft.Type == "app.bsky.richtext.facet#mention" && ft.DID == viewer {
				return notif{p: p, reason: "mention"}, true
			}
		}
	}
	if q := p.rec.quoted(); q != "" && didOf(q) == viewer {
		if _, ok := ix.posts[q]; ok {
			return notif{p: p, reason: "quote", reasonSubject: q}, true
		}
	}
	if p.rec.Reply == nil {
		return notif{}, false
	}
	hidden := ix.gates[p.rec.Reply.Root.URI].hidden
	uri := p.rec.Reply.Parent.URI
	for height := 1; height < replyNotifDepth && uri != ""; height++ {
		a, ok := ix.posts[uri]
		if !ok {
			break
		}
		if a.author == viewer {
			return notif{p: p, reason: "reply", reasonSubject: a.URI}, true
		}
		if slices.Contains(hidden, a.URI) {
			break // a hidden reply notifies no one above it
		}
		uri = ""
		if a.rec.Reply != nil {
			uri = a.rec.Reply.Parent.URI
		}
	}
	return notif{}, false
}

func (s *Server) listNotifications(w http.ResponseWriter, r *http.Request, ix *index, viewer string) {
	q := r.URL.Query()
	limit := 50
	if v := q.Get("limit"); v != "" {
		limit, _ = strconv.Atoi(v)
	}
	var before time.Time
	if c := q.Get("cursor"); c != "" {
		t, err := time.Parse(time.RFC3339Nano, c)
		if err != nil {
			xrpcfake.Error(w, http.StatusBadRequest, "InvalidRequest", "Malformed cursor")
			return
		}
		before = t
	}
	reasons := q["reasons"]
	all := ix.notificationsFor(viewer)
	// Newest first, paged strictly before the cursor's time, as the
	// reference AppView's single-key keyset does.
	var page []notif
	for i := len(all) - 1; i >= 0; i-- {
		n := all[i]
		if len(reasons) > 0 && !slices.Contains(reasons, n.reason) {
			continue
		}
		if !before.IsZero() && !n.p.sortAt.Before(before) {
			continue
		}
		page = append(page, n)
		if len(page) > limit {
			break
		}
	}
	out := map[string]any{}
	if len(page) > limit {
		page = page[:limit]
		out["cursor"] = iso(page[len(page)-1].p.sortAt)
	}
	s.mu.Lock()
	seen := s.lastSeen[viewer]
	s.mu.Unlock()
	list := []map[string]any{}
	for _, n := range page {
		v := map[string]any{"uri": n.p.URI, "cid": n.p.CID, "author": ix.profile(n.p.author), "reason": n.reason,
			"record": n.p.Value, "isRead": !seen.IsZero() && !n.p.sortAt.After(seen), "indexedAt": iso(n.p.sortAt)}
		if n.reasonSubject != "" {
			v["reasonSubject"] = n.reasonSubject
		}
		list = append(list, v)
	}
	out["notifications"] = list
	if !seen.IsZero() {
		out["seenAt"] = iso(seen)
	}
	xrpcfake.WriteJSON(w, http.StatusOK, out)
}

func (s *Server) getPostThread(w http.ResponseWriter, r *http.Request, ix *index, viewer string) {
	q := r.URL.Query()
	depth, height := 6, 80
	if v := q.Get("depth"); v != "" {
		depth, _ = strconv.Atoi(v)
	}
	if v := q.Get("parentHeight"); v != "" {
		height, _ = strconv.Atoi(v)
	}
	anchor, ok := ix.posts[q.Get("uri")]
	if !ok {
		xrpcfake.Error(w, http.StatusBadRequest, "NotFound", "Post not found: "+q.Get("uri"))
		return
	}
	root := anchor.URI
	if anchor.rec.Reply != nil {
		root = anchor.rec.Reply.Root.URI
	}
	view := func(p *post) map[string]any {
		return map[string]any{"uri": p.URI, "cid": p.CID, "author": ix.profile(p.author), "record": p.Value,
			"indexedAt": iso(p.sortAt), "replyCount": len(ix.replies[p.URI])}
	}
	var down func(p *post, d int) map[string]any
	down = func(p *post, d int) map[string]any {
		node := map[string]any{"$type": "app.bsky.feed.defs#threadViewPost", "post": view(p)}
		if d < depth {
			replies := []map[string]any{}
			for _, c := range ix.replies[p.URI] {
				if ix.blocked(viewer, c.author) {
					replies = append(replies, map[string]any{"$type": "app.bsky.feed.defs#blockedPost", "uri": c.URI,
						"blocked": true, "author": map[string]any{"did": c.author}})
					continue
				}
				replies = append(replies, down(c, d+1))
			}
			node["replies"] = replies
		}
		return node
	}
	thread := down(anchor, 0)
	node := thread
	for h, p := 0, anchor; h < height && p.rec.Reply != nil; h++ {
		parent, ok := ix.posts[p.rec.Reply.Parent.URI]
		if !ok {
			node["parent"] = map[string]any{"$type": "app.bsky.feed.defs#notFoundPost", "uri": p.rec.Reply.Parent.URI, "notFound": true}
			break
		}
		pn := map[string]any{"$type": "app.bsky.feed.defs#threadViewPost", "post": view(parent)}
		node["parent"] = pn
		node, p = pn, parent
	}
	out := map[string]any{"thread": thread}
	if g, ok := ix.gates[root]; ok {
		out["threadgate"] = map[string]any{"uri": g.URI, "cid": g.CID, "record": g.Value}
	}
	xrpcfake.WriteJSON(w, http.StatusOK, out)
}

// getPosts answers postViews with the viewer's like (viewerState.like).
func (s *Server) getPosts(w http.ResponseWriter, r *http.Request, ix *index, viewer string) {
	posts := []map[string]any{}
	for _, uri := range r.URL.Query()["uris"] {
		p, ok := ix.posts[uri]
		if !ok {
			continue // the lexicon: missing posts are left out
		}
		v := map[string]any{"uri": p.URI, "cid": p.CID, "author": ix.profile(p.author), "record": p.Value,
			"indexedAt": iso(p.sortAt), "viewer": map[string]any{}}
		if like := ix.likes[viewer][uri]; like != "" {
			v["viewer"] = map[string]any{"like": like}
		}
		posts = append(posts, v)
	}
	xrpcfake.WriteJSON(w, http.StatusOK, map[string]any{"posts": posts})
}

// getProfile answers a profileViewDetailed with the viewer's block
// (viewerState.blocking).
func (s *Server) getProfile(w http.ResponseWriter, r *http.Request, ix *index, viewer string) {
	actor := r.URL.Query().Get("actor")
	for did, h := range ix.handles {
		if h == actor {
			actor = did
		}
	}
	if _, ok := ix.handles[actor]; !ok {
		xrpcfake.Error(w, http.StatusBadRequest, "InvalidRequest", "Profile not found")
		return
	}
	v := ix.profile(actor)
	v["viewer"] = map[string]any{}
	if b := ix.blocks[viewer][actor]; b != "" {
		v["viewer"] = map[string]any{"blocking": b}
	}
	xrpcfake.WriteJSON(w, http.StatusOK, v)
}
