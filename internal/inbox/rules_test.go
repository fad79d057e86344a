package inbox

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/moderation"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/store/storetest"
)

func hideScams(order int) moderation.Rule {
	return moderation.Rule{Name: "Scams", Enabled: true, Order: order,
		Conditions: []moderation.Condition{{Kind: moderation.CondKeywords, Terms: []string{"arnaque"}}},
		Actions:    []moderation.Action{{Kind: moderation.ActHide}, {Kind: moderation.ActTag, Tag: "scam"}}}
}

func ruleActionsOf(t *testing.T, f *fixture, itemID int64) []store.InboxAction {
	t.Helper()
	acts, err := f.s.RuleActions(context.Background(), f.cm, itemID)
	must(t, err)
	return acts
}

func itemByExternal(t *testing.T, f *fixture, id string) store.InboxItem {
	t.Helper()
	it, err := f.st.GetInboxItemByExternal(context.Background(), store.GetInboxItemByExternalParams{ChannelID: f.ch.ID, ExternalID: id})
	must(t, err)
	return it
}

// scamHiddenByRule stores the Scams rule and one comment text it matches
// (c1), and returns the item and its rule's hide, queued for the network.
func scamHiddenByRule(t *testing.T, f *fixture, text string) (store.InboxItem, store.InboxAction) {
	t.Helper()
	ctx := context.Background()
	_, err := f.s.SaveRule(ctx, f.owner, f.ws.ID, hideScams(1))
	must(t, err)
	_, err = f.s.Ingest(ctx, f.ch, []network.Item{comment(1, text)})
	must(t, err)
	it := itemByExternal(t, f, "c1")
	return it, ruleActionsOf(t, f, it.ID)[0]
}

// A rule that hides a keyword hides the item on the network, audits it
// with the rule, and its undo unhides it on the network.
func TestRuleHidesOnNetworkAuditsAndUndoes(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		r, err := f.s.SaveRule(ctx, f.owner, f.ws.ID, hideScams(1))
		must(t, err)
		_, err = f.s.Ingest(ctx, f.ch, []network.Item{comment(1, "C'est une arnaque !"), comment(2, "I love it")})
		must(t, err)
		f.runRuleActs(t)

		if got := f.conn.actions(); !slices.Equal(got, []string{"hide c1"}) {
			t.Fatalf("network saw %v, want [hide c1]", got)
		}
		scam := itemByExternal(t, f, "c1")
		if !scam.Hidden {
			t.Error("the hidden item is not marked hidden")
		}
		if itemByExternal(t, f, "c2").Hidden {
			t.Error("an item without the keyword was hidden")
		}
		acts := ruleActionsOf(t, f, scam.ID)
		if len(acts) != 2 {
			t.Fatalf("audit %+v, want hide and tag", acts)
		}
		hide := acts[0]
		if hide.Action != "hide" || hide.Result != ResultOK || hide.RuleID == nil || *hide.RuleID != r.ID || hide.RuleName != "Scams" ||
			hide.UserID != nil || hide.Undo != string(moderation.UndoUnhide) {
			t.Errorf("hide audited as %+v", hide)
		}

		// An analyst reads but cannot undo.
		if _, err := f.s.UndoRuleAction(ctx, f.reader, hide.ID); err == nil {
			t.Error("an analyst undid a rule's hide")
		}
		_, err = f.s.UndoRuleAction(ctx, f.cm, hide.ID)
		must(t, err)
		if got := f.conn.actions(); !slices.Equal(got, []string{"hide c1", "unhide c1"}) {
			t.Fatalf("network saw %v, want the hide then the unhide", got)
		}
		if itemByExternal(t, f, "c1").Hidden {
			t.Error("the item is still hidden after the undo")
		}
		var pe *problem.Error
		if _, err := f.s.UndoRuleAction(ctx, f.cm, hide.ID); !errors.As(err, &pe) || pe.Code != "already_undone" {
			t.Errorf("second undo: %v, want already_undone", err)
		}
		if got := f.conn.actions(); len(got) != 2 {
			t.Errorf("a second undo called the network again: %v", got)
		}

		// Untag puts the tags back as they were.
		_, err = f.s.UndoRuleAction(ctx, f.cm, acts[1].ID)
		must(t, err)
		tags, err := st.ListInboxItemTags(ctx, []int64{scam.ID})
		must(t, err)
		if len(tags) != 0 {
			t.Errorf("tags after undo: %+v", tags)
		}
	})
}

