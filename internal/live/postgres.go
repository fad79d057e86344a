package live

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// pgTransport sends events with pg_notify through the store's pool and
// hears them on one connection of its own per node, held outside the pool
// (a LISTEN lasts as long as the session, which a pool would hand to others).
type pgTransport struct {
	pool *pgxpool.Pool
	b    *Broker

	// channel is per database schema: NOTIFY reaches the whole database, and
	// two Tribunes (or two test runs) in two schemas of one database must
	// not hear each other's workspaces.
	channel string

	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
	pid    uint32 // backend of the listening connection (tests kill it)
}

func (t *pgTransport) start(ctx context.Context) error {
	var schema string
	if err := t.pool.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return fmt.Errorf("live: %w", err)
	}
	t.channel = "tribune_live_" + schema
	runCtx, cancel := context.WithCancel(context.Background())
	listening := make(chan struct{})
	t.mu.Lock()
	t.cancel, t.done = cancel, make(chan struct{})
	t.mu.Unlock()
	go t.run(runCtx, listening)
	select {
	case <-listening:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("live: not listening yet, still trying: %w", ctx.Err())
	}
}

func (t *pgTransport) stop() {
	t.mu.Lock()
	cancel, done := t.cancel, t.done
	t.mu.Unlock()
	if cancel == nil {
		return
	}
	cancel()
	<-done
}

func (t *pgTransport) send(ctx context.Context, msg []byte) error {
	if t.channel == "" {
		return errors.New("live: broker not started")
	}
	_, err := t.pool.Exec(ctx, `SELECT pg_notify($1, $2)`, t.channel, string(msg))
	return err
}

// sendAll notifies msgs in one statement; unnest reads the array in order,
// and notifications of one transaction arrive in the order they were sent.
func (t *pgTransport) sendAll(ctx context.Context, msgs []string) error {
	if t.channel == "" {
		return errors.New("live: broker not started")
	}
	_, err := t.pool.Exec(ctx, `SELECT pg_notify($1, m) FROM unnest($2::text[]) AS u(m)`, t.channel, msgs)
	return err
}

// run listens until ctx ends, reconnecting with exponential backoff and
// jitter. After every LISTEN, subscribers get a Resync: whatever was
// notified while no connection listened is lost (PostgreSQL keeps nothing
// for an absent listener), so pages refetch instead.
func (t *pgTransport) run(ctx context.Context, listening chan struct{}) {
	defer close(t.done)
	o := t.b.opt
	delay := o.MinBackoff
	first := true
	for ctx.Err() == nil {
		err := t.listen(ctx, func() {
			delay = o.MinBackoff
			if first {
				first = false
				close(listening)
			}
			t.b.resyncAll()
		})
		if ctx.Err() != nil {
			return
		}
		o.Log.Warn("live: listening connection lost; reconnecting", "err", err, "in", delay)
		// Full jitter: nodes that lost the database together do not all come
		// back in the same instant.
		wait := delay/2 + rand.N(delay/2+1)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		delay = min(delay*2, o.MaxBackoff)
	}
}

// listen holds one listening connection until it fails or ctx ends.
func (t *pgTransport) listen(ctx context.Context, listening func()) error {
	cfg := t.pool.Config().ConnConfig.Copy()
	cfg.RuntimeParams["application_name"] = "tribune-live"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{t.channel}.Sanitize()); err != nil {
		return err
	}
	t.mu.Lock()
	t.pid = conn.PgConn().PID()
	t.mu.Unlock()
	listening()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		t.b.receive(n.Payload)
	}
}

func (t *pgTransport) listenerPID() uint32 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.pid
}
