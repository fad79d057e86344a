package listen

import (
	"sync"
	"time"

	"github.com/tribune-social/tribune/internal/listen/source"
)

// The query editor previews a query over the last 7 days: over the stored
// mentions (what the saved queries already found) and over a buffer of the
// posts the sources saw recently, matched or not, so that a new query shows
// what it would have found among posts no saved query kept.
//
// The buffer is bounded on every axis: per workspace, the newest
// RecentPerWorkspace posts (a ring: the oldest is overwritten), none older
// than PreviewWindow, texts cut at RecentMaxText bytes; at most
// RecentWorkspaces workspaces (the least recently fed is dropped). It lives
// in the memory of the node that ran the sources, so after a restart, or on
// a web node that runs none, the preview reads the stored mentions only; it
// is a preview, not a search of everything ever seen.
const (
	PreviewWindow      = 7 * 24 * time.Hour
	RecentPerWorkspace = 5000
	RecentMaxText      = 2000
	RecentWorkspaces   = 200
)

type recentPost struct {
	post source.Post
	lang string
	at   time.Time
}

type ring struct {
	posts []recentPost
	next  int
	fed   time.Time
}

type recentPosts struct {
	mu sync.Mutex
	m  map[int64]*ring
}

func (r *recentPosts) add(workspaceID int64, p source.Post, lang string) {
	if len(p.Text) > RecentMaxText {
		p.Text = p.Text[:RecentMaxText]
	}
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		r.m = map[int64]*ring{}
	}
	g := r.m[workspaceID]
	if g == nil {
		if len(r.m) >= RecentWorkspaces {
			var oldest int64
			var at time.Time
			for id, x := range r.m {
				if at.IsZero() || x.fed.Before(at) {
					oldest, at = id, x.fed
				}
			}
			delete(r.m, oldest)
		}
		g = &ring{}
		r.m[workspaceID] = g
	}
	g.fed = now
	rp := recentPost{post: p, lang: lang, at: now}
	if len(g.posts) < RecentPerWorkspace {
		g.posts = append(g.posts, rp)
		return
	}
	g.posts[g.next] = rp
	g.next = (g.next + 1) % RecentPerWorkspace
}

// snapshot copies the workspace's buffered posts seen since since.
func (r *recentPosts) snapshot(workspaceID int64, since time.Time) []recentPost {
	r.mu.Lock()
	defer r.mu.Unlock()
	g := r.m[workspaceID]
	if g == nil {
		return nil
	}
	out := make([]recentPost, 0, len(g.posts))
	for _, p := range g.posts {
		if !p.at.Before(since) {
			out = append(out, p)
		}
	}
	return out
}
