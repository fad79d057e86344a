package live_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tribune-social/tribune/internal/live"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/store/storetest"
)

// next waits for the next event on ch, failing after a deadline.
func next(t *testing.T, ch <-chan live.Event) live.Event {
	t.Helper()
	select {
	case e, ok := <-ch:
		if !ok {
			t.Fatal("subscription closed")
		}
		return e
	case <-time.After(5 * time.Second):
		t.Fatal("no event within 5 s")
	}
	return live.Event{}
}

// nothing checks that ch holds no event (after deliveries that are
// synchronous in process, or after a later event on the same node arrived).
func nothing(t *testing.T, ch <-chan live.Event) {
	t.Helper()
	select {
	case e := <-ch:
		t.Fatalf("unexpected event %+v", e)
	default:
	}
}

func TestInProcessReachesOnlyTheWorkspace(t *testing.T) {
	t.Parallel()
	b := live.New(live.Options{})
	if err := b.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer b.Stop()
	a1, stopA1 := b.Subscribe(1)
	defer stopA1()
	a2, stopA2 := b.Subscribe(1)
	defer stopA2()
	other, stopOther := b.Subscribe(2)
	defer stopOther()
	sent := live.Event{Type: "item.new", Subject: "conv-7", Data: json.RawMessage(`{"item":42}`)}
	if err := b.Publish(context.Background(), 1, sent); err != nil {
		t.Fatal(err)
	}
	for _, ch := range []<-chan live.Event{a1, a2} {
		if got := next(t, ch); got.Type != sent.Type || got.Subject != sent.Subject || string(got.Data) != string(sent.Data) {
			t.Errorf("got %+v, want %+v", got, sent)
		}
	}
	nothing(t, other)
}

func TestSlowSubscriberDoesNotBlockAndIsToldToResync(t *testing.T) {
	t.Parallel()
	b := live.New(live.Options{Buffer: 4})
	defer b.Stop()
	slow, stopSlow := b.Subscribe(1) // never read until the end
	defer stopSlow()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 100 {
			if err := b.Publish(context.Background(), 1, live.Event{Type: "item.new", Subject: fmt.Sprint(i)}); err != nil {
				t.Error(err)
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("publishing 100 events blocked on a subscriber that does not read")
	}
	// The slow subscriber holds exactly one resync and nothing older than it.
	var slowGot []live.Event
	for len(slow) > 0 {
		slowGot = append(slowGot, <-slow)
	}
	if len(slowGot) == 0 || len(slowGot) > 4 {
		t.Fatalf("slow subscriber holds %d events, want 1 to 4", len(slowGot))
	}
	resyncs := 0
	for _, e := range slowGot {
		if e.Type == live.TypeResync {
			resyncs++
		}
	}
	if resyncs != 1 || slowGot[0].Type != live.TypeResync {
		t.Errorf("slow subscriber got %+v, want a resync first and only once", slowGot)
	}
	if last := slowGot[len(slowGot)-1]; last.Type != live.TypeResync && last.Subject != "99" {
		t.Errorf("slow subscriber's last event is %+v, want the newest", last)
	}
}

func TestStopEndsSubscriptions(t *testing.T) {
	t.Parallel()
	b := live.New(live.Options{})
	ch, cancel := b.Subscribe(1)
	b.Stop()
	if _, ok := <-ch; ok {
		t.Fatal("subscription still open after Stop")
	}
	cancel() // after Stop: no double close
	if err := b.Publish(context.Background(), 1, live.Event{Type: "x"}); !errors.Is(err, live.ErrStopped) {
		t.Errorf("Publish after Stop: %v, want ErrStopped", err)
	}
}

func TestPublishRefusesWhatANotificationCannotCarry(t *testing.T) {
	t.Parallel()
	b := live.New(live.Options{})
	defer b.Stop()
	big := json.RawMessage(`"` + strings.Repeat("x", live.MaxMessage) + `"`)
	if err := b.Publish(context.Background(), 1, live.Event{Type: "item.new", Data: big}); !errors.Is(err, live.ErrTooLarge) {
		t.Errorf("Publish of %d bytes: %v, want ErrTooLarge", len(big), err)
	}
}

// clock is a fake clock tests move by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestPresenceExpiresAfterTheTTL(t *testing.T) {
	t.Parallel()
	ck := &clock{now: time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)}
	b := live.New(live.Options{Now: ck.Now, PresenceTTL: 30 * time.Second})
	defer b.Stop()
	ctx := context.Background()
	beat := func(id int64, name string, s live.State) {
		t.Helper()
		if err := b.Heartbeat(ctx, 1, "conv-1", live.Viewer{UserID: id, Name: name, State: s}); err != nil {
			t.Fatal(err)
		}
	}
	names := func() string {
		var out []string
		for _, v := range b.Presence(1, "conv-1") {
			out = append(out, v.Name+":"+string(v.State))
		}
		return strings.Join(out, ",")
	}
	beat(1, "Alice", live.Viewing)
	beat(2, "Bob", live.Replying)
	if got, want := names(), "Alice:viewing,Bob:replying"; got != want {
		t.Fatalf("presence %q, want %q", got, want)
	}
	if got := b.Presence(2, "conv-1"); len(got) != 0 {
		t.Errorf("workspace 2 sees %+v on workspace 1's conversation", got)
	}
	ck.Add(20 * time.Second)
	beat(1, "Alice", live.Viewing) // Alice's page is still open, Bob's went quiet
	ck.Add(15 * time.Second)
	if got, want := names(), "Alice:viewing"; got != want {
		t.Errorf("35 s after Bob's last heartbeat: %q, want %q", got, want)
	}
	beat(1, "Alice", live.Left)
	if got := names(); got != "" {
		t.Errorf("after Alice left: %q, want nobody", got)
	}
	if s := b.Snapshot(1); len(s) != 0 {
		t.Errorf("snapshot after everyone left: %+v", s)
	}
}

