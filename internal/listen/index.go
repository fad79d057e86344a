package listen

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/tribune-social/tribune/internal/listen/query"
	"github.com/tribune-social/tribune/internal/listen/source"
	"github.com/tribune-social/tribune/internal/store"
)

// compiled is a workspace's enabled queries, ready to match: two indexes,
// because a query that includes our own accounts sees their posts and the
// others do not; topicOf gives each query's topic.
type compiled struct {
	version int64
	builtAt time.Time
	// exclOwn holds the queries that leave our own accounts out (the
	// default), inclOwn those that include them.
	exclOwn, inclOwn *query.Index
	topicOf          map[int64]int64
}

// indexCache keeps each workspace's compiled queries with the version they
// were built from. The version lives in the database and every query change
// raises it, so a node whose copy is older rebuilds it at its next batch,
// whichever node saved the query. Our own accounts come from the channels,
// which change without raising the version: a copy older than ownTTL is
// rebuilt too.
type indexCache struct {
	mu sync.Mutex
	m  map[int64]*compiled
	// builds counts rebuilds (tests check an edit rebuilds).
	builds int
}

// ownTTL is how long a compiled index trusts the channel list it read.
const ownTTL = time.Minute

// index returns the workspace's compiled queries, rebuilt when they changed.
func (s *Service) index(ctx context.Context, workspaceID int64) (*compiled, error) {
	v, err := s.Store.GetListenQueriesVersion(ctx, workspaceID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	now := s.now()
	s.indexes.mu.Lock()
	c, ok := s.indexes.m[workspaceID]
	s.indexes.mu.Unlock()
	if ok && c.version == v && now.Sub(c.builtAt) < ownTTL {
		return c, nil
	}
	c, err = s.compile(ctx, workspaceID, v, now)
	if err != nil {
		return nil, err
	}
	s.indexes.mu.Lock()
	if s.indexes.m == nil {
		s.indexes.m = map[int64]*compiled{}
	}
	// Two batches racing may both rebuild; the newer version wins.
	if old, ok := s.indexes.m[workspaceID]; !ok || old.version <= v {
		s.indexes.m[workspaceID] = c
	}
	s.indexes.builds++
	s.indexes.mu.Unlock()
	return c, nil
}

func (s *Service) compile(ctx context.Context, workspaceID, version int64, now time.Time) (*compiled, error) {
	chans, err := s.Store.ListChannels(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	handles := make([]string, 0, len(chans))
	for _, ch := range chans {
		handles = append(handles, ch.Handle)
	}
	qs, err := s.Store.ListListenQueries(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	c := &compiled{version: version, builtAt: now, exclOwn: query.NewIndex(query.NewOwn(handles...)), inclOwn: query.NewIndex(nil), topicOf: map[int64]int64{}}
	for _, q := range qs {
		if !q.Enabled {
			continue
		}
		parsed, err := query.Parse(q.Query)
		if err != nil {
			// Saved queries were parsed on save; a query the language no
			// longer reads (after an upgrade) is skipped, not fatal.
			s.logger().Warn("listen query no longer parses", "query", q.ID, "err", err)
			continue
		}
		if q.IncludeOwn {
			c.inclOwn.Add(q.ID, parsed)
		} else {
			c.exclOwn.Add(q.ID, parsed)
		}
		c.topicOf[q.ID] = q.TopicID
	}
	return c, nil
}

// match appends to out the ids of the queries p matches.
func (c *compiled) match(p query.Post, sc *query.Scratch, out []int64) []int64 {
	out = c.exclOwn.Match(p, sc, out)
	if c.inclOwn.Len() > 0 {
		out = c.inclOwn.MatchDoc(&sc.Doc, sc, out)
	}
	return out
}

// postMatch is what matchBatch found of one post: its language (declared,
// or detected when it declares none) and the queries it matched.
type postMatch struct {
	lang string
	ids  []int64
}

// parallelMin is the fewest posts worth a goroutine of their own in
// matchBatch: below it, starting one costs more than it saves.
const parallelMin = 64

// batchWorkers is how many goroutines matchBatch gives n posts: one per
// core, each with at least parallelMin posts.
func batchWorkers(n int) int {
	return max(1, min(runtime.GOMAXPROCS(0), n/parallelMin))
}

// matchBatch detects the language of the posts that declare none and
// matches every post against c. A source's batches come one at a time, so
// a single busy source (a firehose) would keep one core busy and leave the
// others idle: a large batch is split between the cores. The answers are
// in the posts' order whatever the split.
func (c *compiled) matchBatch(posts []source.Post, detect func(text string) string) []postMatch {
	out := make([]postMatch, len(posts))
	workers := batchWorkers(len(posts))
	if workers == 1 {
		c.matchRange(posts, out, detect)
		return out
	}
	per := (len(posts) + workers - 1) / workers
	var wg sync.WaitGroup
	for lo := 0; lo < len(posts); lo += per {
		hi := min(lo+per, len(posts))
		wg.Go(func() { c.matchRange(posts[lo:hi], out[lo:hi], detect) })
	}
	wg.Wait()
	return out
}

// matchRange is matchBatch's work on one goroutine, with its own Scratch.
func (c *compiled) matchRange(posts []source.Post, out []postMatch, detect func(text string) string) {
	sc := scratchPool.Get().(*query.Scratch)
	defer scratchPool.Put(sc)
	var ids []int64
	for i, p := range posts {
		lang := langOf(p.Lang)
		if lang == "" {
			lang = detect(p.Text)
		}
		ids = c.match(query.Post{Text: p.Text, Lang: langTag(p.Lang, lang), Network: p.Network, Author: p.Author}, sc, ids[:0])
		out[i] = postMatch{lang: lang, ids: slices.Clone(ids)}
	}
}
