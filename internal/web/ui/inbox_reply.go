package ui

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/inbox"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/rules"
	"github.com/tribune-social/tribune/internal/store"
	webi18n "github.com/tribune-social/tribune/internal/web/i18n"
)

// Replies from a conversation page: a reply box under each item (with the
// network's counter, and a disabled button that says why when the item
// cannot be answered) and each reply's state. Sending is a River job
// (inbox.SendReply): the page shows "sending" until it is done.

// replyBox is what the reply box of one item needs.
type replyBox struct {
	WS    store.Workspace
	Item  inbox.Item
	Count rules.Count
	// Why is set when the item cannot be answered: the button is disabled
	// and this sentence stands beside it.
	Why string
	// Saved are the workspace's saved replies, offered by the picker.
	Saved []store.SavedReply
	// Text and Refused come back with a reply the server refused: the
	// box holds what was typed and says why it was not sent.
	Text    string
	Refused string
	// Keep: the page's live refetch keeps the textarea the member is
	// typing in (hx-preserve) rather than an empty new one. The picker's
	// fragment does not set it, so a chosen saved reply does replace it.
	Keep bool
}

// replyDraft is a refused reply, kept for its item's box.
type replyDraft struct {
	ItemID int64
	// ReplyID, when set, says the text is an approver's refused edit of
	// that pending reply, shown in its approval box, not the item's box.
	ReplyID int64 `json:",omitempty"`
	Text    string
	// Why is the refusal in the reader's language (for a colleague's
	// answer or reply in progress, it names them).
	Why string
}

// replyBoxOf says whether it can be answered on c's network, and why not.
func replyBoxOf(l *webi18n.Localizer, d conversationData, it inbox.Item) replyBox {
	b := replyBox{WS: d.WS, Item: it, Count: d.ReplyCount, Saved: d.SavedReplies}
	if d.Draft.ItemID == it.ID && d.Draft.ReplyID == 0 {
		b.Text, b.Refused = d.Draft.Text, d.Draft.Why
	}
	switch {
	case !d.C.HasInbox || !d.C.Capabilities.ActionOn(network.ItemKind(it.Kind), network.ActReply).OK:
		b.Why = whyNot(l, d.C, network.ItemKind(it.Kind), network.ActReply)
	case it.DeletedAt != nil:
		b.Why = l.T("This item was deleted on the network; it cannot be answered.")
	case d.C.Channel.Status != "active":
		b.Why = l.T("The channel must be reconnected before replying.")
	}
	b.Keep = b.Why == ""
	return b
}

func (u *ui) inboxReply(w http.ResponseWriter, r *http.Request) error {
	ws, it, err := u.inboxItem(r)
	if err != nil {
		return err
	}
	text := r.FormValue("text")
	rp, err := u.Inbox.ReplyUnlessSomeoneIs(r.Context(), currentUser(r), it.ID, text, 0, r.FormValue("anyway") == "1")
	var pe *problem.Error
	if errors.As(err, &pe) && keepsDraft(pe.Status) {
		return u.replyRefused(w, r, ws, it, 0, text, pe)
	}
	if err != nil {
		return err
	}
	if isPending(rp.State) {
		flash(w, u.loc(r).T("Reply submitted for approval."))
	} else {
		flash(w, u.loc(r).T("Reply queued: it is being sent."))
	}
	return redirect(w, r, itemAnchor(ws, it))
}

// keepsDraft tells the refusals after which the conversation is shown
// again with the text typed: the member can change it or confirm (a
// colleague's answer, a text too long for the network, approval switched
// off...). A missing item or a lost session have no page to show it on.
func keepsDraft(status int) bool {
	return status >= 400 && status < 500 && status != http.StatusUnauthorized && status != http.StatusNotFound
}

