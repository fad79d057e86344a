package inbox

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/httpx"
	"github.com/tribune-social/tribune/internal/network/mastodon"
	"github.com/tribune-social/tribune/internal/network/mastodon/mastodonfake"
	"github.com/tribune-social/tribune/internal/network/stream"
	"github.com/tribune-social/tribune/internal/ops"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/store/storetest"
)

// fakeAccounts opens the Mastodon channels as Alice on the fake instance,
// with token; the others as the fixture does.
type fakeAccounts struct {
	fake  *mastodonfake.Server
	token string
}

func (a fakeAccounts) Account(ctx context.Context, ch store.Channel) (network.Account, error) {
	if ch.Network != "mastodon" {
		return accounts{}.Account(ctx, ch)
	}
	return network.Account{BaseURL: a.fake.URL(), ExternalID: mastodonfake.Alice, Handle: "@alice@fake.test", Token: network.Token{AccessToken: a.token}}, nil
}

type streamFixture struct {
	*fixture
	fake *mastodonfake.Server
	mch  store.Channel // the Mastodon channel
	bob  string
}

// newStreamFixture is the inbox fixture with a Mastodon channel on a fake
// instance, on the real clock (the leases and the fake's statuses are).
func newStreamFixture(t *testing.T, st store.Store) *streamFixture {
	t.Helper()
	f := newFixture(t, st)
	fake := mastodonfake.New(t)
	f.s.Connectors["mastodon"] = mastodon.New(httpx.NewClient(httpx.Options{AllowPrivate: true}))
	f.s.Accounts = fakeAccounts{fake: fake, token: fake.Token()}
	f.s.Now = time.Now
	return &streamFixture{fixture: f, fake: fake, mch: f.channel(t, f.ws, "mastodon"), bob: fake.AddAccount("bob")}
}

func (sf *streamFixture) mention(text string) string {
	return sf.fake.PostAs(sf.bob, mastodonfake.Post{Text: "@alice " + text, Mentions: []string{mastodonfake.Alice}}).ID
}

// start runs a manager for node until the returned stop (or the test's end).
func start(t *testing.T, s *Service, node string, sv stream.Supervisor) (*Streams, func()) {
	t.Helper()
	m := &Streams{Inbox: s, Node: node, Tick: 20 * time.Millisecond, Lease: time.Minute, Retry: 10 * time.Millisecond, Supervisor: sv}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run = %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return m, stop
}

// waitFor waits for cond, failing the test after a generous deadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(15 * time.Second); !cond(); {
		if time.Now().After(end) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (sf *streamFixture) stored(t *testing.T, id string) (store.InboxItem, bool) {
	t.Helper()
	it, err := sf.st.GetInboxItemByExternal(context.Background(), store.GetInboxItemByExternalParams{ChannelID: sf.mch.ID, ExternalID: id})
	if errors.Is(err, store.ErrNotFound) {
		return it, false
	}
	must(t, err)
	return it, true
}

// polled reports whether a poll of the Mastodon channel finished and none
// runs.
func (sf *streamFixture) polled(t *testing.T) bool {
	ps, err := sf.st.GetInboxPollState(context.Background(), sf.mch.ID)
	if errors.Is(err, store.ErrNotFound) {
		return false
	}
	must(t, err)
	return ps.LastPollAt != nil && ps.RunningUntil == nil
}

// notificationReads counts the fake's notification reads (each poll makes
// at least one).
func (sf *streamFixture) notificationReads() int {
	n := 0
	for _, r := range sf.fake.Requests() {
		if strings.HasPrefix(r, "GET /api/v1/notifications") {
			n++
		}
	}
	return n
}

