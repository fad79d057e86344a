package listen

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/listen/source"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/store/storetest"
)

func newRunner(f *fixture, node string) *Runner {
	return &Runner{Service: f.s, Node: node, Tick: 20 * time.Millisecond, Lease: 3 * time.Second, MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond}
}

// waitFor polls cond until it holds or a generous deadline passes (the
// machine is shared and loaded).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func countMentions(t *testing.T, f *fixture) int64 {
	n, err := f.st.CountMentions(context.Background(), f.ws.ID)
	must(t, err)
	return n
}

func acmePosts(from, to int) []source.Post {
	var out []source.Post
	for n := from; n <= to; n++ {
		out = append(out, post(n, fmt.Sprintf("acme post number %d", n)))
	}
	return out
}

// TestRunnerResumesFromStoredCursor: a connection dropped mid-stream
// reconnects from the last stored cursor, and a new process (a restart)
// resumes there too; every post is stored once.
func TestRunnerResumesFromStoredCursor(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		f.now = time.Now().UTC()
		f.topic(t, "Acme", `acme`)
		name, feed := newFeed()
		feed.add(acmePosts(1, 10)...)
		feed.failAfter = 2 // drop after 2 batches of 2 posts
		src := f.source(t, name)

		r := newRunner(f, "node-a")
		r.Start(ctx)
		must(t, r.Sync(ctx))
		waitFor(t, "10 mentions", func() bool { return countMentions(t, f) == 10 })
		r.Stop()
		if got := feed.started(); !slices.Equal(got, []string{"", "4"}) {
			t.Fatalf("runs started from cursors %q, want [\"\" \"4\"]: the reconnection did not resume from the stored cursor", got)
		}
		got, err := f.s.Source(ctx, f.owner, f.ws.ID, src.ID)
		must(t, err)
		if got.Cursor != "10" || got.LastError == "" || got.Status == SourceFailed {
			t.Fatalf("source after the drop: %+v", got)
		}

		// The process restarts (a new runner): it resumes at "10".
		feed.add(acmePosts(11, 14)...)
		r2 := newRunner(f, "node-a")
		r2.Start(ctx)
		defer r2.Stop()
		must(t, r2.Sync(ctx))
		waitFor(t, "14 mentions", func() bool { return countMentions(t, f) == 14 })
		if got := feed.started(); got[len(got)-1] != "10" {
			t.Fatalf("the restarted runner started from %q, want 10", got[len(got)-1])
		}
		r2.Stop()
		if n := countMentions(t, f); n != 14 {
			t.Fatalf("mentions: got %d, want 14", n)
		}
	})
}

// TestRunnerLeaseOneConsumer: two nodes syncing the same sources run each
// source once; when the node running it stops, the other takes it over.
func TestRunnerLeaseOneConsumer(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		f.now = time.Now().UTC()
		f.topic(t, "Acme", `acme`)
		name, feed := newFeed()
		feed.add(acmePosts(1, 4)...)
		f.source(t, name)
		a, b := newRunner(f, "node-a"), newRunner(f, "node-b")
		a.Start(ctx)
		b.Start(ctx)
		defer a.Stop()
		defer b.Stop()
		for range 5 {
			must(t, a.Sync(ctx))
			must(t, b.Sync(ctx))
		}
		waitFor(t, "4 mentions", func() bool { return countMentions(t, f) == 4 })
		if a.runs.Load()+b.runs.Load() != 1 || a.Running()+b.Running() != 1 {
			t.Fatalf("consumers started: a %d, b %d; want 1 in all", a.runs.Load(), b.runs.Load())
		}
		holder, other := a, b
		if b.Running() == 1 {
			holder, other = b, a
		}
		holder.Stop() // gives the lease back
		must(t, other.Sync(ctx))
		if other.Running() != 1 {
			t.Fatal("the other node did not take the source over")
		}
		feed.mu.Lock()
		maxActive := feed.maxActive
		feed.mu.Unlock()
		if maxActive != 1 {
			t.Fatalf("%d consumers ran at once, want 1", maxActive)
		}
	})
}

