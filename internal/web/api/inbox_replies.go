package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/store"
)

// Replies from the inbox: sent by a River job with the publisher's
// never-twice machinery, so the POST answers 202 with the reply queued and
// GET tells where it is. Replying takes what publishing takes (Schedule).
func (s *server) inboxReplyRoutes(a huma.API) {
	reply := accepted(op("reply-to-inbox-item", http.MethodPost, "/v1/inbox/items/{id}/replies",
		"Reply to an item on the network, in its thread (privately for a direct message); 409 with the network's reason where it does not allow replies, 422 when the text is longer than the network takes, 429 with Retry-After while the network's rate limit for the account holds (nothing is stored: send again then)", "inbox"))
	reply.Errors = append(reply.Errors, http.StatusTooManyRequests)
	huma.Register(a, reply, s.replyToInboxItem)
	huma.Register(a, op("get-inbox-reply", http.MethodGet, "/v1/inbox/replies/{id}", "A reply sent from the inbox: queued, in flight, sent (with its address), failed (with the network's reason) or unknown (check the network before re-sending)", "inbox"), s.getInboxReply)
}

// InboxReplyOut is a reply sent from the inbox.
type InboxReplyOut struct {
	ID             int64 `json:"id"`
	ItemID         int64 `json:"item_id"`
	ConversationID int64 `json:"conversation_id"`
	// UserID is the member who wrote it; none for a rule's automatic reply.
	UserID *int64 `json:"user_id,omitempty"`
	// RuleID and RuleName name the moderation rule that auto-replied.
	RuleID   *int64 `json:"rule_id,omitempty"`
	RuleName string `json:"rule_name,omitempty"`
	Text     string `json:"text"`
	State    string `json:"state" enum:"pending_approval,rejected,queued,in_flight,sent,failed,unknown" doc:"unknown: the network cannot tell whether the reply went out; check it before re-sending. pending_approval: a contributor's reply awaiting an approver; rejected: not approved (decision_comment says why)"`
	// DecidedBy, DecidedAt and DecisionComment are the approval's.
	DecidedBy       *int64     `json:"decided_by,omitempty"`
	DecidedAt       *time.Time `json:"decided_at,omitempty"`
	DecisionComment string     `json:"decision_comment,omitempty"`
	// ExternalID and URL are the network's, once sent.
	ExternalID string `json:"external_id,omitempty"`
	URL        string `json:"url,omitempty"`
	// Error is the network's own reason (failed) or why the outcome is unknown.
	Error     string    `json:"error,omitempty"`
	ErrorFR   string    `json:"error_fr,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func toInboxReply(r store.InboxReply) InboxReplyOut {
	out := InboxReplyOut{ID: r.ID, ItemID: r.ItemID, ConversationID: r.ConversationID, UserID: r.UserID, RuleID: r.RuleID, RuleName: r.RuleName, Text: r.Text, State: r.State,
		ExternalID: r.ExternalID, URL: network.WebURL(r.ExternalURL), Error: r.Error, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		DecidedBy: r.DecidedBy, DecidedAt: r.DecidedAt, DecisionComment: r.DecisionComment}
	if r.Error != "" {
		out.ErrorFR = localized("fr", r.Error)
	}
	return out
}

type replyToInboxItemIn struct {
	ID   int64 `path:"id"`
	Body struct {
		Text string `json:"text,omitempty" maxLength:"20000" doc:"the reply; or leave it out and give saved_reply_id"`
		// SavedReplyID answers with a saved reply written for the item.
		SavedReplyID int64 `json:"saved_reply_id,omitempty" doc:"a saved reply of the workspace, its variables filled for the item; instead of text"`
		// SendAnyway confirms a reply after the 409 someone_replying or already_answered.
		SendAnyway bool `json:"send_anyway,omitempty" doc:"Send even though another member is replying to this conversation (the 409 someone_replying names them) or already answered this item from Tribune (409 already_answered)"`
	}
}

func (s *server) replyToInboxItem(ctx context.Context, in *replyToInboxItemIn) (*body[InboxReplyOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	r, err := s.Inbox.ReplyUnlessSomeoneIs(ctx, u, in.ID, in.Body.Text, in.Body.SavedReplyID, in.Body.SendAnyway)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[InboxReplyOut]{toInboxReply(r)}, nil
}

func (s *server) getInboxReply(ctx context.Context, in *idPath) (*body[InboxReplyOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	r, err := s.Inbox.GetReply(ctx, u, in.ID)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[InboxReplyOut]{toInboxReply(r)}, nil
}
