package inbox

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/moderation"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/publish"
	"github.com/tribune-social/tribune/internal/sentiment"
	"github.com/tribune-social/tribune/internal/store"
)

// permRules is who manages moderation rules and saved replies: a rule
// hides and deletes on the network on the brand's behalf without anyone
// looking, so it takes what connecting the brand's channels takes.
// Everyone who reads the inbox reads the rules.
const permRules = auth.ManageChannels

// MaxRules bounds a workspace's moderation rules: every rule is evaluated
// on every item its channels store, inside the ingestion's transaction
// (one writer on SQLite, for every workspace), so their number is a cost
// for the whole instance, not only for the workspace that adds them.
const MaxRules = 100

// TryDays is how far back "Try this rule" looks.
const TryDays = 30

// tryItems bounds the items one try reads; tryMatches the matches it lists.
const (
	tryItems   = 5000
	tryMatches = 50
)

// maxReplyName and maxReplyBody bound a saved reply.
const (
	maxReplyName = 100
	maxReplyBody = 5000
)

// NotifyEscalated is the notification a member gets when a rule escalates
// an item to them.
const NotifyEscalated publish.NotificationKind = "inbox_escalated"

// The honest notes recorded, as refused, for the actions Tribune cannot
// perform yet: the audit says what did not happen and why.
const (
	noteNotMember = "Not sent: a rule only e-mails members of the workspace."
)

var (
	errRuleNotFound  = problem.New(http.StatusNotFound, "rule_not_found", "No such rule in this workspace.")
	errTooManyRules  = problem.New(http.StatusUnprocessableEntity, "too_many_rules", "A workspace has at most 100 moderation rules: delete one before adding another.")
	errReplyNotFound = problem.New(http.StatusNotFound, "saved_reply_not_found", "No such saved reply in this workspace.")
	errBadReplyName  = problem.New(http.StatusUnprocessableEntity, "invalid_saved_reply", "A saved reply has a name of 1 to 100 characters and a text of 1 to 5,000.")
	errNotAutomatic  = problem.New(http.StatusUnprocessableEntity, "not_automatic", "Only a rule's actions are undone here.")
	errNotUndoable   = problem.New(http.StatusConflict, "not_undoable", "This action cannot be undone.")
	errAlreadyUndone = problem.New(http.StatusConflict, "already_undone", "This action was already undone.")
)

// ruleCache keeps each workspace's compiled engine with the rules version
// it was built from. The version lives in the database and every change
// raises it, so a node whose copy is older rebuilds it at its next item,
// whichever node saved the rule.
type ruleCache struct {
	mu sync.Mutex
	m  map[int64]cachedEngine
}

type cachedEngine struct {
	version int64
	engine  *moderation.Engine
}

