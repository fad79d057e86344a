package ui

import (
	"net/http"
	"strconv"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/inbox"
	"github.com/tribune-social/tribune/internal/problem"
)

// Approval of contributors' replies on the conversation page: a
// contributor's reply shows "awaiting approval"; who may publish approves
// it or rejects it with a comment. The setting is on the response-target
// page (owners and admins).

// inboxReplyDecide approves (decision=approve) or rejects (with comment)
// the reply reply_id of the {id} item.
func (u *ui) inboxReplyDecide(w http.ResponseWriter, r *http.Request) error {
	ws, it, err := u.inboxItem(r)
	if err != nil {
		return err
	}
	id, _ := strconv.ParseInt(r.FormValue("reply_id"), 10, 64)
	rp, err := u.Inbox.GetReply(r.Context(), currentUser(r), id)
	if err != nil {
		return err
	}
	if rp.ItemID != it.ID {
		return problem.NotFound
	}
	l := u.loc(r)
	if r.FormValue("decision") == "approve" {
		if _, err := u.Inbox.ApproveReply(r.Context(), currentUser(r), rp.ID); err != nil {
			return err
		}
		flash(w, l.T("Reply approved: it is being sent."))
	} else {
		if _, err := u.Inbox.RejectReply(r.Context(), currentUser(r), rp.ID, r.FormValue("comment")); err != nil {
			return err
		}
		flash(w, l.T("Reply rejected; its author is told why."))
	}
	return redirect(w, r, itemAnchor(ws, it))
}

// saveReplyApproval switches the approval of contributors' replies.
func (u *ui) saveReplyApproval(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	if err := u.Inbox.SetReplyApproval(r.Context(), currentUser(r), ws.ID, r.FormValue("enabled") == "1"); err != nil {
		return err
	}
	flash(w, u.loc(r).T("Reply approval saved"))
	return redirect(w, r, "/w/"+itoa(ws.ID)+"/inbox/sla")
}

// canReply: who may publish replies; a contributor too when their replies
// wait for approval.
func canReply(d conversationData) bool {
	return d.Role.Can(auth.Schedule) || d.ReplyApproval && d.Role.Can(auth.Compose)
}

func isPending(state string) bool { return inbox.ReplyState(state) == inbox.ReplyPending }
