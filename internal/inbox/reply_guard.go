package inbox

import (
	"context"
	"strconv"

	"github.com/tribune-social/tribune/internal/store"
)

// ReplyGuard tells whether another member is writing an answer to the same
// conversation right now (live.Broker.CheckReply, fed by the pages'
// presence heartbeats). The inbox never locks a conversation: a member who
// saw the warning and confirms (anyway) always sends.
type ReplyGuard interface {
	CheckReply(ws int64, subject string, userID int64, anyway bool) error
}

// ReplyUnlessSomeoneIs is ReplyWith (a text, or a saved reply) behind the guard: when another member is
// replying to the conversation (the pages name it by its id), it returns
// the guard's 409 naming them, unless anyway. The UI and the API both send
// through it, so a second answer is never sent by accident from either.
func (s *Service) ReplyUnlessSomeoneIs(ctx context.Context, user store.User, itemID int64, text string, savedReplyID int64, anyway bool) (store.InboxReply, error) {
	if s.Guard != nil && !anyway {
		it, _, err := s.replyItem(ctx, user, itemID)
		if err != nil {
			return store.InboxReply{}, err
		}
		if err := s.Guard.CheckReply(it.WorkspaceID, strconv.FormatInt(it.ConversationID, 10), user.ID, false); err != nil {
			return store.InboxReply{}, err
		}
	}
	return s.ReplyWith(ctx, user, itemID, text, savedReplyID)
}
