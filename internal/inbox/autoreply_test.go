package inbox

import (
	"context"
	"testing"

	"github.com/riverqueue/river"

	"github.com/tribune-social/tribune/internal/moderation"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/store/storetest"
)

// A rule's auto-reply renders the saved reply for the item and goes out
// through the reply path: the network receives exactly one reply, in the
// item's thread, even when the rules run on the item again; its outcome
// is audited as the rule's, and the reply names the rule, not a member.
func TestRuleAutoReplySentOncePerRule(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		must(t, st.SetupJobs(&river.Config{}))
		f.conn.caps.Actions[network.ActReply] = network.Supported
		net := &replyNet{fakeInbox: f.conn, posts: map[string]network.PostRequest{}}
		f.s.Connectors = map[string]network.Connector{"fake": net}
		sr, err := f.s.SaveReply(ctx, f.owner, f.ws.ID, 0, "Thanks", "Merci {name} ({handle}) !")
		must(t, err)
		rule, err := f.s.SaveRule(ctx, f.owner, f.ws.ID, moderation.Rule{Name: "Thank", Enabled: true, Order: 1,
			Conditions: []moderation.Condition{{Kind: moderation.CondKeywords, Terms: []string{"merci"}}},
			Actions:    []moderation.Action{{Kind: moderation.ActAutoReply, ReplyID: sr.ID}}})
		must(t, err)
		_, err = f.s.Ingest(ctx, f.ch, []network.Item{comment(1, "merci beaucoup"), comment(2, "bof")})
		must(t, err)
		it := itemByExternal(t, f, "c1")
		// The item comes again (a repeated fetch, another node): nothing
		// more is queued.
		_, err = f.s.Ingest(ctx, f.ch, []network.Item{comment(1, "merci beaucoup")})
		must(t, err)

		replies, err := st.ListInboxRepliesOfConversation(ctx, it.ConversationID)
		must(t, err)
		if len(replies) != 1 {
			t.Fatalf("replies queued: %+v, want one", replies)
		}
		r := replies[0]
		if r.Text != "Merci @fan1 (@fan1) !" || r.UserID != nil || r.RuleID == nil || *r.RuleID != rule.ID || r.RuleName != "Thank" {
			t.Fatalf("reply %+v", r)
		}
		for range 2 { // a second run of the job sends nothing
			must(t, f.s.SendReply(ctx, r.ID, false))
		}
		if net.calls != 1 {
			t.Fatalf("network received %d replies, want 1", net.calls)
		}
		for _, p := range net.posts {
			if p.ReplyTo == nil || p.ReplyTo.ID != "c1" || p.Root == nil || p.Root.ID != ourPostID {
				t.Errorf("reply not in the item's thread: %+v", p)
			}
		}
		if got := f.reply(t, r.ID); got.State != string(ReplySent) {
			t.Errorf("reply state %s", got.State)
		}
		acts := ruleActionsOf(t, f, it.ID)
		if len(acts) != 1 || acts[0].Action != string(moderation.ActAutoReply) || acts[0].Result != ResultOK ||
			acts[0].RuleName != "Thank" || acts[0].UserID != nil || acts[0].Detail != r.Text {
			t.Errorf("audit %+v, want one automatic reply under the rule", acts)
		}
	})
}

// A saved reply that needs our post's link cannot answer a direct message:
// the rule is audited as refused with the reason, and nothing is queued.
func TestRuleAutoReplyRefusedWhenItCannotBeWritten(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		must(t, st.SetupJobs(&river.Config{}))
		f.conn.caps.Kinds[network.KindMessage] = network.Supported
		f.conn.caps.Actions[network.ActReply] = network.Supported
		sr, err := f.s.SaveReply(ctx, f.owner, f.ws.ID, 0, "Link", "See {post_link}")
		must(t, err)
		_, err = f.s.SaveRule(ctx, f.owner, f.ws.ID, moderation.Rule{Name: "Link", Enabled: true, Order: 1,
			Conditions: []moderation.Condition{{Kind: moderation.CondKeywords, Terms: []string{"where"}}},
			Actions:    []moderation.Action{{Kind: moderation.ActAutoReply, ReplyID: sr.ID}}})
		must(t, err)
		dm := network.Item{ExternalID: "dm1", Kind: network.KindMessage, Ref: network.Ref{ID: "dm1"}, ConversationID: "conv-9",
			Author: network.Author{ExternalID: "u9", Handle: "@fan9@fake.test"}, Text: "where is it?", CreatedAt: t0}
		_, err = f.s.Ingest(ctx, f.ch, []network.Item{dm})
		must(t, err)
		it := itemByExternal(t, f, "dm1")
		replies, err := st.ListInboxRepliesOfConversation(ctx, it.ConversationID)
		must(t, err)
		if len(replies) != 0 {
			t.Fatalf("replies queued: %+v", replies)
		}
		acts := ruleActionsOf(t, f, it.ID)
		if len(acts) != 1 || acts[0].Result != ResultRefused || acts[0].Error == "" {
			t.Fatalf("audit %+v, want the auto-reply refused with its reason", acts)
		}
		t.Log(acts[0].Error)
	})
}