func TestCheckReplyRefusesASecondAnswerUnlessConfirmed(t *testing.T) {
	t.Parallel()
	ck := &clock{now: time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)}
	b := live.New(live.Options{Now: ck.Now})
	defer b.Stop()
	ctx := context.Background()
	_ = b.Heartbeat(ctx, 1, "conv-1", live.Viewer{UserID: 2, Name: "Bob", State: live.Replying})
	_ = b.Heartbeat(ctx, 1, "conv-1", live.Viewer{UserID: 3, Name: "Carol", State: live.Viewing})
	err := b.CheckReply(1, "conv-1", 1, false)
	if p := problem.As(err); err == nil || p.Code != "someone_replying" || p.Localized("en") != "Bob is replying to this conversation. Send anyway?" {
		t.Fatalf("Alice replying while Bob does: %v", err)
	}
	if err := b.CheckReply(1, "conv-1", 1, true); err != nil {
		t.Errorf("confirmed reply refused: %v", err)
	}
	if err := b.CheckReply(1, "conv-1", 2, false); err != nil {
		t.Errorf("Bob's own reply refused because Bob is replying: %v", err)
	}
	if err := b.CheckReply(1, "conv-2", 1, false); err != nil {
		t.Errorf("another conversation refused: %v", err)
	}
	ck.Add(31 * time.Second)
	if err := b.CheckReply(1, "conv-1", 1, false); err != nil {
		t.Errorf("Bob's page closed 31 s ago and still blocks: %v", err)
	}
}

// node is one Tribune node's broker on a shared PostgreSQL schema.
func node(t testing.TB, url string, o live.Options) *live.Broker {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	o.Pool = pool
	b := live.New(o)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := b.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Stop)
	return b
}