// TestRunnerPermanentFailure: a source the network refuses for good is
// failed with its error shown, not retried, until edited.
func TestRunnerPermanentFailure(t *testing.T) {
	t.Parallel()
	st := storetest.NewSQLite(t)
	ctx := context.Background()
	f := newFixture(t, st)
	f.now = time.Now().UTC()
	name, feed := newFeed()
	feed.permanent = true
	src := f.source(t, name)
	r := newRunner(f, "node-a")
	r.Start(ctx)
	defer r.Stop()
	must(t, r.Sync(ctx))
	waitFor(t, "the source to fail", func() bool {
		s, err := f.s.Source(ctx, f.owner, f.ws.ID, src.ID)
		must(t, err)
		return s.Status == SourceFailed
	})
	got, _ := f.s.Source(ctx, f.owner, f.ws.ID, src.ID)
	if got.LastError == "" {
		t.Fatal("no error shown")
	}
	waitFor(t, "the consumer to end", func() bool { return r.Running() == 0 })
	must(t, r.Sync(ctx))
	if r.runs.Load() != 1 {
		t.Fatalf("a failed source was started again (%d runs)", r.runs.Load())
	}
	feed.mu.Lock()
	feed.permanent = false
	feed.mu.Unlock()
	if _, err := f.s.UpdateSource(ctx, f.owner, f.ws.ID, src.ID, SourceInput{Name: "Fixed"}); err != nil {
		t.Fatal(err)
	}
	must(t, r.Sync(ctx))
	if r.runs.Load() != 2 {
		t.Fatalf("the edited source did not start again (%d runs)", r.runs.Load())
	}
}

// crashingStore fails the cursor's write of the n-th batch, inside its
// transaction: what a crash between the mentions' insert and the commit
// leaves (the transaction rolled back, the cursor where it was).
type crashingStore struct {
	store.Store
	mu      sync.Mutex
	advance int
	crashAt int
}

func (c *crashingStore) InTx(ctx context.Context, fn func(tx store.Tx) error) error {
	return c.Store.InTx(ctx, func(tx store.Tx) error { return fn(&crashingTx{Tx: tx, c: c}) })
}

type crashingTx struct {
	store.Tx
	c *crashingStore
}

func (t *crashingTx) AdvanceListenSource(ctx context.Context, arg store.AdvanceListenSourceParams) error {
	t.c.mu.Lock()
	t.c.advance++
	crash := t.c.advance == t.c.crashAt
	t.c.mu.Unlock()
	if crash {
		return errors.New("the process died before the commit")
	}
	return t.Tx.AdvanceListenSource(ctx, arg)
}

// TestRunnerCrashMidBatch: a batch whose transaction dies after its
// mentions were written stores nothing; the consumer resumes from the last
// committed cursor and every post ends up stored once, rollups counted once.
func TestRunnerCrashMidBatch(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		f.now = time.Now().UTC()
		tp, _ := f.topic(t, "Acme", `acme`)
		name, feed := newFeed()
		feed.add(acmePosts(1, 10)...)
		src := f.source(t, name)
		f.s.Store = &crashingStore{Store: st, crashAt: 3} // the third batch (posts 5 and 6) dies
		r := newRunner(f, "node-a")
		r.Start(ctx)
		defer r.Stop()
		must(t, r.Sync(ctx))
		waitFor(t, "10 mentions", func() bool { return countMentions(t, f) == 10 })
		r.Stop()
		if got := feed.started(); !slices.Equal(got, []string{"", "4"}) {
			t.Fatalf("runs started from %q, want [\"\" \"4\"]: the crashed batch's cursor must not be stored", got)
		}
		rs, err := st.ListTopicRollups(ctx, store.ListTopicRollupsParams{TopicID: tp.ID, Since: t0.Add(-24 * time.Hour)})
		must(t, err)
		var n int64
		for _, r := range rs {
			n += r.Mentions
		}
		s, err := f.s.Source(ctx, f.owner, f.ws.ID, src.ID)
		must(t, err)
		if n != 10 || s.Matched != 10 || s.Cursor != "10" {
			t.Fatalf("after the crash: rollups %d, matched %d, cursor %q; want 10, 10, 10", n, s.Matched, s.Cursor)
		}
	})
}
