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
	rows groupRows
	done chan error
}

// groupRows are what an item adds to its group's statements, which write
// them for all the group's items at once (Publisher.writeGroup): rows for
// the batched writes, ids for the set statements.
type groupRows struct {
	parts []store.PartRow // messages to create
	// start: variants that start publishing, and their posts.
	start, startPosts []int64
	done              []store.PartDoneRow // messages sent
	logs              []store.LogRow
	// published: variants whose messages are all done, then refresh: posts
	// whose status to derive from their variants.
	published, refresh []int64
	// claims ask whether the group wrote all of a variant's new messages.
	claims []*claim
	// events: webhooks of the variants published (emitGroup).
	events []variantEvent
}

// claim is answered by the group that writes a variant's messages: written
// says, once Do has returned nil, whether every one of the n messages was
// written by this commit (none existed before), the first under key, so
// that they need not be read back.
type claim struct {
	variant int64
	n       int
	key     string
	written bool
}

// answerClaims answers claims from the messages a commit wrote. Two claims
// on one variant in one commit (two runs of its job racing) are both
// answered no: only one of them wrote the messages, and reading back tells
// which.
func answerClaims(claims []*claim, written []store.CreatePublishPartsRow) {
	n := make(map[int64]int, len(claims))
	key := make(map[int64]string, len(claims))
	for _, w := range written {
		n[w.VariantID]++
		if w.Seq == 0 {
			key[w.VariantID] = w.AttemptKey
		}
	}
	claimed := make(map[int64]int, len(claims))
	for _, c := range claims {
		claimed[c.variant]++
	}
	for _, c := range claims {
		c.written = claimed[c.variant] == 1 && n[c.variant] == c.n && key[c.variant] == c.key
	}
}

func (r *groupRows) add(o groupRows) {
	r.parts = append(r.parts, o.parts...)
	r.start = append(r.start, o.start...)
	r.startPosts = append(r.startPosts, o.startPosts...)
	r.done = append(r.done, o.done...)
	r.logs = append(r.logs, o.logs...)
	r.published = append(r.published, o.published...)
	r.refresh = append(r.refresh, o.refresh...)
	r.claims = append(r.claims, o.claims...)
	r.events = append(r.events, o.events...)
}

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
	// write, when not nil, runs once per transaction after the items'
	// functions, with the rows they all brought: one statement per kind of
	// row for the group.
	write func(ctx context.Context, tx store.Tx, rows groupRows) error

	combiner[*txItem]
}

// Do writes rows, and runs fn (when not nil), in a transaction with the
// group's options, and returns once it is committed (or failed). fn may run
// twice: once in a group and, when the group's transaction fails, again on
// its own, so that one job's error never fails another's; it must only
// touch the database and its own variables. Once handed over, the outcome
// is waited for even if ctx ends, so the caller always knows whether it was
// committed.
func (g *txGroup) Do(ctx context.Context, rows groupRows, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	it := &txItem{ctx: ctx, fn: fn, rows: rows, done: make(chan error, 1)}
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
		var rows groupRows
		for _, it := range batch {
			if it.fn != nil {
				if err := it.fn(tx); err != nil {
					return err
				}
			}
			rows.add(it.rows)
		}
		if g.write == nil {
			return nil
		}
		return g.write(ctx, tx, rows)
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
	// ids shapes the ids sent to fetch (see batches.ids); nil is distinct.
	ids func([]int64) []int64

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
	for _, it := range batch {
		ids = append(ids, it.id)
	}
	// Without repeats, and shaped like the set statements' ids.
	if l.ids != nil {
		ids = l.ids(ids)
	} else {
		ids = distinct(ids)
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

// distinct returns ids sorted, without repeats. nil stays nil.
func distinct(ids []int64) []int64 {
	if len(ids) == 0 {
		return nil
	}
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}

// padded returns ids, without repeats, lengthened to a power of two by
// repeating the last one (harmless in "IN (…)"). On SQLite, where a list of
// ids becomes one placeholder per id, the set statements and the loaders'
// reads then come in a handful of shapes, which its per-connection
// statement cache keeps, instead of one per group size (a new shape is
// parsed and planned again). PostgreSQL takes the ids as one array: one
// shape at any length. nil stays nil.
func padded(ids []int64) []int64 {
	out := distinct(ids)
	if out == nil {
		return nil
	}
	n := 1
	for n < len(out) {
		n *= 2
	}
	for len(out) < n {
		out = append(out, out[len(out)-1])
	}
	return out
}
