// Package inbox is the community inbox's use cases: it stores what each
// channel's network lets Tribune read (comments under our posts, mentions,
// quotes, direct messages, reviews) once per item, grouped into
// conversations and linked to the post they answer, with their sentiment
// and language; it polls every inbox-capable channel with River jobs spaced
// by the network's rate limits; and it is where members triage (status,
// assignee, tags, notes, priority, filters, search) and act on the network
// (like, hide, delete, block, mark read), each action audited with who did it.
//
// The connectors implement network.Inbox; this package never knows a
// network by name, so the eleventh network is one more connector.
package inbox

import (
	"context"
	"log/slog"
	"time"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/publish"
	"github.com/tribune-social/tribune/internal/sentiment"
	"github.com/tribune-social/tribune/internal/store"
)

// Analyzer tells the sentiment and the language of a text (package
// sentiment's model in production; a small deterministic one in tests).
// Its result depends on the text alone, and it is safe for concurrent use:
// ingestion analyses a large fetch on several goroutines.
type Analyzer interface {
	Analyze(text string) sentiment.Result
}

// Accounts opens a channel's credentials (channels.Service).
type Accounts interface {
	Account(ctx context.Context, ch store.Channel) (network.Account, error)
}

// CrisisCell hears of the replies the inbox sends (crisis.Service).
type CrisisCell interface {
	ReplySent(ctx context.Context, r store.InboxReply)
}

// Service is the inbox.
type Service struct {
	Store store.Store
	Auth  *auth.Service
	// Connectors are the networks' connectors by network key; those that
	// implement network.Inbox have an inbox.
	Connectors map[string]network.Connector
	Accounts   Accounts
	Analyzer   Analyzer
	// Notifier tells a member an item was assigned to them.
	Notifier publish.Notifier
	// Webhooks, when set, queues inbox.item.created and
	// inbox.item.updated in the transactions that store those changes.
	Webhooks Webhooks
	// Live, when set, tells open pages of new and changed items once
	// their transaction has committed.
	Live Live
	// Guard, when set, warns before a second answer to a conversation
	// someone else is replying to (reply_guard.go).
	Guard ReplyGuard
	// RuleWebhooks sends a rule's escalation to its endpoint (webhook.go);
	// nil refuses it, audited.
	RuleWebhooks RuleWebhooks
	// Crisis, when set, writes replies sent during an open crisis in the
	// incident's timeline (crisis.Service).
	Crisis CrisisCell
	Log    *slog.Logger
	Now    func() time.Time

	// ruleCache keeps each workspace's compiled moderation rules (rules.go).
	ruleCache ruleCache
}

// Status is where an item is in the team's work.
type Status string

// The statuses, in the order work moves through them.
const (
	// StatusNew: nobody has looked at it yet.
	StatusNew Status = "new"
	// StatusOpen: someone is on it.
	StatusOpen Status = "open"
	// StatusPending: waiting for someone else (the customer, a colleague).
	StatusPending Status = "pending"
	// StatusDone: nothing left to do.
	StatusDone Status = "done"
)

// Statuses lists every status in order.
var Statuses = []Status{StatusNew, StatusOpen, StatusPending, StatusDone}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, v := range Statuses {
		if s == v {
			return true
		}
	}
	return false
}

// Priority is how urgent an item is.
type Priority int64

// The priorities.
const (
	PriorityLow Priority = iota
	PriorityNormal
	PriorityHigh
	PriorityUrgent
)

// Priorities lists every priority, lowest first.
var Priorities = []Priority{PriorityLow, PriorityNormal, PriorityHigh, PriorityUrgent}

// Valid reports whether p is a known priority.
func (p Priority) Valid() bool { return p >= PriorityLow && p <= PriorityUrgent }

// Name is the priority's English name (a catalogue key).
func (p Priority) Name() string {
	return [...]string{"Low", "Normal", "High", "Urgent"}[min(max(int(p), 0), 3)]
}

// ConversationKind says whether a conversation is a public thread or a
// private exchange.
type ConversationKind string

// The conversation kinds.
const (
	ConversationThread ConversationKind = "thread"
	ConversationDirect ConversationKind = "direct"
)

// Results of an audited action.
const (
	ResultOK      = "ok"
	ResultRefused = "refused"
	ResultFailed  = "failed"
)

// NotifyAssigned is the notification a member gets when items are assigned to them.
const NotifyAssigned publish.NotificationKind = "inbox_assigned"

// inboxOf returns the connector's inbox, if its network has one.
func (s *Service) inboxOf(netw string) (network.Inbox, bool) {
	c, ok := s.Connectors[netw]
	if !ok {
		return nil, false
	}
	ib, ok := c.(network.Inbox)
	return ib, ok
}
