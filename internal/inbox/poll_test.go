package inbox

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/store/postgres"
	"github.com/tribune-social/tribune/internal/store/storetest"
)

// pager serves n comments in pages of the request's limit, the cursor
// being the number already served.
func pager(n int) func(req network.FetchRequest) (network.FetchResult, error) {
	return func(req network.FetchRequest) (network.FetchResult, error) {
		from, _ := strconv.Atoi(req.Cursor)
		to := min(from+req.Limit, n)
		return network.FetchResult{Items: comments(from+1, to), Cursor: strconv.Itoa(to), More: to < n}, nil
	}
}

// A poll pages through the backlog, stores every item with the cursor
// after it, and is not due again before the network's PollEvery.
func TestPollPagesStoresCursorAndWaitsPollEvery(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		var calls atomic.Int32
		serve := pager(250)
		f.conn.fetch = func(req network.FetchRequest) (network.FetchResult, error) {
			calls.Add(1)
			if req.Cursor == "" && !req.Since.Equal(f.now.Add(-FirstFetchBack)) {
				t.Errorf("first fetch since %v, want %v", req.Since, f.now.Add(-FirstFetchBack))
			}
			if len(req.OurPosts) != 1 || req.OurPosts[0].ID != ourPostID {
				t.Errorf("our posts %+v, want the published one", req.OurPosts)
			}
			return serve(req)
		}
		must(t, st.EnsureInboxPollState(ctx, store.EnsureInboxPollStateParams{ChannelID: f.ch.ID, NextPollAt: f.now}))
		must(t, f.s.Poll(ctx, f.ch.ID))
		if got := len(f.allItems(t)); got != 250 || calls.Load() != 3 {
			t.Fatalf("after one poll: %d items in %d fetches, want 250 in 3", got, calls.Load())
		}
		ps, err := st.GetInboxPollState(ctx, f.ch.ID)
		must(t, err)
		if ps.Cursor != "250" || !ps.NextPollAt.Equal(f.now.Add(time.Minute)) || ps.Failures != 0 {
			t.Errorf("poll state %+v, want cursor 250, next poll a minute later, no failure", ps)
		}
		must(t, f.s.Poll(ctx, f.ch.ID))
		if calls.Load() != 3 {
			t.Errorf("a poll before PollEvery fetched again")
		}
		f.now = f.now.Add(time.Minute)
		must(t, f.s.Poll(ctx, f.ch.ID))
		if calls.Load() != 4 {
			t.Errorf("a due poll made %d fetches in all, want 4", calls.Load())
		}
	})
}

// Rate limits and failures push the next poll back; refused credentials
// mark the channel for reconnection, which stops polling.
func TestPollBacksOffAndStopsOnRefusedCredentials(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		var fail error
		f.conn.fetch = func(req network.FetchRequest) (network.FetchResult, error) { return network.FetchResult{}, fail }
		state := func() store.InboxPollState {
			ps, err := st.GetInboxPollState(ctx, f.ch.ID)
			must(t, err)
			return ps
		}
		must(t, st.EnsureInboxPollState(ctx, store.EnsureInboxPollStateParams{ChannelID: f.ch.ID, NextPollAt: f.now}))

		fail = &network.Error{Kind: network.RateLimited, Status: 429, RetryAfter: 10 * time.Minute}
		must(t, f.s.Poll(ctx, f.ch.ID))
		if ps := state(); ps.NextPollAt.Before(f.now.Add(10*time.Minute)) || ps.Failures != 1 || ps.LastError == "" {
			t.Errorf("after a 429: %+v, want the next poll 10 minutes on and the error kept", ps)
		}
		f.now = state().NextPollAt
		fail = &network.Error{Kind: network.Temporary, Status: 503}
		must(t, f.s.Poll(ctx, f.ch.ID))
		if ps := state(); ps.NextPollAt.Before(f.now.Add(2*time.Minute)) || ps.Failures != 2 {
			t.Errorf("after a second failure: next in %v, failures %d; want at least 2 minutes (doubled), 2", ps.NextPollAt.Sub(f.now), ps.Failures)
		}

		f.now = state().NextPollAt
		fail = &network.Error{Kind: network.Unauthorized, Status: 401}
		must(t, f.s.Poll(ctx, f.ch.ID))
		ch, err := st.GetChannel(ctx, f.ch.ID)
		must(t, err)
		if !state().Stopped || ch.Status != "reconnect" {
			t.Errorf("after a 401: stopped %v, channel %s; want stopped and reconnect", state().Stopped, ch.Status)
		}
		f.now = f.now.Add(24 * time.Hour)
		due, err := st.ListInboxPollCandidates(ctx, f.now)
		must(t, err)
		for _, c := range due {
			if c.ID == f.ch.ID {
				t.Errorf("a channel to reconnect is still polled")
			}
		}
	})
}

// twoNodes opens the PostgreSQL test database twice, as two nodes of one
// deployment would, migrated; both close when the test ends.
func twoNodes(t *testing.T) (a, b *postgres.Store) {
	t.Helper()
	url := storetest.PostgresURL(t)
	open := func() *postgres.Store {
		st, err := postgres.Open(context.Background(), url)
		must(t, err)
		t.Cleanup(func() { st.Close() })
		return st
	}
	a, b = open(), open()
	must(t, a.Migrate(context.Background()))
	return a, b
}

