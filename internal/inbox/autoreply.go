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
// through the reply path a member's reply takes (queued in the ingestion's
// transaction, then sent by the reply job, never twice; the job audits the
// outcome as the rule's). The reply has no member for author: it names
// the rule. The unique index on (item, rule) makes a second run of the
// rule on the same item queue nothing. A reply that cannot be written is
// audited as refused, with the reason.
func (r *fetchRules) autoReply(ctx context.Context, d moderation.Decision, p moderation.Planned, it store.InboxItem) ([]store.RuleActionRow, error) {
	s, tx := r.s, r.tx
	refuse := func(msg string) ([]store.RuleActionRow, error) {
		return []store.RuleActionRow{r.auditRow(d, p, "", ResultRefused, msg, "")}, nil
	}
	text, err := s.renderSavedReply(ctx, tx, it, p.Action.ReplyID)
	if err != nil {
		var pe *problem.Error
		if errors.As(err, &pe) {
			return refuse(pe.Message)
		}
		return nil, err
	}
	_, text, vis, refused, err := s.checkReply(ctx, tx, it, text)
	if err != nil {
		var pe *problem.Error
		if errors.As(err, &pe) {
			return refuse(pe.Message)
		}
		return nil, err
	}
	if refused != nil {
		return refuse(refused.Message)
	}
	var rule *int64
	if d.RuleID != 0 {
		rule = &d.RuleID
	}
	rows, err := tx.CreateRuleReply(ctx, store.CreateRuleReplyParams{WorkspaceID: it.WorkspaceID, ChannelID: it.ChannelID, ItemID: it.ID,
		ConversationID: it.ConversationID, RuleID: rule, RuleName: d.RuleName, Text: text, Visibility: string(vis), CreatedAt: s.Now().UTC()})
	if err != nil || len(rows) == 0 {
		return nil, err // already answered by this rule
	}
	_, err = tx.InsertJob(ctx, ReplyArgs{ReplyID: rows[0].ID}, nil)
	return nil, err
}

// renderSavedReply writes the workspace's saved reply replyID for the item:
// the author's name and handle, and the address of our post it answers.
// A reply that cannot be written for this item is a *problem.Error.
func (s *Service) renderSavedReply(ctx context.Context, q store.Queries, it store.InboxItem, replyID int64) (string, error) {
	sr, err := q.GetSavedReply(ctx, replyID)
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
	author, err := q.GetInboxAuthor(ctx, it.AuthorID)
	if err != nil {
		return "", err
	}
	link, err := s.postLink(ctx, q, it)
	if err != nil {
		return "", err
	}
	nit := network.Item{Author: network.Author{ExternalID: author.ExternalID, Handle: author.Handle, DisplayName: author.DisplayName, URL: author.URL}}
	return t.Render(moderation.VarsOf(nit, link))
}

// postLink is the network address of our post the item answers: its
// variant's first message once published; "" when it answers none.
func (s *Service) postLink(ctx context.Context, q store.Queries, it store.InboxItem) (string, error) {
	if it.VariantID == nil {
		return "", nil
	}
	parts, err := q.ListPublishParts(ctx, *it.VariantID)
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
	text, err := s.renderSavedReply(ctx, s.Store, it, savedReplyID)
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