// An item pushed while the stream runs is stored at once, without a poll;
// its deletion marks it deleted and keeps its text; a stream dropped
// reconnects and the items written while it was down come through the
// gap-fill, each stored once; shutdown stops the stream and gives the
// lease back.
func TestStreamIngestsGapFillsAndStops(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		sf := newStreamFixture(t, st)
		gate := make(chan struct{})
		m, stop := start(t, sf.s, "node-a", stream.Supervisor{MinBackoff: time.Millisecond,
			// The reconnect waits for the test, so that the mentions
			// written while the stream is down can only come from the
			// gap-fill.
			Sleep: func(ctx context.Context, _ time.Duration) error {
				select {
				case <-gate:
					return nil
				case <-ctx.Done():
					return ctx.Err()
				}
			}})
		waitFor(t, "the stream connects", func() bool {
			select {
			case <-sf.fake.Connected():
				return true
			default:
				return false
			}
		})
		waitFor(t, "the first gap-fill ends", func() bool { return sf.polled(t) })
		if m.Running() != 1 {
			t.Fatalf("%d streams run, want 1 (the fake network's channel does not stream)", m.Running())
		}
		reads := sf.notificationReads()

		// The status page counts the node's streams.
		now := time.Now().UTC()
		must(t, st.UpsertHeartbeat(context.Background(), store.UpsertHeartbeatParams{NodeID: "node-a", Hostname: "h", PID: 1, Roles: "workers", Version: "test", StartedAt: now, SeenAt: now}))
		rep, err := (&ops.Status{Store: st, Now: time.Now}).Read(context.Background(), sf.owner)
		must(t, err)
		if len(rep.Nodes) != 1 || rep.Nodes[0].InboxStreams != 1 {
			t.Errorf("status page nodes %+v, want node-a with 1 inbox stream", rep.Nodes)
		}

		m1 := sf.mention("love the launch")
		waitFor(t, "the streamed mention is stored", func() bool { _, ok := sf.stored(t, m1); return ok })
		if got := sf.notificationReads(); got != reads {
			t.Errorf("%d notification reads while streaming, want none: the item must come from the stream", got-reads)
		}
		it, _ := sf.stored(t, m1)
		if it.Kind != string(network.KindMention) || it.Sentiment != "positive" {
			t.Errorf("streamed item: kind %q sentiment %q, want an analysed mention", it.Kind, it.Sentiment)
		}

		sf.fake.Remove(m1)
		waitFor(t, "the deletion marks the item deleted", func() bool { it, _ := sf.stored(t, m1); return it.DeletedAt != nil })
		if it, _ := sf.stored(t, m1); it.Text != "@alice love the launch" || it.Kind != string(network.KindMention) {
			t.Errorf("deleted item: text %q kind %q, want what the team saw", it.Text, it.Kind)
		}

		sf.fake.DropStreams()
		m2, m3 := sf.mention("two"), sf.mention("three") // nobody is listening
		close(gate)
		waitFor(t, "the stream reconnects", func() bool {
			select {
			case <-sf.fake.Connected():
				return true
			default:
				return false
			}
		})
		waitFor(t, "the gap-fill brings what was written during the drop", func() bool {
			_, ok2 := sf.stored(t, m2)
			_, ok3 := sf.stored(t, m3)
			return ok2 && ok3
		})
		if sf.notificationReads() == reads {
			t.Error("no poll after the reconnect: the gap was not filled")
		}
		m4 := sf.mention("four")
		waitFor(t, "the reconnected stream delivers", func() bool { _, ok := sf.stored(t, m4); return ok })
		count := map[string]int{}
		for _, it := range sf.allItems(t) {
			count[it.ExternalID]++
		}
		for _, id := range []string{m1, m2, m3, m4} {
			if count[id] != 1 {
				t.Errorf("%s stored %d times, want once", id, count[id])
			}
		}
		if len(count) != 4 {
			t.Errorf("%d items stored, want 4: %v", len(count), count)
		}

		stop()
		if m.Running() != 0 {
			t.Errorf("%d streams run after shutdown", m.Running())
		}
		// The lease was given back: another node takes the channel at once
		// (not when the lease runs out).
		other := &Streams{Inbox: sf.s, Node: "node-b", Lease: time.Minute}
		ok, err := other.claim(context.Background(), sf.mch.ID, time.Now().UTC())
		must(t, err)
		if !ok {
			t.Error("the stopped node still holds the channel's lease")
		}
	})
}

// Refused credentials stop the stream and mark the channel for
// reconnection, as the poll does; it is not started again.
func TestStreamStopsOnRefusedCredentials(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		sf := newStreamFixture(t, st)
		sf.s.Accounts = fakeAccounts{fake: sf.fake, token: "revoked"}
		m, _ := start(t, sf.s, "node-a", stream.Supervisor{MinBackoff: time.Millisecond})
		waitFor(t, "the channel is marked for reconnection", func() bool {
			ch, err := st.GetChannel(context.Background(), sf.mch.ID)
			must(t, err)
			return ch.Status == "reconnect"
		})
		n := m.syncs.Load()
		waitFor(t, "two more passes of the manager", func() bool { return m.syncs.Load() >= n+2 })
		if m.Running() != 0 {
			t.Errorf("%d streams run for a channel whose credentials were refused", m.Running())
		}
	})
}

