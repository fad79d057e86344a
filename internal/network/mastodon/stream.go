package mastodon

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/stream"
)

// The user stream (docs.joinmastodon.org/methods/streaming): the account's
// notifications and home timeline pushed as they happen, over a WebSocket
// (GET /api/v1/streaming?stream=user; Mastodon and GoToSocial) or
// server-sent events (GET /api/v1/streaming/user; Mastodon only). Events
// are "notification" (a Notification), "update" and "status.update" (a
// Status, new or edited), "delete" (a status id), each payload a JSON
// string; the WebSocket also subscribes to the "direct" stream for
// "conversation" events (a Conversation: a new direct message).

// DefaultStreamIdle is how long a stream may stay silent before it is
// taken for dead: Mastodon sends a heartbeat every 15 seconds on an event
// stream, Mastodon and GoToSocial ping a WebSocket every 30. A connection
// that died without a word (a NAT that forgot it, a server that froze) is
// otherwise noticed by TCP only hours later, and nothing is streamed
// meanwhile.
const DefaultStreamIdle = 90 * time.Second

func (c *Connector) streamIdle() time.Duration {
	if c.StreamIdle > 0 {
		return c.StreamIdle
	}
	return DefaultStreamIdle
}

var _ stream.ReadyStreamer = (*Connector)(nil)

// Stream is StreamReady without a ready signal.
func (c *Connector) Stream(ctx context.Context, acct network.Account, fn func(network.Item)) error {
	return c.StreamReady(ctx, acct, nil, fn)
}

// StreamReady opens the user stream over a WebSocket and, when the server
// refuses the upgrade (a proxy that does not pass WebSockets), over
// server-sent events, calling ready once it is open and fn for every inbox
// item it carries. It returns when ctx ends or the connection fails.
func (c *Connector) StreamReady(ctx context.Context, acct network.Account, ready func() error, fn func(network.Item)) error {
	err := c.StreamWebSocket(ctx, acct, ready, fn)
	var ne *network.Error
	if errors.As(err, &ne) && ne.Kind == network.Permanent && ne.Status != 0 && ne.Status != http.StatusNotFound {
		return c.StreamSSE(ctx, acct, ready, fn)
	}
	return err
}

// streamBase is where the streaming API lives: the instance's
// configuration.urls.streaming when it names another host (Mastodon may run
// its streaming server apart), else the instance as Tribune reaches it. A
// streaming address on the instance's own host or domain is reached the way
// the instance is: GoToSocial always advertises wss://, even when served
// over plain http, and an instance reached through a proxy names its own
// host, not the proxy's.
func (c *Connector) streamBase(ctx context.Context, acct network.Account) string {
	inst, ok := c.server(ctx, acct.BaseURL)
	if !ok || inst.StreamingURL == "" {
		return acct.BaseURL
	}
	su, err := url.Parse(inst.StreamingURL)
	base, berr := url.Parse(acct.BaseURL)
	if err != nil || berr != nil || su.Host == "" || strings.EqualFold(su.Host, base.Host) || strings.EqualFold(su.Hostname(), inst.Domain) || strings.EqualFold(su.Host, inst.Domain) {
		return acct.BaseURL
	}
	switch su.Scheme {
	case "wss":
		su.Scheme = "https"
	case "ws":
		su.Scheme = "http"
	}
	return strings.TrimSuffix(su.String(), "/")
}

// StreamWebSocket streams over a WebSocket. The token goes in the
// Authorization header, which Mastodon's streaming server and GoToSocial
// both read, rather than in the address, which proxies log.
func (c *Connector) StreamWebSocket(ctx context.Context, acct network.Account, ready func() error, fn func(network.Item)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ws, err := stream.DialWebSocket(ctx, c.streams, c.streamBase(ctx, acct)+"/api/v1/streaming?stream=user",
		http.Header{"Authorization": {"Bearer " + acct.Token.AccessToken}})
	if err != nil {
		return err
	}
	defer ws.Close()
	// Direct messages ("conversation" events) are on the "direct" stream,
	// not the user stream, on Mastodon and GoToSocial alike: one
	// connection carries both once subscribed.
	if err := ws.WriteText([]byte(`{"type":"subscribe","stream":"direct"}`)); err != nil {
		return &network.Error{Kind: network.Temporary, Message: "the stream was cut", Err: err}
	}
	kick, stop := stream.Watchdog(c.streamIdle(), func() { ws.Close() })
	defer stop()
	if ready != nil {
		if err := ready(); err != nil {
			return err
		}
	}
	h := c.newHandler(acct, fn)
	for {
		msg, err := ws.Read(kick)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return &network.Error{Kind: network.Temporary, Message: "the stream was cut", Err: err}
		}
		var m struct {
			Event   string `json:"event"`
			Payload string `json:"payload"`
		}
		if json.Unmarshal(msg, &m) != nil {
			continue // not an event (an error message): nothing to take in
		}
		if err := h.handle(ctx, stream.Event{Name: m.Event, Data: m.Payload}); err != nil {
			return err
		}
	}
}

