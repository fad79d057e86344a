package crisis_test

import (
	"slices"
	"testing"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/crisis"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/store"
)

// An incident is told to whoever may manage it (the Crisis permission), an
// organisation owner without a membership row too, and not to a member
// whose role does not grant it.
func TestIncidentToldToWhoeverMayManageIt(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, pg bool) {
		f := setup(t, pg, 0)
		coOwner := f.env.OrgOwner(t, f.owner, "co-owner@example.test")
		contrib := f.env.Member(t, f.owner, f.ws.ID, "contrib@example.test", auth.Contributor)
		cm := f.env.Member(t, f.owner, f.ws.ID, "cm@example.test", auth.CommunityMgr)
		must(t, f.cr.OpenFromAlert(f.ctx, f.ws.ID, 7, "Pic de mentions négatives"))
		for u, want := range map[store.User]int{coOwner: 1, f.owner: 1, cm: 1, contrib: 0} {
			ns, err := f.env.App.Notifier.List(f.ctx, u)
			must(t, err)
			n := 0
			for _, x := range ns {
				if x.Kind == crisis.NotifyCrisis {
					n++
				}
			}
			if n != want {
				t.Errorf("%s got %d crisis notifications, want %d", u.Email, n, want)
			}
		}
	})
}

// A scenario may name an organisation owner without a membership row as its
// approver and speaker (the editor lists them: Team), who then approves its
// statement; someone of another workspace is refused.
func TestScenarioNamesAnOwnerWithoutMembership(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, pg bool) {
		f := setup(t, pg, 0)
		coOwner := f.env.OrgOwner(t, f.owner, "co-owner@example.test")
		other, err := f.env.App.Auth.AddWorkspace(f.ctx, f.owner, "Other", "UTC")
		must(t, err)
		elsewhere := f.env.Member(t, f.owner, other.ID, "elsewhere@example.test", auth.Admin)
		team, err := f.cr.Team(f.ctx, f.owner, f.ws.ID)
		must(t, err)
		listed := func(u store.User) bool {
			return slices.ContainsFunc(team, func(m store.User) bool { return m.ID == u.ID })
		}
		if !listed(coOwner) || listed(elsewhere) {
			t.Errorf("the editor offers the co-owner %v (want true), the other workspace's admin %v (want false)", listed(coOwner), listed(elsewhere))
		}
		sc, err := f.cr.SaveScenario(f.ctx, f.owner, f.ws.ID, 0, crisis.ScenarioInput{Name: "Fuite", Approvers: []int64{coOwner.ID}, Speakers: []int64{coOwner.ID}})
		must(t, err)
		st, err := f.cr.SaveStatement(f.ctx, f.owner, f.ws.ID, sc.ID, 0, crisis.StatementInput{Title: "Attente", Texts: map[string]string{"": "Nous enquêtons."}})
		must(t, err)
		if _, err := f.cr.ApproveStatement(f.ctx, coOwner, f.ws.ID, st.ID); err != nil {
			t.Errorf("the co-owner, the scenario's approver, approves: %v", err)
		}
		_, err = f.cr.SaveScenario(f.ctx, f.owner, f.ws.ID, 0, crisis.ScenarioInput{Name: "Autre", Approvers: []int64{elsewhere.ID}})
		if pe := problem.As(err); pe == nil || len(pe.Details) != 1 || pe.Details[0].Code != "not_a_member" {
			t.Errorf("naming another workspace's admin: %v, want not_a_member", err)
		}
	})
}
