// Package moderation is the inbox's rules engine: a workspace's rules
// (conditions on an item's text, sentiment, language, network, kind and
// author → actions such as hide, tag, assign or escalate) evaluated on each
// item the inbox stores.
//
// The engine is pure: it decides, it never acts. Evaluate returns, for one
// item, the ordered list of the rules that matched and the actions each
// asks for, every action marked undoable or not with its inverse; the inbox
// performs them, audits them and offers the undo. Try runs a rule over past
// items to show what it would have done before it is switched on.
//
// Rules run in their stated order and every matching rule runs (as Sprout
// Social does), unless a rule says "stop here" (Agorapulse's behaviour,
// which runs only the first match, is a stop flag on every rule).
//
// Every type serialises to JSON as it is meant to be stored in a rules
// table: a rule's conditions and actions are one JSON document each.
//
// What the inbox does with it:
//   - on saving a rule, Validate (a 422 problem locating each mistake, in
//     English and French), then store it; on any change to a workspace's
//     rules, Compile them again and keep the Engine (safe for concurrent
//     use) until the next change;
//   - on storing a new item, after the sentiment analysis, Evaluate with
//     the channel's network key and InboxCapabilities; perform each
//     Planned action in order, skipping (and auditing as refused, with its
//     reason) those marked Unsupported; audit each with the rule and its
//     Undo, recording for the Restores kinds the value the item had
//     before (assignee, priority, status) so that undo can put it back;
//   - for "Try this rule", call Try with the stored rules, the draft and
//     the last 30 days of items;
//   - for saved replies, ParseReply when one is saved and Render with
//     VarsOf(item, link of our post) when it is sent (by hand or by
//     ActAutoReply), through publishing's never-twice path.
package moderation

import (
	"github.com/tribune-social/tribune/internal/i18n"
	"github.com/tribune-social/tribune/internal/network"
)

// Rule is one moderation rule of a workspace.
type Rule struct {
	// ID is the rules table's id; 0 for a rule not stored yet (tried).
	ID      int64  `json:"id,omitempty"`
	Name    string `json:"name"`
	Enabled bool   `json:"enabled"`
	// Order places the rule among the workspace's: lowest first, ties by ID.
	Order int `json:"order"`
	// Conditions must all match.
	Conditions []Condition `json:"conditions,omitempty"`
	// AnyOf are groups of alternatives: in each group at least one
	// condition must match ("contains a link OR an e-mail address").
	AnyOf [][]Condition `json:"any_of,omitempty"`
	// Actions are what the rule asks for, in this order.
	Actions []Action `json:"actions"`
	// Stop ends the evaluation after this rule when it matches: the rules
	// after it are not run for this item.
	Stop bool `json:"stop,omitempty"`
}

// ConditionKind is what a condition looks at.
type ConditionKind string

// The condition kinds.
const (
	// CondKeywords: the text contains one of Terms, a word or a phrase,
	// compared whole-word, ignoring case and accents, French elisions split
	// (l'arnaque contains arnaque). A term ending with * matches the start
	// of a word (arnaq* finds arnaqueur).
	CondKeywords ConditionKind = "keywords"
	// CondRegex: the text matches Pattern, a Go (RE2) regular expression,
	// case-insensitive unless the pattern says (?-i).
	CondRegex ConditionKind = "regex"
	// CondSentimentBelow: the sentiment score is below Threshold.
	CondSentimentBelow ConditionKind = "sentiment_below"
	// CondSentimentAbove: the sentiment score is above Threshold.
	CondSentimentAbove ConditionKind = "sentiment_above"
	// CondLanguage: the item's language is one of Values (fr, en, other).
	CondLanguage ConditionKind = "language"
	// CondNetwork: the item came from one of Values (network keys).
	CondNetwork ConditionKind = "network"
	// CondKind: the item is one of Values (network.ItemKind).
	CondKind ConditionKind = "kind"
	// CondAuthor: the author's handle or network id is one of Values.
	CondAuthor ConditionKind = "author"
	// CondLink: the text contains a link (internal/text/links).
	CondLink ConditionKind = "has_link"
	// CondEmail: the text contains an e-mail address.
	CondEmail ConditionKind = "has_email"
	// CondAllCaps: the text is written in capitals, with at least
	// MinLetters capital letters so that "OK" is not shouting.
	CondAllCaps ConditionKind = "all_caps"
	// CondOnlyEmojis: the text is nothing but emojis.
	CondOnlyEmojis ConditionKind = "only_emojis"
	// CondToxic: the text insults or threatens (see Toxic): a strong term
	// of our French and English lexicon, or a mild one with a strongly
	// negative sentiment.
	CondToxic ConditionKind = "toxic"
	// CondSpam: the text is spam (see Spam): a known scam pattern,
	// repeated links, many mentions, or the same text again from the same
	// author (Input.AuthorRecent).
	CondSpam ConditionKind = "spam"
)

