package inbox

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/riverqueue/river"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/network"
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

		if _, err := f.s.ApproveReply(ctx, contrib, pending.ID, ""); !errors.Is(err, problem.Forbidden) {
			t.Errorf("a contributor approved: %v", err)
		}
		if _, err := f.s.RejectReply(ctx, f.cm, pending.ID, "  "); err == nil {
			t.Errorf("rejected without a comment")
		}
		ok, err := f.s.ApproveReply(ctx, f.cm, pending.ID, "")
		must(t, err)
		if ok.State != string(ReplyQueued) || ok.DecidedBy == nil || *ok.DecidedBy != f.cm.ID {
			t.Errorf("approved reply %+v", ok)
		}
		if _, err := f.s.ApproveReply(ctx, f.cm, pending.ID, ""); err == nil {
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
		if _, err := f.s.ApproveReply(ctx, f.owner, second.ID, ""); err == nil {
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

// approvalFixture is replyFixture with approval on and a contributor, Léa.
func approvalFixture(t *testing.T, st store.Store) (*fixture, *replyNet, store.InboxItem, store.User) {
	t.Helper()
	ctx := context.Background()
	f, net, _, c1, _ := replyFixture(t, st)
	contrib, err := st.CreateUser(ctx, store.CreateUserParams{OrganizationID: f.ws.OrganizationID, Email: "contrib@example.test", Name: "Léa",
		PasswordHash: "x", OrgRole: "member", Locale: "fr", CreatedAt: t0})
	must(t, err)
	must(t, st.UpsertMembership(ctx, store.UpsertMembershipParams{WorkspaceID: f.ws.ID, UserID: contrib.ID, Role: string(auth.Contributor), CreatedAt: t0}))
	must(t, f.s.SetReplyApproval(ctx, f.owner, f.ws.ID, true))
	return f, net, c1, contrib
}

// An approver edits a contributor's reply as they approve it: the network
// receives the edited text, once; the audit keeps what the contributor
// wrote; the contributor is told it went out edited. An edit the checks
// refuse (too long for the channel, or blank) changes nothing: the reply
// stays pending with its text, and can still be approved.
func TestApproveWithChanges(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f, net, c1, contrib := approvalFixture(t, st)
		pending, err := f.s.Reply(ctx, contrib, c1.ID, "Merci, on regarde ça")
		must(t, err)

		for _, bad := range []string{strings.Repeat("a", 501), " \n "} {
			if _, err := f.s.ApproveReply(ctx, f.cm, pending.ID, bad); err == nil {
				t.Fatalf("an edit of %d characters was approved", len(bad))
			}
			if got := f.reply(t, pending.ID); got.State != string(ReplyPending) || got.Text != pending.Text || got.DecidedBy != nil {
				t.Fatalf("after a refused edit: %+v, want pending with the contributor's text", got)
			}
		}

		const edited = "Merci pour votre message, nous regardons cela aujourd'hui."
		ok, err := f.s.ApproveReply(ctx, f.cm, pending.ID, "  "+edited+"  ")
		must(t, err)
		if ok.State != string(ReplyQueued) || ok.Text != edited {
			t.Fatalf("approved with changes: %+v", ok)
		}
		must(t, f.s.SendReply(ctx, pending.ID, false))
		must(t, f.s.SendReply(ctx, pending.ID, false))
		sent := f.reply(t, pending.ID)
		if net.calls != 1 || net.posts[sent.AttemptKey].Text != edited {
			t.Fatalf("network: %d calls, text %q; want 1 call with %q", net.calls, net.posts[sent.AttemptKey].Text, edited)
		}

		acts, err := st.ListInboxActions(ctx, []int64{c1.ID})
		must(t, err)
		audited := false
		for _, a := range acts {
			audited = audited || a.Action == actApproval && a.UserID != nil && *a.UserID == f.cm.ID && a.Detail == editedApproval+pending.Text
		}
		if !audited {
			t.Errorf("no audit of the edited approval keeping %q: %+v", pending.Text, acts)
		}
		told := false
		for _, n := range f.notes.sent {
			told = told || n.Kind == NotifyReplyEdited && n.UserID == contrib.ID && n.Body == edited
		}
		if !told {
			t.Errorf("the contributor was not told their reply went out edited")
		}

		// Approving with the text as it was is a plain approval, also
		// when a browser posts its line breaks as CRLF.
		second, err := f.s.Reply(ctx, contrib, c1.ID, "À bientôt\nLéa")
		must(t, err)
		ok, err = f.s.ApproveReply(ctx, f.cm, second.ID, "À bientôt\r\nLéa")
		must(t, err)
		acts, err = st.ListInboxActions(ctx, []int64{c1.ID})
		must(t, err)
		editedOnes := 0
		for _, a := range acts {
			if strings.HasPrefix(a.Detail, editedApproval) {
				editedOnes++
			}
		}
		if ok.Text != "À bientôt\nLéa" || editedOnes != 1 {
			t.Errorf("an unchanged text counted as an edit: %q, %d edited approvals", ok.Text, editedOnes)
		}
	})
}

