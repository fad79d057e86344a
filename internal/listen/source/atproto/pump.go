package atproto

import (
	"context"
	"time"

	"github.com/tribune-social/tribune/internal/listen/source"
)

// Event is one decoded message of a stream: the posts it carried (a
// firehose commit may create several, as a thread posted at once does),
// and the cursor to resume after it ("" when the message moves no cursor,
// such as an informational frame).
type Event struct {
	Posts  []source.Post
	Cursor string
}

// Pump groups a stream's events into batches. One batch per event would
// cost one transaction per post (the public Jetstream carries tens of posts
// a second); one batch per minute would replay a minute after a crash. The
// zero value uses the defaults.
type Pump struct {
	// MaxPosts flushes a batch that many posts long (default 200).
	MaxPosts int
	// MaxDelay flushes a batch whose first post has waited that long
	// (default 250 ms): a mention reaches the runner quickly.
	MaxDelay time.Duration
	// CursorDelay flushes a cursor that moved without any post (a
	// firehose's likes and follows) after that long (default 2 s).
	CursorDelay time.Duration
}

// Run calls read until it fails or ctx ends and hands what it read to emit
// in batches, in order. read runs in its own goroutine and must return
// once the connection it reads is closed (the caller closes it when Run
// returns). On a read error the batch in hand is emitted first, so what
// was read before a dropped connection is kept; Run then returns the error.
// When ctx ends Run returns nil and the batch in hand is dropped: its
// cursor was not stored, so it is read again.
func (p Pump) Run(ctx context.Context, read func() (Event, error), emit source.Emit) error {
	if p.MaxPosts <= 0 {
		p.MaxPosts = 200
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = 250 * time.Millisecond
	}
	if p.CursorDelay <= 0 {
		p.CursorDelay = 2 * time.Second
	}
	type result struct {
		ev  Event
		err error
	}
	done := make(chan struct{})
	defer close(done)
	in := make(chan result, 256)
	go func() {
		for {
			ev, err := read()
			select {
			case in <- result{ev, err}:
			case <-done:
				return
			}
			if err != nil {
				return
			}
		}
	}()

	var b source.Batch
	pending := false // a cursor or posts not yet emitted
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	armed := false
	flush := func() error {
		timer.Stop()
		armed = false
		if !pending {
			return nil
		}
		err := emit(ctx, b)
		b, pending = source.Batch{Cursor: b.Cursor}, false
		if ctx.Err() != nil {
			return nil // ending: what was not stored is read again
		}
		return err
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
			if err := flush(); err != nil {
				return err
			}
			if ctx.Err() != nil {
				return nil
			}
		case r := <-in:
			if r.err != nil {
				if err := flush(); err != nil {
					return err
				}
				if ctx.Err() != nil {
					return nil
				}
				return r.err
			}
			if r.ev.Cursor != "" {
				b.Cursor = r.ev.Cursor
				pending = true
			}
			first := len(b.Posts) == 0 && len(r.ev.Posts) > 0
			if len(r.ev.Posts) > 0 {
				b.Posts = append(b.Posts, r.ev.Posts...)
				pending = true
				if len(b.Posts) >= p.MaxPosts {
					if err := flush(); err != nil {
						return err
					}
					if ctx.Err() != nil {
						return nil
					}
					continue
				}
			}
			if !pending {
				continue
			}
			// The first post of a batch waits MaxDelay at most; a batch
			// of cursor moves alone waits CursorDelay.
			if first {
				timer.Reset(p.MaxDelay)
				armed = true
			} else if !armed {
				timer.Reset(p.CursorDelay)
				armed = true
			}
		}
	}
}