// ConditionKinds lists every condition kind, in the order a form shows them.
var ConditionKinds = []ConditionKind{CondKeywords, CondRegex, CondSentimentBelow, CondSentimentAbove,
	CondLanguage, CondNetwork, CondKind, CondAuthor, CondLink, CondEmail, CondAllCaps, CondOnlyEmojis, CondToxic, CondSpam}

// Condition is one test on an item. Which fields count depends on Kind.
type Condition struct {
	Kind ConditionKind `json:"kind"`
	// Not inverts the condition ("language is not French or English").
	Not bool `json:"not,omitempty"`
	// Terms are the words and phrases of CondKeywords.
	Terms []string `json:"terms,omitempty"`
	// Pattern is CondRegex's expression.
	Pattern string `json:"pattern,omitempty"`
	// Threshold is the sentiment conditions' score, in [-1, 1].
	Threshold float64 `json:"threshold,omitempty"`
	// Values are CondLanguage's languages, CondNetwork's network keys,
	// CondKind's item kinds or CondAuthor's handles and ids.
	Values []string `json:"values,omitempty"`
	// MinLetters is CondAllCaps's least number of capital letters;
	// 0 means DefaultMinLetters.
	MinLetters int `json:"min_letters,omitempty"`
}

// DefaultMinLetters is the all-caps condition's least number of capitals:
// "OK", "LOL", "SNCF" and "STOP" are not shouting, "ARNAQUE" is.
const DefaultMinLetters = 5

// ActionKind is what an action does.
type ActionKind string

// The action kinds.
const (
	// ActHide hides the item on the network (and in the inbox).
	ActHide ActionKind = "hide"
	// ActDelete deletes the item on the network.
	ActDelete ActionKind = "delete"
	// ActTag adds Tag to the item.
	ActTag ActionKind = "tag"
	// ActAssign assigns the item to the member MemberID.
	ActAssign ActionKind = "assign"
	// ActPriority sets the item's priority to Priority.
	ActPriority ActionKind = "set_priority"
	// ActDone marks the item done.
	ActDone ActionKind = "mark_done"
	// ActAutoReply answers the item with the saved reply ReplyID.
	ActAutoReply ActionKind = "auto_reply"
	// ActEmail sends the item to Emails.
	ActEmail ActionKind = "escalate_email"
	// ActWebhook posts the item, signed, to the webhook endpoint WebhookID.
	ActWebhook ActionKind = "escalate_webhook"
)

// ActionKinds lists every action kind, in the order a form shows them.
var ActionKinds = []ActionKind{ActHide, ActDelete, ActTag, ActAssign, ActPriority, ActDone, ActAutoReply, ActEmail, ActWebhook}

// Priority is an item's urgency as a rule names it. The inbox's priorities
// are the same four, in the same order (internal/inbox.Priority 0–3).
type Priority string

// The priorities, lowest first.
const (
	PriorityLow    Priority = "low"
	PriorityNormal Priority = "normal"
	PriorityHigh   Priority = "high"
	PriorityUrgent Priority = "urgent"
)

// Priorities lists the priorities, lowest first: a priority's index is the
// inbox's number for it.
var Priorities = []Priority{PriorityLow, PriorityNormal, PriorityHigh, PriorityUrgent}

// Index is the priority's place, lowest first: the inbox's number for it
// (internal/inbox.Priority), or -1 for an unknown one.
func (p Priority) Index() int {
	for i, q := range Priorities {
		if p == q {
			return i
		}
	}
	return -1
}