// StreamSSE streams over server-sent events (Mastodon). An event stream
// carries one stream: the user stream, so direct messages come with the
// next poll rather than at once.
func (c *Connector) StreamSSE(ctx context.Context, acct network.Account, ready func() error, fn func(network.Item)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	body, err := stream.OpenSSE(ctx, c.streams, c.streamBase(ctx, acct)+"/api/v1/streaming/user",
		http.Header{"Authorization": {"Bearer " + acct.Token.AccessToken}})
	if err != nil {
		return err
	}
	defer body.Close()
	kick, stop := stream.Watchdog(c.streamIdle(), func() { body.Close() })
	defer stop()
	if ready != nil {
		if err := ready(); err != nil {
			return err
		}
	}
	h := c.newHandler(acct, fn)
	err = stream.ReadSSE(&kicker{body, kick}, func(e stream.Event) error { return h.handle(ctx, e) })
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return &network.Error{Kind: network.Temporary, Message: "the stream was cut", Err: err}
}

// kicker reports every read (heartbeats included) to the watchdog.
type kicker struct {
	r    interface{ Read([]byte) (int, error) }
	kick func()
}

func (k *kicker) Read(p []byte) (int, error) {
	n, err := k.r.Read(p)
	if n > 0 {
		k.kick()
	}
	return n, err
}

// handler turns stream events into items, with one connection's cache of
// thread roots.
type handler struct {
	f *fetch
	// sent is the edit time of every status passed on: a new status that
	// concerns us comes twice (as an "update" and in its "notification")
	// and is passed on once; an edit passes again.
	sent map[string]time.Time
	out  func(network.Item)
}

func (c *Connector) newHandler(acct network.Account, fn func(network.Item)) *handler {
	return &handler{f: c.newFetch(acct), sent: map[string]time.Time{}, out: fn}
}

func (h *handler) fn(it network.Item) {
	if at, ok := h.sent[it.ExternalID]; ok && at.Equal(it.EditedAt) && !it.Deleted {
		return
	}
	h.sent[it.ExternalID] = it.EditedAt
	h.out(it)
}

// handle takes in one event. An event that cannot be read is skipped (the
// next poll brings what it carried); a failed thread look-up ends the
// stream, so that the supervisor's gap-fill poll takes the item in.
func (h *handler) handle(ctx context.Context, e stream.Event) error {
	switch e.Name {
	case "notification":
		var n mNotification
		if json.Unmarshal([]byte(e.Data), &n) != nil {
			return nil
		}
		it, ok, err := h.f.fromNotification(ctx, n)
		if err != nil {
			return err
		}
		if ok {
			h.fn(it)
		}
	case "update", "status.update":
		// A status of the home timeline, new or edited: an inbox item when
		// it concerns us (a new one also comes as a notification, with the
		// same ExternalID).
		var st mStatus
		if json.Unmarshal([]byte(e.Data), &st) != nil || st.Visibility == "direct" || st.Account.ID == h.f.acct.ExternalID {
			return nil
		}
		it, ok, err := h.f.classify(ctx, st)
		if err != nil {
			return err
		}
		if ok {
			h.fn(it)
		}
	case "delete":
		// Only the id is known: the store marks the item deleted if it
		// holds it, and ignores it otherwise.
		if id := strings.TrimSpace(e.Data); id != "" {
			h.fn(network.Item{ExternalID: id, Ref: network.Ref{ID: id}, Deleted: true})
		}
	case "conversation":
		var cv mConversation
		if json.Unmarshal([]byte(e.Data), &cv) != nil || cv.LastStatus == nil || cv.LastStatus.Account.ID == h.f.acct.ExternalID {
			return nil
		}
		it := h.f.item(*cv.LastStatus, network.KindMessage)
		it.ConversationID = cv.ID
		h.fn(it)
	}
	return nil
}