// replyRefused records the refused text and its reason and sends the
// member to the conversation, which shows them in the item's box (see
// inbox_reply_draft.go for why it is not the POST's own answer).
//
// replyID names the pending reply whose approver's edit was refused (0 for
// the item's own reply box).
func (u *ui) replyRefused(w http.ResponseWriter, r *http.Request, ws store.Workspace, it inbox.Item, replyID int64, text string, pe *problem.Error) error {
	lang := u.lang(r)
	why := pe.Localized(lang)
	for _, dt := range pe.Details {
		why += " " + fieldLabel(lang, dt.Location) + " — " + dt.Localized(lang)
	}
	to, err := u.keepDraft(r, "/w/"+itoa(ws.ID)+"/inbox/conversations/"+itoa(it.ConversationID), replyDraft{ItemID: it.ID, ReplyID: replyID, Text: text, Why: why})
	if err != nil {
		return err
	}
	// A success left by an earlier page would contradict the refusal.
	clearFlash(w, r)
	return redirect(w, r, to)
}

// replyCountTrigger: the counter follows typing, and a text the picker
// filled is counted as soon as it is in.
func replyCountTrigger(text string) string {
	if text != "" {
		return "input changed delay:150ms, load"
	}
	return "input changed delay:150ms"
}

// inboxReplySaved is the saved-reply picker: the reply box's text becomes
// the chosen saved reply written for this item (name, handle, post link),
// still editable before it is sent. A reply that cannot be written for the
// item (it needs a post link the item lacks) leaves the text empty and
// says why.
func (u *ui) inboxReplySaved(w http.ResponseWriter, r *http.Request) error {
	ws, it, err := u.inboxItem(r)
	if err != nil {
		return err
	}
	b := replyBox{WS: ws, Item: it}
	id, _ := strconv.ParseInt(r.FormValue("saved_reply"), 10, 64)
	if id == 0 {
		return fragment(w, r, replyText(u.loc(r), b, "", ""))
	}
	text, err := u.Inbox.RenderSavedReply(r.Context(), currentUser(r), it.ID, id)
	var pe *problem.Error
	if errors.As(err, &pe) && pe.Status == http.StatusUnprocessableEntity {
		return fragment(w, r, replyText(u.loc(r), b, "", u.loc(r).T(pe.Message, pe.Args...)))
	}
	if err != nil {
		return err
	}
	return fragment(w, r, replyText(u.loc(r), b, text, ""))
}

// inboxReplyCount is the reply box's live counter.
func (u *ui) inboxReplyCount(w http.ResponseWriter, r *http.Request) error {
	if _, _, err := u.workspace(r, auth.View); err != nil {
		return err
	}
	_, it, err := u.inboxItem(r)
	if err != nil {
		return err
	}
	c, err := u.Inbox.CountReply(r.Context(), currentUser(r), it.ID, r.FormValue("text"))
	if err != nil {
		return err
	}
	return fragment(w, r, replyCounter(u.loc(r), it.ID, c))
}

// replyStateLabel is a reply's state in the reader's language.
func replyStateLabel(l *webi18n.Localizer, s string) string {
	switch inbox.ReplyState(s) {
	case inbox.ReplyQueued, inbox.ReplyInFlight:
		return l.T("Sending…")
	case inbox.ReplySent:
		return l.T("Sent")
	case inbox.ReplyFailed:
		return l.T("Failed")
	case inbox.ReplyUnknown:
		return l.T("Outcome unknown — check before re-sending")
	case inbox.ReplyPending:
		return l.T("Awaiting approval")
	case inbox.ReplyRejected:
		return l.T("Not approved")
	}
	return s
}

// conversationReplies adds the conversation's replies and the reply box's
// counter to d.
func (u *ui) conversationReplies(r *http.Request, d *conversationData) error {
	user := currentUser(r)
	replies, err := u.Inbox.Replies(r.Context(), user, d.C.ID)
	if err != nil {
		return err
	}
	if d.SavedReplies, err = u.Inbox.SavedReplies(r.Context(), user, d.WS.ID); err != nil {
		return err
	}
	if d.ReplyApproval, err = u.Inbox.ReplyApproval(r.Context(), user, d.WS.ID); err != nil {
		return err
	}
	d.Replies = map[int64][]store.InboxReply{}
	for _, rp := range replies {
		d.Replies[rp.ItemID] = append(d.Replies[rp.ItemID], rp)
	}
	if len(d.C.Items) > 0 {
		if d.ReplyCount, err = u.Inbox.CountReply(r.Context(), user, d.C.Items[0].ID, ""); err != nil {
			return err
		}
	}
	return nil
}
