package inbox

import (
	"context"
	"errors"

	"github.com/tribune-social/tribune/internal/moderation"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/webhooks"
)

// RuleWebhooks queues an event for one endpoint in the caller's
// transaction (webhooks.Service.EmitTo), returning the event's id.
type RuleWebhooks interface {
	EmitTo(ctx context.Context, tx store.Tx, workspaceID, endpointID int64, eventType webhooks.EventType, data any) (string, error)
}

// noteNoWebhooks: the server runs without outgoing webhooks.
const noteNoWebhooks = "Not sent: this server does not send webhooks."

// RuleActionEvent is the data of an inbox.rule.action event: the rule and
// the item it escalated.
type RuleActionEvent struct {
	RuleID   int64          `json:"rule_id"`
	RuleName string         `json:"rule_name"`
	Action   string         `json:"action"`
	Item     RuleActionItem `json:"item"`
}

// RuleActionItem is the escalated item as the receiver needs it.
type RuleActionItem struct {
	ID        int64  `json:"id"`
	ChannelID int64  `json:"channel_id"`
	Network   string `json:"network"`
	Kind      string `json:"kind"`
	Text      string `json:"text"`
	URL       string `json:"url,omitempty"`
	Author    string `json:"author"`
}

// webhook escalates the item to the rule's endpoint: the event's delivery
// is queued in the ingestion's transaction and audited (with its event id,
// which the receiver sees) in the same one, so the audit says sent if and
// only if it was queued.
func (r *fetchRules) webhook(ctx context.Context, d moderation.Decision, p moderation.Planned, it store.InboxItem, author network.Author) (store.RuleActionRow, error) {
	s := r.s
	if s.RuleWebhooks == nil {
		return r.auditRow(d, p, "", ResultRefused, noteNoWebhooks, ""), nil
	}
	ev := RuleActionEvent{RuleID: d.RuleID, RuleName: d.RuleName, Action: string(p.Action.Kind), Item: RuleActionItem{ID: it.ID,
		ChannelID: it.ChannelID, Network: r.ch.Network, Kind: it.Kind, Text: it.Text, URL: it.RefURL, Author: author.Handle}}
	id, err := s.RuleWebhooks.EmitTo(ctx, r.tx, it.WorkspaceID, p.Action.WebhookID, webhooks.InboxRuleAction, ev)
	var pe *problem.Error
	if errors.As(err, &pe) {
		return r.auditRow(d, p, "", ResultRefused, pe.Message, ""), nil
	}
	if err != nil {
		return store.RuleActionRow{}, err
	}
	return r.auditRow(d, p, id, ResultOK, "", ""), nil
}
