package publish

import (
	"context"
	"time"

	"github.com/tribune-social/tribune/internal/store"
)

// The events the publisher emits (internal/webhooks lists them, and
// imports this package, so the names live here).
const (
	EventPublished = "post.published"
	EventFailed    = "post.failed"
)

// Webhooks queues one event of type eventType per element of data for the
// workspace's endpoints that subscribed to it, in the caller's transaction,
// reading the endpoints once for all of them (webhooks.Service.EmitEach,
// adapted in internal/app).
type Webhooks func(ctx context.Context, tx store.Tx, workspaceID int64, eventType string, data []any) error

// VariantEvent is the data of post.published and post.failed: one
// variant of a post, on one channel.
type VariantEvent struct {
	PostID    int64  `json:"post_id"`
	VariantID int64  `json:"variant_id"`
	ChannelID int64  `json:"channel_id"`
	Network   string `json:"network"`
	// ExternalID and URL are the first message's on the network
	// (post.published).
	ExternalID  string     `json:"external_id,omitempty"`
	URL         string     `json:"url,omitempty"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
	// Error is the network's reason (post.failed).
	Error string `json:"error,omitempty"`
}

// variantEvent is one event waiting for its transaction: the variants that
// finish together share a commit (writeGroup), and their events are queued
// in it workspace by workspace (emitGroup).
type variantEvent struct {
	workspaceID int64
	typ         string
	ev          VariantEvent
}

// emit queues t for v in tx when the publisher has webhooks. It runs in
// the transaction that records the variant's outcome, so the event exists
// if and only if the outcome was saved, once: a variant is published or
// failed once (a later run finds it done and does nothing).
func (p *Publisher) emit(ctx context.Context, tx store.Tx, ch store.Channel, t string, ev VariantEvent) error {
	if p.Webhooks == nil {
		return nil
	}
	return p.Webhooks(ctx, tx, ch.WorkspaceID, t, []any{ev})
}

// emitGroup queues the events of a group's commit with one call, so one
// read of the endpoints, per workspace and event type, in the order the
// workspaces came: a thousand variants published together in one
// workspace read its endpoints once, not a thousand times.
func (p *Publisher) emitGroup(ctx context.Context, tx store.Tx, events []variantEvent) error {
	if p.Webhooks == nil || len(events) == 0 {
		return nil
	}
	type key struct {
		ws  int64
		typ string
	}
	var order []key
	by := make(map[key][]any)
	for _, e := range events {
		k := key{e.workspaceID, e.typ}
		if _, ok := by[k]; !ok {
			order = append(order, k)
		}
		by[k] = append(by[k], e.ev)
	}
	for _, k := range order {
		if err := p.Webhooks(ctx, tx, k.ws, k.typ, by[k]); err != nil {
			return err
		}
	}
	return nil
}
