package atproto_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/listen/source"
	"github.com/tribune-social/tribune/internal/listen/source/atproto"
)

type recorder struct {
	mu      sync.Mutex
	batches []source.Batch
	fail    error
}

func (r *recorder) emit(_ context.Context, b source.Batch) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.batches = append(r.batches, b)
	return r.fail
}

func (r *recorder) sizes() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	var s []int
	for _, b := range r.batches {
		s = append(s, len(b.Posts))
	}
	return s
}

func (r *recorder) last() source.Batch {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.batches) == 0 {
		return source.Batch{}
	}
	return r.batches[len(r.batches)-1]
}

// feed is a read function over a channel: closed channel → err.
func feed(ch <-chan atproto.Event, err error) func() (atproto.Event, error) {
	return func() (atproto.Event, error) {
		ev, ok := <-ch
		if !ok {
			return atproto.Event{}, err
		}
		return ev, nil
	}
}

func postEvent(i int) atproto.Event {
	return atproto.Event{Posts: []source.Post{{ExternalID: fmt.Sprint(i)}}, Cursor: fmt.Sprint(i)}
}

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

// Posts go out in batches of MaxPosts, the rest after MaxDelay, in order,
// each batch with the cursor of its last event.
func TestPumpBatchesInOrder(t *testing.T) {
	t.Parallel()
	ch := make(chan atproto.Event, 500)
	for i := range 450 {
		ch <- postEvent(i)
	}
	r := &recorder{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- atproto.Pump{MaxPosts: 200, MaxDelay: 20 * time.Millisecond}.Run(ctx, feed(ch, nil), r.emit)
	}()
	waitFor(t, "450 posts", func() bool {
		n := 0
		for _, s := range r.sizes() {
			n += s
		}
		return n == 450
	})
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v after cancel, want nil", err)
	}
	if got := r.sizes(); !slices.Equal(got[:2], []int{200, 200}) {
		t.Errorf("batch sizes %v, want 200, 200, then the rest", got)
	}
	var ids []string
	for _, b := range r.batches {
		for _, p := range b.Posts {
			ids = append(ids, p.ExternalID)
		}
		if b.Cursor != b.Posts[len(b.Posts)-1].ExternalID {
			t.Errorf("batch cursor %q, want its last post's %q", b.Cursor, b.Posts[len(b.Posts)-1].ExternalID)
		}
	}
	for i, id := range ids {
		if id != fmt.Sprint(i) {
			t.Fatalf("post %d is %s: out of order", i, id)
		}
	}
}

// A cursor that moved without posts is stored too, after CursorDelay.
func TestPumpStoresACursorWithoutPosts(t *testing.T) {
	t.Parallel()
	ch := make(chan atproto.Event, 10)
	ch <- atproto.Event{Cursor: "7"}
	ch <- atproto.Event{} // an informational frame moves nothing
	r := &recorder{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go atproto.Pump{CursorDelay: 10 * time.Millisecond}.Run(ctx, feed(ch, nil), r.emit)
	waitFor(t, "the cursor", func() bool { return r.last().Cursor == "7" })
	if b := r.last(); len(b.Posts) != 0 {
		t.Errorf("batch %+v, want the cursor alone", b)
	}
}

// When the connection fails, what was read is emitted before Run returns
// the error; when ctx ends, Run returns nil.
func TestPumpKeepsWhatWasReadBeforeAFailure(t *testing.T) {
	t.Parallel()
	drop := errors.New("connection reset")
	ch := make(chan atproto.Event, 10)
	ch <- postEvent(1)
	ch <- atproto.Event{Cursor: "2"}
	close(ch)
	r := &recorder{}
	// Delays far longer than the test: only the failure can flush.
	err := atproto.Pump{MaxDelay: time.Hour, CursorDelay: time.Hour}.Run(context.Background(), feed(ch, drop), r.emit)
	if !errors.Is(err, drop) {
		t.Errorf("Run = %v, want %v", err, drop)
	}
	if b := r.last(); len(b.Posts) != 1 || b.Cursor != "2" {
		t.Errorf("last batch %+v, want the post and cursor 2", b)
	}
}

// An emit that fails (the store is down) ends Run with its error.
func TestPumpStopsWhenEmitFails(t *testing.T) {
	t.Parallel()
	ch := make(chan atproto.Event, 10)
	ch <- postEvent(1)
	stored := errors.New("database is locked")
	r := &recorder{fail: stored}
	err := atproto.Pump{MaxDelay: time.Millisecond}.Run(context.Background(), feed(ch, nil), r.emit)
	if !errors.Is(err, stored) {
		t.Errorf("Run = %v, want %v", err, stored)
	}
}