// Two River clients (two nodes) on one PostgreSQL database, both asked to
// enqueue the due polls again and again while a poll is running, and a
// second run of the same poll started by hand (a rescued job): the channel
// is fetched by one run only.
func TestTwoNodesNeverPollOneChannelTwice(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, b := twoNodes(t)
	f := newFixture(t, a)
	f.now = time.Now().UTC() // River runs the jobs on the real clock
	var running, most, calls atomic.Int32
	release := make(chan struct{})
	f.conn.fetch = func(req network.FetchRequest) (network.FetchResult, error) {
		n := running.Add(1)
		defer running.Add(-1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		calls.Add(1)
		<-release
		return network.FetchResult{Items: comments(1, 3), Cursor: "3"}, nil
	}
	nodes := []*Service{f.s, {Store: b, Auth: f.s.Auth, Connectors: f.s.Connectors, Accounts: accounts{}, Analyzer: words{}, Now: f.clock}}
	for i, st := range []store.Store{a, b} {
		workers := river.NewWorkers()
		nodes[i].Register(workers)
		must(t, st.SetupJobs(&river.Config{ID: "node" + strconv.Itoa(i), Workers: workers, FetchPollInterval: 50 * time.Millisecond, FetchCooldown: 10 * time.Millisecond,
			Queues: map[string]river.QueueConfig{Queue: {MaxWorkers: 4}}}))
		must(t, st.Jobs().Start(ctx))
		t.Cleanup(func() { _ = st.Jobs().Stop(context.Background()) })
	}
	var wg sync.WaitGroup
	for round := 0; round < 5; round++ {
		for _, n := range nodes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := n.EnqueueDue(ctx); err != nil {
					t.Error(err)
				}
			}()
		}
	}
	wg.Wait()
	deadline := time.Now().Add(10 * time.Second)
	for calls.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	// While that poll runs: more enqueues from both nodes, and the same
	// poll run by hand on the other node.
	for _, n := range nodes {
		if _, err := n.EnqueueDue(ctx); err != nil {
			t.Fatal(err)
		}
	}
	handDone := make(chan error, 1)
	go func() { handDone <- nodes[1].Poll(ctx, f.ch.ID) }()
	// The hand run either returns at once (it could not claim the poll) or,
	// were the guarantee broken, fetches too: wait for one or the other.
	var handErr error
	handReturned := false
	for end := time.Now().Add(2 * time.Second); !handReturned && calls.Load() < 2 && time.Now().Before(end); {
		select {
		case handErr = <-handDone:
			handReturned = true
		case <-time.After(10 * time.Millisecond):
		}
	}
	close(release)
	if !handReturned {
		handErr = <-handDone
	}
	must(t, handErr)
	for time.Now().Before(deadline) {
		ps, err := a.GetInboxPollState(ctx, f.ch.ID)
		must(t, err)
		counts, err := a.JobCounts(ctx)
		must(t, err)
		busy := false
		for _, c := range counts {
			if c.Queue == Queue && c.State != "completed" && c.State != "discarded" && c.State != "cancelled" {
				busy = true
			}
		}
		if ps.LastPollAt != nil && !busy {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if calls.Load() != 1 || most.Load() != 1 {
		t.Errorf("the channel was fetched %d times, at most %d at once; want once", calls.Load(), most.Load())
	}
	if got := len(f.allItems(t)); got != 3 {
		t.Errorf("%d items stored, want 3", got)
	}
}

// The enqueuer asks for one poll per due inbox channel, and asking again
// while that job waits adds none; a channel whose network has no inbox is
// never polled.
func TestEnqueueDueOncePerChannel(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		f.channel(t, f.ws, "no-inbox-network") // no connector: no inbox
		// Insert-only, like a web node: the jobs wait to be counted.
		must(t, st.SetupJobs(&river.Config{}))
		for range 3 {
			n, err := f.s.EnqueueDue(ctx)
			must(t, err)
			if n != 1 {
				t.Errorf("EnqueueDue asked for %d polls, want 1 (the fake channel)", n)
			}
		}
		counts, err := st.JobCounts(ctx)
		must(t, err)
		jobs := 0
		for _, c := range counts {
			if c.Kind == (PollArgs{}).Kind() {
				jobs += int(c.Count)
			}
		}
		if jobs != 1 {
			t.Errorf("%d poll jobs waiting, want 1: %+v", jobs, counts)
		}
	})
}