// A deletion pushed by a stream (no kind, only the id) marks a stored item
// deleted and is ignored for an item never stored.
func TestIngestDeletionEvent(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		f := newFixture(t, st)
		ctx := context.Background()
		_, err := f.s.Ingest(ctx, f.ch, comments(1, 1))
		must(t, err)
		res, err := f.s.Ingest(ctx, f.ch, []network.Item{{ExternalID: "c1", Ref: network.Ref{ID: "c1"}, Deleted: true}, {ExternalID: "gone", Ref: network.Ref{ID: "gone"}, Deleted: true}})
		must(t, err)
		if res.Updated != 1 || res.Unknown != 1 || res.Added != 0 {
			t.Errorf("ingest = %+v, want 1 updated and 1 unknown", res)
		}
		items := f.allItems(t)
		if len(items) != 1 {
			t.Fatalf("%d items, want 1 (an unknown deletion stores nothing)", len(items))
		}
		if it := items[0]; it.DeletedAt == nil || it.Text != "comment number 1" || it.Kind != string(network.KindComment) {
			t.Errorf("item after its deletion: deleted %v text %q kind %q", it.DeletedAt, it.Text, it.Kind)
		}
	})
}

// Two nodes on one PostgreSQL database: one stream per channel, never two;
// when the node running it stops, the other takes it over.
func TestTwoNodesRunOneStream(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, b := twoNodes(t)
	sf := newStreamFixture(t, a)
	// The second node: the same service on its own connection (a copy
	// field by field, since a Service holds its own rule cache).
	sb := Service{Store: b, Auth: sf.s.Auth, Connectors: sf.s.Connectors, Accounts: sf.s.Accounts, Analyzer: sf.s.Analyzer,
		Notifier: sf.s.Notifier, Log: sf.s.Log, Now: sf.s.Now}

	// The lease itself: many claims at once, one winner (on a channel of
	// its own, which does not stream, so the managers leave it alone).
	race := sf.channel(t, sf.ws, "fake")
	var wins atomic.Int32
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := sf.s
			if i%2 == 1 {
				s = &sb
			}
			ok, err := (&Streams{Inbox: s, Node: "racer" + string(rune('a'+i))}).claim(ctx, race.ID, time.Now().UTC())
			if err != nil {
				t.Error(err)
			}
			if ok {
				wins.Add(1)
			}
		}()
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Fatalf("%d nodes got the lease, want 1", wins.Load())
	}
	ma, stopA := start(t, sf.s, "node-a", stream.Supervisor{MinBackoff: time.Millisecond})
	mb, stopB := start(t, &sb, "node-b", stream.Supervisor{MinBackoff: time.Millisecond})
	waitFor(t, "a stream runs", func() bool { return ma.Running()+mb.Running() == 1 })
	na, nb := ma.syncs.Load(), mb.syncs.Load()
	waitFor(t, "ten more passes of each manager", func() bool { return ma.syncs.Load() >= na+10 && mb.syncs.Load() >= nb+10 })
	if ma.Running()+mb.Running() != 1 {
		t.Fatalf("%d + %d streams run, want one in all", ma.Running(), mb.Running())
	}
	connections := 0
	for done := false; !done; {
		select {
		case <-sf.fake.Connected():
			connections++
		default:
			done = true
		}
	}
	if connections != 1 {
		t.Errorf("%d stream connections, want 1", connections)
	}
	runner, stopRunner, other := ma, stopA, mb
	if ma.Running() == 0 {
		runner, stopRunner, other = mb, stopB, ma
	}
	m1 := sf.mention("first")
	waitFor(t, "the mention is stored", func() bool { _, ok := sf.stored(t, m1); return ok })
	// The node running the stream stops; the other takes it over.
	stopRunner()
	if runner.Running() != 0 {
		t.Errorf("a stopped node runs %d streams", runner.Running())
	}
	waitFor(t, "the other node takes the stream over", func() bool { return other.Running() == 1 })
	m2 := sf.mention("second")
	waitFor(t, "the mention is stored by the other node", func() bool { _, ok := sf.stored(t, m2); return ok })
}

