package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tribune-social/tribune/internal/inbox"
	"github.com/tribune-social/tribune/internal/moderation"
	"github.com/tribune-social/tribune/internal/store"
)

// Moderation rules and saved replies: everyone who reads the inbox reads
// them; those who manage channels save, delete and try them (the inbox
// service checks). A rule's automatic actions are listed per item and
// undone one by one.
func (s *server) moderationRoutes(a huma.API) {
	huma.Register(a, op("list-moderation-rules", http.MethodGet, "/v1/workspaces/{ws}/moderation-rules", "The workspace's moderation rules, in the order they run", "moderation"), s.listModerationRules)
	huma.Register(a, created(op("create-moderation-rule", http.MethodPost, "/v1/workspaces/{ws}/moderation-rules", "Add a moderation rule; a mistake is a 422 locating it, in English and French", "moderation")), s.createModerationRule)
	huma.Register(a, op("try-moderation-rule", http.MethodPost, "/v1/workspaces/{ws}/moderation-rules/try", "What a draft rule would have done over the last 30 days, among the stored rules; nothing is performed", "moderation"), s.tryModerationRule)
	huma.Register(a, op("get-moderation-rule", http.MethodGet, "/v1/moderation-rules/{id}", "A moderation rule", "moderation"), s.getModerationRule)
	huma.Register(a, op("update-moderation-rule", http.MethodPut, "/v1/moderation-rules/{id}", "Change a moderation rule (conditions, actions, order, on or off)", "moderation"), s.updateModerationRule)
	huma.Register(a, noContent(op("delete-moderation-rule", http.MethodDelete, "/v1/moderation-rules/{id}", "Delete a moderation rule; what it did stays in the items' history", "moderation")), s.deleteModerationRule)
	huma.Register(a, op("list-rule-actions", http.MethodGet, "/v1/inbox/items/{id}/rule-actions", "The automatic actions the rules performed on an item, with whether each can be undone", "moderation"), s.listRuleActions)
	undo := op("undo-rule-action", http.MethodPost, "/v1/inbox/rule-actions/{id}/undo", "Undo a rule's action: unhide on the network, remove the tag, or put back the previous assignee, priority or status; an unhide is refused with 429 and Retry-After while the network's rate limit for the account holds", "moderation")
	undo.Errors = append(undo.Errors, http.StatusTooManyRequests, http.StatusBadGateway)
	huma.Register(a, undo, s.undoRuleAction)
	huma.Register(a, op("list-saved-replies", http.MethodGet, "/v1/workspaces/{ws}/saved-replies", "The workspace's saved replies", "moderation"), s.listSavedReplies)
	huma.Register(a, created(op("create-saved-reply", http.MethodPost, "/v1/workspaces/{ws}/saved-replies", "Add a saved reply: a text with {name}, {handle} and {post_link}", "moderation")), s.createSavedReply)
	huma.Register(a, op("update-saved-reply", http.MethodPut, "/v1/workspaces/{ws}/saved-replies/{id}", "Change a saved reply", "moderation"), s.updateSavedReply)
	huma.Register(a, noContent(op("delete-saved-reply", http.MethodDelete, "/v1/workspaces/{ws}/saved-replies/{id}", "Delete a saved reply", "moderation")), s.deleteSavedReply)
}

// ModerationRulesOut lists rules.
type ModerationRulesOut struct {
	Rules []inbox.StoredRule `json:"rules"`
}

