package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
)

// Approval of contributors' replies (see internal/inbox/approval.go).
func (s *server) inboxReplyApprovalRoutes(a huma.API) {
	huma.Register(a, op("get-inbox-reply-approval", http.MethodGet, "/v1/workspaces/{ws}/inbox/reply-approval", "Whether contributors' replies need approval first", "inbox"), s.getReplyApproval)
	huma.Register(a, op("set-inbox-reply-approval", http.MethodPut, "/v1/workspaces/{ws}/inbox/reply-approval", "Switch the approval of contributors' replies (owners and admins)", "inbox"), s.setReplyApproval)
	huma.Register(a, op("approve-inbox-reply", http.MethodPost, "/v1/inbox/replies/{id}/approve", "Approve a contributor's reply, optionally with the approver's edit of its text: it is queued and sent like any reply; 409 when it was decided already", "inbox"), s.approveReply)
	huma.Register(a, op("reject-inbox-reply", http.MethodPost, "/v1/inbox/replies/{id}/reject", "Reject a contributor's reply with a comment (required); it is never sent", "inbox"), s.rejectReply)
}

// ReplyApproval is the workspace's setting.
type ReplyApproval struct {
	Enabled bool `json:"enabled" doc:"true: a contributor's reply waits for an approver"`
}

func (s *server) getReplyApproval(ctx context.Context, in *wsPath) (*body[ReplyApproval], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	on, err := s.Inbox.ReplyApproval(ctx, u, in.WS)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[ReplyApproval]{ReplyApproval{Enabled: on}}, nil
}

type setReplyApprovalIn struct {
	WS   int64 `path:"ws"`
	Body ReplyApproval
}

func (s *server) setReplyApproval(ctx context.Context, in *setReplyApprovalIn) (*body[ReplyApproval], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	if err := s.Inbox.SetReplyApproval(ctx, u, in.WS, in.Body.Enabled); err != nil {
		return nil, s.fail(err)
	}
	return &body[ReplyApproval]{in.Body}, nil
}

type approveReplyIn struct {
	ID   int64 `path:"id"`
	Body *struct {
		Text string `json:"text,omitempty" doc:"The approver's edit of the reply, sent instead of the contributor's text; checked as any reply (422 when empty or too long for the channel, the reply then stays pending). Absent: the text as the contributor wrote it."`
	}
}

func (s *server) approveReply(ctx context.Context, in *approveReplyIn) (*body[InboxReplyOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	text := ""
	if in.Body != nil {
		text = in.Body.Text
	}
	r, err := s.Inbox.ApproveReply(ctx, u, in.ID, text)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[InboxReplyOut]{toInboxReply(r)}, nil
}

type rejectReplyIn struct {
	ID   int64 `path:"id"`
	Body struct {
		Comment string `json:"comment" maxLength:"2000" doc:"Why the reply is not approved; its author reads it"`
	}
}

func (s *server) rejectReply(ctx context.Context, in *rejectReplyIn) (*body[InboxReplyOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	r, err := s.Inbox.RejectReply(ctx, u, in.ID, in.Body.Comment)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[InboxReplyOut]{toInboxReply(r)}, nil
}
