// Package stream keeps a network's push connection alive for the inbox: a
// supervisor (Run) that reconnects a network.Streamer with capped
// exponential backoff and jitter and fills the gap with a poll on every
// connection, and the two wire formats the streaming APIs Tribune speaks
// use: server-sent events (ReadSSE) and WebSocket (DialWebSocket).
//
// It is generic: Mastodon's user stream uses it today; any network that
// pushes (a Bluesky Jetstream, a webhook relay) can reuse the supervisor
// and the readers.
package stream

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/tribune-social/tribune/internal/network"
)

// ReadyStreamer is a Streamer that can say when its connection is open
// (subscribed, so that nothing sent from then on is missed). The supervisor
// runs the gap-fill poll at that moment, so the poll and the stream overlap
// and no item falls between them; the store keeps one copy of what both see.
type ReadyStreamer interface {
	// StreamReady is Stream, calling ready once the connection is open and
	// before the first item; ready returning an error ends the stream with
	// that error.
	StreamReady(ctx context.Context, acct network.Account, ready func() error, fn func(network.Item)) error
}

// Supervisor reconnects a stream. The zero value uses the defaults.
type Supervisor struct {
	// MinBackoff is the first wait after a failure (default 1 s).
	MinBackoff time.Duration
	// MaxBackoff caps the wait (default 5 minutes): a network down for an
	// hour is tried twelve times an hour, and each try costs a poll.
	MaxBackoff time.Duration
	// StableAfter is how long a connection must have lasted for the next
	// failure to start again from MinBackoff (default 1 minute). A server
	// that accepts and drops at once is not hammered: each reconnect costs a
	// gap-fill poll, paid from the network's rate budget.
	StableAfter time.Duration
	// Sleep waits d or until ctx ends (tests record the waits instead).
	Sleep func(ctx context.Context, d time.Duration) error
	// Jitter spreads a wait so that every channel of a server that
	// restarted does not reconnect in the same second; default: a uniform
	// draw in [d/2, d].
	Jitter func(d time.Duration) time.Duration
	// Now reads the clock (tests pass a fake one).
	Now func() time.Time
	// OnError, when set, hears every failure the supervisor recovers from
	// (for the logs).
	OnError func(error)
}

// Run is Supervisor{}.Run.
func Run(ctx context.Context, s network.Streamer, acct network.Account, onItem func(network.Item), onReconnect func(context.Context) error) error {
	return Supervisor{}.Run(ctx, s, acct, onItem, onReconnect)
}

// Run keeps s connected until ctx ends, calling onItem for every item
// pushed and onReconnect (the gap-fill poll) on every connection, the first
// one included: items that arrived while no stream was open, since the last
// poll or during a drop, are fetched then. With a ReadyStreamer the poll
// runs once the stream is open; otherwise just before connecting. A failed
// gap-fill closes the connection and counts as a failure, so that a stream
// is never trusted over a gap.
//
// Run returns nil when ctx ends, and the error when reconnecting cannot
// help: the credentials were refused (network.Unauthorized), the network
// refuses the stream for good (network.Permanent), or it has none
// (network.ErrUnsupported). Everything else is retried.
func (sv Supervisor) Run(ctx context.Context, s network.Streamer, acct network.Account, onItem func(network.Item), onReconnect func(context.Context) error) error {
	sv = sv.withDefaults()
	failures := 0
	for {
		if ctx.Err() != nil {
			return nil
		}
		start := sv.Now()
		err := sv.connect(ctx, s, acct, onItem, onReconnect)
		if ctx.Err() != nil {
			return nil
		}
		if fatal(err) {
			return err
		}
		if err == nil {
			err = errors.New("stream: the network closed the stream")
		}
		if sv.OnError != nil {
			sv.OnError(err)
		}
		if sv.Now().Sub(start) >= sv.StableAfter {
			failures = 0
		}
		wait := sv.Jitter(sv.backoff(failures))
		if ne := network.AsError(err); ne.Kind == network.RateLimited && ne.RetryAfter > wait {
			wait = ne.RetryAfter
		}
		failures++
		if err := sv.Sleep(ctx, wait); err != nil {
			return nil
		}
	}
}

func (sv Supervisor) connect(ctx context.Context, s network.Streamer, acct network.Account, onItem func(network.Item), onReconnect func(context.Context) error) error {
	if rs, ok := s.(ReadyStreamer); ok {
		return rs.StreamReady(ctx, acct, func() error { return onReconnect(ctx) }, onItem)
	}
	if err := onReconnect(ctx); err != nil {
		return err
	}
	return s.Stream(ctx, acct, onItem)
}

// fatal reports whether reconnecting cannot help.
func fatal(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, network.ErrUnsupported) {
		return true
	}
	var ne *network.Error
	return errors.As(err, &ne) && (ne.Kind == network.Unauthorized || ne.Kind == network.Permanent)
}

// backoff is MinBackoff·2^failures, capped at MaxBackoff.
func (sv Supervisor) backoff(failures int) time.Duration {
	d := sv.MinBackoff
	for i := 0; i < failures && d < sv.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, sv.MaxBackoff)
}

func (sv Supervisor) withDefaults() Supervisor {
	if sv.MinBackoff <= 0 {
		sv.MinBackoff = time.Second
	}
	if sv.MaxBackoff <= 0 {
		sv.MaxBackoff = 5 * time.Minute
	}
	if sv.MaxBackoff < sv.MinBackoff {
		sv.MaxBackoff = sv.MinBackoff
	}
	if sv.StableAfter <= 0 {
		sv.StableAfter = time.Minute
	}
	if sv.Sleep == nil {
		sv.Sleep = Sleep
	}
	if sv.Jitter == nil {
		sv.Jitter = jitter
	}
	if sv.Now == nil {
		sv.Now = time.Now
	}
	return sv
}

// Sleep waits d and returns nil, or returns ctx.Err() as soon as ctx ends.
// Every loop that pauses between attempts (this supervisor's backoff, the
// listening pollers) waits with it, so that stopping never waits out a
// pause.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func jitter(d time.Duration) time.Duration {
	if d < 2 {
		return d
	}
	return d/2 + rand.N(d/2+1)
}
