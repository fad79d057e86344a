package stream_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/stream"
)

// conn is what one connection of the scripted streamer does.
type conn struct {
	err   error    // returned at the end (nil: the server closed the stream)
	ready bool     // the connection opens (ready is called)
	items []string // pushed after ready
	lasts time.Duration
	block bool // stays open until ctx ends
}

// script is a Streamer that plays one conn per call and writes what
// happens to log.
type script struct {
	conns []conn
	calls int
	log   *[]string
	clock *fakeClock
	// end is called when the script is over (the supervisor must then
	// stop cleanly).
	end func()
}

func (s *script) next() conn {
	s.calls++
	*s.log = append(*s.log, fmt.Sprintf("connect %d", s.calls))
	if s.calls > len(s.conns) {
		if s.end != nil {
			s.end()
		}
		return conn{block: true, ready: true}
	}
	return s.conns[s.calls-1]
}

func (s *script) play(ctx context.Context, c conn, ready func() error, fn func(network.Item)) error {
	if c.ready && ready != nil {
		if err := ready(); err != nil {
			return err
		}
	}
	if c.ready {
		for _, id := range c.items {
			fn(network.Item{ExternalID: id})
		}
	}
	s.clock.now = s.clock.now.Add(c.lasts)
	if c.block {
		<-ctx.Done()
		return ctx.Err()
	}
	return c.err
}

func (s *script) Stream(ctx context.Context, _ network.Account, fn func(network.Item)) error {
	return s.play(ctx, s.next(), nil, fn)
}

type readyScript struct{ *script }

func (s readyScript) StreamReady(ctx context.Context, _ network.Account, ready func() error, fn func(network.Item)) error {
	return s.play(ctx, s.next(), ready, fn)
}

type fakeClock struct{ now time.Time }

// harness runs a supervisor over a script until the script's conns are
// used up (then the streamer blocks and the harness cancels), and returns
// the log: connections, polls, items, waits.
func harness(t *testing.T, ready bool, conns []conn, poll func(n int) error) ([]string, error) {
	t.Helper()
	var log []string
	clock := &fakeClock{now: time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sc := &script{conns: conns, log: &log, clock: clock, end: cancel}
	var s network.Streamer = sc
	if ready {
		s = readyScript{sc}
	}
	polls := 0
	sv := stream.Supervisor{
		MinBackoff: time.Second, MaxBackoff: 8 * time.Second, StableAfter: time.Minute,
		Jitter: func(d time.Duration) time.Duration { return d },
		Sleep: func(ctx context.Context, d time.Duration) error {
			log = append(log, "wait "+d.String())
			clock.now = clock.now.Add(d)
			return nil
		},
		Now: func() time.Time { return clock.now },
	}
	done := make(chan error, 1)
	go func() {
		done <- sv.Run(ctx, s, network.Account{}, func(it network.Item) { log = append(log, "item "+it.ExternalID) }, func(context.Context) error {
			polls++
			log = append(log, "poll")
			if poll != nil {
				return poll(polls)
			}
			return nil
		})
	}()
	select {
	case err := <-done:
		return log, err
	case <-time.After(10 * time.Second):
		t.Fatalf("the supervisor did not stop; log so far: %v", log)
		return nil, nil
	}
}

func TestSupervisorReconnectsWithCappedBackoffAndPollsOnEveryConnection(t *testing.T) {
	t.Parallel()
	drop := errors.New("connection reset")
	log, err := harness(t, true, []conn{
		{ready: true, items: []string{"a", "b"}, err: drop},
		{err: &network.Error{Kind: network.Temporary, Message: "502"}},
		{err: drop},
		{err: drop},
		{err: drop},
		{err: drop},
		{ready: true, items: []string{"c"}, err: drop},
	}, nil)
	if err != nil {
		t.Fatalf("Run = %v, want nil once ctx ends", err)
	}
	want := []string{
		"connect 1", "poll", "item a", "item b", "wait 1s",
		"connect 2", "wait 2s",
		"connect 3", "wait 4s",
		"connect 4", "wait 8s",
		"connect 5", "wait 8s", // capped
		"connect 6", "wait 8s",
		"connect 7", "poll", "item c", "wait 8s", // a short-lived connection does not reset the backoff
		"connect 8", "poll",
	}
	if !slices.Equal(log, want) {
		t.Errorf("log\n got %v\nwant %v", log, want)
	}
}

func TestSupervisorStartsOverAfterAStableConnection(t *testing.T) {
	t.Parallel()
	drop := errors.New("connection reset")
	log, err := harness(t, true, []conn{
		{err: drop},
		{err: drop},
		{ready: true, lasts: 2 * time.Minute, err: drop},
		{err: drop},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"connect 1", "wait 1s", "connect 2", "wait 2s", "connect 3", "poll", "wait 1s", "connect 4", "wait 2s", "connect 5", "poll"}
	if !slices.Equal(log, want) {
		t.Errorf("log\n got %v\nwant %v", log, want)
	}
}

func TestSupervisorStopsWhenReconnectingCannotHelp(t *testing.T) {
	t.Parallel()
	for name, fatal := range map[string]error{
		"unauthorized": &network.Error{Kind: network.Unauthorized, Status: 401},
		"permanent":    &network.Error{Kind: network.Permanent, Status: 404},
		"unsupported":  fmt.Errorf("no stream: %w", network.ErrUnsupported),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			log, err := harness(t, true, []conn{{err: errors.New("reset")}, {err: fatal}}, nil)
			if !errors.Is(err, fatal) {
				t.Errorf("Run = %v, want %v", err, fatal)
			}
			if want := []string{"connect 1", "wait 1s", "connect 2"}; !slices.Equal(log, want) {
				t.Errorf("log %v, want %v", log, want)
			}
		})
	}
}

