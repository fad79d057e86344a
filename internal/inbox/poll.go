package inbox

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/tribune-social/tribune/internal/channels"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/store"
)

// Polling: a periodic job (on the River leader, so once per cluster) finds
// the inbox-capable channels whose poll is due and enqueues one poll job
// per channel, unique per channel while one is waiting or running; the poll
// job claims the channel's due poll in the database (so two nodes, or a
// rescued job beside a slow one, never poll one channel at once), pages
// through the connector up to a bound, stores each page's items with the
// cursor after them in one transaction, then schedules the next poll: the
// network's PollEvery later, or further on errors.

// Queue is the River queue of the inbox's jobs.
const Queue = "inbox"

// Polling bounds.
const (
	// PollTick is how often due channels are looked for.
	PollTick = 15 * time.Second
	// MinPollEvery floors a connector's PollEvery.
	MinPollEvery = 10 * time.Second
	// DefaultPollEvery is used when a connector says nothing.
	DefaultPollEvery = time.Minute
	// MaxBackoff caps the wait after repeated failures.
	MaxBackoff = time.Hour
	// PollLease is how long a claimed poll keeps other runs away; a run
	// that dies is replaced after it.
	PollLease = 5 * time.Minute
	// MaxPages bounds the pages one poll reads; a larger backlog goes on at
	// the next poll.
	MaxPages = 10
	// FetchLimit is the items asked for in one page.
	FetchLimit = 100
	// FirstFetchBack bounds a channel's first fetch: nothing older is read.
	FirstFetchBack = 7 * 24 * time.Hour
	// OurPostsBack is how far back our published posts are passed to
	// networks whose comments are read per post.
	OurPostsBack = 30 * 24 * time.Hour
	maxOurPosts  = 50
	// PublishReserve is the share (in percent) of an account's rate
	// budget that polling leaves to publishing: below it, the next poll
	// waits for the window's reset.
	PublishReserve = 20
)

// PollDueArgs is the periodic job that enqueues the due polls.
type PollDueArgs struct{}

// Kind implements river.JobArgs.
func (PollDueArgs) Kind() string { return "inbox_poll_due" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (PollDueArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Queue, MaxAttempts: 1}
}

// PollArgs polls one channel's inbox.
type PollArgs struct {
	ChannelID int64 `json:"channel_id"`
}

// Kind implements river.JobArgs.
func (PollArgs) Kind() string { return "inbox_poll" }

// InsertOpts implements river.JobArgsWithInsertOpts: one job per channel
// while one waits or runs (a finished one does not count, or the channel
// would never be polled again).
func (PollArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Queue, MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled}}}
}

// PeriodicJobs are the inbox's River periodic jobs.
func (s *Service) PeriodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(PollTick),
		func() (river.JobArgs, *river.InsertOpts) { return PollDueArgs{}, nil },
		&river.PeriodicJobOpts{ID: PollDueArgs{}.Kind(), RunOnStart: true})}
}

// Register adds the inbox's workers.
func (s *Service) Register(workers *river.Workers) {
	river.AddWorker(workers, &pollDueWorker{s: s})
	river.AddWorker(workers, &pollWorker{s: s})
	river.AddWorker(workers, &replyWorker{s: s})
	river.AddWorker(workers, &ruleActWorker{s: s})
}

type pollDueWorker struct {
	river.WorkerDefaults[PollDueArgs]
	s *Service
}

func (w *pollDueWorker) Work(ctx context.Context, job *river.Job[PollDueArgs]) error {
	_, err := w.s.EnqueueDue(ctx)
	return err
}

type pollWorker struct {
	river.WorkerDefaults[PollArgs]
	s *Service
}

func (w *pollWorker) Work(ctx context.Context, job *river.Job[PollArgs]) error {
	return w.s.Poll(ctx, job.Args.ChannelID)
}

