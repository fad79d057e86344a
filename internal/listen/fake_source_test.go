package listen

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/tribune-social/tribune/internal/listen/source"
)

// fakeFeed is what a fake source reads: posts in order, the cursor being the
// index of the next one. Tests add posts and decide failures.
type fakeFeed struct {
	mu    sync.Mutex
	posts []source.Post
	// failAfter makes a run fail (as a dropped connection) after that many
	// batches, once; permanent makes every run fail for good.
	failAfter int
	permanent bool
	// cursors records the cursor each run started from.
	cursors []string
	// active counts the runs in progress; maxActive the most at once.
	active, maxActive int
}

var (
	feedsMu sync.Mutex
	feeds   = map[string]*fakeFeed{}
	feedSeq int
)

func newFeed() (string, *fakeFeed) {
	feedsMu.Lock()
	defer feedsMu.Unlock()
	feedSeq++
	name := fmt.Sprintf("feed%d", feedSeq)
	f := &fakeFeed{}
	feeds[name] = f
	return name, f
}

func (f *fakeFeed) add(ps ...source.Post) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.posts = append(f.posts, ps...)
}

func (f *fakeFeed) started() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.cursors...)
}

var fakeKind = source.Kind{Name: "fake", Label: "Fake", Network: "fake", Needs: "Nothing.",
	Fields: []source.Field{{Name: "feed", Label: "Feed", Required: true}, {Name: "token", Label: "Token", Secret: true}},
	New: func(cfg source.Config, deps source.Deps) (source.Source, error) {
		feedsMu.Lock()
		f, ok := feeds[cfg.Values["feed"]]
		feedsMu.Unlock()
		if !ok {
			return nil, fmt.Errorf("%w: feed: no such feed %q", source.ErrPermanent, cfg.Values["feed"])
		}
		if cfg.Values["token"] != "s3cret" {
			return nil, fmt.Errorf("%w: token", source.ErrUnauthorized)
		}
		return &fakeSource{f: f}, nil
	}}

type fakeSource struct{ f *fakeFeed }

func (s *fakeSource) Run(ctx context.Context, cursor string, emit source.Emit) error {
	f := s.f
	f.mu.Lock()
	f.cursors = append(f.cursors, cursor)
	f.active++
	f.maxActive = max(f.maxActive, f.active)
	permanent := f.permanent
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.active--
		f.mu.Unlock()
	}()
	if permanent {
		return fmt.Errorf("%w: the feed is gone", source.ErrPermanent)
	}
	next := 0
	if cursor != "" {
		n, err := strconv.Atoi(cursor)
		if err != nil {
			return fmt.Errorf("%w: bad cursor", source.ErrPermanent)
		}
		next = n
	}
	batches := 0
	for {
		f.mu.Lock()
		end := min(next+2, len(f.posts))
		batch := append([]source.Post(nil), f.posts[next:end]...)
		fail := f.failAfter > 0 && batches == f.failAfter
		if fail {
			f.failAfter = 0
		}
		f.mu.Unlock()
		if fail {
			return errors.New("connection dropped")
		}
		if len(batch) == 0 {
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(5 * time.Millisecond):
			}
			continue
		}
		if err := emit(ctx, source.Batch{Posts: batch, Cursor: strconv.Itoa(end)}); err != nil {
			return err
		}
		next = end
		batches++
	}
}
