package inbox

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/tribune-social/tribune/internal/channels"
	"github.com/tribune-social/tribune/internal/moderation"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/rules"
	"github.com/tribune-social/tribune/internal/store"
)

// Replies from the inbox. A reply is a publication (PostRequest with ReplyTo
// and Root) and is sent with the publisher's never-twice pattern, on a row
// of its own (a reply has no Tribune post or variant for a publish part to
// hang off):
//
//  1. Reply checks the network allows a reply and the text fits the
//     channel's rules, then commits the reply (queued) and its River job in
//     one transaction.
//  2. The job commits the in-flight mark, with an attempt key, BEFORE the
//     network call, then stores the network's id after it.
//  3. A run that finds the reply in flight (the process died between the
//     mark and the answer, or the call got no answer) asks the network with
//     Recover: found → sent; proven absent → sent again under the same key;
//     the network cannot tell → unknown, and a person checks before
//     re-sending. River runs one attempt of a job at a time and rescues a
//     silent one only after the job's time-out, longer than a call, so an
//     earlier attempt's call is over when Recover asks.

// ReplyState is where a reply is.
type ReplyState string

// The reply states.
const (
	ReplyQueued   ReplyState = "queued"
	ReplyInFlight ReplyState = "in_flight"
	ReplySent     ReplyState = "sent"
	ReplyFailed   ReplyState = "failed"
	ReplyUnknown  ReplyState = "unknown"
)

// ReplyAttempts is how many runs a reply job gets; the last run that still
// cannot learn the outcome marks the reply unknown rather than guess.
const ReplyAttempts = 5

// ReplyCallTimeout bounds the reply job: River rescues a silent job only
// after it, so an earlier run's call is over before a later run recovers.
const ReplyCallTimeout = 2 * time.Minute

// actReply is the audit's name for a reply.
const actReply = string(network.ActReply)

var (
	errReplyEmpty   = problem.New(http.StatusUnprocessableEntity, "invalid_reply", "A reply needs some text.")
	errReplyTooLong = problem.New(http.StatusUnprocessableEntity, "reply_too_long", "The reply is %d characters long; this network takes %d.")
	errReplyRefused = problem.New(http.StatusConflict, "reply_unsupported", "The network does not allow replying to this item.")
	errReplyDeleted = problem.New(http.StatusConflict, "reply_to_deleted", "This item was deleted on the network; it cannot be answered.")
	errReplyOffline = problem.New(http.StatusConflict, "channel_inactive", "The channel must be reconnected before replying.")
)

// ReplyArgs sends one reply.
type ReplyArgs struct {
	ReplyID int64 `json:"reply_id"`
}

// Kind implements river.JobArgs.
func (ReplyArgs) Kind() string { return "inbox_reply" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (ReplyArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Queue, MaxAttempts: ReplyAttempts}
}

type replyWorker struct {
	river.WorkerDefaults[ReplyArgs]
	s *Service
}

func (w *replyWorker) Timeout(*river.Job[ReplyArgs]) time.Duration { return ReplyCallTimeout }

func (w *replyWorker) Work(ctx context.Context, job *river.Job[ReplyArgs]) error {
	return w.s.SendReply(ctx, job.Args.ReplyID, job.Attempt >= job.MaxAttempts)
}

