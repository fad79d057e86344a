package inbox

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/publish"
	"github.com/tribune-social/tribune/internal/store"
)

// Replies by contributors need approval first, when the workspace says so
// (off by default). A contributor may triage but not speak for the brand:
// their reply is stored pending_approval, with no job, and everyone who
// may publish is notified (members, and organisation owners who need no
// membership row). Approving it queues it and its job in one commit (the
// same never-twice path as any reply); the approver may edit the text as
// they approve, under the checks of any reply, and the audit keeps the
// contributor's words while the author is told. Rejecting it keeps it,
// rejected, with the approver's comment, and tells its author. A reply
// awaiting approval can never reach the network: MarkInboxReplyInFlight
// only moves queued replies, and SendReply ignores the other states.

// The approval states of a reply.
const (
	ReplyPending  ReplyState = "pending_approval"
	ReplyRejected ReplyState = "rejected"
)

// Notifications of the approval.
const (
	NotifyReplyToApprove publish.NotificationKind = "inbox_reply_to_approve"
	NotifyReplyRejected  publish.NotificationKind = "inbox_reply_rejected"
	NotifyReplyEdited    publish.NotificationKind = "inbox_reply_approved_edited"
)

// actApproval is the audit's name for a decision on a reply.
const actApproval = "reply_approval"

var (
	errNotPending      = problem.New(http.StatusConflict, "reply_not_pending", "This reply is not awaiting approval (it was decided already).")
	errRejectComment   = problem.New(http.StatusUnprocessableEntity, "reject_comment_required", "Say why the reply is rejected.")
	errRejectTooLong   = problem.New(http.StatusUnprocessableEntity, "reject_comment_too_long", "The comment is at most 2,000 characters.")
	maxDecisionComment = 2000
)

// ReplyApproval says whether the workspace's contributors' replies need
// approval; whoever reads the inbox may know.
func (s *Service) ReplyApproval(ctx context.Context, user store.User, workspaceID int64) (bool, error) {
	if _, _, err := s.Auth.Authorize(ctx, user, workspaceID, permRead); err != nil {
		return false, err
	}
	return s.replyApproval(ctx, workspaceID)
}