// StoredRule is a workspace's rule as the pages and the API show it.
type StoredRule struct {
	moderation.Rule
	WorkspaceID int64     `json:"workspace_id"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// ruleBody is what the body column holds: a rule without the columns.
type ruleBody struct {
	Conditions []moderation.Condition   `json:"conditions,omitempty"`
	AnyOf      [][]moderation.Condition `json:"any_of,omitempty"`
	Actions    []moderation.Action      `json:"actions"`
	Stop       bool                     `json:"stop,omitempty"`
}

func ruleOf(r store.ModerationRule) (StoredRule, error) {
	var b ruleBody
	if err := json.Unmarshal([]byte(r.Body), &b); err != nil {
		return StoredRule{}, err
	}
	return StoredRule{Rule: moderation.Rule{ID: r.ID, Name: r.Name, Enabled: r.Enabled, Order: int(r.Position),
		Conditions: b.Conditions, AnyOf: b.AnyOf, Actions: b.Actions, Stop: b.Stop}, WorkspaceID: r.WorkspaceID, UpdatedAt: r.UpdatedAt}, nil
}

// Rules lists a workspace's rules in the order they run.
func (s *Service) Rules(ctx context.Context, user store.User, workspaceID int64) ([]StoredRule, error) {
	if _, _, err := s.Auth.Authorize(ctx, user, workspaceID, permRead); err != nil {
		return nil, err
	}
	return s.rules(ctx, s.Store, workspaceID)
}

func (s *Service) rules(ctx context.Context, q store.Queries, workspaceID int64) ([]StoredRule, error) {
	rows, err := q.ListModerationRules(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	out := make([]StoredRule, 0, len(rows))
	for _, r := range rows {
		sr, err := ruleOf(r)
		if err != nil {
			return nil, err
		}
		out = append(out, sr)
	}
	return out, nil
}

// Rule is one rule of the workspace the user reads.
func (s *Service) Rule(ctx context.Context, user store.User, ruleID int64) (StoredRule, error) {
	r, err := s.ruleRow(ctx, user, ruleID, permRead)
	if err != nil {
		return StoredRule{}, err
	}
	return ruleOf(r)
}

func (s *Service) ruleRow(ctx context.Context, user store.User, ruleID int64, p auth.Permission) (store.ModerationRule, error) {
	r, err := s.Store.GetModerationRule(ctx, ruleID)
	if errors.Is(err, store.ErrNotFound) {
		return r, errRuleNotFound
	}
	if err != nil {
		return r, err
	}
	if _, _, err := s.Auth.Authorize(ctx, user, r.WorkspaceID, permRead); err != nil {
		return r, errRuleNotFound
	}
	if _, _, err := s.Auth.Authorize(ctx, user, r.WorkspaceID, p); err != nil {
		return r, err
	}
	return r, nil
}

// SaveRule validates a rule (a 422 locating each mistake, in the user's
// language through the problem's details) and stores it: a new one when
// r.ID is 0, else the workspace's rule r.ID. Every node rebuilds its engine
// for the workspace at its next item.
func (s *Service) SaveRule(ctx context.Context, user store.User, workspaceID int64, r moderation.Rule) (StoredRule, error) {
	if _, _, err := s.Auth.Authorize(ctx, user, workspaceID, permRules); err != nil {
		return StoredRule{}, err
	}
	r.Name = strings.TrimSpace(r.Name)
	if err := moderation.Validate(r); err != nil {
		return StoredRule{}, err
	}
	body, err := json.Marshal(ruleBody{Conditions: r.Conditions, AnyOf: r.AnyOf, Actions: r.Actions, Stop: r.Stop})
	if err != nil {
		return StoredRule{}, err
	}
	now := s.Now().UTC()
	var id int64
	err = s.Store.InTx(ctx, func(tx store.Tx) error {
		if r.ID == 0 {
			existing, err := tx.ListModerationRules(ctx, workspaceID)
			if err != nil {
				return err
			}
			if len(existing) >= MaxRules {
				return errTooManyRules
			}
			id, err = tx.InsertModerationRule(ctx, store.InsertModerationRuleParams{WorkspaceID: workspaceID, Name: r.Name,
				Position: int64(r.Order), Enabled: r.Enabled, Body: string(body), Now: now})
			if err != nil {
				return err
			}
		} else {
			old, err := tx.GetModerationRule(ctx, r.ID)
			if errors.Is(err, store.ErrNotFound) || (err == nil && old.WorkspaceID != workspaceID) {
				return errRuleNotFound
			}
			if err != nil {
				return err
			}
			id = r.ID
			if err := tx.UpdateModerationRule(ctx, store.UpdateModerationRuleParams{ID: id, Name: r.Name, Position: int64(r.Order),
				Enabled: r.Enabled, Body: string(body), UpdatedAt: now}); err != nil {
				return err
			}
		}
		return tx.BumpModerationRuleSet(ctx, workspaceID)
	})
	if err != nil {
		return StoredRule{}, err
	}
	r.ID = id
	return StoredRule{Rule: r, WorkspaceID: workspaceID, UpdatedAt: now}, nil
}

// SetRuleEnabled switches a rule on or off.
func (s *Service) SetRuleEnabled(ctx context.Context, user store.User, ruleID int64, on bool) error {
	row, err := s.ruleRow(ctx, user, ruleID, permRules)
	if err != nil {
		return err
	}
	return s.Store.InTx(ctx, func(tx store.Tx) error {
		if err := tx.UpdateModerationRule(ctx, store.UpdateModerationRuleParams{ID: row.ID, Name: row.Name, Position: row.Position,
			Enabled: on, Body: row.Body, UpdatedAt: s.Now().UTC()}); err != nil {
			return err
		}
		return tx.BumpModerationRuleSet(ctx, row.WorkspaceID)
	})
}

// DeleteRule removes a rule; the actions it performed stay in the history
// under its name.
func (s *Service) DeleteRule(ctx context.Context, user store.User, ruleID int64) error {
	row, err := s.ruleRow(ctx, user, ruleID, permRules)
	if err != nil {
		return err
	}
	return s.Store.InTx(ctx, func(tx store.Tx) error {
		if err := tx.DeleteModerationRule(ctx, row.ID); err != nil {
			return err
		}
		return tx.BumpModerationRuleSet(ctx, row.WorkspaceID)
	})
}

// TryResult is what a draft rule would have done over the last TryDays
// days: moderation.TryResult, and the inbox item of each match.
type TryResult struct {
	moderation.TryResult
	Days    int     `json:"days"`
	ItemIDs []int64 `json:"item_ids"`
}

// TryRule runs a draft over the workspace's items of the last TryDays
// days, among its stored rules, and reports what it would have done.
// Nothing is performed.
func (s *Service) TryRule(ctx context.Context, user store.User, workspaceID int64, draft moderation.Rule) (TryResult, error) {
	if _, _, err := s.Auth.Authorize(ctx, user, workspaceID, permRules); err != nil {
		return TryResult{}, err
	}
	stored, err := s.rules(ctx, s.Store, workspaceID)
	if err != nil {
		return TryResult{}, err
	}
	rules := make([]moderation.Rule, len(stored))
	for i, r := range stored {
		rules[i] = r.Rule
	}
	rows, err := s.Store.ListRecentInboxItemsForRules(ctx, store.ListRecentInboxItemsForRulesParams{WorkspaceID: workspaceID,
		Since: s.Now().UTC().AddDate(0, 0, -TryDays), MaxRows: tryItems})
	if err != nil {
		return TryResult{}, err
	}
	inputs := make([]moderation.Input, len(rows))
	for i, r := range rows {
		inputs[i] = moderation.Input{Network: r.Network, Item: network.Item{ExternalID: r.ExternalID, Kind: network.ItemKind(r.Kind), Text: r.Text,
			Lang: r.DeclaredLang, Author: network.Author{ExternalID: r.AuthorExternalID, Handle: r.AuthorHandle}},
			Sentiment: sentiment.Result{Label: sentiment.Label(r.Sentiment), Score: r.SentimentScore, Lang: r.Lang}}
	}
	tryAuthorRecent(inputs)
	res, err := moderation.Try(rules, draft, inputs, tryMatches)
	if err != nil {
		return TryResult{}, err
	}
	out := TryResult{TryResult: res, Days: TryDays, ItemIDs: make([]int64, len(res.Matches))}
	for i, m := range res.Matches {
		out.ItemIDs[i] = rows[m.Index].ID
	}
	return out, nil
}

// engineFor is the workspace's compiled engine, rebuilt when its rules
// version moved since this node built it; nil when it has no rules.
func (s *Service) engineFor(ctx context.Context, q store.Queries, workspaceID int64) (*moderation.Engine, error) {
	versions, err := q.GetModerationRuleSetVersion(ctx, workspaceID)
	if err != nil || len(versions) == 0 {
		return nil, err
	}
	v := versions[0]
	s.ruleCache.mu.Lock()
	c, ok := s.ruleCache.m[workspaceID]
	s.ruleCache.mu.Unlock()
	if ok && c.version == v {
		return c.engine, nil
	}
	stored, err := s.rules(ctx, q, workspaceID)
	if err != nil {
		return nil, err
	}
	rules := make([]moderation.Rule, len(stored))
	for i, r := range stored {
		rules[i] = r.Rule
	}
	e, err := moderation.Compile(rules)
	if err != nil {
		return nil, err
	}
	s.ruleCache.mu.Lock()
	if s.ruleCache.m == nil {
		s.ruleCache.m = map[int64]cachedEngine{}
	}
	// Two items racing may both rebuild; the newer version wins.
	if old, ok := s.ruleCache.m[workspaceID]; !ok || old.version <= v {
		s.ruleCache.m[workspaceID] = cachedEngine{version: v, engine: e}
	}
	s.ruleCache.mu.Unlock()
	return e, nil
}

// networkAct asks the item's network for an action on it; a network that
// refuses it (by its capabilities or its answer) is an errActRefused
// problem carrying its reason. While the account's rate limit holds it
// makes no call, and a rate-limited answer is recorded on the channel:
// both are a *channels.LimitError.
func (s *Service) networkAct(ctx context.Context, ch store.Channel, it store.InboxItem, a network.Action) error {
	ib, ok := s.inboxOf(ch.Network)
	if !ok {
		return errNoInbox
	}
	acct, err := s.Accounts.Account(ctx, ch)
	if err != nil {
		return err
	}
	if sup := ib.InboxCapabilities(acct).ActionOn(network.ItemKind(it.Kind), a); !sup.OK {
		refused := *errActRefused
		refused.Message = sup.Reason
		return &refused
	}
	if err := s.limitHeld(ctx, ch); err != nil {
		return err
	}
	nit := networkItem(it)
	// Blocking needs the author, marking a message read its conversation.
	author, err := s.Store.GetInboxAuthor(ctx, it.AuthorID)
	if err != nil {
		return err
	}
	nit.Author = network.Author{ExternalID: author.ExternalID, Handle: author.Handle, DisplayName: author.DisplayName, URL: author.URL}
	conv, err := s.Store.GetInboxConversation(ctx, it.ConversationID)
	if err != nil {
		return err
	}
	nit.ConversationID = conv.ExternalID
	err = ib.Act(ctx, acct, a, nit)
	if errors.Is(err, network.ErrUnsupported) {
		return errActRefused
	}
	if lerr := s.heardLimit(ctx, ch, err); lerr != nil {
		return lerr
	}
	return err
}

// RuleActions are an item's automatic actions, oldest first, each with
// whether it can still be undone.
func (s *Service) RuleActions(ctx context.Context, user store.User, itemID int64) ([]store.InboxAction, error) {
	it, err := s.item(ctx, user, itemID, permRead)
	if err != nil {
		return nil, err
	}
	return s.Store.ListInboxRuleActions(ctx, it.ID)
}

// UndoRuleAction undoes one automatic action: unhides on the network,
// removes the tag it added, or puts back the assignee, priority or status
// the item had before. Undoing a network action takes the permission acting
// on the network takes; the others the one triage takes. The undo is
// audited with who did it.
func (s *Service) UndoRuleAction(ctx context.Context, user store.User, actionID int64) (store.InboxAction, error) {
	if err := s.undoRuleAction(ctx, user, actionID); err != nil {
		return store.InboxAction{}, err
	}
	return s.Store.GetInboxAction(ctx, actionID)
}

func (s *Service) undoRuleAction(ctx context.Context, user store.User, actionID int64) error {
	act, err := s.Store.GetInboxAction(ctx, actionID)
	if errors.Is(err, store.ErrNotFound) {
		return problem.NotFound
	}
	if err != nil {
		return err
	}
	perm := permTriage
	if moderation.Inverse(act.Undo) == moderation.UndoUnhide {
		perm = permAct
	}
	it, err := s.item(ctx, user, act.ItemID, perm)
	if err != nil {
		return err
	}
	if act.RuleName == "" {
		return errNotAutomatic
	}
	if act.Undo == "" || act.Result != ResultOK {
		return errNotUndoable
	}
	now := s.Now().UTC()
	// Claimed first: of two clicks, only one undoes.
	n, err := s.Store.MarkInboxActionUndone(ctx, store.MarkInboxActionUndoneParams{UndoneAt: &now, ID: act.ID})
	if err != nil {
		return err
	}
	if n == 0 {
		return errAlreadyUndone
	}
	if err := s.undo(ctx, user, it, act, now); err != nil {
		if uerr := s.Store.UnmarkInboxActionUndone(ctx, act.ID); uerr != nil && s.Log != nil {
			s.Log.Error("unmark undo", "action", act.ID, "err", uerr)
		}
		return err
	}
	s.changed(ctx, it.WorkspaceID, it)
	return nil
}

func (s *Service) undo(ctx context.Context, user store.User, it store.InboxItem, act store.InboxAction, now time.Time) error {
	record := func(q store.Queries, action, detail string) error {
		return q.AddInboxAction(ctx, store.AddInboxActionParams{WorkspaceID: it.WorkspaceID, ItemID: it.ID, UserID: &user.ID,
			Action: action, Detail: detail, Result: ResultOK, CreatedAt: now})
	}
	switch moderation.Inverse(act.Undo) {
	case moderation.UndoUnhide:
		ch, err := s.Store.GetChannel(ctx, it.ChannelID)
		if err != nil {
			return err
		}
		if err := s.networkAct(ctx, ch, it, network.ActUnhide); err != nil {
			var pe *problem.Error
			if errors.As(err, &pe) {
				return err
			}
			return errActFailed.Format(network.AsError(err).Error()).Wrap(err)
		}
		return s.Store.InTx(ctx, func(tx store.Tx) error {
			if err := tx.SetInboxItemHidden(ctx, store.SetInboxItemHiddenParams{Hidden: false, UpdatedAt: now, ID: it.ID}); err != nil {
				return err
			}
			return record(tx, string(network.ActUnhide), act.RuleName)
		})
	case moderation.UndoUntag:
		return s.Store.InTx(ctx, func(tx store.Tx) error {
			if act.Previous != "had" {
				if err := tx.RemoveInboxItemTag(ctx, store.RemoveInboxItemTagParams{ItemID: it.ID, Tag: act.Detail}); err != nil {
					return err
				}
			}
			return record(tx, "untag", act.Detail)
		})
	case moderation.UndoAssignee:
		var prev *int64
		if act.Previous != "" {
			id, err := strconv.ParseInt(act.Previous, 10, 64)
			if err != nil {
				return err
			}
			prev = &id
		}
		return s.Store.InTx(ctx, func(tx store.Tx) error {
			if err := tx.SetInboxItemsAssignee(ctx, store.SetInboxItemsAssigneeParams{AssigneeID: prev, UpdatedAt: now, Ids: []int64{it.ID}}); err != nil {
				return err
			}
			// A member changed the assignee back: receivers hear it as
			// they hear any assignment.
			if err := s.emitUpdated(ctx, tx, it.WorkspaceID, []store.InboxItem{it}, Change{Assignee: new(int64)}, prev); err != nil {
				return err
			}
			return record(tx, "assign", act.Previous)
		})
	case moderation.UndoPriority:
		pr, err := strconv.ParseInt(act.Previous, 10, 64)
		if err != nil {
			return err
		}
		return s.Store.InTx(ctx, func(tx store.Tx) error {
			if err := tx.SetInboxItemsPriority(ctx, store.SetInboxItemsPriorityParams{Priority: pr, UpdatedAt: now, Ids: []int64{it.ID}}); err != nil {
				return err
			}
			return record(tx, "priority", Priority(pr).Name())
		})
	case moderation.UndoStatus:
		if !Status(act.Previous).Valid() {
			return errNotUndoable
		}
		return s.Store.InTx(ctx, func(tx store.Tx) error {
			if err := tx.SetInboxItemsStatus(ctx, store.SetInboxItemsStatusParams{Status: act.Previous, UpdatedAt: now, Ids: []int64{it.ID}}); err != nil {
				return err
			}
			prev := Status(act.Previous)
			if err := s.emitUpdated(ctx, tx, it.WorkspaceID, []store.InboxItem{it}, Change{Status: &prev}, nil); err != nil {
				return err
			}
			return record(tx, "status", act.Previous)
		})
	}
	return errNotUndoable
}

// SavedReplies lists a workspace's saved replies.
func (s *Service) SavedReplies(ctx context.Context, user store.User, workspaceID int64) ([]store.SavedReply, error) {
	if _, _, err := s.Auth.Authorize(ctx, user, workspaceID, permRead); err != nil {
		return nil, err
	}
	return s.Store.ListSavedReplies(ctx, workspaceID)
}

// SaveReply checks a saved reply's variables (moderation.ParseReply) and
// stores it: new when id is 0.
func (s *Service) SaveReply(ctx context.Context, user store.User, workspaceID, id int64, name, body string) (store.SavedReply, error) {
	if _, _, err := s.Auth.Authorize(ctx, user, workspaceID, permRules); err != nil {
		return store.SavedReply{}, err
	}
	name, body = strings.TrimSpace(name), strings.TrimSpace(body)
	if name == "" || len([]rune(name)) > maxReplyName || body == "" || len([]rune(body)) > maxReplyBody {
		return store.SavedReply{}, errBadReplyName
	}
	if _, err := moderation.ParseReply(body); err != nil {
		return store.SavedReply{}, err
	}
	now := s.Now().UTC()
	if id == 0 {
		nid, err := s.Store.InsertSavedReply(ctx, store.InsertSavedReplyParams{WorkspaceID: workspaceID, Name: name, Body: body, Now: now})
		if err != nil {
			return store.SavedReply{}, err
		}
		return s.Store.GetSavedReply(ctx, nid)
	}
	old, err := s.Store.GetSavedReply(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && old.WorkspaceID != workspaceID) {
		return store.SavedReply{}, errReplyNotFound
	}
	if err != nil {
		return store.SavedReply{}, err
	}
	if err := s.Store.UpdateSavedReply(ctx, store.UpdateSavedReplyParams{ID: id, Name: name, Body: body, UpdatedAt: now}); err != nil {
		return store.SavedReply{}, err
	}
	return s.Store.GetSavedReply(ctx, id)
}

// DeleteReply removes a saved reply of the workspace.
func (s *Service) DeleteReply(ctx context.Context, user store.User, workspaceID, id int64) error {
	if _, _, err := s.Auth.Authorize(ctx, user, workspaceID, permRules); err != nil {
		return err
	}
	old, err := s.Store.GetSavedReply(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && old.WorkspaceID != workspaceID) {
		return errReplyNotFound
	}
	if err != nil {
		return err
	}
	return s.Store.DeleteSavedReply(ctx, id)
}

// RuleAction is one audited action of an item the user reads.
func (s *Service) RuleAction(ctx context.Context, user store.User, actionID int64) (store.InboxAction, error) {
	act, err := s.Store.GetInboxAction(ctx, actionID)
	if errors.Is(err, store.ErrNotFound) {
		return act, problem.NotFound
	}
	if err != nil {
		return act, err
	}
	if _, err := s.item(ctx, user, act.ItemID, permRead); err != nil {
		return act, err
	}
	return act, nil
}
