package listen

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river"

	"github.com/tribune-social/tribune/internal/listen/source"
	"github.com/tribune-social/tribune/internal/network/stream"
	"github.com/tribune-social/tribune/internal/store"
)

// The runner: every enabled source is a long-lived consumer running on ONE
// node of the cluster, the one holding the source's lease in
// listen_sources (node_id, lease_until), renewed while it runs and taken
// over by another node once a dead node stops renewing it (the pattern of
// the inbox's streams, internal/inbox/streams.go). A River periodic job
// (SyncArgs) makes the node that works it start the sources nobody runs
// and stop those disabled or edited; each consumer reconnects with capped
// exponential backoff and jitter, always from the last cursor stored with
// a batch, so a restart or a crash resumes where the stored data stops.

// Runner defaults.
const (
	// RunnerTick is how often a running source renews its lease, and how
	// often the periodic job looks for sources to start.
	RunnerTick = 10 * time.Second
	// RunnerLease is how long a lease lasts unrenewed: a dead node's
	// sources are taken over at most this long after it died.
	RunnerLease = 45 * time.Second
	// MinBackoff and MaxBackoff bound the wait before a reconnection.
	MinBackoff = time.Second
	MaxBackoff = 5 * time.Minute
	// StableAfter: a connection that lasted this long resets the backoff.
	StableAfter = time.Minute
)

// Runner runs the sources this node holds the lease of. Start it once per
// node; the periodic job calls Sync.
type Runner struct {
	Service *Service
	// Node identifies this node in the leases.
	Node string
	// Tick, Lease, MinBackoff and MaxBackoff default to the constants
	// above; tests shorten them. Tick must stay well below Lease.
	Tick, Lease, MinBackoff, MaxBackoff time.Duration

	mu      sync.Mutex
	base    context.Context
	cancel  context.CancelFunc
	running map[int64]*sourceRun
	wg      sync.WaitGroup
	// runs counts the consumers started (tests).
	runs atomic.Int64
}

type sourceRun struct {
	cancel  context.CancelFunc
	done    chan struct{}
	updated time.Time
}

func (r *Runner) tick() time.Duration {
	if r.Tick > 0 {
		return r.Tick
	}
	return RunnerTick
}

func (r *Runner) lease() time.Duration {
	if r.Lease > 0 {
		return r.Lease
	}
	return RunnerLease
}

// Start readies the runner: consumers started by Sync live until Stop or
// until ctx ends.
func (r *Runner) Start(ctx context.Context) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.base, r.cancel = context.WithCancel(context.WithoutCancel(ctx))
	r.running = map[int64]*sourceRun{}
	go func() {
		select {
		case <-ctx.Done():
			r.Stop()
		case <-r.base.Done():
		}
	}()
}

// Stop ends every consumer of this node and waits for them; each gives its
// lease back, so another node takes the source over at once.
func (r *Runner) Stop() {
	r.mu.Lock()
	if r.cancel != nil {
		r.cancel()
	}
	r.mu.Unlock()
	r.wg.Wait()
}

// Running is how many sources this node consumes.
func (r *Runner) Running() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, run := range r.running {
		select {
		case <-run.done:
		default:
			n++
		}
	}
	return n
}

// Sync starts the runnable sources that no node holds (taking their lease)
// and stops this node's consumers of sources paused, failed, deleted or
// edited (an edited one starts again at the next Sync, with its new
// settings). It does nothing on a runner not started.
func (r *Runner) Sync(ctx context.Context) error {
	r.mu.Lock()
	base := r.base
	r.mu.Unlock()
	if base == nil || base.Err() != nil {
		return nil
	}
	rows, err := r.Service.Store.ListRunnableListenSources(ctx)
	if err != nil {
		return err
	}
	want := map[int64]store.ListRunnableListenSourcesRow{}
	for _, row := range rows {
		if _, ok := r.Service.Kinds[row.Kind]; ok {
			want[row.ID] = row
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for id, run := range r.running {
		select {
		case <-run.done:
			delete(r.running, id)
			continue
		default:
		}
		if row, ok := want[id]; !ok || !row.UpdatedAt.Equal(run.updated) {
			run.cancel()
		}
	}
	for id, row := range want {
		if _, ok := r.running[id]; ok {
			continue
		}
		held, err := r.claim(ctx, id)
		if err != nil {
			return err
		}
		if !held {
			continue // another node runs it
		}
		rctx, cancel := context.WithCancel(base)
		run := &sourceRun{cancel: cancel, done: make(chan struct{}), updated: row.UpdatedAt}
		r.running[id] = run
		r.wg.Add(1)
		r.runs.Add(1)
		go r.run(rctx, id, run)
	}
	return nil
}

// claim takes or renews the source's lease for this node.
func (r *Runner) claim(ctx context.Context, id int64) (bool, error) {
	now := r.Service.now()
	n, err := r.Service.Store.ClaimListenSource(ctx, store.ClaimListenSourceParams{NodeID: r.Node, LeaseUntil: ptr(now.Add(r.lease())), ID: id, Now: &now})
	return n == 1, err
}

func ptr[T any](v T) *T { return &v }

// run is one source's consumer on this node.
func (r *Runner) run(ctx context.Context, id int64, run *sourceRun) {
	s := r.Service
	defer r.wg.Done()
	defer close(run.done)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer func() {
		rctx, c := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer c()
		if err := s.Store.ReleaseListenSource(rctx, store.ReleaseListenSourceParams{ID: id, NodeID: r.Node}); err != nil {
			s.logger().Warn("listen source lease release", "source", id, "err", err)
		}
	}()
	// The lease is renewed while the consumer lives; lost (this node was
	// cut from the database past the lease), the consumer stops at once.
	go func() {
		t := time.NewTicker(r.tick())
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				held, err := r.claim(ctx, id)
				if ctx.Err() != nil {
					return
				}
				if err != nil {
					s.logger().Warn("listen source lease renewal", "source", id, "err", err)
					continue // the lease still runs; the next tick tries again
				}
				if !held {
					cancel()
					return
				}
			}
		}
	}()
	failures := 0
	for ctx.Err() == nil {
		start := time.Now()
		err := r.consume(ctx, id)
		if ctx.Err() != nil {
			return
		}
		if errors.Is(err, source.ErrPermanent) || errors.Is(err, source.ErrUnauthorized) {
			s.setError(id, err, true)
			return
		}
		if err == nil {
			err = errors.New("the source stopped")
		}
		s.setError(id, err, false)
		if time.Since(start) >= StableAfter {
			failures = 0
		}
		wait := r.backoff(failures)
		failures++
		if stream.Sleep(ctx, wait) != nil {
			return
		}
	}
}

