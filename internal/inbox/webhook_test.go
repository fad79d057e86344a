package inbox

import (
	"context"
	"testing"

	"github.com/tribune-social/tribune/internal/moderation"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/store/storetest"
	"github.com/tribune-social/tribune/internal/webhooks"
)

// hooks records the events a rule emits; endpoint 404 is gone.
type hooks struct {
	sent []RuleActionEvent
	to   []int64
}

func (h *hooks) EmitTo(ctx context.Context, tx store.Tx, workspaceID, endpointID int64, typ webhooks.EventType, data any) (string, error) {
	if endpointID == 404 {
		return "", webhooks.ErrEndpointGone
	}
	if typ != webhooks.InboxRuleAction || tx == nil {
		return "", webhooks.ErrEndpointGone
	}
	h.sent = append(h.sent, data.(RuleActionEvent))
	h.to = append(h.to, endpointID)
	return "evt_1", nil
}

// A rule escalating by webhook queues an inbox.rule.action event for its
// chosen endpoint, with the rule and the item, and audits it with the
// event's id; an endpoint gone since is audited as refused with the reason.
func TestRuleWebhookEscalation(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		h := &hooks{}
		f.s.RuleWebhooks = h
		rule, err := f.s.SaveRule(ctx, f.owner, f.ws.ID, moderation.Rule{Name: "Legal", Enabled: true, Order: 1,
			Conditions: []moderation.Condition{{Kind: moderation.CondKeywords, Terms: []string{"lawyer"}}},
			Actions:    []moderation.Action{{Kind: moderation.ActWebhook, WebhookID: 7}, {Kind: moderation.ActWebhook, WebhookID: 404}}})
		must(t, err)
		_, err = f.s.Ingest(ctx, f.ch, []network.Item{comment(1, "my lawyer will call"), comment(2, "nice")})
		must(t, err)
		it := itemByExternal(t, f, "c1")
		if len(h.sent) != 1 || h.to[0] != 7 {
			t.Fatalf("events %+v to %v, want one to endpoint 7", h.sent, h.to)
		}
		ev := h.sent[0]
		if ev.RuleID != rule.ID || ev.RuleName != "Legal" || ev.Item.ID != it.ID || ev.Item.Text != "my lawyer will call" || ev.Item.Author != "fan1" {
			t.Errorf("event %+v", ev)
		}
		acts := ruleActionsOf(t, f, it.ID)
		if len(acts) != 2 {
			t.Fatalf("audit %+v", acts)
		}
		if acts[0].Action != string(moderation.ActWebhook) || acts[0].Result != ResultOK || acts[0].Detail != "evt_1" || acts[0].RuleName != "Legal" {
			t.Errorf("webhook audited as %+v", acts[0])
		}
		if acts[1].Result != ResultRefused || acts[1].Error != webhooks.ErrEndpointGone.Message {
			t.Errorf("gone endpoint audited as %+v", acts[1])
		}
	})
}
