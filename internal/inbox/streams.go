package inbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tribune-social/tribune/internal/channels"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/stream"
	"github.com/tribune-social/tribune/internal/store"
)

// Streams: a network that pushes (network.Streamer, with Streaming in its
// capabilities) gets its items at once instead of at the next poll. Every
// worker node runs a Streams manager; a channel's stream runs on ONE node
// of the cluster, the one holding the channel's lease in the database
// (inbox_stream_leases), renewed while the stream lives and taken over by
// another node once a dead node stops renewing it. Items pushed go through
// Ingest (stored once, analysed, linked); every connection starts with a
// gap-fill, a poll with the stored cursor under the poll's claim, so a
// periodic poll and a gap-fill never run at once.

// Stream manager defaults.
const (
	// StreamTick is how often a manager looks for channels to stream and
	// renews its leases.
	StreamTick = 10 * time.Second
	// StreamLease is how long a lease lasts unrenewed: a dead node's
	// streams are taken over at most this long after it died.
	StreamLease = 45 * time.Second
	// GapFillRetry is how often a gap-fill looks again for the poll claim
	// while a periodic poll of its channel runs.
	GapFillRetry = 500 * time.Millisecond
	// StreamRetryAfter is how long a channel whose network refused its
	// stream for good (not its credentials) waits before being tried again.
	StreamRetryAfter = time.Hour
)

// Streams runs the streams of the channels this node holds the lease of.
type Streams struct {
	Inbox *Service
	// Node identifies this node in the leases (the cluster's node id).
	Node string
	// Tick, Lease and Retry default to StreamTick, StreamLease and
	// GapFillRetry; tests shorten them. Tick must stay well below Lease,
	// or a live stream loses its lease between two renewals.
	Tick, Lease, Retry time.Duration
	// Supervisor reconnects each stream (its zero value uses the defaults).
	Supervisor stream.Supervisor

	// streams caches, per channel, whether its capabilities say it
	// streams, with the connection fields that answer was read from: the
	// credentials are opened again only when those change (reconnected,
	// token refreshed), not at every pass.
	streams sync.Map // int64 → streamsVerdict

	mu      sync.Mutex
	running map[int64]*streamRun
	refused map[int64]time.Time // channel → when to try again
	wg      sync.WaitGroup
	// syncs counts the passes made, so that tests wait for passes rather
	// than for time.
	syncs atomic.Int64
	// gapWaits counts the gap-fills' waits for a running poll (tests).
	gapWaits atomic.Int64
}

type streamRun struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// Running is how many streams run on this node (the status page shows it).
func (m *Streams) Running() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.running)
}

// Run manages the streams until ctx ends, then stops them all and gives
// their leases back, so that another node takes them over at once rather
// than when the leases run out.
func (m *Streams) Run(ctx context.Context) error {
	m.mu.Lock()
	if m.running == nil {
		m.running, m.refused = map[int64]*streamRun{}, map[int64]time.Time{}
	}
	m.mu.Unlock()
	tick := m.Tick
	if tick <= 0 {
		tick = StreamTick
	}
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		if err := m.sync(ctx); err != nil && ctx.Err() == nil && m.Inbox.Log != nil {
			m.Inbox.Log.Warn("inbox streams", "err", err)
		}
		m.syncs.Add(1)
		select {
		case <-ctx.Done():
			m.stopAll()
			return nil
		case <-t.C:
		}
	}
}

func (m *Streams) lease() time.Duration {
	if m.Lease <= 0 {
		return StreamLease
	}
	return m.Lease
}