// backoff is the wait after n failures in a row: doubling from MinBackoff,
// capped at MaxBackoff, drawn uniformly in [d/2, d] so that the sources of
// a server that restarted do not all reconnect in the same second.
func (r *Runner) backoff(n int) time.Duration {
	lo, hi := r.MinBackoff, r.MaxBackoff
	if lo <= 0 {
		lo = MinBackoff
	}
	if hi <= 0 {
		hi = MaxBackoff
	}
	d := lo
	for i := 0; i < n && d < hi; i++ {
		d *= 2
	}
	d = min(d, hi)
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

// consume builds the source from its stored settings and runs it from its
// stored cursor until it fails or ctx ends.
func (r *Runner) consume(ctx context.Context, id int64) error {
	s := r.Service
	row, err := s.Store.GetListenSource(ctx, id)
	if err != nil {
		return err
	}
	k, ok := s.Kinds[row.Kind]
	if !ok {
		return errors.Join(source.ErrPermanent, errors.New("unknown kind of source "+row.Kind))
	}
	cfg, err := s.config(row)
	if err != nil {
		return errors.Join(source.ErrPermanent, err)
	}
	deps := s.Deps
	if deps.Now == nil {
		deps.Now = s.now
	}
	if deps.Log == nil {
		deps.Log = s.logger().With("source", id, "kind", row.Kind)
	}
	src, err := k.New(cfg, deps)
	if err != nil {
		return err
	}
	return src.Run(ctx, row.Cursor, func(ctx context.Context, b source.Batch) error {
		_, err := s.Ingest(ctx, id, b)
		return err
	})
}

// setError records a source's failure; failed ones wait for an edit.
func (s *Service) setError(id int64, err error, failed bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	now := s.now()
	msg := err.Error()
	if len(msg) > 1000 {
		msg = msg[:1000]
	}
	if e := s.Store.SetListenSourceError(ctx, store.SetListenSourceErrorParams{LastError: msg, LastErrorAt: &now, Failed: failed, ID: id}); e != nil {
		s.logger().Warn("listen source error", "source", id, "err", e)
	}
	s.logger().Info("listen source stopped", "source", id, "failed", failed, "err", err)
}

// SyncArgs is the periodic job that starts and watches the sources.
type SyncArgs struct{}

// Kind implements river.JobArgs.
func (SyncArgs) Kind() string { return "listen_sources_sync" }

// RetentionArgs is the periodic job that applies each workspace's
// retention.
type RetentionArgs struct{}

// Kind implements river.JobArgs.
func (RetentionArgs) Kind() string { return "listen_retention" }

// Queue is the queue of listening's jobs.
const Queue = "listen"

// InsertOpts implements river.JobArgsWithInsertOpts.
func (SyncArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: Queue} }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (RetentionArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: Queue} }

// PeriodicJobs are listening's periodic jobs.
func PeriodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(RunnerTick),
			func() (river.JobArgs, *river.InsertOpts) { return SyncArgs{}, nil },
			&river.PeriodicJobOpts{ID: SyncArgs{}.Kind(), RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return RetentionArgs{}, nil },
			&river.PeriodicJobOpts{ID: RetentionArgs{}.Kind(), RunOnStart: true}),
	}
}

// Register adds listening's workers; runner may be nil on a node that runs
// no source.
func (s *Service) Register(workers *river.Workers, runner *Runner) {
	river.AddWorker(workers, &syncWorker{r: runner})
	river.AddWorker(workers, &retentionWorker{s: s})
}

type syncWorker struct {
	river.WorkerDefaults[SyncArgs]
	r *Runner
}

func (w *syncWorker) Work(ctx context.Context, job *river.Job[SyncArgs]) error {
	if w.r == nil {
		return nil
	}
	return w.r.Sync(ctx)
}

type retentionWorker struct {
	river.WorkerDefaults[RetentionArgs]
	s *Service
}

func (w *retentionWorker) Work(ctx context.Context, job *river.Job[RetentionArgs]) error {
	_, err := w.s.Retain(ctx)
	return err
}