// hookAccounts runs before once, the first time a channel's credentials
// are opened: in the middle of an approval with changes, between reading
// the pending reply and deciding it.
type hookAccounts struct {
	Accounts
	before func()
}

func (h *hookAccounts) Account(ctx context.Context, ch store.Channel) (network.Account, error) {
	if b := h.before; b != nil {
		h.before = nil
		b()
	}
	return h.Accounts.Account(ctx, ch)
}

// Two approvers at once: one wins, the other gets the "not pending"
// conflict and changes nothing — even when the other decision lands
// between reading the reply and writing the edit, and when both race.
func TestConcurrentApprovals(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f, net, c1, contrib := approvalFixture(t, st)

		// The owner rejects while the manager's edit is being checked.
		pending, err := f.s.Reply(ctx, contrib, c1.ID, "Première version")
		must(t, err)
		f.s.Accounts = &hookAccounts{Accounts: f.s.Accounts, before: func() {
			if _, err := f.s.RejectReply(ctx, f.owner, pending.ID, "Non."); err != nil {
				t.Errorf("the first decision: %v", err)
			}
		}}
		if _, err := f.s.ApproveReply(ctx, f.cm, pending.ID, "Version corrigée"); !errors.Is(err, errNotPending) {
			t.Fatalf("the second decision: %v, want not pending", err)
		}
		if got := f.reply(t, pending.ID); got.State != string(ReplyRejected) || got.Text != "Première version" {
			t.Fatalf("after the race: %+v, want rejected with the contributor's text", got)
		}

		// Both approve with their own edit at the same time.
		second, err := f.s.Reply(ctx, contrib, c1.ID, "Deuxième version")
		must(t, err)
		texts := []string{"Édition du manager", "Édition de la propriétaire"}
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i, u := range []store.User{f.cm, f.owner} {
			wg.Go(func() { _, errs[i] = f.s.ApproveReply(ctx, u, second.ID, texts[i]) })
		}
		wg.Wait()
		won := -1
		for i, err := range errs {
			switch {
			case err == nil && won < 0:
				won = i
			case !errors.Is(err, errNotPending):
				t.Fatalf("approvals %v: want one success and one not pending", errs)
			}
		}
		if won < 0 {
			t.Fatalf("approvals %v: nobody won", errs)
		}
		must(t, f.s.SendReply(ctx, second.ID, false))
		if got := f.reply(t, second.ID); got.Text != texts[won] || net.calls != 1 || net.posts[got.AttemptKey].Text != texts[won] {
			t.Fatalf("sent %q (%d calls), want the winner's %q once", net.posts[got.AttemptKey].Text, net.calls, texts[won])
		}
	})
}

