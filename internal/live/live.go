// Package live carries what changes in a workspace to every page open on it,
// on every node: a new inbox item, a status change, someone opening or
// replying to a conversation. Use cases Publish small events (ids, not
// bodies); the browser's event stream (internal/web/ui, GET /w/{ws}/events)
// Subscribes and forwards them; pages refetch what an event names.
//
// On SQLite (one node) events go from publisher to subscribers in process.
// On PostgreSQL they go through LISTEN/NOTIFY: each node holds one listening
// connection and delivers what it hears, its own events included, so every
// node sees the same order. A subscriber that may have missed events (its
// buffer overflowed, or the listening connection dropped) receives a Resync
// event and refetches the page instead of patching it.
//
// Presence (who is viewing, who is replying to a conversation) travels on
// the same path, as heartbeats that expire: see Heartbeat and Presence.
//
// What the inbox does with it:
//   - after a transaction that stores or changes items has committed,
//     Publish(ctx, ws, Event{Type: "item.new" or "item.updated", Subject:
//     conversation id, Data: {"item": id}}); a failed Publish is logged, not
//     fatal (pages catch up at their next resync or load);
//   - before sending a member's reply, CheckReply(ws, conversation id,
//     member id, sendAnyway): a 409 naming who else is replying, which the
//     page shows with a "send anyway" choice that sets sendAnyway;
//   - its pages render ui's liveStream once, livePresence per conversation,
//     data-live-reply on the reply form, and data-live-on with hx-get and
//     hx-trigger="live" on the parts to refetch (static/live.js).
package live

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Event is one change in a workspace, as pages receive it.
type Event struct {
	// Type says what changed ("item.new", "item.updated", "presence",
	// "resync"…); pages decide what to refetch from it.
	Type string `json:"type"`
	// Subject is what changed, e.g. a conversation id; empty for the
	// workspace as a whole.
	Subject string `json:"subject,omitempty"`
	// Data is a small JSON value (ids, a status): the whole message must fit
	// in a PostgreSQL notification (MaxMessage).
	Data json.RawMessage `json:"data,omitempty"`
}

// Event types the package itself sends.
const (
	// TypeResync tells a subscriber it may have missed events: refetch.
	TypeResync = "resync"
	// TypePresence carries one Viewer of a conversation (its Subject).
	TypePresence = "presence"
)

// MaxMessage is the largest encoded event Publish accepts. PostgreSQL
// refuses a notification payload of 8000 bytes or more; the same bound holds
// on SQLite so that code tested on one node does not fail on several.
const MaxMessage = 7999

// ErrTooLarge is Publish's answer to an event over MaxMessage: send ids and
// let the page fetch the rest.
var ErrTooLarge = errors.New("live: event too large for a notification; send ids, not bodies")

// ErrStopped is Publish's answer once the broker has stopped.
var ErrStopped = errors.New("live: broker stopped")

// Options configure a Broker.
type Options struct {
	// Pool, when set, is the PostgreSQL pool of the store: events then go
	// through LISTEN/NOTIFY to every node sharing the database. Nil: one
	// node, in process.
	Pool *pgxpool.Pool
	// Buffer is how many events a subscriber may have waiting before it is
	// sent a Resync instead (default 64).
	Buffer int
	// PresenceTTL is how long a heartbeat counts (default 30 s; pages send
	// one every 10 s).
	PresenceTTL time.Duration
	// MinBackoff and MaxBackoff bound the wait between reconnections of
	// the listening connection (default 200 ms and 15 s).
	MinBackoff, MaxBackoff time.Duration
	Now                    func() time.Time
	Log                    *slog.Logger
}

// Broker publishes events and fans them out to the subscribers of this node.
type Broker struct {
	opt Options
	pg  *pgTransport // nil on one node

	mu       sync.Mutex
	subs     map[int64]map[*subscriber]struct{}
	presence map[presenceKey]map[int64]Viewer
	stopped  bool
}

type subscriber struct {
	ch chan Event
}

// envelope is an event on the wire between nodes.
type envelope struct {
	Workspace int64 `json:"w"`
	Event
}

