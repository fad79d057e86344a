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

// Webhooks queues an event for the workspace's endpoints that subscribed
// to it, in the caller's transaction (webhooks.Service.Emit, adapted in
// internal/app).
type Webhooks func(ctx context.Context, tx store.Tx, workspaceID int64, eventType string, data any) error

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

// emit queues t for v in tx when the publisher has webhooks. It runs in
// the transaction that records the variant's outcome, so the event exists
// if and only if the outcome was saved, once: a variant is published or
// failed once (a later run finds it done and does nothing).
func (p *Publisher) emit(ctx context.Context, tx store.Tx, ch store.Channel, t string, ev VariantEvent) error {
	if p.Webhooks == nil {
		return nil
	}
	return p.Webhooks(ctx, tx, ch.WorkspaceID, t, ev)
}
