package inbox

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/tribune-social/tribune/internal/moderation"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/notify"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/store/storetest"
	"github.com/tribune-social/tribune/internal/webhooks"
)

// failingWebhooks fails the ingestion's transaction at its last step (the
// created events are emitted after the rules wrote everything): a crash
// there must leave neither the items nor any of their rules' actions.
type failingWebhooks struct{ txRecorder }

func (f *failingWebhooks) EmitEach(ctx context.Context, tx store.Tx, ws int64, t webhooks.EventType, data []any) error {
	return errBoom
}

// The rules are part of the ingestion: a fetch whose transaction fails
// after the rules ran leaves nothing (the next fetch stores the items with
// their rules' actions), and a node that stops right after the commit,
// before the network was asked to hide, leaves a queued job that any node
// performs, once, from the database alone.
func TestRulesCommitWithTheItemsAndSurviveACrash(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		_, err := f.s.SaveRule(ctx, f.owner, f.ws.ID, hideScams(1))
		must(t, err)
		items := []network.Item{comment(1, "arnaque"), comment(2, "I love it")}

		// A crash inside the ingestion's transaction, after the rules.
		f.s.Webhooks = &failingWebhooks{}
		if _, err := f.s.Ingest(ctx, f.ch, items); !errors.Is(err, errBoom) {
			t.Fatalf("ingestion with a failing end: %v, want boom", err)
		}
		if got := f.allItems(t); len(got) != 0 {
			t.Fatalf("%d items committed by a failed ingestion", len(got))
		}
		counts, err := st.JobCounts(ctx)
		must(t, err)
		for _, c := range counts {
			if c.Kind == (RuleActArgs{}).Kind() {
				t.Fatalf("a failed ingestion queued a network action: %+v", c)
			}
		}

		// The fetch comes again; the node stops right after the commit: its
		// process never performs the hide.
		f.s.Webhooks = nil
		_, err = f.s.Ingest(ctx, f.ch, items)
		must(t, err)
		scam := itemByExternal(t, f, "c1")
		acts := ruleActionsOf(t, f, scam.ID)
		if len(acts) != 2 || acts[0].Action != "hide" || acts[0].Result != ResultQueued || acts[1].Action != "tag" || acts[1].Result != ResultOK {
			t.Fatalf("rule actions committed with the item: %+v, want the hide queued and the tag done", acts)
		}
		tags, err := st.ListInboxItemTags(ctx, []int64{scam.ID})
		must(t, err)
		if len(tags) != 1 || tags[0].Tag != "scam" {
			t.Errorf("tags committed with the item: %+v", tags)
		}
		if len(f.conn.actions()) != 0 {
			t.Fatalf("network called before any job ran: %v", f.conn.actions())
		}

		// Another node starts with only the database: its River client
		// works the queued job.
		other := &Service{Store: st, Auth: f.s.Auth, Connectors: f.s.Connectors, Accounts: accounts{}, Analyzer: words{}, Now: f.clock}
		workers := river.NewWorkers()
		other.Register(workers)
		must(t, st.SetupJobs(&river.Config{ID: "restarted", Workers: workers, FetchPollInterval: 50 * time.Millisecond, FetchCooldown: 10 * time.Millisecond,
			Queues: map[string]river.QueueConfig{Queue: {MaxWorkers: 2}}}))
		must(t, st.Jobs().Start(ctx))
		t.Cleanup(func() { _ = st.Jobs().Stop(context.Background()) })
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) && ruleActionsOf(t, f, scam.ID)[0].Result != ResultOK {
			time.Sleep(20 * time.Millisecond)
		}
		acts = ruleActionsOf(t, f, scam.ID)
		if acts[0].Result != ResultOK || acts[0].Undo != string(moderation.UndoUnhide) {
			t.Fatalf("hide after the restart: %+v, want ok and undoable", acts[0])
		}
		if !itemByExternal(t, f, "c1").Hidden {
			t.Error("the item is not marked hidden")
		}
		// The job again (River retried it, or a second node): nothing more.
		must(t, other.PerformRuleAct(ctx, RuleActArgs{ActionID: acts[0].ID}))
		if got := f.conn.actions(); !slices.Equal(got, []string{"hide c1"}) {
			t.Errorf("network saw %v, want one hide", got)
		}
	})
}

// A node that stops while the network is being asked leaves the action in
// flight: whether the network did it is unknown, and it is never asked
// again (a hide or a delete is not sent twice).
func TestRuleActionInFlightIsNeverSentAgain(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		_, hide := scamHiddenByRule(t, f, "arnaque")
		// The job claimed it, then the node died during the call.
		n, err := st.ClaimInboxRuleAction(ctx, hide.ID)
		must(t, err)
		if n != 1 {
			t.Fatalf("claim of a queued action: %d rows", n)
		}
		must(t, f.s.PerformRuleAct(ctx, RuleActArgs{ActionID: hide.ID}))
		if got := f.conn.actions(); len(got) != 0 {
			t.Errorf("an action in flight was sent again: %v", got)
		}
		if got := ruleActionsOf(t, f, hide.ItemID)[0]; got.Result != ResultInFlight {
			t.Errorf("result %q, want in_flight", got.Result)
		}
	})
}

// With the real notifier, a rule's assignment is told in the ingestion's
// transaction: no notification for items a failed ingestion dropped, one
// once they commit.
func TestRuleAssignmentToldIfAndOnlyIfCommitted(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		f.s.Notifier = &notify.Notifier{Store: st, Now: f.clock}
		_, err := f.s.SaveRule(ctx, f.owner, f.ws.ID, moderation.Rule{Name: "Angry", Enabled: true, Order: 1,
			Conditions: []moderation.Condition{{Kind: moderation.CondSentimentBelow, Threshold: -0.5}},
			Actions:    []moderation.Action{{Kind: moderation.ActAssign, MemberID: f.cm.ID}}})
		must(t, err)
		told := func() int {
			n, err := st.ListNotifications(ctx, store.ListNotificationsParams{UserID: f.cm.ID, MaxRows: 10})
			must(t, err)
			return len(n)
		}
		items := []network.Item{comment(1, "so angry"), comment(2, "angry again")}
		f.s.Webhooks = &failingWebhooks{}
		if _, err := f.s.Ingest(ctx, f.ch, items); !errors.Is(err, errBoom) {
			t.Fatalf("ingestion with a failing end: %v", err)
		}
		if n := told(); n != 0 {
			t.Fatalf("%d notifications for items never stored", n)
		}
		f.s.Webhooks = nil
		_, err = f.s.Ingest(ctx, f.ch, items)
		must(t, err)
		if n := told(); n != 1 {
			t.Errorf("%d notifications for two items assigned by one rule in one fetch, want 1", n)
		}
		if it := itemByExternal(t, f, "c2"); it.AssigneeID == nil || *it.AssigneeID != f.cm.ID {
			t.Errorf("c2 assigned to %v", it.AssigneeID)
		}
	})
}