// Action is one thing a rule asks for. Which fields count depends on Kind.
type Action struct {
	Kind      ActionKind `json:"kind"`
	Tag       string     `json:"tag,omitempty"`
	MemberID  int64      `json:"member_id,omitempty"`
	Priority  Priority   `json:"priority,omitempty"`
	ReplyID   int64      `json:"reply_id,omitempty"`
	Emails    []string   `json:"emails,omitempty"`
	WebhookID int64      `json:"webhook_id,omitempty"`
}

// NetworkAction is the network action an action performs (hide, delete), or
// "" for one that stays in Tribune (tag, assign…) or goes through
// publishing (auto-reply).
func (a Action) NetworkAction() network.Action {
	switch a.Kind {
	case ActHide:
		return network.ActHide
	case ActDelete:
		return network.ActDelete
	}
	return ""
}

// Inverse is how an undoable action is undone.
type Inverse string

// The inverses.
const (
	// UndoUnhide unhides the item on the network (network.ActUnhide).
	UndoUnhide Inverse = "unhide"
	// UndoUntag removes the tag the action added.
	UndoUntag Inverse = "untag"
	// UndoAssignee puts back the assignee the item had before.
	UndoAssignee Inverse = "restore_assignee"
	// UndoPriority puts back the priority the item had before.
	UndoPriority Inverse = "restore_priority"
	// UndoStatus puts back the status the item had before.
	UndoStatus Inverse = "restore_status"
)

// Undo says whether an action can be undone and how. For the inverses that
// restore a previous value, the inbox records that value when it performs
// the action (the engine never sees the item's triage state).
type Undo struct {
	OK      bool    `json:"ok"`
	Inverse Inverse `json:"inverse,omitempty"`
	// Restores is true when undoing puts back a value recorded when the
	// action was performed (assignee, priority, status).
	Restores bool `json:"restores,omitempty"`
	// Reason is, when OK is false, why (English, a catalogue key: see
	// UndoReason).
	Reason string `json:"reason,omitempty"`
}

// notUndoable says why the irreversible actions are so.
var notUndoable = map[ActionKind]string{
	ActDelete:    "A deleted item cannot be restored on the network.",
	ActAutoReply: "A reply once published stays on the network: delete it from the thread if it must go.",
	ActEmail:     "An e-mail once sent cannot be recalled.",
	ActWebhook:   "A webhook once delivered cannot be recalled.",
}

// UndoOf says whether and how an action of kind k is undone.
func UndoOf(k ActionKind) Undo {
	switch k {
	case ActHide:
		return Undo{OK: true, Inverse: UndoUnhide}
	case ActTag:
		return Undo{OK: true, Inverse: UndoUntag}
	case ActAssign:
		return Undo{OK: true, Inverse: UndoAssignee, Restores: true}
	case ActPriority:
		return Undo{OK: true, Inverse: UndoPriority, Restores: true}
	case ActDone:
		return Undo{OK: true, Inverse: UndoStatus, Restores: true}
	}
	return Undo{Reason: notUndoable[k]}
}

// UndoReason is, in lang, why an action of kind k cannot be undone ("" when
// it can).
func UndoReason(lang string, k ActionKind) string {
	if _, ok := notUndoable[k]; !ok {
		return ""
	}
	return i18n.T(lang, notUndoable[k])
}

// Planned is one action of a decision: what to do, how it is undone, and
// whether the item's network refuses it.
type Planned struct {
	Action Action `json:"action"`
	Undo   Undo   `json:"undo"`
	// Unsupported is, when the item's network does not allow the action
	// (Mastodon cannot hide a reply), the network's reason (English, from
	// network.InboxCapabilities): the inbox records the action as refused
	// with it instead of calling the network.
	Unsupported string `json:"unsupported,omitempty"`
}

// Decision is one matching rule and the actions it asks for, in order.
type Decision struct {
	RuleID   int64     `json:"rule_id"`
	RuleName string    `json:"rule_name"`
	Actions  []Planned `json:"actions"`
	// Stopped is true when this rule ended the evaluation.
	Stopped bool `json:"stopped,omitempty"`
}
