package ui

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/inbox"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/store"
)

// Approval of contributors' replies on the conversation page: a
// contributor's reply shows "awaiting approval"; who may publish approves
// it, as written or edited in its box, or rejects it with a comment. The setting is on the response-target
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
		// The box holds the reply's text, edited or not: the service
		// tells an edit from the text as it was.
		text := r.FormValue("text")
		_, err := u.Inbox.ApproveReply(r.Context(), currentUser(r), rp.ID, text)
		var pe *problem.Error
		if errors.As(err, &pe) && keepsDraft(pe.Status) && pe.Code != "reply_not_pending" {
			// A refused edit is shown again as typed, the reply still
			// pending; a reply decided meanwhile has no box left to show.
			return u.replyRefused(w, r, ws, it, rp.ID, text, pe)
		}
		if err != nil {
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

// mayDecide: the reply awaits approval and the reader may approve it
// (permAct in the inbox service: who may publish).
func mayDecide(d conversationData, rp store.InboxReply) bool {
	return isPending(rp.State) && d.Role.Can(auth.Schedule)
}

// approvalText is what a pending reply's approval box holds: the
// approver's refused edit when the page shows one, else the reply's text.
func approvalText(d conversationData, rp store.InboxReply) (text, refused string) {
	if d.Draft.ReplyID == rp.ID {
		return d.Draft.Text, d.Draft.Why
	}
	return rp.Text, ""
}