// Reply records a member's reply to an item and queues it for sending. It
// refuses, before anything is stored, a reply the network does not allow
// (with the network's reason) or a text the channel's rules do not take.
//
// A contributor's reply, when the workspace asks for approval, is stored
// pending_approval without a job (approval.go).
func (s *Service) Reply(ctx context.Context, user store.User, itemID int64, text string) (store.InboxReply, error) {
	it, pending, err := s.replyItem(ctx, user, itemID)
	if err != nil {
		return store.InboxReply{}, err
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return store.InboxReply{}, errReplyEmpty
	}
	now := s.Now().UTC()
	ch, text, vis, refused, err := s.checkReply(ctx, s.Store, it, text)
	if err != nil {
		return store.InboxReply{}, err
	}
	var refusal error
	note := ""
	switch {
	case refused != nil:
		refusal, note = refused, refused.Message
	case !pending:
		// The member is told now, with when to try again, rather than
		// see their answer leave minutes later; a reply awaiting approval
		// calls nothing yet (approved, its job waits for the limit).
		if err := s.limitHeld(ctx, ch); err != nil {
			if !errors.As(err, new(*channels.LimitError)) {
				return store.InboxReply{}, err
			}
			refusal, note = err, noteLimitRefused
		}
	}
	if refusal != nil {
		if err := s.Store.AddInboxAction(ctx, store.AddInboxActionParams{WorkspaceID: it.WorkspaceID, ItemID: it.ID, UserID: &user.ID,
			Action: actReply, Result: ResultRefused, Error: note, CreatedAt: now}); err != nil {
			return store.InboxReply{}, err
		}
		return store.InboxReply{}, refusal
	}
	var r store.InboxReply
	if pending {
		r, err = s.Store.CreatePendingInboxReply(ctx, store.CreatePendingInboxReplyParams{WorkspaceID: it.WorkspaceID, ChannelID: it.ChannelID, ItemID: it.ID,
			ConversationID: it.ConversationID, UserID: &user.ID, Text: text, Visibility: string(vis), CreatedAt: now})
		if err == nil {
			s.notifyApprovers(ctx, r, user)
			s.changed(ctx, it.WorkspaceID, it)
		}
		return r, err
	}
	err = s.Store.InTx(ctx, func(tx store.Tx) error {
		var err error
		r, err = tx.CreateInboxReply(ctx, store.CreateInboxReplyParams{WorkspaceID: it.WorkspaceID, ChannelID: it.ChannelID, ItemID: it.ID,
			ConversationID: it.ConversationID, UserID: &user.ID, Text: text, Visibility: string(vis), CreatedAt: now})
		if err != nil {
			return err
		}
		_, err = tx.InsertJob(ctx, ReplyArgs{ReplyID: r.ID}, nil)
		return err
	})
	if err == nil {
		// The colleagues who have the conversation open see the answer on
		// its way, so they do not write a second one.
		s.changed(ctx, it.WorkspaceID, it)
	}
	return r, err
}

// GetReply returns a reply of a workspace the user may read.
func (s *Service) GetReply(ctx context.Context, user store.User, replyID int64) (store.InboxReply, error) {
	r, err := s.Store.GetInboxReply(ctx, replyID)
	if errors.Is(err, store.ErrNotFound) {
		return r, problem.NotFound
	}
	if err != nil {
		return r, err
	}
	if _, _, err := s.Auth.Authorize(ctx, user, r.WorkspaceID, permRead); err != nil {
		return store.InboxReply{}, problem.NotFound
	}
	return r, nil
}

// Replies lists a conversation's replies sent from Tribune, oldest first.
func (s *Service) Replies(ctx context.Context, user store.User, conversationID int64) ([]store.InboxReply, error) {
	conv, err := s.Store.GetInboxConversation(ctx, conversationID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, problem.NotFound
	}
	if err != nil {
		return nil, err
	}
	if _, _, err := s.Auth.Authorize(ctx, user, conv.WorkspaceID, permRead); err != nil {
		return nil, problem.NotFound
	}
	return s.Store.ListInboxRepliesOfConversation(ctx, conversationID)
}

