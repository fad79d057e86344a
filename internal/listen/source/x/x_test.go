package x

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/listen/source"
	"github.com/tribune-social/tribune/internal/listen/source/x/xtest"
	"github.com/tribune-social/tribune/internal/network"
)

const wait = 30 * time.Second

// fast is X's schedule shrunk for tests: the same shape, in milliseconds.
var fast = Backoff{NetworkStep: time.Millisecond, NetworkMax: 16 * time.Millisecond, HTTPFirst: 5 * time.Millisecond, HTTPMax: 320 * time.Millisecond, RateFirst: 60 * time.Millisecond}

func newSource(t *testing.T, f *xtest.Server, name string, values map[string]string) *Source {
	t.Helper()
	v := map[string]string{"bearer_token": f.Token, "rule": "tribune"}
	for k, x := range values {
		v[k] = x
	}
	s, err := New(source.Config{Kind: "x", Name: name, Values: v}, source.Deps{HTTP: f.Server.Client()})
	if err != nil {
		t.Fatal(err)
	}
	xs := s.(*Source)
	xs.base, xs.backoff = f.URL, fast
	return xs
}

type run struct {
	batches chan source.Batch
	done    chan error
	cancel  context.CancelFunc
}

func start(s *Source, cursor string) *run {
	ctx, cancel := context.WithCancel(context.Background())
	r := &run{batches: make(chan source.Batch, 100), done: make(chan error, 1), cancel: cancel}
	go func() {
		r.done <- s.Run(ctx, cursor, func(_ context.Context, b source.Batch) error {
			r.batches <- b
			return nil
		})
	}()
	return r
}

func (r *run) stop(t *testing.T) {
	t.Helper()
	r.cancel()
	select {
	case err := <-r.done:
		if err != nil {
			t.Errorf("Run after cancel = %v, want nil", err)
		}
	case <-time.After(wait):
		t.Fatal("Run did not return after cancel")
	}
}

func (r *run) posts(t *testing.T, n int) ([]source.Post, string) {
	t.Helper()
	var got []source.Post
	var cursor string
	deadline := time.After(wait)
	for len(got) < n {
		select {
		case b := <-r.batches:
			got = append(got, b.Posts...)
			cursor = b.Cursor
		case err := <-r.done:
			t.Fatalf("Run ended with %v after %d of %d posts", err, len(got), n)
		case <-deadline:
			t.Fatalf("got %d of %d posts", len(got), n)
		}
	}
	return got, cursor
}

func connected(t *testing.T, f *xtest.Server) {
	t.Helper()
	select {
	case <-f.Connected:
	case <-time.After(wait):
		t.Fatal("the source never connected")
	}
}

func texts(ps []source.Post) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Text
	}
	return out
}

// The guarantee: the app's rules end up holding this source's rule once,
// under its tag, and nothing of other tags is touched; a second start
// changes nothing.
func TestRuleMirrored(t *testing.T) {
	t.Parallel()
	f := xtest.New(t)
	f.SetRules([]xtest.Rule{
		{ID: "1", Value: "concurrent", Tag: "tribune:other"},
		{ID: "2", Value: "old rule", Tag: "tribune:veille"},
		{ID: "3", Value: "someone else's", Tag: ""},
	})
	s := newSource(t, f, "veille", map[string]string{"rule": `tribune "ma marque"`})
	for range 2 {
		r := start(s, "")
		connected(t, f)
		r.stop(t)
	}
	rules, _, calls := f.Snapshot()
	var got []string
	for _, r := range rules {
		got = append(got, r.Tag+"="+r.Value)
	}
	slices.Sort(got)
	if want := []string{`=someone else's`, `tribune:other=concurrent`, `tribune:veille=tribune "ma marque"`}; !slices.Equal(got, want) {
		t.Errorf("rules = %q, want %q", got, want)
	}
	if len(calls) != 2 {
		t.Errorf("POST rules calls = %q, want a delete and an add, then nothing", calls)
	}
}

func TestForgetRemovesOnlyItsRule(t *testing.T) {
	t.Parallel()
	f := xtest.New(t)
	f.SetRules([]xtest.Rule{{ID: "1", Value: "concurrent", Tag: "tribune:other"}, {ID: "2", Value: "tribune", Tag: "tribune:veille"}})
	s := newSource(t, f, "veille", nil)
	if err := s.Forget(context.Background()); err != nil {
		t.Fatal(err)
	}
	if rules, _, _ := f.Snapshot(); len(rules) != 1 || rules[0].Tag != "tribune:other" {
		t.Errorf("rules after Forget = %+v, want only the other source's", rules)
	}
}

