package publish

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/tribune-social/tribune/internal/store"
)

// Publishing jobs that run at the same moment share their database work.
// When a thousand posts are due at one minute, each job's transactions are
// small (a handful of writes) and the cost is in the round trips and
// commits, not in the writes: so concurrent jobs hand their transaction to
// a group that commits them together, and their reads to a loader that
// answers them with one query.
//
// Nothing waits to form a group: the first request runs at once, and what
// arrives while it runs goes in the next group. A lone job pays nothing;
// fifty jobs pay about one round trip each step instead of fifty.

// maxGroup bounds a group: one slow group must not hold up everything.
const maxGroup = 64

// groupTimeout bounds a group's transaction, which no single job's context
// owns.
const groupTimeout = 30 * time.Second

type txItem struct {
	ctx  context.Context
	fn   func(store.Tx) error
	ids  setIDs
	done chan error
}

// setIDs are what an item adds to its group's set statements.
type setIDs struct{ variants, posts []int64 }

// combiner runs requests in batches: the first runs at once, and whatever
// arrives while a batch runs makes the next one.
type combiner[T any] struct {
	mu      sync.Mutex
	queue   []T
	running bool
}

// add queues it and, unless a batch is running, starts running batches
// with run until none is left.
func (c *combiner[T]) add(it T, run func([]T)) {
	c.mu.Lock()
	c.queue = append(c.queue, it)
	if !c.running {
		c.running = true
		go c.drain(run)
	}
	c.mu.Unlock()
}

func (c *combiner[T]) drain(run func([]T)) {
	for {
		c.mu.Lock()
		n := min(len(c.queue), maxGroup)
		if n == 0 {
			c.running = false
			c.mu.Unlock()
			return
		}
		batch := c.queue[:n:n]
		c.queue = c.queue[n:]
		c.mu.Unlock()
		run(batch)
	}
}

// pending is how many requests wait for a batch.
func (c *combiner[T]) pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.queue)
}

// txGroup commits the transactions handed to it, several in one.
type txGroup struct {
	store store.Store
	opts  store.TxOptions
	// sets, when not nil, runs once per transaction after the items'
	// functions, with the ids they all brought: the statements that are the
	// same for every item, written once for the group.
	sets func(ctx context.Context, tx store.Tx, ids setIDs) error

	combiner[*txItem]
}

// Do runs fn in a transaction with the group's options, ids added to the
// group's set statements, and returns once it is committed (or failed). fn
// may run twice: once in a group and, when the group's transaction fails,
// again on its own, so that one job's error never fails another's; it must
// only touch the database and its own variables. Once handed over, fn's
// outcome is waited for even if ctx ends, so the caller always knows
// whether it was committed.
func (g *txGroup) Do(ctx context.Context, ids setIDs, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	it := &txItem{ctx: ctx, fn: fn, ids: ids, done: make(chan error, 1)}
	g.add(it, g.commit)
	return <-it.done
}

func (g *txGroup) commit(batch []*txItem) {
	parent := context.Background()
	if len(batch) == 1 {
		parent = context.WithoutCancel(batch[0].ctx)
	}
	ctx, cancel := context.WithTimeout(parent, groupTimeout)
	err := g.store.InTxWith(ctx, g.opts, func(tx store.Tx) error {
		var ids setIDs
		for _, it := range batch {
			if err := it.fn(tx); err != nil {
				return err
			}
			ids.variants = append(ids.variants, it.ids.variants...)
			ids.posts = append(ids.posts, it.ids.posts...)
		}
		if g.sets == nil {
			return nil
		}
		return g.sets(ctx, tx, ids)
	})
	cancel()
	if err == nil || len(batch) == 1 {
		for _, it := range batch {
			it.done <- err
		}
		return
	}
	// Which one failed is not known (a pipelined transaction reports its
	// first error at commit): each goes again alone and gets its own answer.
	for _, it := range batch {
		g.commit([]*txItem{it})
	}
}

type loadItem[V any] struct {
	id   int64
	done chan loadResult[V]
}

type loadResult[V any] struct {
	v   []V
	err error
}

// loader answers concurrent reads by id with one query for all of them.
// fetch returns rows in any order; key says which id a row belongs to (a
// variant's publish parts are several rows of one id).
type loader[V any] struct {
	fetch func(ctx context.Context, ids []int64) ([]V, error)
	key   func(V) int64

	combiner[*loadItem[V]]
}

// Load returns the rows of id (none when it does not exist).
func (l *loader[V]) Load(ctx context.Context, id int64) ([]V, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	it := &loadItem[V]{id: id, done: make(chan loadResult[V], 1)}
	l.add(it, l.load)
	select {
	case r := <-it.done:
		return r.v, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// load answers a batch of reads with one query.
func (l *loader[V]) load(batch []*loadItem[V]) {
	ids := make([]int64, 0, len(batch))
	seen := make(map[int64]bool, len(batch))
	for _, it := range batch {
		if !seen[it.id] {
			seen[it.id] = true
			ids = append(ids, it.id)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), groupTimeout)
	rows, err := l.fetch(ctx, ids)
	cancel()
	by := make(map[int64][]V, len(ids))
	for _, r := range rows {
		by[l.key(r)] = append(by[l.key(r)], r)
	}
	for _, it := range batch {
		// Each caller gets its own copy: callers change what they read.
		it.done <- loadResult[V]{v: slices.Clone(by[it.id]), err: err}
	}
}

// padded returns ids, without repeats, lengthened to a power of two by
// repeating the last one (harmless in "IN (…)"): the set statements then
// come in a handful of shapes, which SQLite's per-connection statement
// cache keeps, instead of one per group size. nil stays nil.
func padded(ids []int64) []int64 {
	if len(ids) == 0 {
		return nil
	}
	out := slices.Clone(ids)
	slices.Sort(out)
	out = slices.Compact(out)
	n := 1
	for n < len(out) {
		n *= 2
	}
	for len(out) < n {
		out = append(out, out[len(out)-1])
	}
	return out
}