// EnqueueDue enqueues a poll job for every active channel with an inbox
// whose poll is due, and returns how many it asked for (a channel whose job
// is already waiting or running is not enqueued twice).
func (s *Service) EnqueueDue(ctx context.Context) (int, error) {
	now := s.Now().UTC()
	due, err := s.Store.ListInboxPollCandidates(ctx, now)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range due {
		if _, ok := s.inboxOf(c.Network); !ok {
			continue
		}
		if err := s.Store.EnsureInboxPollState(ctx, store.EnsureInboxPollStateParams{ChannelID: c.ID, NextPollAt: now}); err != nil {
			return n, err
		}
		if _, err := s.Store.Jobs().Insert(ctx, PollArgs{ChannelID: c.ID}, nil); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// Poll reads a channel's new inbox items if its poll is due, and schedules
// the next poll. Network failures are not the job's failures: they set the
// channel's next poll (backing off) and its last error, and an
// Unauthorized answer marks the channel for reconnection, which stops
// polling until it is reconnected.
func (s *Service) Poll(ctx context.Context, channelID int64) error {
	now := s.Now().UTC()
	var claimed int64
	// Marked running in the claim's transaction: a stream's gap-fill
	// (streams.go) waits for the mark to go.
	err := s.Store.InTx(ctx, func(tx store.Tx) error {
		var err error
		claimed, err = tx.ClaimInboxPoll(ctx, store.ClaimInboxPollParams{LeaseUntil: now.Add(PollLease), ChannelID: channelID, Now: now})
		if err != nil || claimed == 0 {
			return err
		}
		ps, err := tx.GetInboxPollState(ctx, channelID)
		if err != nil {
			return err
		}
		if ps.RunningUntil != nil && ps.RunningUntil.After(now) {
			claimed = 0
			return errPollRunning // undoes the claim
		}
		return tx.MarkInboxPollRunning(ctx, store.MarkInboxPollRunningParams{RunningUntil: ptr(now.Add(PollLease)), ChannelID: channelID})
	})
	if err != nil || claimed == 0 {
		return ignore(err, errPollRunning)
	}
	defer s.endPollRun(channelID)
	_, err = s.pollClaimed(ctx, channelID, now)
	return err
}

// errPollRunning rolls back a claim taken while a gap-fill runs.
var errPollRunning = errors.New("inbox: a poll of the channel runs")

// ignore is err, or nil when it is target.
func ignore(err, target error) error {
	if errors.Is(err, target) {
		return nil
	}
	return err
}

// pollClaimed is a poll whose claim is held: it returns the network's
// failure (already recorded in the poll state) apart from its own.
func (s *Service) pollClaimed(ctx context.Context, channelID int64, now time.Time) (fetchErr error, err error) {
	ch, err := s.Store.GetChannel(ctx, channelID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil // disconnected meanwhile; its poll state went with it
	}
	if err != nil {
		return nil, err
	}
	ib, ok := s.inboxOf(ch.Network)
	if !ok || ch.Status != string(channels.Active) {
		return nil, nil
	}
	state, err := s.Store.GetInboxPollState(ctx, channelID)
	if err != nil {
		return nil, err
	}
	if until, held := channels.LimitHolds(ch, now); held {
		// The account's budget, shared with publishing, is spent: asking
		// now would only be refused and push the reset further away.
		return nil, s.Store.FinishInboxPoll(ctx, store.FinishInboxPollParams{ChannelID: ch.ID, LastPollAt: state.LastPollAt,
			NextPollAt: until, LastError: state.LastError, Failures: state.Failures, Stopped: state.Stopped})
	}
	acct, err := s.Accounts.Account(ctx, ch)
	if err != nil {
		return nil, err
	}
	every := ib.InboxCapabilities(acct).PollEvery
	if every <= 0 {
		every = DefaultPollEvery
	}
	every = max(every, MinPollEvery)

	var ours []network.Ref
	parts, err := s.Store.ListRecentPublishedParts(ctx, store.ListRecentPublishedPartsParams{ChannelID: ch.ID, Since: ptr(now.Add(-OurPostsBack)), MaxRows: maxOurPosts})
	if err != nil {
		return nil, err
	}
	for _, p := range parts {
		ours = append(ours, network.Ref{ID: p.ExternalID, CID: p.ExternalCID, URL: p.ExternalURL})
	}

	cursor := state.Cursor
	// partial is a part of the inbox the network could not give while the
	// rest came (FetchResult.Partial): recorded, not backed off.
	var partial error
	var budget *network.RateBudget
	for page := 0; page < MaxPages; page++ {
		req := network.FetchRequest{Cursor: cursor, Limit: FetchLimit, OurPosts: ours}
		if cursor == "" {
			req.Since = now.Add(-FirstFetchBack)
		}
		res, err := ib.FetchInbox(ctx, acct, req)
		if err != nil {
			fetchErr = err
			break
		}
		if res.Partial != nil {
			partial = res.Partial
		}
		budget = res.Budget
		// The items and the cursor after them commit together: a crash
		// between pages refetches at most the page that was not saved.
		var got IngestResult
		var told func(context.Context)
		pre := s.analyzeFetch(res.Items)
		err = s.Store.InTxWith(ctx, relaxed, func(tx store.Tx) error {
			var err error
			if got, err = s.ingestTx(ctx, tx, ch, res.Items, pre); err != nil {
				return err
			}
			if err := s.emitCreated(ctx, tx, ch.WorkspaceID, got.created); err != nil {
				return err
			}
			told = s.publishIn(ctx, tx, ch.WorkspaceID, got.Changes)
			return tx.SaveInboxPollCursor(ctx, store.SaveInboxPollCursorParams{Cursor: res.Cursor, ChannelID: ch.ID})
		})
		if err != nil {
			return nil, err
		}
		told(ctx)
		s.notifyAll(ctx, got.notes)
		cursor = res.Cursor
		if !res.More {
			break
		}
	}
	fin := store.FinishInboxPollParams{ChannelID: ch.ID, LastPollAt: &now, NextPollAt: now.Add(every)}
	if fetchErr == nil && partial != nil {
		fin.LastError = network.AsError(partial).Error()
		if s.Log != nil {
			s.Log.Warn("inbox poll: part of the inbox unavailable", "channel", ch.ID, "network", ch.Network, "err", partial)
		}
	}
	var limited time.Time
	if budget != nil && budget.Remaining < budget.Limit*PublishReserve/100 && budget.Reset.After(fin.NextPollAt) {
		// Polling backs off first: what is left of the window is kept
		// for publishing on the same account.
		fin.NextPollAt = budget.Reset
	}
	if fetchErr != nil {
		ne := network.AsError(fetchErr)
		fin.Failures = state.Failures + 1
		fin.LastError = ne.Error()
		wait := backoff(every, fin.Failures)
		switch ne.Kind {
		case network.Unauthorized:
			fin.Stopped = true
			if err := s.Store.UpdateChannelStatus(ctx, store.UpdateChannelStatusParams{Status: string(channels.Reconnect), ID: ch.ID}); err != nil {
				return fetchErr, err
			}
		case network.RateLimited:
			limited = channels.LimitedUntil(now, ne)
			wait = max(wait, limited.Sub(now))
		}
		fin.NextPollAt = now.Add(wait)
		if s.Log != nil {
			s.Log.Warn("inbox poll", "channel", ch.ID, "network", ch.Network, "err", fetchErr, "next", fin.NextPollAt)
		}
	}
	if limited.IsZero() {
		return fetchErr, s.Store.FinishInboxPoll(ctx, fin)
	}
	// The limit holds publishing on the account too (publisher.go).
	return fetchErr, s.Store.InTx(ctx, func(tx store.Tx) error {
		if err := tx.FinishInboxPoll(ctx, fin); err != nil {
			return err
		}
		return channels.RateLimited(ctx, tx, ch.ID, limited)
	})
}

// backoff is the wait after the n-th failure in a row: PollEvery doubled
// each time, capped, with jitter so that channels failing together (a
// network outage) do not come back together.
func backoff(every time.Duration, failures int64) time.Duration {
	d := every
	for i := int64(1); i < failures && d < MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, MaxBackoff)
	return d + rand.N(d/10+1)
}

// PollStatus is how the inbox last read a channel: what a member needs to
// see when nothing arrives from it.
type PollStatus struct {
	// Polled is false until the channel's first poll finished.
	Polled     bool
	LastPollAt time.Time
	NextPollAt time.Time
	// LastError is the network's answer when the last poll, or a part of
	// it (FetchResult.Partial), failed; empty after a clean poll.
	LastError string
	// Failures are the failed polls in a row (0 when only a part failed).
	Failures int64
	// Stopped: the network refused the credentials; polling resumes once
	// the channel is reconnected.
	Stopped bool
}

// PollStatus returns how the inbox last read the channel, for a member
// who reads the workspace.
func (s *Service) PollStatus(ctx context.Context, user store.User, channelID int64) (PollStatus, error) {
	ch, err := s.readableChannel(ctx, user, channelID)
	if err != nil {
		return PollStatus{}, err
	}
	ps, err := s.Store.GetInboxPollState(ctx, ch.ID)
	if errors.Is(err, store.ErrNotFound) {
		return PollStatus{}, nil
	}
	if err != nil {
		return PollStatus{}, err
	}
	st := PollStatus{NextPollAt: ps.NextPollAt, LastError: ps.LastError, Failures: ps.Failures, Stopped: ps.Stopped}
	if ps.LastPollAt != nil {
		st.Polled, st.LastPollAt = true, *ps.LastPollAt
	}
	return st, nil
}