// A gap-fill waits while a periodic poll of its channel runs, and a
// periodic poll does not start while a gap-fill runs: the channel is never
// fetched twice at once.
func TestGapFillAndPeriodicPollNeverOverlap(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		f := newFixture(t, st)
		f.s.Now = time.Now
		ctx := context.Background()
		var running, most, calls atomic.Int32
		entered, release := make(chan struct{}, 10), make(chan struct{})
		f.conn.fetch = func(req network.FetchRequest) (network.FetchResult, error) {
			n := running.Add(1)
			defer running.Add(-1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			calls.Add(1)
			entered <- struct{}{}
			<-release
			return network.FetchResult{Items: comments(1, 2), Cursor: "2"}, nil
		}
		waitEntered := func() {
			t.Helper()
			select {
			case <-entered:
			case <-time.After(15 * time.Second):
				t.Fatal("no fetch started")
			}
		}
		must(t, st.EnsureInboxPollState(ctx, store.EnsureInboxPollStateParams{ChannelID: f.ch.ID, NextPollAt: time.Now().UTC().Add(-time.Second)}))
		m := &Streams{Inbox: f.s, Node: "n", Retry: time.Millisecond}

		pollDone := make(chan error, 1)
		go func() { pollDone <- f.s.Poll(ctx, f.ch.ID) }()
		waitEntered()
		gapDone := make(chan error, 1)
		go func() { gapDone <- m.gapFill(ctx, f.ch.ID) }()
		waitFor(t, "the gap-fill waits for the running poll", func() bool { return m.gapWaits.Load() >= 3 })
		if calls.Load() != 1 {
			t.Fatalf("%d fetches while a poll runs, want 1", calls.Load())
		}
		release <- struct{}{} // the periodic poll ends
		must(t, <-pollDone)
		waitEntered() // then the gap-fill fetches

		// A periodic poll due while the gap-fill runs does not start.
		must(t, st.FinishInboxPoll(ctx, store.FinishInboxPollParams{ChannelID: f.ch.ID, NextPollAt: time.Now().UTC().Add(-time.Second)}))
		pd := make(chan error, 1)
		go func() { pd <- f.s.Poll(ctx, f.ch.ID) }()
		select {
		case err := <-pd: // it did not claim the poll
			must(t, err)
		case <-entered:
			t.Error("a periodic poll fetched while the gap-fill ran")
			// Two fetches wait: let both go, in whichever order.
			release <- struct{}{}
			release <- struct{}{}
			must(t, <-pd)
			must(t, <-gapDone)
			return
		}
		release <- struct{}{}
		must(t, <-gapDone)
		if calls.Load() != 2 || most.Load() != 1 {
			t.Errorf("%d fetches, at most %d at once; want 2, one at a time", calls.Load(), most.Load())
		}
		ps, err := st.GetInboxPollState(ctx, f.ch.ID)
		must(t, err)
		if ps.RunningUntil != nil || ps.Cursor != "2" {
			t.Errorf("after the gap-fill: running until %v, cursor %q; want no run and the cursor saved", ps.RunningUntil, ps.Cursor)
		}
	})
}

// A node that died stops renewing its lease; once the lease has run out,
// another node takes the stream over.
func TestDeadNodesStreamIsTakenOver(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		sf := newStreamFixture(t, st)
		dead := &Streams{Inbox: sf.s, Node: "dead", Lease: 300 * time.Millisecond}
		ok, err := dead.claim(context.Background(), sf.mch.ID, time.Now().UTC())
		must(t, err)
		if !ok {
			t.Fatal("the first node could not take the lease")
		}
		m, _ := start(t, sf.s, "node-b", stream.Supervisor{MinBackoff: time.Millisecond})
		waitFor(t, "node-b takes the stream over", func() bool { return m.Running() == 1 })
		m1 := sf.mention("after the takeover")
		waitFor(t, "the mention is stored", func() bool { _, ok := sf.stored(t, m1); return ok })
	})
}

// countingAccounts counts the credentials opened.
type countingAccounts struct {
	Accounts
	n atomic.Int64
}

func (c *countingAccounts) Account(ctx context.Context, ch store.Channel) (network.Account, error) {
	c.n.Add(1)
	return c.Accounts.Account(ctx, ch)
}

// The manager looks for channels to stream at every pass (StreamTick), but
// opens a channel's credentials only when they changed since it last did.
func TestStreamsOpenCredentialsOnlyOnChange(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		sf := newStreamFixture(t, st)
		acc := &countingAccounts{Accounts: sf.s.Accounts}
		sf.s.Accounts = acc
		m := &Streams{Inbox: sf.s, Node: "n", Lease: time.Minute}
		pass := func() {
			if _, ok := m.streamerOf(ctx, sf.mch.ID, sf.mch.Network); !ok {
				t.Fatal("the Mastodon channel does not stream")
			}
		}
		for range 3 {
			pass()
		}
		if got := acc.n.Load(); got != 1 {
			t.Fatalf("credentials opened %d times over three passes, want 1", got)
		}
		// Reconnected with a new token: read again, once.
		must(t, st.UpdateChannelToken(ctx, store.UpdateChannelTokenParams{TokenCiphertext: []byte{2}, TokenKeyID: "k1", ID: sf.mch.ID}))
		for range 2 {
			pass()
		}
		if got := acc.n.Load(); got != 2 {
			t.Errorf("credentials opened %d times after a new token, want 2", got)
		}
	})
}