// Who may approve is told, an organisation owner without a membership row
// included (the fixture's owner owns the organisation and has no row).
func TestApproversNotifiedIncludeOrganisationOwners(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f, _, c1, contrib := approvalFixture(t, st)
		if _, err := st.GetMembership(ctx, store.GetMembershipParams{WorkspaceID: f.ws.ID, UserID: f.owner.ID}); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("the fixture's owner has a membership row (%v): the test would not test anything", err)
		}
		_, err := f.s.Reply(ctx, contrib, c1.ID, "Merci !")
		must(t, err)
		told := map[int64]bool{}
		for _, n := range f.notes.sent {
			if n.Kind == NotifyReplyToApprove {
				told[n.UserID] = true
			}
		}
		for _, u := range []store.User{f.owner, f.cm, f.reader, contrib} {
			_, _, err := f.s.Auth.Authorize(ctx, u, f.ws.ID, permAct)
			if mayApprove := err == nil && u.ID != contrib.ID; told[u.ID] != mayApprove {
				t.Errorf("%s: told %v, may approve %v", u.Name, told[u.ID], mayApprove)
			}
		}
	})
}

// An approver's edit of a reply to a Bluesky direct message is held to the
// chat's 1,000 graphemes: 1,001 emoji is refused and the reply stays
// pending; 1,000 accented letters (2,000 bytes) are approved and the chat
// service receives exactly them, once. (The chat fake counts code points
// for graphemes, so the accepted text has one code point per grapheme.)
func TestApproveWithChangesBlueskyDirectMessage(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		must(t, st.SetupJobs(&river.Config{}))
		pds, ch := f.blueskyChannel(t)
		must(t, st.EnsureInboxPollState(ctx, store.EnsureInboxPollStateParams{ChannelID: ch.ID, NextPollAt: f.now}))
		convo, _ := pds.Chat.Send(bskyAlice, bskyUs, "Bonjour, une question")
		must(t, f.s.Poll(ctx, ch.ID))
		var dm store.InboxItem
		for _, it := range f.allItems(t) {
			if it.ChannelID == ch.ID {
				dm = it
			}
		}
		contrib, err := st.CreateUser(ctx, store.CreateUserParams{OrganizationID: f.ws.OrganizationID, Email: "contrib@example.test", Name: "Léa",
			PasswordHash: "x", OrgRole: "member", Locale: "fr", CreatedAt: t0})
		must(t, err)
		must(t, st.UpsertMembership(ctx, store.UpsertMembershipParams{WorkspaceID: f.ws.ID, UserID: contrib.ID, Role: string(auth.Contributor), CreatedAt: t0}))
		must(t, f.s.SetReplyApproval(ctx, f.owner, f.ws.ID, true))
		pending, err := f.s.Reply(ctx, contrib, dm.ID, "Bonjour !")
		must(t, err)

		const thumb = "👍🏽" // one grapheme, two code points, eight bytes
		if _, err := f.s.ApproveReply(ctx, f.cm, pending.ID, strings.Repeat(thumb, 1001)); problem.As(err) == nil || problem.As(err).Code != "reply_too_long" {
			t.Fatalf("1,001 graphemes: %v, want reply_too_long", err)
		}
		if got := f.reply(t, pending.ID); got.State != string(ReplyPending) || got.Text != "Bonjour !" {
			t.Fatalf("after the refused edit: %+v", got)
		}
		fits := strings.Repeat("é", 1000)
		_, err = f.s.ApproveReply(ctx, f.cm, pending.ID, fits)
		must(t, err)
		must(t, f.s.SendReply(ctx, pending.ID, false))
		must(t, f.s.SendReply(ctx, pending.ID, false))
		if sent := pds.Chat.Messages(convo, bskyUs); !slices.Equal(sent, []string{fits}) {
			t.Fatalf("the chat received %d messages, want the edit once", len(sent))
		}
	})
}