// SendReply takes a reply through queued → in_flight → sent, or recovers
// one found in flight. last says this is the job's last run: a reply whose
// outcome it still cannot learn becomes unknown instead of being dropped
// silently in flight.
func (s *Service) SendReply(ctx context.Context, replyID int64, last bool) error {
	r, err := s.Store.GetInboxReply(ctx, replyID)
	if errors.Is(err, store.ErrNotFound) {
		return nil // the item or the channel was deleted meanwhile
	}
	if err != nil {
		return err
	}
	switch ReplyState(r.State) {
	case ReplySent, ReplyFailed, ReplyUnknown, ReplyPending, ReplyRejected:
		return nil // done, or not approved: never sent from here
	}
	it, err := s.Store.GetInboxItem(ctx, r.ItemID)
	if err != nil {
		return err
	}
	ch, err := s.Store.GetChannel(ctx, r.ChannelID)
	if err != nil {
		return err
	}
	// While the account's rate limit holds, neither sending nor asking
	// the network what became of a reply in flight: the job waits.
	if err := s.limitHeld(ctx, ch); err != nil {
		return s.deferReply(ctx, r, err)
	}
	conn, ok := s.Connectors[ch.Network]
	if !ok {
		return s.finishReply(ctx, r, ReplyFailed, network.Ref{}, "no connector for network "+ch.Network)
	}
	acct, err := s.Accounts.Account(ctx, ch)
	if err != nil {
		return s.finishReply(ctx, r, ReplyFailed, network.Ref{}, "the channel's credentials cannot be read: "+err.Error())
	}
	if ReplyState(r.State) == ReplyInFlight {
		ref, err := conn.Recover(ctx, acct, replyRequest(r, it))
		switch {
		case err == nil:
			return s.finishReply(ctx, r, ReplySent, ref, "")
		case errors.Is(err, network.ErrNotPublished):
			// Proven absent: back to queued, keeping the attempt key so a
			// network that honours it answers with an earlier copy its
			// look-up missed.
			if err := s.Store.FinishInboxReply(ctx, store.FinishInboxReplyParams{State: string(ReplyQueued), UpdatedAt: s.Now().UTC(), ID: r.ID}); err != nil {
				return err
			}
			r.State = string(ReplyQueued)
		case errors.Is(err, network.ErrUnknownOutcome):
			return s.finishReply(ctx, r, ReplyUnknown, network.Ref{}, err.Error())
		case network.AsError(err).Kind == network.RateLimited:
			// Still in flight: the look-up is asked again once the limit ends.
			return s.deferReply(ctx, r, s.heardLimit(ctx, ch, err))
		default:
			if last {
				return s.finishReply(ctx, r, ReplyUnknown, network.Ref{}, network.AsError(err).Error())
			}
			return err
		}
	}
	now := s.Now().UTC()
	key := r.AttemptKey
	if key == "" {
		key = network.NewAttemptKey(now)
	}
	n, err := s.Store.MarkInboxReplyInFlight(ctx, store.MarkInboxReplyInFlightParams{AttemptKey: key, InFlightAt: &now, ID: r.ID})
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("inbox: reply %d changed under us", r.ID)
	}
	r.AttemptKey, r.InFlightAt, r.State = key, &now, string(ReplyInFlight)
	ref, err := conn.Publish(ctx, acct, replyRequest(r, it))
	if err == nil {
		return s.finishReply(ctx, r, ReplySent, ref, "")
	}
	ne := network.AsError(err)
	msg := ne.Message
	if msg == "" {
		msg = ne.Error()
	}
	switch {
	case ne.Kind == network.RateLimited:
		// Nothing was created: queued again, and the account waits as
		// long as the network asked, for every caller.
		r.State = string(ReplyQueued)
		return s.deferReply(ctx, r, s.heardLimit(ctx, ch, err))
	case ne.Status >= 400 && ne.Status < 500:
		// The network answered and refused: nothing was created, and
		// sending the same text again would be refused again.
		return s.finishReply(ctx, r, ReplyFailed, network.Ref{}, msg)
	case last:
		// A 5xx or no answer may hide a reply that was created.
		return s.finishReply(ctx, r, ReplyUnknown, network.Ref{}, msg)
	}
	return err // stays in flight: the next run recovers
}

// deferReply makes the reply job wait for the account's rate limit (held:
// a *channels.LimitError, any other error is returned). A queued reply
// says why it waits; one in flight stays so, to be looked up then.
func (s *Service) deferReply(ctx context.Context, r store.InboxReply, held error) error {
	var le *channels.LimitError
	if !errors.As(held, &le) {
		return held
	}
	if ReplyState(r.State) == ReplyQueued {
		if err := s.Store.FinishInboxReply(ctx, store.FinishInboxReplyParams{State: string(ReplyQueued), Error: channels.NoteDeferred,
			UpdatedAt: s.Now().UTC(), ID: r.ID}); err != nil {
			return err
		}
		s.changed(ctx, r.WorkspaceID, store.InboxItem{ID: r.ItemID, ConversationID: r.ConversationID})
	}
	return waitLimit(le)
}

func replyRequest(r store.InboxReply, it store.InboxItem) network.PostRequest {
	req := network.PostRequest{AttemptKey: r.AttemptKey, Text: r.Text, Visibility: network.Visibility(r.Visibility),
		ReplyTo: &network.Ref{ID: it.RefID, CID: it.RefCID, URL: it.RefURL}}
	if r.InFlightAt != nil {
		req.CreatedAt = *r.InFlightAt
	}
	if it.RootID != "" {
		req.Root = &network.Ref{ID: it.RootID, CID: it.RootCID, URL: it.RootURL}
	} else {
		req.Root = req.ReplyTo // the item starts its thread
	}
	return req
}

// finishReply records a reply's outcome, and audits it under the member
// who wrote it, in one commit.
func (s *Service) finishReply(ctx context.Context, r store.InboxReply, state ReplyState, ref network.Ref, msg string) error {
	now := s.Now().UTC()
	result := map[ReplyState]string{ReplySent: ResultOK, ReplyFailed: ResultFailed, ReplyUnknown: ResultFailed}[state]
	err := s.finishReplyTx(ctx, r, state, ref, msg, now, result)
	if err == nil {
		s.changed(ctx, r.WorkspaceID, store.InboxItem{ID: r.ItemID, ConversationID: r.ConversationID})
	}
	if err == nil && state == ReplySent && s.Crisis != nil {
		s.Crisis.ReplySent(ctx, r)
	}
	return err
}

