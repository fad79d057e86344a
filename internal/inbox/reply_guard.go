package inbox

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/store"
)

// ReplyGuard tells whether another member is writing an answer to the same
// conversation right now (live.Broker.CheckReply, fed by the pages'
// presence heartbeats). The inbox never locks a conversation: a member who
// saw the warning and confirms (anyway) always sends.
type ReplyGuard interface {
	CheckReply(ws int64, subject string, userID int64, anyway bool) error
}

// errAlreadyAnswered: a colleague's reply to this very item is on its way,
// awaiting approval or sent. Presence alone misses it: once their reply
// is submitted they are no longer "replying", and a page opened before
// it may not show it yet.
var errAlreadyAnswered = problem.New(http.StatusConflict, "already_answered", "%s already answered this item. Send anyway?")

// ReplyUnlessSomeoneIs is ReplyWith (a text, or a saved reply) behind the
// guards: when another member is replying to the conversation (the pages
// name it by its id), or already answered this item from Tribune, it
// returns a 409 naming them, unless anyway. The UI and the API both send
// through it, so a second answer is never sent by accident from either.
func (s *Service) ReplyUnlessSomeoneIs(ctx context.Context, user store.User, itemID int64, text string, savedReplyID int64, anyway bool) (store.InboxReply, error) {
	if !anyway {
		it, _, err := s.replyItem(ctx, user, itemID)
		if err != nil {
			return store.InboxReply{}, err
		}
		if s.Guard != nil {
			if err := s.Guard.CheckReply(it.WorkspaceID, strconv.FormatInt(it.ConversationID, 10), user.ID, false); err != nil {
				return store.InboxReply{}, err
			}
		}
		if err := s.answeredByOthers(ctx, user, it); err != nil {
			return store.InboxReply{}, err
		}
	}
	return s.ReplyWith(ctx, user, itemID, text, savedReplyID)
}

// answeredByOthers refuses a reply to an item another member answered from
// Tribune (a reply that is not failed or rejected). A rule's automatic
// reply does not count: an acknowledgement is meant to be followed by a
// person's answer.
func (s *Service) answeredByOthers(ctx context.Context, user store.User, it store.InboxItem) error {
	replies, err := s.Store.ListInboxRepliesOfConversation(ctx, it.ConversationID)
	if err != nil {
		return err
	}
	var names []string
	seen := map[int64]bool{}
	for _, r := range replies {
		if r.ItemID != it.ID || r.UserID == nil || *r.UserID == user.ID || seen[*r.UserID] || r.RuleName != "" {
			continue
		}
		if st := ReplyState(r.State); st == ReplyFailed || st == ReplyRejected {
			continue
		}
		seen[*r.UserID] = true
		u, err := s.Store.GetUser(ctx, *r.UserID)
		if errors.Is(err, store.ErrNotFound) {
			continue // an account deleted since: nobody to name
		}
		if err != nil {
			return err
		}
		names = append(names, u.Name)
	}
	if len(names) == 0 {
		return nil
	}
	return errAlreadyAnswered.Format(strings.Join(names, ", "))
}