// Polling backs off first when the account's budget runs low: below the
// reserve kept for publishing, the next poll waits for the window's reset;
// above it, the usual PollEvery.
func TestPollLeavesTheReserveToPublishing(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		f := newFixture(t, st)
		reset := f.now.Add(4 * time.Minute)
		for _, c := range []struct {
			name      string
			remaining int
			want      time.Time
		}{
			{"plenty left", 200, f.now.Add(time.Minute)},
			{"below the reserve", 300*PublishReserve/100 - 1, reset},
		} {
			t.Run(c.name, func(t *testing.T) {
				f.conn.fetch = func(req network.FetchRequest) (network.FetchResult, error) {
					return network.FetchResult{Cursor: req.Cursor, Budget: &network.RateBudget{Limit: 300, Remaining: c.remaining, Reset: reset}}, nil
				}
				if ps := f.pollDue(t, f.ch.ID); !ps.NextPollAt.Equal(c.want) {
					t.Errorf("%d of 300 left: next poll %v, want %v", c.remaining, ps.NextPollAt, c.want)
				}
			})
		}
	})
}

// pollDue makes the channel due now, polls it, and returns its poll state.
func (f *fixture) pollDue(t *testing.T, channelID int64) store.InboxPollState {
	t.Helper()
	ctx := context.Background()
	must(t, f.st.EnsureInboxPollState(ctx, store.EnsureInboxPollStateParams{ChannelID: channelID, NextPollAt: f.now}))
	must(t, f.st.FinishInboxPoll(ctx, store.FinishInboxPollParams{ChannelID: channelID, NextPollAt: f.now}))
	must(t, f.s.Poll(ctx, channelID))
	ps, err := f.st.GetInboxPollState(ctx, channelID)
	must(t, err)
	return ps
}

// A Bluesky channel's polls back off first as a Mastodon one's do, read
// by the real connector from the PDS's RateLimit-* headers: with plenty
// left the next poll is PollEvery away; once a poll leaves less than the
// reserve (other clients behind the address spent the rest), it waits
// for the window's reset; past the limit, the PDS's 429 holds the channel
// until then.
func TestBlueskyPollLeavesTheReserveToPublishing(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		f := newFixture(t, st)
		// The PDS's window runs on the real clock (to the second, as stored).
		f.now = time.Now().UTC().Truncate(time.Second)
		pds, ch := f.blueskyChannel(t)
		pds.RateLimit.Set(3000, 5*time.Minute)
		reset := pds.RateLimit.Reset()

		if ps := f.pollDue(t, ch.ID); ps.LastError != "" || !ps.NextPollAt.Equal(f.now.Add(time.Minute)) {
			t.Fatalf("%d of 3000 left: next poll in %v (error %q), want a minute", pds.RateLimit.Remaining(), ps.NextPollAt.Sub(f.now), ps.LastError)
		}
		pds.RateLimit.Spend(pds.RateLimit.Remaining() - 3000*PublishReserve/100)
		if ps := f.pollDue(t, ch.ID); ps.LastError != "" || !ps.NextPollAt.Equal(reset) {
			t.Errorf("%d of 3000 left: next poll %v (error %q), want the window's reset %v", pds.RateLimit.Remaining(), ps.NextPollAt, ps.LastError, reset)
		}
		if until := limitedUntil(t, st, ch.ID); until != nil {
			t.Errorf("under the reserve the channel is held until %v, want publishing free to spend it", until)
		}

		pds.RateLimit.Spend(pds.RateLimit.Remaining())
		ps := f.pollDue(t, ch.ID)
		until := limitedUntil(t, st, ch.ID)
		if until == nil || until.Before(reset.Add(-2*time.Second)) || until.After(reset.Add(2*time.Second)) || ps.NextPollAt.Before(*until) {
			t.Errorf("past the limit: channel held until %v, next poll %v; want both at the window's reset %v", until, ps.NextPollAt, reset)
		}
	})
}

// A part of the inbox the network could not give (Bluesky's chat down)
// does not hold back what came: the items and cursor are stored, the
// failure is kept as the channel's last error, and the poll does not back
// off; the next clean poll clears it.
func TestPollStoresWhatCameAndRecordsAPartialFailure(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		var partial error
		f.conn.fetch = func(req network.FetchRequest) (network.FetchResult, error) {
			return network.FetchResult{Items: comments(1, 2), Cursor: "c2", Partial: partial}, nil
		}
		state := func() store.InboxPollState {
			ps, err := st.GetInboxPollState(ctx, f.ch.ID)
			must(t, err)
			return ps
		}
		must(t, st.EnsureInboxPollState(ctx, store.EnsureInboxPollStateParams{ChannelID: f.ch.ID, NextPollAt: f.now}))
		partial = &network.Error{Kind: network.Temporary, Status: 502, Message: "chat service unreachable"}
		must(t, f.s.Poll(ctx, f.ch.ID))
		ps := state()
		if n := len(f.allItems(t)); n != 2 || ps.Cursor != "c2" {
			t.Fatalf("after a partial fetch: %d items, cursor %q; want 2 and c2", n, ps.Cursor)
		}
		if !strings.Contains(ps.LastError, "chat service unreachable") || ps.Failures != 0 || ps.NextPollAt.After(f.now.Add(2*DefaultPollEvery)) {
			t.Errorf("after a partial fetch: %+v, want the error kept, no failure counted, no backoff", ps)
		}
		f.now = ps.NextPollAt
		partial = nil
		must(t, f.s.Poll(ctx, f.ch.ID))
		if ps := state(); ps.LastError != "" {
			t.Errorf("a clean poll kept the last error %q", ps.LastError)
		}
	})
}