func (s *Service) finishReplyTx(ctx context.Context, r store.InboxReply, state ReplyState, ref network.Ref, msg string, now time.Time, result string) error {
	return s.Store.InTx(ctx, func(tx store.Tx) error {
		if err := tx.FinishInboxReply(ctx, store.FinishInboxReplyParams{State: string(state), ExternalID: ref.ID, ExternalCID: ref.CID,
			ExternalURL: network.WebURL(ref.URL), Error: msg, UpdatedAt: now, ID: r.ID}); err != nil {
			return err
		}
		if state == ReplySent && ref.ID != "" {
			// A poll that ran during the call may have stored our reply
			// as the community's: it is ours (shown from inbox_replies).
			if err := tx.ForgetOurReplyItem(ctx, store.ForgetOurReplyItemParams{ChannelID: r.ChannelID, ExternalID: ref.ID}); err != nil {
				return err
			}
		}
		if r.RuleName != "" {
			// A rule's reply is audited as automatic, under the rule.
			_, err := tx.AddInboxRuleAction(ctx, store.AddInboxRuleActionParams{WorkspaceID: r.WorkspaceID, ItemID: r.ItemID,
				Action: string(moderation.ActAutoReply), Detail: r.Text, Result: result, Error: msg, CreatedAt: now,
				RuleID: r.RuleID, RuleName: r.RuleName})
			return err
		}
		return tx.AddInboxAction(ctx, store.AddInboxActionParams{WorkspaceID: r.WorkspaceID, ItemID: r.ItemID, UserID: r.UserID,
			Action: actReply, Result: result, Error: msg, CreatedAt: now})
	})
}

// CountReply counts text as the item's network counts it, against the
// channel's limit (the reply box's counter).
func (s *Service) CountReply(ctx context.Context, user store.User, itemID int64, text string) (rules.Count, error) {
	it, err := s.item(ctx, user, itemID, permRead)
	if err != nil {
		return rules.Count{}, err
	}
	ch, err := s.Store.GetChannel(ctx, it.ChannelID)
	if err != nil {
		return rules.Count{}, err
	}
	return countReply(ch, it, strings.TrimSpace(text)), nil
}

// countReply counts a reply to it as its network counts it: a direct
// message against the network's limit for them.
func countReply(ch store.Channel, it store.InboxItem, text string) rules.Count {
	if network.ItemKind(it.Kind) == network.KindMessage {
		return rules.CountMessage(ch.Network, text, channels.Limits(ch))
	}
	return rules.CountText(ch.Network, text, channels.Limits(ch))
}

// checkReply is what any reply to an item must pass, a member's or a
// rule's: the network allows it, the item still exists, the channel is
// connected (refused: audited by the caller with its author), and the
// text fits the network once a direct message names its reader (a 422).
func (s *Service) checkReply(ctx context.Context, q store.Queries, it store.InboxItem, text string) (store.Channel, string, network.Visibility, *problem.Error, error) {
	ch, err := q.GetChannel(ctx, it.ChannelID)
	if err != nil {
		return ch, "", "", nil, err
	}
	ib, ok := s.inboxOf(ch.Network)
	if !ok {
		return ch, "", "", nil, errNoInbox
	}
	acct, err := s.Accounts.Account(ctx, ch)
	if err != nil {
		return ch, "", "", nil, err
	}
	if sup := ib.InboxCapabilities(acct).ActionOn(network.ItemKind(it.Kind), network.ActReply); !sup.OK {
		refused := *errReplyRefused
		refused.Message = sup.Reason
		return ch, "", "", &refused, nil
	}
	if it.DeletedAt != nil {
		return ch, "", "", errReplyDeleted, nil
	}
	if ch.Status != string(channels.Active) {
		return ch, "", "", errReplyOffline, nil
	}
	var vis network.Visibility
	if network.ItemKind(it.Kind) == network.KindMessage {
		// A direct message answered in public would publish a private
		// exchange; networks without visibilities ignore the field.
		vis = network.VisibilityDirect
		// Direct means "the accounts the post mentions" (Mastodon does not
		// add the person answered): without their @handle nobody would
		// read the reply.
		author, err := q.GetInboxAuthor(ctx, it.AuthorID)
		if err != nil {
			return ch, "", "", nil, err
		}
		if h := author.Handle; strings.HasPrefix(h, "@") && !strings.Contains(strings.ToLower(text), strings.ToLower(h)) {
			text = h + " " + text
		}
	}
	if c := countReply(ch, it, text); c.Max > 0 && c.Used > c.Max {
		return ch, "", "", nil, errReplyTooLong.Format(c.Used, c.Max)
	}
	return ch, text, vis, nil, nil
}