func TestAcrossNodesOnPostgres(t *testing.T) {
	t.Parallel()
	url := storetest.PostgresURL(t)
	n1, n2 := node(t, url, live.Options{}), node(t, url, live.Options{})
	// Another installation in another schema of the same database.
	stranger := node(t, storetest.PostgresURL(t), live.Options{})
	on2, stop2 := n2.Subscribe(1)
	defer stop2()
	on1, stop1 := n1.Subscribe(1)
	defer stop1()
	other, stopOther := n2.Subscribe(2)
	defer stopOther()
	elsewhere, stopElsewhere := stranger.Subscribe(1)
	defer stopElsewhere()
	drainResync(t, on1, on2, other, elsewhere)

	ctx := context.Background()
	if err := n1.Publish(ctx, 1, live.Event{Type: "item.new", Subject: "conv-1", Data: json.RawMessage(`{"item":1}`)}); err != nil {
		t.Fatal(err)
	}
	for name, ch := range map[string]<-chan live.Event{"other node": on2, "same node": on1} {
		if got := next(t, ch); got.Type != "item.new" || got.Subject != "conv-1" || string(got.Data) != `{"item":1}` {
			t.Errorf("%s got %+v", name, got)
		}
	}
	// Workspace 2 and the other schema hear nothing: a marker sent after
	// arrives first on the same connection, so nothing was on its way.
	_ = n1.Publish(ctx, 2, live.Event{Type: "marker"})
	_ = stranger.Publish(ctx, 1, live.Event{Type: "marker"})
	if got := next(t, other); got.Type != "marker" {
		t.Errorf("workspace 2 heard %+v", got)
	}
	if got := next(t, elsewhere); got.Type != "marker" {
		t.Errorf("another schema heard %+v", got)
	}

	// Presence crosses nodes too.
	if err := n1.Heartbeat(ctx, 1, "conv-1", live.Viewer{UserID: 9, Name: "Bob", State: live.Replying}); err != nil {
		t.Fatal(err)
	}
	if got := next(t, on2); got.Type != live.TypePresence {
		t.Fatalf("got %+v, want presence", got)
	}
	if err := n2.CheckReply(1, "conv-1", 1, false); err == nil {
		t.Error("node 2 lets a second reply go while Bob replies on node 1")
	}
}

// drainResync takes the Resync each subscription may get when its node
// starts listening.
func drainResync(t *testing.T, chs ...<-chan live.Event) {
	t.Helper()
	for _, ch := range chs {
		for len(ch) > 0 {
			if e := <-ch; e.Type != live.TypeResync {
				t.Fatalf("unexpected %+v", e)
			}
		}
	}
}

func TestListenerKilledReconnectsAndResyncs(t *testing.T) {
	t.Parallel()
	url := storetest.PostgresURL(t)
	n1 := node(t, url, live.Options{MinBackoff: 50 * time.Millisecond, MaxBackoff: 200 * time.Millisecond})
	n2 := node(t, url, live.Options{})
	ch, stop := n1.Subscribe(1)
	defer stop()
	drainResync(t, ch)
	old := n1.ListenerPID()
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var killed bool
	if err := pool.QueryRow(context.Background(), `SELECT pg_terminate_backend($1)`, int64(old)).Scan(&killed); err != nil || !killed {
		t.Fatalf("pg_terminate_backend(%d): %v %v", old, killed, err)
	}
	if got := next(t, ch); got.Type != live.TypeResync {
		t.Fatalf("after the listener was killed: %+v, want resync", got)
	}
	if n1.ListenerPID() == old {
		t.Fatal("resync sent before a new connection listens")
	}
	// And it hears again.
	if err := n2.Publish(context.Background(), 1, live.Event{Type: "item.new", Subject: "after"}); err != nil {
		t.Fatal(err)
	}
	if got := next(t, ch); got.Subject != "after" {
		t.Errorf("after reconnecting: %+v", got)
	}
}

// TestPublishAllDeliversEveryEventInOrder sends a fetch's worth of events
// in one call: every subscriber, on this node and on another, gets all of
// them in the order given (in process, and through one PostgreSQL
// statement).
func TestPublishAllDeliversEveryEventInOrder(t *testing.T) {
	t.Parallel()
	events := make([]live.Event, 40)
	for i := range events {
		events[i] = live.Event{Type: "item.new", Subject: fmt.Sprint("conv-", i%3), Data: json.RawMessage(fmt.Sprintf(`{"item":%d}`, i))}
	}
	check := func(t *testing.T, name string, ch <-chan live.Event) {
		t.Helper()
		for i, want := range events {
			if got := next(t, ch); got.Type != want.Type || got.Subject != want.Subject || string(got.Data) != string(want.Data) {
				t.Fatalf("%s: event %d is %+v, want %+v", name, i, got, want)
			}
		}
		nothing(t, ch)
	}
	t.Run("in process", func(t *testing.T) {
		t.Parallel()
		b := live.New(live.Options{Buffer: 64})
		defer b.Stop()
		ch, stop := b.Subscribe(1)
		defer stop()
		if err := b.PublishAll(context.Background(), 1, events); err != nil {
			t.Fatal(err)
		}
		check(t, "subscriber", ch)
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		url := storetest.PostgresURL(t)
		n1, n2 := node(t, url, live.Options{Buffer: 64}), node(t, url, live.Options{Buffer: 64})
		on1, stop1 := n1.Subscribe(1)
		defer stop1()
		on2, stop2 := n2.Subscribe(1)
		defer stop2()
		drainResync(t, on1, on2)
		if err := n1.PublishAll(context.Background(), 1, events); err != nil {
			t.Fatal(err)
		}
		// A marker after them: once it arrived, nothing of the batch is
		// still on its way, so "nothing more" is checked for real.
		if err := n1.Publish(context.Background(), 1, live.Event{Type: "marker"}); err != nil {
			t.Fatal(err)
		}
		for name, ch := range map[string]<-chan live.Event{"same node": on1, "other node": on2} {
			for i, want := range events {
				if got := next(t, ch); got.Type != want.Type || got.Subject != want.Subject || string(got.Data) != string(want.Data) {
					t.Fatalf("%s: event %d is %+v, want %+v", name, i, got, want)
				}
			}
			if got := next(t, ch); got.Type != "marker" {
				t.Errorf("%s: after the batch got %+v, want the marker", name, got)
			}
		}
	})
}