func (s *Service) replyApproval(ctx context.Context, workspaceID int64) (bool, error) {
	on, err := s.Store.GetInboxReplyApproval(ctx, workspaceID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return on, err
}

// SetReplyApproval switches the approval of contributors' replies; it takes
// the team-management permission (owner, admin).
func (s *Service) SetReplyApproval(ctx context.Context, user store.User, workspaceID int64, enabled bool) error {
	if _, _, err := s.Auth.Authorize(ctx, user, workspaceID, auth.ManageTeam); err != nil {
		return err
	}
	return s.Store.SetInboxReplyApproval(ctx, store.SetInboxReplyApprovalParams{WorkspaceID: workspaceID, Enabled: enabled, UpdatedAt: s.Now().UTC()})
}

// replyItem loads the item a member answers, and says whether their reply
// must wait for approval: a member who may publish replies directly; one
// who may only triage (a contributor) replies pending approval when the
// workspace asks for it, and is refused otherwise.
func (s *Service) replyItem(ctx context.Context, user store.User, itemID int64) (store.InboxItem, bool, error) {
	it, err := s.item(ctx, user, itemID, permAct)
	if err == nil || !errors.Is(err, problem.Forbidden) {
		return it, false, err
	}
	it, err2 := s.item(ctx, user, itemID, permTriage)
	if err2 != nil {
		return it, false, err
	}
	on, err2 := s.replyApproval(ctx, it.WorkspaceID)
	if err2 != nil {
		return it, false, err2
	}
	if !on {
		return it, false, err
	}
	return it, true, nil
}

// notifyApprovers tells whoever may approve r (decide asks permAct) that
// it awaits them; WhoMay answers as Authorize does, so an organisation
// owner without a membership row is told too.
func (s *Service) notifyApprovers(ctx context.Context, r store.InboxReply, author store.User) {
	if s.Notifier == nil {
		return
	}
	approvers, err := s.Auth.WhoMay(ctx, r.WorkspaceID, permAct)
	if err != nil {
		s.logErr("list approvers", err)
		return
	}
	for _, m := range approvers {
		if m.ID == author.ID {
			continue
		}
		if err := s.Notifier.Notify(ctx, publish.Notification{UserID: m.ID, WorkspaceID: r.WorkspaceID, Kind: NotifyReplyToApprove,
			Title: "A reply awaits your approval", Body: author.Name + ": " + r.Text}); err != nil {
			s.logErr("notify approver", err)
		}
	}
}

func (s *Service) logErr(what string, err error) {
	if s.Log != nil {
		s.Log.Error("inbox: "+what, "err", err)
	}
}

// ApproveReply approves a reply awaiting approval: it is queued with its
// job in one commit and sent like any reply. Twice is a 409 the second time.
//
// text, when not empty, is the approver's edit of the reply: it passes the
// checks of any reply (not empty, the channel's length, the network still
// allows answering) or the reply stays pending, unchanged. An edit is
// written in the same statement that decides, so of two approvers at once
// one wins and the other gets the 409 with nothing changed. The audit keeps
// the contributor's text, and its author is told it went out edited.
func (s *Service) ApproveReply(ctx context.Context, user store.User, replyID int64, text string) (store.InboxReply, error) {
	return s.decide(ctx, user, replyID, ReplyQueued, "", text)
}

// RejectReply rejects a reply awaiting approval with a comment (required);
// the author is told.
func (s *Service) RejectReply(ctx context.Context, user store.User, replyID int64, comment string) (store.InboxReply, error) {
	comment = strings.TrimSpace(comment)
	switch {
	case comment == "":
		return store.InboxReply{}, errRejectComment
	case len([]rune(comment)) > maxDecisionComment:
		return store.InboxReply{}, errRejectTooLong
	}
	return s.decide(ctx, user, replyID, ReplyRejected, comment, "")
}

// editedApproval is the audit's detail of an approval with changes; the
// contributor's text follows it, as the record of what they wrote.
const editedApproval = "approved with changes; the contributor wrote: "

// approvedText checks an approver's edit of pending reply r as any reply
// is checked, and returns the text to send; edited is false when the edit
// leaves the text as it was.
func (s *Service) approvedText(ctx context.Context, r store.InboxReply, edit string) (text string, edited bool, err error) {
	edit = strings.TrimSpace(edit)
	if sameText(edit, r.Text) {
		return r.Text, false, nil
	}
	if edit == "" {
		return "", false, errReplyEmpty
	}
	it, err := s.Store.GetInboxItem(ctx, r.ItemID)
	if err != nil {
		return "", false, err
	}
	_, text, _, refused, err := s.checkReply(ctx, s.Store, it, edit)
	if err != nil {
		return "", false, err
	}
	if refused != nil {
		return "", false, refused
	}
	if sameText(text, r.Text) {
		return r.Text, false, nil
	}
	return text, true, nil
}

// sameText: a browser posts a textarea's line breaks as CRLF, so a box
// left as it was must not count as an edit of a text written with LF.
func sameText(a, b string) bool {
	return strings.ReplaceAll(a, "\r\n", "\n") == strings.ReplaceAll(b, "\r\n", "\n")
}

func (s *Service) decide(ctx context.Context, user store.User, replyID int64, state ReplyState, comment, edit string) (store.InboxReply, error) {
	r, err := s.GetReply(ctx, user, replyID)
	if err != nil {
		return r, err
	}
	if _, _, err := s.Auth.Authorize(ctx, user, r.WorkspaceID, permAct); err != nil {
		return store.InboxReply{}, err
	}
	if ReplyState(r.State) != ReplyPending {
		return store.InboxReply{}, errNotPending
	}
	text, edited := r.Text, false
	if state == ReplyQueued && edit != "" {
		if text, edited, err = s.approvedText(ctx, r, edit); err != nil {
			return store.InboxReply{}, err
		}
	}
	now := s.Now().UTC()
	detail := "approved"
	switch {
	case state == ReplyRejected:
		detail = "rejected: " + comment
	case edited:
		detail = editedApproval + r.Text
	}
	err = s.Store.InTx(ctx, func(tx store.Tx) error {
		// The text is written with the decision, guarded by the pending
		// state: a pending reply's text changes nowhere else, so writing
		// it back unedited changes nothing.
		n, err := tx.DecideInboxReply(ctx, store.DecideInboxReplyParams{State: string(state), DecidedBy: &user.ID, DecidedAt: &now,
			DecisionComment: comment, Text: text, ID: r.ID})
		if err != nil {
			return err
		}
		if n == 0 {
			return errNotPending
		}
		if state == ReplyQueued {
			if _, err := tx.InsertJob(ctx, ReplyArgs{ReplyID: r.ID}, nil); err != nil {
				return err
			}
		}
		return tx.AddInboxAction(ctx, store.AddInboxActionParams{WorkspaceID: r.WorkspaceID, ItemID: r.ItemID, UserID: &user.ID,
			Action: actApproval, Detail: detail, Result: ResultOK, CreatedAt: now})
	})
	if err != nil {
		return store.InboxReply{}, err
	}
	s.changed(ctx, r.WorkspaceID, store.InboxItem{ID: r.ItemID, ConversationID: r.ConversationID})
	if state == ReplyRejected && s.Notifier != nil && r.UserID != nil {
		if err := s.Notifier.Notify(ctx, publish.Notification{UserID: *r.UserID, WorkspaceID: r.WorkspaceID, Kind: NotifyReplyRejected,
			Title: "Your reply was not approved", Body: comment}); err != nil {
			s.logErr("notify rejected", err)
		}
	}
	if edited && s.Notifier != nil && r.UserID != nil {
		if err := s.Notifier.Notify(ctx, publish.Notification{UserID: *r.UserID, WorkspaceID: r.WorkspaceID, Kind: NotifyReplyEdited,
			Title: "Your reply was approved with changes", Body: text}); err != nil {
			s.logErr("notify edited", err)
		}
	}
	return s.Store.GetInboxReply(ctx, r.ID)
}
