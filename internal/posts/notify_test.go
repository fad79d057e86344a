package posts_test

import (
	"context"
	"testing"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/publish"
	"github.com/tribune-social/tribune/internal/store"
)

// told counts u's notifications by kind.
func (f fx) told(t *testing.T, u store.User) map[string]int {
	t.Helper()
	list, err := f.env.App.Notifier.List(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, n := range list {
		got[n.Kind]++
	}
	return got
}

// Whoever may approve a post is told it waits, an organisation owner
// without a membership row too, and nobody who may not approve (nor a
// client reviewer, who sees posts through review links); a pause and its
// end reach everyone who may view the workspace, that owner included, and
// not a member of another workspace.
func TestOrganisationOwnerWithoutMembershipIsTold(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	onEachDialect(t, func(t *testing.T, f fx) {
		ch, err := f.env.App.Channels.ConnectSandbox(ctx, f.owner, f.ws.ID, "acct")
		if err != nil {
			t.Fatal(err)
		}
		f.ch = ch
		coOwner := f.env.OrgOwner(t, f.owner, "co-owner@example.test")
		if _, err := f.env.Store.GetMembership(ctx, store.GetMembershipParams{WorkspaceID: f.ws.ID, UserID: coOwner.ID}); err == nil {
			t.Fatal("the co-owner has a membership row: the test would test nothing")
		}
		contrib := f.env.Member(t, f.owner, f.ws.ID, "contrib@example.test", auth.Contributor)
		reviewer := f.env.Member(t, f.owner, f.ws.ID, "client@example.test", auth.ClientReviewer)
		smm := f.env.Member(t, f.owner, f.ws.ID, "smm@example.test", auth.SocialMediaMgr)
		other, err := f.env.App.Auth.AddWorkspace(ctx, f.owner, "Other", "UTC")
		if err != nil {
			t.Fatal(err)
		}
		elsewhere := f.env.Member(t, f.owner, other.ID, "elsewhere@example.test", auth.Admin)

		if _, err := f.svc.Save(ctx, contrib, f.ws.ID, 0, f.in("please look", future(3)), posts.Submit); err != nil {
			t.Fatal(err)
		}
		asked := string(publish.NotifyApprovalRequested)
		for u, want := range map[store.User]int{coOwner: 1, f.owner: 1, smm: 1, contrib: 0, reviewer: 0, elsewhere: 0} {
			if got := f.told(t, u)[asked]; got != want {
				t.Errorf("%s: %d approval requests, want %d", u.Email, got, want)
			}
		}

		if err := f.svc.Pause(ctx, smm, f.ws.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Resume(ctx, smm, f.ws.ID, nil); err != nil {
			t.Fatal(err)
		}
		for u, want := range map[store.User]int{coOwner: 1, f.owner: 1, contrib: 1, reviewer: 1, elsewhere: 0} {
			got := f.told(t, u)
			if got[string(publish.NotifyPaused)] != want || got[string(publish.NotifyResumed)] != want {
				t.Errorf("%s: %v, want %d paused and %d resumed", u.Email, got, want, want)
			}
		}
	})
}