func TestPublishAllSendsNothingWhenOneEventIsTooLarge(t *testing.T) {
	t.Parallel()
	b := live.New(live.Options{})
	defer b.Stop()
	ch, stop := b.Subscribe(1)
	defer stop()
	big := json.RawMessage(`"` + strings.Repeat("x", live.MaxMessage) + `"`)
	err := b.PublishAll(context.Background(), 1, []live.Event{{Type: "item.new"}, {Type: "item.new", Data: big}})
	if !errors.Is(err, live.ErrTooLarge) {
		t.Errorf("PublishAll with a %d-byte event: %v, want ErrTooLarge", len(big), err)
	}
	nothing(t, ch)
}

// A change's events ride on its PostgreSQL transaction (PublishAllIn): a
// rolled-back one sends nothing, a committed one reaches every node without
// the function returned for after the commit, which then sends nothing
// again; pipelined or not. In process, the events go when that function is
// called.
func TestPublishAllInRidesOnTheTransaction(t *testing.T) {
	t.Parallel()
	ev := func(typ string) []live.Event {
		return []live.Event{{Type: typ, Subject: "conv-1", Data: json.RawMessage(`{"item":1}`)}}
	}
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		s := storetest.NewPostgres(t)
		url := s.Pool().Config().ConnString()
		n1, n2 := node(t, url, live.Options{}), node(t, url, live.Options{})
		on2, stop := n2.Subscribe(1)
		defer stop()
		drainResync(t, on2)
		rollback := errors.New("rolled back")
		for _, o := range []store.TxOptions{{}, {Pipelined: true, Relaxed: true}} {
			err := s.InTxWith(ctx, o, func(tx store.Tx) error {
				if _, err := n1.PublishAllIn(ctx, tx, 1, ev("rolled-back")); err != nil {
					return err
				}
				return rollback
			})
			if !errors.Is(err, rollback) {
				t.Fatalf("%+v: %v", o, err)
			}
			var after func(context.Context) error
			if err := s.InTxWith(ctx, o, func(tx store.Tx) error {
				after, err = n1.PublishAllIn(ctx, tx, 1, ev("committed"))
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if got := next(t, on2); got.Type != "committed" {
				t.Fatalf("%+v: first event %+v, want the committed transaction's", o, got)
			}
			if err := after(ctx); err != nil {
				t.Fatal(err)
			}
			if err := n1.Publish(ctx, 1, live.Event{Type: "marker"}); err != nil {
				t.Fatal(err)
			}
			if got := next(t, on2); got.Type != "marker" {
				t.Fatalf("%+v: after the commit got %+v, want the marker (sent once)", o, got)
			}
		}
	})
	t.Run("in process", func(t *testing.T) {
		t.Parallel()
		b := live.New(live.Options{})
		defer b.Stop()
		ch, stop := b.Subscribe(1)
		defer stop()
		after, err := b.PublishAllIn(context.Background(), nil, 1, ev("committed"))
		if err != nil {
			t.Fatal(err)
		}
		nothing(t, ch)
		if err := after(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := next(t, ch); got.Type != "committed" {
			t.Fatalf("got %+v, want the committed event", got)
		}
	})
}
