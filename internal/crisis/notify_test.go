package crisis_test

import (
	"testing"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/crisis"
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