// The rules run in order, each action recording the value it replaced, so
// undoing the assignment, priority and status puts back what was there.
func TestRuleTriageActionsRestorePreviousValues(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		_, err := f.s.SaveRule(ctx, f.owner, f.ws.ID, moderation.Rule{Name: "Angry", Enabled: true, Order: 1,
			Conditions: []moderation.Condition{{Kind: moderation.CondSentimentBelow, Threshold: -0.5}},
			Actions: []moderation.Action{{Kind: moderation.ActAssign, MemberID: f.cm.ID}, {Kind: moderation.ActPriority, Priority: moderation.PriorityUrgent},
				{Kind: moderation.ActDone}, {Kind: moderation.ActAutoReply, ReplyID: 1}, {Kind: moderation.ActDelete}}})
		must(t, err)
		_, err = f.s.Ingest(ctx, f.ch, []network.Item{comment(1, "so angry")})
		must(t, err)
		it := itemByExternal(t, f, "c1")
		if it.AssigneeID == nil || *it.AssigneeID != f.cm.ID || it.Priority != int64(PriorityUrgent) || it.Status != string(StatusDone) {
			t.Fatalf("item after the rule: assignee %v priority %d status %s", it.AssigneeID, it.Priority, it.Status)
		}
		if len(f.notes.sent) != 1 || f.notes.sent[0].UserID != f.cm.ID {
			t.Errorf("notifications %+v, want one to the assignee", f.notes.sent)
		}
		acts := ruleActionsOf(t, f, it.ID)
		if len(acts) != 5 {
			t.Fatalf("audit %+v", acts)
		}
		// The reply names no saved reply of the workspace: refused, and
		// nothing queued. Delete is refused with the network's reason, and
		// never called.
		if acts[3].Result != ResultRefused || acts[3].Error != errSavedReplyGone.Message {
			t.Errorf("auto-reply audited as %+v", acts[3])
		}
		if acts[4].Result != ResultRefused || acts[4].Error != "The fake network keeps every reply." || acts[4].Undo != "" {
			t.Errorf("delete audited as %+v", acts[4])
		}
		if len(f.conn.actions()) != 0 {
			t.Errorf("network called: %v", f.conn.actions())
		}
		for _, a := range acts[:3] {
			_, err := f.s.UndoRuleAction(ctx, f.cm, a.ID)
			must(t, err)
		}
		it = itemByExternal(t, f, "c1")
		if it.AssigneeID != nil || it.Priority != int64(PriorityNormal) || it.Status != string(StatusNew) {
			t.Errorf("after undo: assignee %v priority %d status %s, want none, normal, new", it.AssigneeID, it.Priority, it.Status)
		}
		var pe *problem.Error
		if _, err := f.s.UndoRuleAction(ctx, f.cm, acts[4].ID); !errors.As(err, &pe) || pe.Code != "not_undoable" {
			t.Errorf("undo of a refused delete: %v", err)
		}
	})
}

// A rule saved, switched off or changed is seen at the next item: the
// engine is rebuilt from the workspace's version, as on another node.
func TestRuleChangesReachTheEngineAcrossNodes(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		// A second node: its own Service, its own cache, the same database.
		other := &Service{Store: st, Auth: f.s.Auth, Connectors: f.s.Connectors, Accounts: accounts{}, Analyzer: words{}, Now: f.clock}
		_, err := other.Ingest(ctx, f.ch, []network.Item{comment(1, "arnaque")}) // no rules yet: built empty
		must(t, err)
		r, err := f.s.SaveRule(ctx, f.owner, f.ws.ID, hideScams(1))
		must(t, err)
		_, err = other.Ingest(ctx, f.ch, []network.Item{comment(2, "arnaque")})
		must(t, err)
		must(t, f.s.SetRuleEnabled(ctx, f.owner, r.ID, false))
		_, err = other.Ingest(ctx, f.ch, []network.Item{comment(3, "arnaque")})
		must(t, err)
		f.runRuleActs(t)
		if got := f.conn.actions(); !slices.Equal(got, []string{"hide c2"}) {
			t.Errorf("network saw %v, want only c2 hidden (rule saved after c1, off before c3)", got)
		}
	})
}

// "Try this rule" counts what a draft would have done over the last 30
// days, without doing it.
func TestTryRuleCountsTheLast30Days(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		old := comment(1, "arnaque ancienne")
		old.CreatedAt = t0.AddDate(0, 0, -40)
		_, err := f.s.Ingest(ctx, f.ch, []network.Item{old, comment(2, "arnaque"), comment(3, "une ARNAQUE"), comment(4, "merci")})
		must(t, err)
		f.now = t0.Add(time.Hour)
		res, err := f.s.TryRule(ctx, f.owner, f.ws.ID, hideScams(1))
		must(t, err)
		if res.Items != 3 || res.Matched != 2 || res.Actions[moderation.ActHide] != 2 || len(res.ItemIDs) != 2 {
			t.Errorf("try: %+v", res)
		}
		if len(f.conn.actions()) != 0 {
			t.Errorf("trying called the network: %v", f.conn.actions())
		}
		if _, err := f.s.TryRule(ctx, f.cm, f.ws.ID, hideScams(1)); err == nil {
			t.Error("a community manager, who cannot manage channels, tried a rule")
		}
	})
}

