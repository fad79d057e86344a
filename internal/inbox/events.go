package inbox

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/tribune-social/tribune/internal/live"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/webhooks"
)

// Webhooks queues outgoing webhook events in the caller's transaction
// (webhooks.Service): an event exists if and only if the change it tells of
// committed.
type Webhooks interface {
	Emit(ctx context.Context, tx store.Tx, workspaceID int64, eventType webhooks.EventType, data any) error
	// EmitEach is Emit of one event per element of data.
	EmitEach(ctx context.Context, tx store.Tx, workspaceID int64, eventType webhooks.EventType, data []any) error
}

// Live tells every open page of a workspace what changed (live.Broker).
type Live interface {
	PublishAll(ctx context.Context, ws int64, events []live.Event) error
	// PublishAllIn is PublishAll carried by tx where the store can (sent
	// when it commits), else the PublishAll to call after the commit.
	PublishAllIn(ctx context.Context, tx any, ws int64, events []live.Event) (after func(context.Context) error, err error)
}

// Live event types the inbox publishes; pages refetch on them.
const (
	LiveItemNew     = "item.new"
	LiveItemUpdated = "item.updated"
)

// ItemChange is an item an ingestion added or updated, with what the live
// layer needs to name it.
type ItemChange struct {
	ID, ConversationID int64
	// New: stored for the first time (else the network edited, deleted or
	// hid it).
	New bool
}

// WebhookItem is an item as webhook receivers get it (docs/webhooks.md):
// ids and the few fields a receiver routes on, not the author's profile.
type WebhookItem struct {
	ID             int64     `json:"id"`
	ConversationID int64     `json:"conversation_id"`
	ChannelID      int64     `json:"channel_id"`
	Network        string    `json:"network"`
	Kind           string    `json:"kind"`
	ExternalID     string    `json:"external_id"`
	URL            string    `json:"url,omitempty"`
	Text           string    `json:"text"`
	Status         string    `json:"status"`
	CreatedAt      time.Time `json:"created_at"`
}

func webhookItem(r store.InboxItemRow, id int64) WebhookItem {
	return WebhookItem{ID: id, ConversationID: r.ConversationID, ChannelID: r.ChannelID, Network: r.Network, Kind: r.Kind,
		ExternalID: r.ExternalID, URL: r.RefURL, Text: r.Text, Status: r.Status, CreatedAt: time.Time(r.NetworkCreatedAt).UTC()}
}

// emitCreated queues inbox.item.created for each item the ingestion added,
// in its transaction (the endpoints read once per fetch).
func (s *Service) emitCreated(ctx context.Context, tx store.Tx, ws int64, created []WebhookItem) error {
	if s.Webhooks == nil || len(created) == 0 {
		return nil
	}
	data := make([]any, len(created))
	for i, it := range created {
		data[i] = map[string]any{"item": it}
	}
	return s.Webhooks.EmitEach(ctx, tx, ws, webhooks.InboxItemCreated, data)
}

// publish tells open pages of the changes, after their transaction
// committed. A lost event is logged, not returned: the change is saved, and
// pages catch up at their next resync or load.
func (s *Service) publish(ctx context.Context, ws int64, changes []ItemChange) {
	if s.Live == nil || len(changes) == 0 {
		return
	}
	// One statement for all the changes: an ingested fetch of 40 items
	// costs one round trip to PostgreSQL, not 40.
	if err := s.Live.PublishAll(ctx, ws, liveEvents(changes)); err != nil && s.Log != nil {
		s.Log.Warn("inbox live events", "workspace", ws, "events", len(changes), "err", err)
	}
}

// publishIn is publish for the changes an ingestion writes in tx: on
// PostgreSQL the transaction carries the events (sent at its commit, with
// no round trip of their own); otherwise the returned function publishes
// them, once tx committed. An event that cannot be encoded is logged, as
// publish does: the change is saved, and pages catch up at their next
// resync or load.
func (s *Service) publishIn(ctx context.Context, tx store.Tx, ws int64, changes []ItemChange) (after func(context.Context)) {
	after = func(context.Context) {}
	if s.Live == nil || len(changes) == 0 {
		return after
	}
	warn := func(err error) {
		if err != nil && s.Log != nil {
			s.Log.Warn("inbox live events", "workspace", ws, "events", len(changes), "err", err)
		}
	}
	send, err := s.Live.PublishAllIn(ctx, tx, ws, liveEvents(changes))
	if err != nil {
		warn(err)
		return after
	}
	return func(ctx context.Context) { warn(send(ctx)) }
}

// liveEvents are the live layer's events for changes.
func liveEvents(changes []ItemChange) []live.Event {
	events := make([]live.Event, len(changes))
	for i, c := range changes {
		typ := LiveItemUpdated
		if c.New {
			typ = LiveItemNew
		}
		events[i] = live.Event{Type: typ, Subject: strconv.FormatInt(c.ConversationID, 10), Data: json.RawMessage(`{"item":` + strconv.FormatInt(c.ID, 10) + `}`)}
	}
	return events
}

// changed tells open pages that one item, or what hangs off it (a note, a
// reply, an undone rule action), changed: its conversation refetches.
func (s *Service) changed(ctx context.Context, ws int64, it store.InboxItem) {
	s.publish(ctx, ws, []ItemChange{{ID: it.ID, ConversationID: it.ConversationID}})
}

// emitUpdated queues inbox.item.updated for each item whose status or
// assignee a triage change set, in the triage's transaction. Tags and
// priority are the team's bookkeeping, not a change of status: receivers
// are not woken for them.
func (s *Service) emitUpdated(ctx context.Context, tx store.Tx, ws int64, items []store.InboxItem, c Change, assignee *int64) error {
	if s.Webhooks == nil || (c.Status == nil && c.Assignee == nil) {
		return nil
	}
	for _, it := range items {
		data := map[string]any{"item": map[string]int64{"id": it.ID, "conversation_id": it.ConversationID, "channel_id": it.ChannelID}}
		status := it.Status
		if c.Status != nil {
			status = string(*c.Status)
			data["previous_status"] = it.Status
		}
		data["status"] = status
		if c.Assignee != nil {
			data["assignee_id"] = assignee // null: unassigned
		}
		if err := s.Webhooks.Emit(ctx, tx, ws, webhooks.InboxItemUpdated, data); err != nil {
			return err
		}
	}
	return nil
}