func TestSupervisorWaitsAsLongAsTheRateLimitSays(t *testing.T) {
	t.Parallel()
	log, err := harness(t, true, []conn{{err: &network.Error{Kind: network.RateLimited, Status: 429, RetryAfter: 90 * time.Second}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"connect 1", "wait 1m30s", "connect 2", "poll"}; !slices.Equal(log, want) {
		t.Errorf("log %v, want %v", log, want)
	}
}

// A gap-fill that fails leaves a gap: the stream is not trusted, the
// connection ends and is tried again, and the items it would have carried
// come on the next connection after a successful poll.
func TestSupervisorDoesNotStreamOverAnUnfilledGap(t *testing.T) {
	t.Parallel()
	log, err := harness(t, true, []conn{
		{ready: true, items: []string{"a"}, err: errors.New("never reached")},
	}, func(n int) error {
		if n == 1 {
			return errors.New("poll failed")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"connect 1", "poll", "wait 1s", "connect 2", "poll"}; !slices.Equal(log, want) {
		t.Errorf("log %v, want %v", log, want)
	}
}

// A streamer that cannot say when it is open gets its gap-fill before it
// connects.
func TestSupervisorPollsBeforeAPlainStreamer(t *testing.T) {
	t.Parallel()
	log, err := harness(t, false, []conn{{ready: true, items: []string{"a"}, err: errors.New("reset")}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"poll", "connect 1", "item a", "wait 1s", "poll", "connect 2"}; !slices.Equal(log, want) {
		t.Errorf("log %v, want %v", log, want)
	}
}

func TestSupervisorStopsCleanlyWhileWaiting(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var log []string
	sc := &script{conns: []conn{{err: errors.New("reset")}}, log: &log, clock: &fakeClock{}}
	failed := make(chan struct{})
	// OnError is heard just before the hour-long wait begins.
	sv := stream.Supervisor{MinBackoff: time.Hour, OnError: func(error) { close(failed) }}
	done := make(chan error, 1)
	go func() {
		done <- sv.Run(ctx, readyScript{sc}, network.Account{}, func(network.Item) {}, func(context.Context) error { return nil })
	}()
	<-failed
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop when its context ended")
	}
}

// Sleep ends with its context: a poller stopped in the middle of an hour's
// pause returns at once with the context's error, and a pause that runs out
// returns nil.
func TestSleep(t *testing.T) {
	t.Parallel()
	if err := stream.Sleep(context.Background(), time.Millisecond); err != nil {
		t.Errorf("a pause that ran out: %v, want nil", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- stream.Sleep(ctx, time.Hour) }()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("a pause whose context ended: %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Sleep did not return when its context ended")
	}
}