func (s *server) listModerationRules(ctx context.Context, in *wsPath) (*body[ModerationRulesOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	rules, err := s.Inbox.Rules(ctx, u, in.WS)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[ModerationRulesOut]{ModerationRulesOut{Rules: rules}}, nil
}

type ruleIn struct {
	WS   int64 `path:"ws" doc:"Workspace id"`
	Body moderation.Rule
}

func (s *server) createModerationRule(ctx context.Context, in *ruleIn) (*body[inbox.StoredRule], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	in.Body.ID = 0
	r, err := s.Inbox.SaveRule(ctx, u, in.WS, in.Body)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[inbox.StoredRule]{r}, nil
}

func (s *server) tryModerationRule(ctx context.Context, in *ruleIn) (*body[inbox.TryResult], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	res, err := s.Inbox.TryRule(ctx, u, in.WS, in.Body)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[inbox.TryResult]{res}, nil
}

func (s *server) getModerationRule(ctx context.Context, in *idPath) (*body[inbox.StoredRule], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	r, err := s.Inbox.Rule(ctx, u, in.ID)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[inbox.StoredRule]{r}, nil
}

type updateRuleIn struct {
	ID   int64 `path:"id"`
	Body moderation.Rule
}

func (s *server) updateModerationRule(ctx context.Context, in *updateRuleIn) (*body[inbox.StoredRule], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	old, err := s.Inbox.Rule(ctx, u, in.ID)
	if err != nil {
		return nil, s.fail(err)
	}
	in.Body.ID = in.ID
	r, err := s.Inbox.SaveRule(ctx, u, old.WorkspaceID, in.Body)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[inbox.StoredRule]{r}, nil
}

func (s *server) deleteModerationRule(ctx context.Context, in *idPath) (*struct{}, error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	return nil, s.fail(s.Inbox.DeleteRule(ctx, u, in.ID))
}

// RuleActionOut is one automatic action on an item.
type RuleActionOut struct {
	ID       int64  `json:"id"`
	RuleID   *int64 `json:"rule_id,omitempty" doc:"Absent when the rule was deleted since"`
	RuleName string `json:"rule_name"`
	Action   string `json:"action"`
	Detail   string `json:"detail,omitempty"`
	Result   string `json:"result" enum:"ok,refused,failed"`
	Error    string `json:"error,omitempty"`
	ErrorFR  string `json:"error_fr,omitempty"`
	// Undoable is true while the action can still be undone.
	Undoable  bool       `json:"undoable"`
	UndoneAt  *time.Time `json:"undone_at,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
}

// RuleActionsOut lists an item's automatic actions.
type RuleActionsOut struct {
	Actions []RuleActionOut `json:"actions"`
}

func toRuleAction(a store.InboxAction) RuleActionOut {
	out := RuleActionOut{ID: a.ID, RuleID: a.RuleID, RuleName: a.RuleName, Action: a.Action, Detail: a.Detail, Result: a.Result,
		Undoable: a.Undo != "" && a.Result == inbox.ResultOK && a.UndoneAt == nil, UndoneAt: a.UndoneAt, CreatedAt: a.CreatedAt}
	if a.Error != "" {
		out.Error, out.ErrorFR = localized("en", a.Error), localized("fr", a.Error)
	}
	return out
}

func (s *server) listRuleActions(ctx context.Context, in *idPath) (*body[RuleActionsOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	acts, err := s.Inbox.RuleActions(ctx, u, in.ID)
	if err != nil {
		return nil, s.fail(err)
	}
	out := RuleActionsOut{Actions: make([]RuleActionOut, len(acts))}
	for i, a := range acts {
		out.Actions[i] = toRuleAction(a)
	}
	return &body[RuleActionsOut]{out}, nil
}

func (s *server) undoRuleAction(ctx context.Context, in *idPath) (*body[RuleActionOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	a, err := s.Inbox.UndoRuleAction(ctx, u, in.ID)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[RuleActionOut]{toRuleAction(a)}, nil
}

// SavedReplyOut is a saved reply.
type SavedReplyOut struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Body      string    `json:"body"`
	UpdatedAt time.Time `json:"updated_at"`
}

// SavedRepliesOut lists saved replies.
type SavedRepliesOut struct {
	Replies []SavedReplyOut `json:"replies"`
}

func toSavedReply(r store.SavedReply) SavedReplyOut {
	return SavedReplyOut{ID: r.ID, Name: r.Name, Body: r.Body, UpdatedAt: r.UpdatedAt}
}

func (s *server) listSavedReplies(ctx context.Context, in *wsPath) (*body[SavedRepliesOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	reps, err := s.Inbox.SavedReplies(ctx, u, in.WS)
	if err != nil {
		return nil, s.fail(err)
	}
	out := SavedRepliesOut{Replies: make([]SavedReplyOut, len(reps))}
	for i, r := range reps {
		out.Replies[i] = toSavedReply(r)
	}
	return &body[SavedRepliesOut]{out}, nil
}

// SavedReplyIn is a saved reply's name and text.
type SavedReplyIn struct {
	Name string `json:"name" maxLength:"100"`
	Body string `json:"body" maxLength:"5000"`
}

type createSavedReplyIn struct {
	WS   int64 `path:"ws" doc:"Workspace id"`
	Body SavedReplyIn
}

func (s *server) createSavedReply(ctx context.Context, in *createSavedReplyIn) (*body[SavedReplyOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	r, err := s.Inbox.SaveReply(ctx, u, in.WS, 0, in.Body.Name, in.Body.Body)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[SavedReplyOut]{toSavedReply(r)}, nil
}

type savedReplyPath struct {
	WS int64 `path:"ws" doc:"Workspace id"`
	ID int64 `path:"id"`
}

// updateSavedReplyIn names its path fields itself: huma does not read
// the fields of an unexported embedded struct, and the OpenAPI document
// would lack the {ws} and {id} parameters.
type updateSavedReplyIn struct {
	WS   int64 `path:"ws" doc:"Workspace id"`
	ID   int64 `path:"id"`
	Body SavedReplyIn
}

func (s *server) updateSavedReply(ctx context.Context, in *updateSavedReplyIn) (*body[SavedReplyOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	r, err := s.Inbox.SaveReply(ctx, u, in.WS, in.ID, in.Body.Name, in.Body.Body)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[SavedReplyOut]{toSavedReply(r)}, nil
}

func (s *server) deleteSavedReply(ctx context.Context, in *savedReplyPath) (*struct{}, error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	return nil, s.fail(s.Inbox.DeleteReply(ctx, u, in.WS, in.ID))
}
