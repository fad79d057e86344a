package crisis_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/crisis"
	"github.com/tribune-social/tribune/internal/inbox"
	"github.com/tribune-social/tribune/internal/network"
)

// Two alerts at the same instant open one incident; with SMTP on, each
// member gets one e-mail with the in-app notification.
func TestConcurrentAlertsOpenOneIncidentAndMailTheTeam(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, pg bool) {
		f := setup(t, pg, 0)
		f.env.Member(t, f.owner, f.ws.ID, "cm@example.test", auth.CommunityMgr)
		// A service of its own with e-mail on: the app's has no SMTP here.
		cr := *f.cr
		cr.Email = true
		var wg sync.WaitGroup
		errs := make([]error, 6)
		for i := range errs {
			wg.Add(1)
			go func() { defer wg.Done(); errs[i] = cr.OpenFromAlert(f.ctx, f.ws.ID, int64(100+i), "Tempête") }()
		}
		wg.Wait()
		for _, err := range errs {
			must(t, err)
		}
		list, err := f.cr.List(f.ctx, f.owner, f.ws.ID)
		must(t, err)
		if len(list) != 1 {
			t.Fatalf("%d incidents, want 1", len(list))
		}
		inc, err := f.cr.Get(f.ctx, f.owner, f.ws.ID, list[0].ID)
		must(t, err)
		if n := count(inc.Events, crisis.KindAlert); n != 6 {
			t.Errorf("%d alerts in the timeline, want 6: %v", n, kinds(inc.Events))
		}
		counts, err := f.env.Store.JobCounts(f.ctx)
		must(t, err)
		mails := int64(0)
		for _, c := range counts {
			if c.Kind == "notify_email" {
				mails += c.Count
			}
		}
		if mails != 2 {
			t.Errorf("%d e-mails queued, want 2 (one per member)", mails)
		}
	})
}

// Who may approve and who may speak, and an edit voiding the approval.
func TestStatementApprovalAndSpeakers(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, pg bool) {
		f := setup(t, pg, 1)
		smm := f.env.Member(t, f.owner, f.ws.ID, "smm@example.test", auth.SocialMediaMgr)
		cm := f.env.Member(t, f.owner, f.ws.ID, "cm@example.test", auth.CommunityMgr)
		sc, err := f.cr.SaveScenario(f.ctx, f.owner, f.ws.ID, 0, crisis.ScenarioInput{Name: "Fuite de données", Approvers: []int64{smm.ID}, Speakers: []int64{cm.ID}})
		must(t, err)
		st, err := f.cr.SaveStatement(f.ctx, f.owner, f.ws.ID, sc.ID, 0, crisis.StatementInput{Title: "Attente", Texts: map[string]string{"": "Nous enquêtons."}})
		must(t, err)
		if _, err := f.cr.ApproveStatement(f.ctx, f.owner, f.ws.ID, st.ID); !errors.Is(err, crisis.ErrNotApprover) {
			t.Errorf("the owner, not an approver of the scenario, approves: %v", err)
		}
		if _, err := f.cr.ApproveStatement(f.ctx, smm, f.ws.ID, st.ID); err != nil {
			t.Fatal(err)
		}
		_, err = f.cr.Open(f.ctx, f.owner, f.ws.ID, crisis.OpenInput{Title: "Fuite"})
		must(t, err)
		if _, err := f.cr.PublishStatement(f.ctx, f.owner, f.ws.ID, st.ID); !errors.Is(err, crisis.ErrNotSpeaker) {
			t.Errorf("the owner, not a speaker, publishes: %v", err)
		}
		// The text changes after the approval: the approval is void.
		_, err = f.cr.SaveStatement(f.ctx, f.owner, f.ws.ID, 0, st.ID, crisis.StatementInput{Title: "Attente", Texts: map[string]string{"": "Nous enquêtons, rien de grave."}})
		must(t, err)
		if _, err := f.cr.PublishStatement(f.ctx, cm, f.ws.ID, st.ID); !errors.Is(err, crisis.ErrNotApproved) {
			t.Errorf("publishing an edited statement: %v, want ErrNotApproved", err)
		}
		_, err = f.cr.ApproveStatement(f.ctx, smm, f.ws.ID, st.ID)
		must(t, err)
		pub, err := f.cr.PublishStatement(f.ctx, cm, f.ws.ID, st.ID)
		must(t, err)
		if pub.Status != "scheduled" || pub.Channels != 1 {
			t.Errorf("the speaker's publication: %+v, want scheduled on 1 channel", pub)
		}
	})
}

// A reply sent from the inbox during the crisis is in the timeline.
func TestReplySentDuringCrisisIsInTheTimeline(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, pg bool) {
		f := setup(t, pg, 1)
		// Someone's post on the Sandbox, seen in the inbox as a mention.
		acct, err := f.env.App.Channels.Account(f.ctx, f.chs[0])
		must(t, err)
		parent, err := f.env.App.Inbox.Connectors["sandbox"].Publish(f.ctx, acct, network.PostRequest{AttemptKey: network.NewAttemptKey(time.Now()), Text: "C'est un scandale @brand", CreatedAt: time.Now()})
		must(t, err)
		if _, err := f.env.App.Inbox.Ingest(f.ctx, f.chs[0], []network.Item{{ExternalID: parent.ID, Kind: network.KindMention, Ref: parent, Root: &parent,
			ConversationID: parent.ID, Text: "C'est un scandale @brand", Author: network.Author{ExternalID: "fan", Handle: "fan"}, CreatedAt: time.Now()}}); err != nil {
			t.Fatal(err)
		}
		page, err := f.env.App.Inbox.List(f.ctx, f.owner, f.ws.ID, inbox.Filter{})
		if err != nil || len(page.Items) != 1 {
			t.Fatalf("inbox: %+v %v", page, err)
		}
		inc, err := f.cr.Open(f.ctx, f.owner, f.ws.ID, crisis.OpenInput{Title: "Scandale"})
		must(t, err)
		r, err := f.env.App.Inbox.Reply(f.ctx, f.owner, page.Items[0].ID, "Nous regardons cela de près.")
		must(t, err)
		waitFor(t, "the reply in the timeline", 30*time.Second, func() bool {
			got, err := f.cr.Get(f.ctx, f.owner, f.ws.ID, inc.ID)
			must(t, err)
			for _, e := range got.Events {
				if e.Kind == string(crisis.KindReply) && e.RefID != nil && *e.RefID == r.ID && strings.Contains(e.Detail, "Nous regardons") && e.Actor == f.owner.Name {
					return true
				}
			}
			return false
		})
	})
}