// sync renews this node's leases, stops the streams whose channel went
// (disconnected, no longer active) or whose lease another node took, and
// starts the streams of streaming channels nobody runs.
func (m *Streams) sync(ctx context.Context) error {
	s := m.Inbox
	cands, err := s.Store.ListInboxStreamCandidates(ctx)
	if err != nil {
		return err
	}
	now := s.Now().UTC()
	want := map[int64]bool{}
	for _, c := range cands {
		if _, ok := m.streamerOf(ctx, c.ID, c.Network); ok {
			want[c.ID] = true
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for id, r := range m.running {
		select {
		case <-r.done:
			delete(m.running, id)
			continue
		default:
		}
		if !want[id] {
			r.cancel()
			continue
		}
		n, err := m.claim(ctx, id, now)
		if err != nil {
			return err
		}
		if !n {
			// Another node took the channel over: our lease had run out
			// (this node was too slow or cut from the database).
			r.cancel()
		}
	}
	for id := range want {
		if _, ok := m.running[id]; ok {
			continue
		}
		if at, ok := m.refused[id]; ok && now.Before(at) {
			continue
		}
		n, err := m.claim(ctx, id, now)
		if err != nil {
			return err
		}
		if !n {
			continue // another node runs it
		}
		sctx, cancel := context.WithCancel(ctx)
		r := &streamRun{cancel: cancel, done: make(chan struct{})}
		m.running[id] = r
		m.wg.Add(1)
		go m.run(sctx, id, r)
	}
	return nil
}

// claim takes or renews the channel's lease for this node and reports
// whether it holds it.
func (m *Streams) claim(ctx context.Context, channelID int64, now time.Time) (bool, error) {
	var n int64
	err := m.Inbox.Store.InTx(ctx, func(tx store.Tx) error {
		var err error
		p := store.InsertInboxStreamParams{ChannelID: channelID, NodeID: m.Node, LeaseUntil: now.Add(m.lease())}
		if n, err = tx.InsertInboxStream(ctx, p); err != nil || n == 1 {
			return err
		}
		n, err = tx.RenewInboxStream(ctx, store.RenewInboxStreamParams{NodeID: m.Node, LeaseUntil: p.LeaseUntil, ChannelID: channelID, Now: now})
		return err
	})
	return n == 1, err
}

// streamerOf returns the channel's connector's Streamer when its
// capabilities say it streams.
func (m *Streams) streamerOf(ctx context.Context, channelID int64, netw string) (network.Streamer, bool) {
	ib, ok := m.Inbox.inboxOf(netw)
	if !ok {
		return nil, false
	}
	st, ok := ib.(network.Streamer)
	if !ok {
		return nil, false
	}
	ch, err := m.Inbox.Store.GetChannel(ctx, channelID)
	if err != nil {
		return nil, false
	}
	fp := connectionOf(ch)
	if v, ok := m.streams.Load(channelID); ok && v.(streamsVerdict).conn == fp {
		return st, v.(streamsVerdict).streams
	}
	acct, err := m.Inbox.Accounts.Account(ctx, ch)
	if err != nil {
		return nil, false
	}
	streams := ib.InboxCapabilities(acct).Streaming
	m.streams.Store(channelID, streamsVerdict{conn: fp, streams: streams})
	return st, streams
}

// streamsVerdict is whether a channel streams, as read from conn.
type streamsVerdict struct {
	conn    string
	streams bool
}

// connectionOf is what a channel's capabilities are read from: its network,
// its account and its sealed credentials.
func connectionOf(ch store.Channel) string {
	sum := sha256.Sum256(ch.TokenCiphertext)
	return strings.Join([]string{ch.Network, ch.BaseURL, ch.ExternalID, ch.Handle, ch.TokenKeyID, hex.EncodeToString(sum[:])}, "\x00")
}

// run is one channel's stream on this node, until ctx ends or the network
// refuses it for good.
func (m *Streams) run(ctx context.Context, channelID int64, r *streamRun) {
	s := m.Inbox
	defer m.wg.Done()
	defer close(r.done)
	defer func() {
		// Given back even when ctx ended (shutdown), hence a context of its own.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := s.Store.ReleaseInboxStream(rctx, store.ReleaseInboxStreamParams{ChannelID: channelID, NodeID: m.Node}); err != nil && s.Log != nil {
			s.Log.Warn("inbox stream lease release", "channel", channelID, "err", err)
		}
	}()
	ch, err := s.Store.GetChannel(ctx, channelID)
	if err != nil {
		return
	}
	st, ok := m.streamerOf(ctx, channelID, ch.Network)
	if !ok {
		return
	}
	acct, err := s.Accounts.Account(ctx, ch)
	if err != nil {
		return
	}
	sv := m.Supervisor
	if sv.OnError == nil && s.Log != nil {
		sv.OnError = func(err error) {
			s.Log.Info("inbox stream reconnects", "channel", ch.ID, "network", ch.Network, "err", err)
		}
	}
	err = sv.Run(ctx, st, acct, func(it network.Item) {
		if _, err := s.Ingest(ctx, ch, []network.Item{it}); err != nil && ctx.Err() == nil && s.Log != nil {
			// The next gap-fill (or periodic poll) brings it again.
			s.Log.Warn("inbox stream ingest", "channel", ch.ID, "item", it.ExternalID, "err", err)
		}
	}, func(ctx context.Context) error { return m.gapFill(ctx, ch.ID) })
	if err == nil || ctx.Err() != nil {
		return
	}
	if s.Log != nil {
		s.Log.Warn("inbox stream stopped", "channel", ch.ID, "network", ch.Network, "err", err)
	}
	var ne *network.Error
	if errors.As(err, &ne) && ne.Kind == network.Unauthorized {
		// As the poll does: the channel waits for its owner to reconnect
		// it, which makes it a candidate again.
		if err := s.Store.UpdateChannelStatus(context.WithoutCancel(ctx), store.UpdateChannelStatusParams{Status: string(channels.Reconnect), ID: ch.ID}); err != nil && s.Log != nil {
			s.Log.Warn("inbox stream", "channel", ch.ID, "err", err)
		}
		return
	}
	m.mu.Lock()
	m.refused[channelID] = s.Now().UTC().Add(StreamRetryAfter)
	m.mu.Unlock()
}

// gapFill polls the channel with its stored cursor, due or not, under the
// poll's claim: it waits while a periodic poll of the channel runs (that
// poll may have read the network before the stream opened). A network
// failure is returned, so that the supervisor reconnects rather than trust
// a stream over a gap.
func (m *Streams) gapFill(ctx context.Context, channelID int64) error {
	s := m.Inbox
	retry := m.Retry
	if retry <= 0 {
		retry = GapFillRetry
	}
	for {
		now := s.Now().UTC()
		if err := s.Store.EnsureInboxPollState(ctx, store.EnsureInboxPollStateParams{ChannelID: channelID, NextPollAt: now}); err != nil {
			return err
		}
		n, err := s.Store.ClaimInboxGapFill(ctx, store.ClaimInboxGapFillParams{LeaseUntil: ptr(now.Add(PollLease)), ChannelID: channelID, Now: &now})
		if err != nil {
			return err
		}
		if n == 1 {
			defer s.endPollRun(channelID)
			fetchErr, err := s.pollClaimed(ctx, channelID, now)
			if err != nil {
				return err
			}
			return fetchErr
		}
		m.gapWaits.Add(1)
		if err := stream.Sleep(ctx, retry); err != nil {
			return err
		}
	}
}

// endPollRun lifts a poll's running mark, even when its context ended.
func (s *Service) endPollRun(channelID int64) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Store.EndInboxPollRun(ctx, channelID); err != nil && s.Log != nil {
		s.Log.Warn("inbox poll run end", "channel", channelID, "err", err)
	}
}

// stopAll stops every stream of this node and waits for them (each gives
// its lease back).
func (m *Streams) stopAll() {
	m.mu.Lock()
	for _, r := range m.running {
		r.cancel()
	}
	m.mu.Unlock()
	m.wg.Wait()
	m.mu.Lock()
	clear(m.running)
	m.mu.Unlock()
}