// Rules are stored per workspace in their order; an invalid one is a 422
// locating the mistake; only those who manage channels save them.
func TestRulesStorage(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		b, err := f.s.SaveRule(ctx, f.owner, f.ws.ID, hideScams(2))
		must(t, err)
		a := hideScams(1)
		a.Name, a.Stop = "First", true
		_, err = f.s.SaveRule(ctx, f.owner, f.ws.ID, a)
		must(t, err)
		b.Name = "Second"
		_, err = f.s.SaveRule(ctx, f.owner, f.ws.ID, b.Rule)
		must(t, err)
		rules, err := f.s.Rules(ctx, f.reader, f.ws.ID)
		must(t, err)
		if len(rules) != 2 || rules[0].Name != "First" || !rules[0].Stop || rules[1].Name != "Second" || rules[1].Actions[1].Tag != "scam" {
			t.Fatalf("rules %+v", rules)
		}
		if _, err := f.s.SaveRule(ctx, f.cm, f.ws.ID, hideScams(3)); err == nil {
			t.Error("a community manager saved a rule")
		}
		var pe *problem.Error
		if _, err := f.s.SaveRule(ctx, f.owner, f.ws.ID, moderation.Rule{Name: "x"}); !errors.As(err, &pe) || pe.Status != 422 || len(pe.Details) == 0 {
			t.Errorf("invalid rule: %v", err)
		}
		must(t, f.s.DeleteRule(ctx, f.owner, b.ID))
		if rules, _ := f.s.Rules(ctx, f.reader, f.ws.ID); len(rules) != 1 {
			t.Errorf("after delete: %+v", rules)
		}
		rep, err := f.s.SaveReply(ctx, f.owner, f.ws.ID, 0, "Thanks", "Merci {name} !")
		must(t, err)
		if _, err := f.s.SaveReply(ctx, f.owner, f.ws.ID, rep.ID, "Thanks", "Merci {nope}"); err == nil {
			t.Error("a saved reply with an unknown variable was saved")
		}
		reps, err := f.s.SavedReplies(ctx, f.reader, f.ws.ID)
		must(t, err)
		if len(reps) != 1 || reps[0].Body != "Merci {name} !" {
			t.Errorf("saved replies %+v", reps)
		}
	})
}

// Escalation by e-mail reaches members through the notifier; an address
// that is not a member, and a webhook (not built yet), are audited as not
// sent rather than dropped or pretended.
func TestRuleEscalationIsHonest(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		// A user of the organisation who is not a member of the workspace.
		_, err := st.CreateUser(ctx, store.CreateUserParams{OrganizationID: f.owner.OrganizationID, Email: "other@example.test", Name: "other",
			PasswordHash: "x", OrgRole: "member", Locale: "en", CreatedAt: t0})
		must(t, err)
		_, err = f.s.SaveRule(ctx, f.owner, f.ws.ID, moderation.Rule{Name: "Escalate", Enabled: true, Order: 1,
			Conditions: []moderation.Condition{{Kind: moderation.CondKeywords, Terms: []string{"lawyer"}}},
			Actions: []moderation.Action{{Kind: moderation.ActEmail, Emails: []string{"cm@example.test", "other@example.test"}},
				{Kind: moderation.ActWebhook, WebhookID: 7}}})
		must(t, err)
		_, err = f.s.Ingest(ctx, f.ch, []network.Item{comment(1, "my lawyer will call")})
		must(t, err)
		if len(f.notes.sent) != 1 || f.notes.sent[0].UserID != f.cm.ID || f.notes.sent[0].Kind != NotifyEscalated {
			t.Errorf("notifications %+v, want one escalation to the community manager", f.notes.sent)
		}
		acts := ruleActionsOf(t, f, itemByExternal(t, f, "c1").ID)
		if len(acts) != 3 {
			t.Fatalf("audit %+v", acts)
		}
		if acts[0].Result != ResultOK || acts[0].Detail != "cm@example.test" || acts[0].Undo != "" {
			t.Errorf("member escalation audited as %+v", acts[0])
		}
		if acts[1].Result != ResultRefused || acts[1].Error != noteNotMember || acts[1].Detail != "other@example.test" {
			t.Errorf("stranger escalation audited as %+v", acts[1])
		}
		if acts[2].Result != ResultRefused || acts[2].Error != noteNoWebhooks {
			t.Errorf("webhook audited as %+v", acts[2])
		}
	})
}