func TestStreamsOwnMatches(t *testing.T) {
	t.Parallel()
	f := xtest.New(t)
	f.SetRules([]xtest.Rule{{ID: "9", Value: "tribune", Tag: "tribune:other"}})
	s := newSource(t, f, "veille", map[string]string{"rule": "tribune"})
	// The other source's rule has the same words: X refuses a duplicate,
	// so this source's rule is made different.
	s.rule = "(tribune)"
	r := start(s, "")
	defer r.stop(t)
	connected(t, f)
	f.Post("bob", "rien à voir")
	id := f.Post("alice", "J'aime Tribune &amp; la veille")
	long := "tribune " + strings.Repeat("très long ", 40)
	f.Post("carol", long)
	got, cursor := r.posts(t, 2)
	if got[1].Text != long {
		t.Errorf("a long post's text = %q, want the whole note_tweet", got[1].Text)
	}
	p := got[0]
	if p.Network != "x" || p.ExternalID != id || p.Text != "J'aime Tribune & la veille" || p.Author != "alice" || p.AuthorName != "ALICE" ||
		p.AuthorFollowers != 321 || p.Lang != "fr" || p.URL != "https://x.com/alice/status/"+id || p.CreatedAt.IsZero() {
		t.Errorf("post = %+v", p)
	}
	if strings.Contains(cursor, id) || !strings.Contains(cursor, got[1].ExternalID) {
		t.Errorf("cursor %s, want the newest post %s", cursor, got[1].ExternalID)
	}
}

// The guarantee: a dropped stream is reconnected by the source itself, at
// once, and what was posted while it was away comes back through
// backfill_minutes.
func TestDropAndBackfill(t *testing.T) {
	t.Parallel()
	f := xtest.New(t)
	s := newSource(t, f, "veille", map[string]string{"backfill_minutes": "5"})
	r := start(s, "")
	defer r.stop(t)
	connected(t, f)
	f.Post("a", "tribune avant")
	r.posts(t, 1)

	f.SetDown(true)
	f.Cut()
	// Wait for the source's attempt to reconnect at once, refused.
	for deadline := time.Now().Add(wait); ; time.Sleep(time.Millisecond) {
		if _, streams, _ := f.Snapshot(); len(streams) >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the source did not try to reconnect")
		}
	}
	f.Post("b", "tribune pendant la coupure 1")
	f.Post("c", "tribune pendant la coupure 2")
	f.SetDown(false)
	connected(t, f)
	// Backfill replays whole minutes: the post heard before the cut comes
	// again (X documents the duplicates; the runner stores a post once).
	got, _ := r.posts(t, 3)
	if want := []string{"tribune avant", "tribune pendant la coupure 1", "tribune pendant la coupure 2"}; !slices.Equal(texts(got), want) {
		t.Fatalf("after the outage: %q, want %q", texts(got), want)
	}
	_, streams, _ := f.Snapshot()
	if strings.Contains(streams[0], "backfill_minutes") {
		t.Errorf("first connection asked for backfill: %s", streams[0])
	}
	if last := streams[len(streams)-1]; !strings.Contains(last, "backfill_minutes=1") {
		t.Errorf("reconnection %s, want backfill_minutes=1 (a gap under a minute)", last)
	}
	if len(streams) < 3 {
		t.Errorf("%d connection attempts, want the refused ones too", len(streams))
	}
}

// X's operational disconnect (an error object, then the end of the
// stream) is a drop like any other: the source reconnects at once.
func TestOperationalDisconnect(t *testing.T) {
	t.Parallel()
	f := xtest.New(t)
	s := newSource(t, f, "veille", nil)
	// Any wait would outlast the test: the reconnection must be at once.
	s.backoff = Backoff{NetworkStep: time.Hour, NetworkMax: time.Hour, HTTPFirst: time.Hour, HTTPMax: time.Hour, RateFirst: time.Hour}
	r := start(s, "")
	defer r.stop(t)
	connected(t, f)
	f.Disconnect <- struct{}{}
	connected(t, f)
	f.Post("a", "tribune après")
	if got, _ := r.posts(t, 1); got[0].Text != "tribune après" {
		t.Errorf("got %q", got[0].Text)
	}
}

