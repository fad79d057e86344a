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

// RuleActionEvent is the data of an inbox.rule.action event: the rule,
// what it did and the item it did it to. The endpoint a rule's "escalate by
// webhook" names gets one (without action_id: its audit row is written
// after); every endpoint subscribed to inbox.rule.action gets one per action
// of every rule, once it is done (a hide or delete when the network
// answered), with the audit row's id an undo takes.
type RuleActionEvent struct {
	RuleID   int64  `json:"rule_id"`
	RuleName string `json:"rule_name"`
	Action   string `json:"action"`
	// ActionID is the audit row (POST /v1/inbox/rule-actions/{id}/undo).
	ActionID int64 `json:"action_id,omitempty"`
	// Result is ok, refused, failed or in_flight (the network's answer
	// was lost: whether it acted is unknown).
	Result string `json:"result"`
	// Detail is the tag, assignee, priority or status set, or the address
	// escalated to.
	Detail string         `json:"detail,omitempty"`
	Error  string         `json:"error,omitempty"`
	Item   RuleActionItem `json:"item"`
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
	ev := RuleActionEvent{RuleID: d.RuleID, RuleName: d.RuleName, Action: string(p.Action.Kind), Result: ResultOK,
		Item: ruleActionItem(it, r.ch.Network, author.Handle)}
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

func ruleActionItem(it store.InboxItem, networkName, author string) RuleActionItem {
	return RuleActionItem{ID: it.ID, ChannelID: it.ChannelID, Network: networkName, Kind: it.Kind, Text: it.Text, URL: it.RefURL, Author: author}
}

// ruleActionSubject is the item a rule acted on, and its author.
type ruleActionSubject struct {
	item   store.InboxItem
	author network.Author
}

// emitRuleActions queues, in the ingestion's transaction, an
// inbox.rule.action event per action the rules took on the fetch's items
// (audits, with their ids and subjects) for the endpoints subscribed to
// it. A queued network action is told by its job once the network
// answered; an escalation by webhook is itself the event its rule sent.
func (s *Service) emitRuleActions(ctx context.Context, tx store.Tx, ch store.Channel, audits []store.RuleActionRow, ids []int64, about []ruleActionSubject) error {
	if s.Webhooks == nil {
		return nil
	}
	var data []any
	for i, a := range audits {
		if a.Result == ResultQueued || a.Action == string(moderation.ActWebhook) {
			continue
		}
		data = append(data, ruleActionEventOf(a.RuleID, a.RuleName, a.Action, ids[i], a.Result, a.Detail, a.Error,
			ruleActionItem(about[i].item, ch.Network, about[i].author.Handle)))
	}
	if len(data) == 0 {
		return nil
	}
	return s.Webhooks.EmitEach(ctx, tx, ch.WorkspaceID, webhooks.InboxRuleAction, data)
}

func ruleActionEventOf(rule *int64, ruleName, action string, id int64, result, detail, msg string, item RuleActionItem) RuleActionEvent {
	ev := RuleActionEvent{RuleName: ruleName, Action: action, ActionID: id, Result: result, Detail: detail, Error: msg, Item: item}
	if rule != nil {
		ev.RuleID = *rule
	}
	return ev
}