// New returns a broker; call Start before use and Stop at the end.
func New(o Options) *Broker {
	if o.Buffer <= 0 {
		o.Buffer = 64
	}
	if o.PresenceTTL <= 0 {
		o.PresenceTTL = 30 * time.Second
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = 200 * time.Millisecond
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 15 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	b := &Broker{opt: o, subs: map[int64]map[*subscriber]struct{}{}, presence: map[presenceKey]map[int64]Viewer{}}
	if o.Pool != nil {
		b.pg = &pgTransport{pool: o.Pool, b: b}
	}
	return b
}

// Start opens the listening connection on PostgreSQL and waits until it
// listens, or until ctx ends (it then keeps trying in the background and
// returns ctx's error). On SQLite it does nothing.
func (b *Broker) Start(ctx context.Context) error {
	if b.pg == nil {
		return nil
	}
	return b.pg.start(ctx)
}

// Stop ends the listening connection and every subscription: subscribers'
// channels close, so event streams end (call it when the HTTP server shuts
// down, or streams would hold the shutdown until its deadline).
func (b *Broker) Stop() {
	b.mu.Lock()
	if b.stopped {
		b.mu.Unlock()
		return
	}
	b.stopped = true
	for _, set := range b.subs {
		for s := range set {
			close(s.ch)
		}
	}
	b.subs = map[int64]map[*subscriber]struct{}{}
	b.mu.Unlock()
	if b.pg != nil {
		b.pg.stop()
	}
}

// Publish sends e to every subscriber of workspace ws, on every node. It
// never waits for a subscriber.
func (b *Broker) Publish(ctx context.Context, ws int64, e Event) error {
	msg, err := json.Marshal(envelope{Workspace: ws, Event: e})
	if err != nil {
		return err
	}
	if len(msg) > MaxMessage {
		return ErrTooLarge
	}
	b.mu.Lock()
	stopped := b.stopped
	b.mu.Unlock()
	if stopped {
		return ErrStopped
	}
	if b.pg != nil {
		return b.pg.send(ctx, msg)
	}
	b.deliver(ws, e)
	return nil
}

// PublishAll is Publish for several events of one workspace, in their
// order, at the cost of one: on PostgreSQL one statement sends them all
// (an ingested fetch tells of each of its items, and a round trip per item
// was a quarter of a fetch's time). PostgreSQL drops a notification equal to
// another of the same transaction, so two identical events in one call
// arrive once, which tells a page nothing less. Nothing is sent when one of
// them is too large.
func (b *Broker) PublishAll(ctx context.Context, ws int64, events []Event) error {
	msgs, err := b.encodeAll(ws, events)
	if err != nil || len(msgs) == 0 {
		return err
	}
	if b.pg != nil {
		return b.pg.sendAll(ctx, msgs)
	}
	for _, e := range events {
		b.deliver(ws, e)
	}
	return nil
}

// TxNotifier is a transaction that can carry notifications: PostgreSQL
// sends those of a transaction when it commits, and none if it rolls back.
// The store's PostgreSQL transactions are one.
type TxNotifier interface {
	Notify(ctx context.Context, channel string, payloads []string) error
}

// PublishAllIn is PublishAll for the events of a change that tx is
// writing. On PostgreSQL, tx carries them (a TxNotifier): every node hears
// them once tx commits, and none if it rolls back, with no statement or
// transaction of their own after the commit (an ingested fetch's events
// then cost a round trip and a transaction of 0.6 ms, about 15 µs an item).
// Otherwise — one node, in process — the returned function publishes them,
// and is called once tx committed. A failing notification fails tx's
// commit: PostgreSQL refuses one only when its queue is full, a listener
// having fallen 8 GB behind.
func (b *Broker) PublishAllIn(ctx context.Context, tx any, ws int64, events []Event) (after func(context.Context) error, err error) {
	msgs, err := b.encodeAll(ws, events)
	if err != nil || len(msgs) == 0 {
		return func(context.Context) error { return nil }, err
	}
	if n, ok := tx.(TxNotifier); ok && b.pg != nil && b.pg.channel != "" {
		return func(context.Context) error { return nil }, n.Notify(ctx, b.pg.channel, msgs)
	}
	return func(ctx context.Context) error { return b.PublishAll(ctx, ws, events) }, nil
}

// encodeAll is events as they travel between nodes; nothing when one of
// them is too large, or the broker stopped.
func (b *Broker) encodeAll(ws int64, events []Event) ([]string, error) {
	if len(events) == 0 {
		return nil, nil
	}
	msgs := make([]string, len(events))
	for i, e := range events {
		msg, err := json.Marshal(envelope{Workspace: ws, Event: e})
		if err != nil {
			return nil, err
		}
		if len(msg) > MaxMessage {
			return nil, ErrTooLarge
		}
		msgs[i] = string(msg)
	}
	b.mu.Lock()
	stopped := b.stopped
	b.mu.Unlock()
	if stopped {
		return nil, ErrStopped
	}
	return msgs, nil
}

// Subscribe returns the events of workspace ws from now on, and the function
// that ends the subscription (and closes the channel). A subscriber that
// falls Buffer events behind loses them and receives one Resync instead:
// a slow page never holds up a publisher, and it knows to refetch.
func (b *Broker) Subscribe(ws int64) (<-chan Event, func()) {
	s := &subscriber{ch: make(chan Event, b.opt.Buffer)}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stopped {
		close(s.ch)
		return s.ch, func() {}
	}
	set := b.subs[ws]
	if set == nil {
		set = map[*subscriber]struct{}{}
		b.subs[ws] = set
	}
	set[s] = struct{}{}
	var once sync.Once
	return s.ch, func() {
		once.Do(func() {
			b.mu.Lock()
			defer b.mu.Unlock()
			if _, ok := b.subs[ws][s]; !ok {
				return // Stop closed it already
			}
			delete(b.subs[ws], s)
			if len(b.subs[ws]) == 0 {
				delete(b.subs, ws)
			}
			close(s.ch)
		})
	}
}

// receive handles one message heard from PostgreSQL.
func (b *Broker) receive(payload string) {
	var env envelope
	if err := json.Unmarshal([]byte(payload), &env); err != nil {
		b.opt.Log.Warn("live: unreadable notification", "err", err)
		return
	}
	b.deliver(env.Workspace, env.Event)
}

// deliver hands e to this node's subscribers of ws, never blocking.
func (b *Broker) deliver(ws int64, e Event) {
	if e.Type == TypePresence {
		b.notePresence(ws, e)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs[ws] {
		s.offer(e)
	}
}

// resyncAll tells every subscriber of this node that events may be lost.
func (b *Broker) resyncAll() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, set := range b.subs {
		for s := range set {
			s.offer(Event{Type: TypeResync})
		}
	}
}

// offer queues e, or, when the buffer is full, replaces everything waiting
// by one Resync: the page will refetch, so the queued events are worthless,
// and dropping only the oldest would leave it silently wrong. Called with
// the broker's lock held, which is the only place sending on ch.
func (s *subscriber) offer(e Event) {
	select {
	case s.ch <- e:
		return
	default:
	}
	for drained := false; !drained; {
		select {
		case <-s.ch:
		default:
			drained = true
		}
	}
	s.ch <- Event{Type: TypeResync}
}