// After a restart (a crash, a deploy) within five minutes, the first
// connection asks for the minutes missed since the stored cursor.
func TestRestartBackfillsFromCursor(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		ago  time.Duration
		want string
	}{{90 * time.Second, "backfill_minutes=2"}, {10 * time.Minute, ""}} {
		f := xtest.New(t)
		s := newSource(t, f, "veille", map[string]string{"backfill_minutes": "5"})
		r := start(s, cursor{ID: "1", At: time.Now().Add(-tc.ago)}.String())
		connected(t, f)
		r.stop(t)
		_, streams, _ := f.Snapshot()
		if got := streams[0]; tc.want == "" && strings.Contains(got, "backfill") || tc.want != "" && !strings.Contains(got, tc.want) {
			t.Errorf("restart %v after the cursor: stream query %s, want %q", tc.ago, got, tc.want)
		}
	}
}

// A silent stream (no keep-alive) is a dead one: the source reconnects.
func TestSilenceReconnects(t *testing.T) {
	t.Parallel()
	f := xtest.New(t)
	s := newSource(t, f, "veille", nil)
	s.idle = 200 * time.Millisecond
	r := start(s, "")
	defer r.stop(t)
	connected(t, f)
	f.SetKeepAlive(0)
	connected(t, f) // the watchdog closed the silent stream and the source came back
	f.SetKeepAlive(20 * time.Millisecond)
	f.Post("a", "tribune vivant")
	if got, _ := r.posts(t, 1); got[0].Text != "tribune vivant" {
		t.Errorf("got %q", got[0].Text)
	}
}

func TestBackoffIsXs(t *testing.T) {
	t.Parallel()
	netErr := &network.Error{Kind: network.Temporary, Message: "reset"}
	httpErr := &network.Error{Kind: network.Temporary, Status: 503}
	rateErr := &network.Error{Kind: network.RateLimited, Status: http.StatusTooManyRequests}
	b := DocumentedBackoff
	for _, tc := range []struct {
		n    int
		err  error
		want time.Duration
	}{
		{1, netErr, 250 * time.Millisecond}, {2, netErr, 500 * time.Millisecond}, {64, netErr, 16 * time.Second}, {100, netErr, 16 * time.Second},
		{1, httpErr, 5 * time.Second}, {2, httpErr, 10 * time.Second}, {7, httpErr, 320 * time.Second}, {9, httpErr, 320 * time.Second},
		{1, rateErr, time.Minute}, {2, rateErr, 2 * time.Minute}, {4, rateErr, 8 * time.Minute},
	} {
		if got := b.Wait(tc.n, tc.err); got != tc.want {
			t.Errorf("Wait(%d, %v) = %v, want %v", tc.n, tc.err, got, tc.want)
		}
	}
}

func TestRefusals(t *testing.T) {
	t.Parallel()
	f := xtest.New(t)
	for _, tc := range []struct {
		values map[string]string
		is     error
		field  string
	}{
		{map[string]string{"bearer_token": "wrong"}, source.ErrUnauthorized, "bearer_token"},
		{map[string]string{"rule": `tribune "unclosed`}, source.ErrPermanent, "rule"},
	} {
		s := newSource(t, f, "veille", tc.values)
		err := s.Run(context.Background(), "", func(context.Context, source.Batch) error { return nil })
		if !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.field+":") {
			t.Errorf("Run with %v = %v, want %v naming %s", tc.values, err, tc.is, tc.field)
		}
	}
}

// An app whose access lacks the filtered stream fails for good, saying so.
func TestNotEnrolled(t *testing.T) {
	t.Parallel()
	f := xtest.New(t)
	f.SetNotEnrolled(true)
	err := newSource(t, f, "veille", nil).Run(context.Background(), "", func(context.Context, source.Batch) error { return nil })
	if !errors.Is(err, source.ErrPermanent) || !strings.Contains(err.Error(), "bearer_token:") || !strings.Contains(err.Error(), "filtered stream") {
		t.Fatalf("Run = %v, want a permanent error saying the access lacks the filtered stream", err)
	}
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		values map[string]string
		field  string
	}{
		{map[string]string{"rule": "a"}, "bearer_token"},
		{map[string]string{"bearer_token": "t"}, "rule"},
		{map[string]string{"bearer_token": "t", "rule": strings.Repeat("a", MaxRule+1)}, "rule"},
		{map[string]string{"bearer_token": "t", "rule": "a", "backfill_minutes": "6"}, "backfill_minutes"},
	} {
		_, err := New(source.Config{Values: tc.values}, source.Deps{})
		if !errors.Is(err, source.ErrPermanent) || !strings.Contains(err.Error(), ": "+tc.field+":") {
			t.Errorf("New(%v) = %v, want a permanent error naming %s", tc.values, err, tc.field)
		}
	}
}
