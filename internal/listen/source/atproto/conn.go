package atproto

import (
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/tribune-social/tribune/internal/listen/source"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/httpx"
	"github.com/tribune-social/tribune/internal/network/stream"
)

// Classify turns a failed connection into the runner's terms: an address
// the safe client refuses, a 4xx answer other than 401/408/429 (wrong
// path, a parameter the server rejects) will not mend by reconnecting and
// wraps source.ErrPermanent; a 401 wraps source.ErrUnauthorized; the rest
// (time-outs, resets, 5xx) is returned as it is and retried.
func Classify(what string, err error) error {
	if err == nil {
		return nil
	}
	if httpx.Blocked(err) {
		return fmt.Errorf("%w: %s: %w", source.ErrPermanent, what, err)
	}
	var ne *network.Error
	if errors.As(err, &ne) {
		switch ne.Kind {
		case network.Permanent:
			return fmt.Errorf("%w: %s: %w", source.ErrPermanent, what, err)
		case network.Unauthorized:
			return fmt.Errorf("%w: %s: %w", source.ErrUnauthorized, what, err)
		}
	}
	return fmt.Errorf("%s: %w", what, err)
}

// StreamClient is c without its call timeout: the safe client bounds
// every call (30 s by default), which would cut a stream that lives for
// days. The same transport, so the same rules (https, public addresses);
// the handshake is bounded by stream.HandshakeTimeout and a dead stream by
// KeepAlive.
func StreamClient(c *http.Client) *http.Client {
	sc := *c
	sc.Timeout = 0
	return &sc
}

// Alive watches a connection; see KeepAlive.
type Alive struct {
	// Kick is passed to ws.Read as onFrame: any frame proves the
	// connection alive.
	Kick    func()
	stop    func()
	expired atomic.Bool
	done    chan struct{}
}

// Stop ends the watch.
func (a *Alive) Stop() {
	a.stop()
	close(a.done)
}

// Expired reports whether the watch closed the connection.
func (a *Alive) Expired() bool { return a.expired.Load() }

// KeepAlive pings ws every interval and closes it when no frame at all (a
// message, a pong) came for idle: a quiet stream (a PDS nobody posts on, a
// Jetstream filtered on a few accounts) is told from a dead connection
// that TCP alone may not notice for hours.
func KeepAlive(ws *stream.WebSocket, interval, idle time.Duration) *Alive {
	a := &Alive{done: make(chan struct{})}
	kick, stopWatch := stream.Watchdog(idle, func() {
		a.expired.Store(true)
		ws.Close()
	})
	a.Kick = kick
	ticker := time.NewTicker(interval)
	a.stop = func() {
		ticker.Stop()
		stopWatch()
	}
	go func() {
		for {
			select {
			case <-a.done:
				return
			case <-ticker.C:
				if ws.Ping() != nil {
					return
				}
			}
		}
	}()
	return a
}
