package inbox

import (
	"context"
	"errors"
	"testing"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/store/storetest"
)

// Replies by contributors: refused while approval is off (the default);
// with it on, stored pending approval, the approvers notified, and the
// network never called — not even by a run of the reply job — until an
// approver approves; then sent once through the usual path. A rejected
// reply, with its required comment, is never sent and its author is told.
// Deciding twice is a conflict; a contributor cannot approve.
func TestContributorRepliesNeedApproval(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f, net, _, c1, _ := replyFixture(t, st)
		contrib, err := st.CreateUser(ctx, store.CreateUserParams{OrganizationID: f.ws.OrganizationID, Email: "contrib@example.test", Name: "Léa",
			PasswordHash: "x", OrgRole: "member", Locale: "fr", CreatedAt: t0})
		must(t, err)
		must(t, st.UpsertMembership(ctx, store.UpsertMembershipParams{WorkspaceID: f.ws.ID, UserID: contrib.ID, Role: string(auth.Contributor), CreatedAt: t0}))

		if _, err := f.s.Reply(ctx, contrib, c1.ID, "Merci !"); !errors.Is(err, problem.Forbidden) {
			t.Fatalf("contributor reply with approval off: %v, want forbidden", err)
		}
		if err := f.s.SetReplyApproval(ctx, f.cm, f.ws.ID, true); !errors.Is(err, problem.Forbidden) {
			t.Errorf("a community manager switched approval: %v", err)
		}
		must(t, f.s.SetReplyApproval(ctx, f.owner, f.ws.ID, true))

		pending, err := f.s.Reply(ctx, contrib, c1.ID, "Merci pour votre message !")
		must(t, err)
		if pending.State != string(ReplyPending) {
			t.Fatalf("state %q, want pending_approval", pending.State)
		}
		// A run of the job (by mistake, or a crafted one) sends nothing.
		must(t, f.s.SendReply(ctx, pending.ID, false))
		must(t, f.s.SendReply(ctx, pending.ID, true))
		if net.calls != 0 {
			t.Fatalf("the network was called %d times for a reply awaiting approval", net.calls)
		}
		approvers := map[int64]bool{}
		for _, n := range f.notes.sent {
			if n.Kind == NotifyReplyToApprove {
				approvers[n.UserID] = true
			}
		}
		// (The fixture's owner owns the organisation, not a member row.)
		if !approvers[f.cm.ID] || approvers[f.reader.ID] || approvers[contrib.ID] {
			t.Errorf("notified %v, want the community manager, not the analyst or the author", approvers)
		}

		if _, err := f.s.ApproveReply(ctx, contrib, pending.ID); !errors.Is(err, problem.Forbidden) {
			t.Errorf("a contributor approved: %v", err)
		}
		if _, err := f.s.RejectReply(ctx, f.cm, pending.ID, "  "); err == nil {
			t.Errorf("rejected without a comment")
		}
		ok, err := f.s.ApproveReply(ctx, f.cm, pending.ID)
		must(t, err)
		if ok.State != string(ReplyQueued) || ok.DecidedBy == nil || *ok.DecidedBy != f.cm.ID {
			t.Errorf("approved reply %+v", ok)
		}
		if _, err := f.s.ApproveReply(ctx, f.cm, pending.ID); err == nil {
			t.Errorf("approved twice")
		}
		must(t, f.s.SendReply(ctx, pending.ID, false))
		if net.calls != 1 || f.reply(t, pending.ID).State != string(ReplySent) {
			t.Errorf("after approval: %d calls, state %q; want 1, sent", net.calls, f.reply(t, pending.ID).State)
		}

		// Rejected: kept with the comment, never sent, its author told.
		second, err := f.s.Reply(ctx, contrib, c1.ID, "Venez voir notre promo")
		must(t, err)
		rej, err := f.s.RejectReply(ctx, f.owner, second.ID, "Pas de promo en réponse à une plainte.")
		must(t, err)
		if rej.State != string(ReplyRejected) || rej.DecisionComment != "Pas de promo en réponse à une plainte." {
			t.Errorf("rejected reply %+v", rej)
		}
		if _, err := f.s.ApproveReply(ctx, f.owner, second.ID); err == nil {
			t.Errorf("approved a rejected reply")
		}
		must(t, f.s.SendReply(ctx, second.ID, true))
		if net.calls != 1 {
			t.Errorf("a rejected reply reached the network (%d calls)", net.calls)
		}
		told := false
		for _, n := range f.notes.sent {
			told = told || n.Kind == NotifyReplyRejected && n.UserID == contrib.ID && n.Body == rej.DecisionComment
		}
		if !told {
			t.Errorf("the contributor was not told of the rejection")
		}
	})
}
