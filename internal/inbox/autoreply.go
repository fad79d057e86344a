package inbox

import (
	"context"
	"errors"
	"net/http"

	"github.com/tribune-social/tribune/internal/moderation"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/store"
)

// errSavedReplyGone: the rule names a saved reply deleted since it was saved.
var errSavedReplyGone = problem.New(http.StatusConflict, "saved_reply_gone", "Not sent: the rule's saved reply was deleted.")

// autoReply answers the item with the rule's saved reply, rendered for it,
// through the reply path a member's reply takes (queued, then sent by the
// reply job, never twice). The reply has no member for author: it names
// the rule, and its outcome is audited as the rule's. The unique index on
// (item, rule) makes a second run of the rule on the same item (the item
// ingested again, two nodes at once) queue nothing.
func (r *ruleRun) autoReply(ctx context.Context, d moderation.Decision, p moderation.Planned) error {
	s, it := r.s, r.it
	refuse := func(msg string) error { return r.audit(ctx, s.Store, d, p, "", ResultRefused, msg, "") }
	text, err := s.renderSavedReply(ctx, it, p.Action.ReplyID)
	if err != nil {
		var pe *problem.Error
		if errors.As(err, &pe) {
			return refuse(pe.Message)
		}
		return err
	}
	_, text, vis, refused, err := s.checkReply(ctx, it, text)
	if err != nil {
		var pe *problem.Error
		if errors.As(err, &pe) {
			return refuse(pe.Message)
		}
		return err
	}
	if refused != nil {
		return refuse(refused.Message)
	}
	var rule *int64
	if d.RuleID != 0 {
		rule = &d.RuleID
	}
	return s.Store.InTx(ctx, func(tx store.Tx) error {
		rows, err := tx.CreateRuleReply(ctx, store.CreateRuleReplyParams{WorkspaceID: it.WorkspaceID, ChannelID: it.ChannelID, ItemID: it.ID,
			ConversationID: it.ConversationID, RuleID: rule, RuleName: d.RuleName, Text: text, Visibility: string(vis), CreatedAt: s.Now().UTC()})
		if err != nil || len(rows) == 0 {
			return err // already answered by this rule
		}
		_, err = tx.InsertJob(ctx, ReplyArgs{ReplyID: rows[0].ID}, nil)
		return err
	})
}

// renderSavedReply writes the workspace's saved reply replyID for the item:
// the author's name and handle, and the address of our post it answers.
// A reply that cannot be written for this item is a *problem.Error.
func (s *Service) renderSavedReply(ctx context.Context, it store.InboxItem, replyID int64) (string, error) {
	sr, err := s.Store.GetSavedReply(ctx, replyID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && sr.WorkspaceID != it.WorkspaceID) {
		return "", errSavedReplyGone
	}
	if err != nil {
		return "", err
	}
	t, err := moderation.ParseReply(sr.Body)
	if err != nil {
		return "", err
	}
	author, err := s.Store.GetInboxAuthor(ctx, it.AuthorID)
	if err != nil {
		return "", err
	}
	link, err := s.postLink(ctx, it)
	if err != nil {
		return "", err
	}
	nit := network.Item{Author: network.Author{ExternalID: author.ExternalID, Handle: author.Handle, DisplayName: author.DisplayName, URL: author.URL}}
	return t.Render(moderation.VarsOf(nit, link))
}

// postLink is the network address of our post the item answers: its
// variant's first message once published; "" when it answers none.
func (s *Service) postLink(ctx context.Context, it store.InboxItem) (string, error) {
	if it.VariantID == nil {
		return "", nil
	}
	parts, err := s.Store.ListPublishParts(ctx, *it.VariantID)
	if err != nil || len(parts) == 0 {
		return "", err
	}
	return parts[0].ExternalURL, nil
}

// errReplyTextOrSaved: a reply is written, or taken from a saved reply, not both.
var errReplyTextOrSaved = problem.New(http.StatusUnprocessableEntity, "reply_text_or_saved", "Write the reply or choose a saved reply, not both.")

// RenderSavedReply is the workspace's saved reply written for the item (the
// reply box's picker inserts it into the text).
func (s *Service) RenderSavedReply(ctx context.Context, user store.User, itemID, savedReplyID int64) (string, error) {
	it, err := s.item(ctx, user, itemID, permRead)
	if err != nil {
		return "", err
	}
	text, err := s.renderSavedReply(ctx, it, savedReplyID)
	if errors.Is(err, errSavedReplyGone) {
		return "", errReplyNotFound
	}
	return text, err
}

// ReplyWith answers the item with text, or, when savedReplyID is set, with
// that saved reply written for the item; either way through Reply.
func (s *Service) ReplyWith(ctx context.Context, user store.User, itemID int64, text string, savedReplyID int64) (store.InboxReply, error) {
	if savedReplyID != 0 {
		if text != "" {
			return store.InboxReply{}, errReplyTextOrSaved
		}
		var err error
		if text, err = s.RenderSavedReply(ctx, user, itemID, savedReplyID); err != nil {
			return store.InboxReply{}, err
		}
	}
	return s.Reply(ctx, user, itemID, text)
}
