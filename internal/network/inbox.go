package network

import (
	"context"
	"net/http"
	"strconv"
	"time"
)

// The inbox capability: what a network lets Tribune read of the conversations
// around a channel (comments under our posts, mentions, quotes, direct
// messages, reviews) and what it lets us do with them (reply, like, hide,
// delete, block, mark read).
//
// It is a second interface beside Connector, not part of it, so that a
// network can publish before its inbox is written; a connector that
// implements Inbox declares, per item kind and per action, whether the
// network allows it and, when it does not, why (shown in the UI instead of a
// button that would fail). The contract is written for the eleven networks
// of the product map, not only for the three connected today: reviews exist
// for Google Business Profile, hiding for Facebook/Instagram/X/Bluesky, etc.
//
// Replies are not an Inbox method: a reply is a publication (PostRequest with
// ReplyTo and Root set) and goes through Publish and Recover, so it gets the
// same never-twice guarantees as a post.

// ItemKind is what an inbox item is.
type ItemKind string

// The item kinds.
const (
	// KindComment: a reply under one of our posts (or under a reply in that thread).
	KindComment ItemKind = "comment"
	// KindMention: a post that names our account outside our threads.
	KindMention ItemKind = "mention"
	// KindQuote: a post that quotes (embeds) one of ours.
	KindQuote ItemKind = "quote"
	// KindMessage: a direct (private) message.
	KindMessage ItemKind = "message"
	// KindReview: a review of the place or page (Google Business Profile, Facebook).
	KindReview ItemKind = "review"
)

// ItemKinds lists every kind, in the order a filter shows them.
var ItemKinds = []ItemKind{KindComment, KindMention, KindQuote, KindMessage, KindReview}

// Action is something done to an inbox item on the network.
type Action string

// The actions. Reply is listed so that capabilities can say whether a kind
// of item can be answered, although replies go through Publish.
const (
	ActReply    Action = "reply"
	ActLike     Action = "like"
	ActUnlike   Action = "unlike"
	ActHide     Action = "hide"
	ActUnhide   Action = "unhide"
	ActDelete   Action = "delete"
	ActBlock    Action = "block"
	ActUnblock  Action = "unblock"
	ActMarkRead Action = "mark_read"
)

// Actions lists every action, in the order the UI shows them.
var Actions = []Action{ActReply, ActLike, ActUnlike, ActHide, ActUnhide, ActDelete, ActBlock, ActUnblock, ActMarkRead}

// Support says whether a network allows a kind or an action, and if not, why.
type Support struct {
	OK bool `json:"ok"`
	// Reason is an English sentence (translated through the catalogue) shown
	// when OK is false: "Mastodon has no way to hide a reply from others."
	Reason string `json:"reason,omitempty"`
}

// Supported is Support{OK: true}.
var Supported = Support{OK: true}

// Unsupported returns a Support that is not OK, with its reason.
func Unsupported(reason string) Support { return Support{Reason: reason} }

// InboxCapabilities is what one network's inbox can do. A kind or action
// missing from the maps is unsupported with a generic reason.
type InboxCapabilities struct {
	Kinds   map[ItemKind]Support `json:"kinds"`
	Actions map[Action]Support   `json:"actions"`
	// KindActions overrides Actions for one kind of item: a network whose
	// direct messages live apart (Bluesky's chat) allows other actions on
	// them than on posts.
	KindActions map[ItemKind]map[Action]Support `json:"kind_actions,omitempty"`
	// Notices are what this account keeps out of reach although its
	// network allows it (an app password without access to direct
	// messages): English sentences, translated through the catalogue,
	// that the inbox shows beside the channel, since missing items show
	// nothing by themselves.
	Notices []string `json:"notices,omitempty"`
	// Streaming is true when the network pushes new items (Mastodon's
	// streaming API); polling still fills the gaps.
	Streaming bool `json:"streaming"`
	// PollEvery is the shortest interval between two polls that stays within
	// the network's documented rate limits with room left for publishing.
	PollEvery time.Duration `json:"poll_every"`
}

// Kind returns what the capabilities say of kind k.
func (c InboxCapabilities) Kind(k ItemKind) Support {
	if s, ok := c.Kinds[k]; ok {
		return s
	}
	return Unsupported("This network does not give access to these items.")
}

// Action returns what the capabilities say of action a.
func (c InboxCapabilities) Action(a Action) Support {
	if s, ok := c.Actions[a]; ok {
		return s
	}
	return Unsupported("This network does not allow this action.")
}

// ActionOn returns what the capabilities say of action a on an item of
// kind k: the kind's own rule, else the network's.
func (c InboxCapabilities) ActionOn(k ItemKind, a Action) Support {
	if s, ok := c.KindActions[k][a]; ok {
		return s
	}
	return c.Action(a)
}

// Author is who wrote an inbox item, as the network names them.
type Author struct {
	// ExternalID is the network's stable id (Mastodon account id, DID).
	ExternalID  string `json:"external_id"`
	Handle      string `json:"handle"`
	DisplayName string `json:"display_name,omitempty"`
	AvatarURL   string `json:"avatar_url,omitempty"`
	URL         string `json:"url,omitempty"`
}

// Item is one comment, mention, quote, message or review, as fetched.
type Item struct {
	// ExternalID is the network's id of the item, unique per channel: the
	// key that makes a repeated fetch add nothing (Mastodon status id,
	// Bluesky at:// URI, sandbox comment id). For a notification about a
	// status it is the status's id, not the notification's, so the same
	// status seen as a mention and as a reply is stored once.
	ExternalID string   `json:"external_id"`
	Kind       ItemKind `json:"kind"`
	// Ref is how to act on the item and how to reply to it (ID, CID, URL).
	Ref Ref `json:"ref"`
	// Root is the first post of the thread the item belongs to (for a
	// comment under one of our posts: that post); a reply needs it on
	// Bluesky. Nil for a message or a review.
	Root *Ref `json:"root,omitempty"`
	// ParentID is the network id of the post or item this one answers.
	ParentID string `json:"parent_id,omitempty"`
	// ConversationID groups items: the root's id for a thread, the
	// network's conversation id for direct messages.
	ConversationID string `json:"conversation_id"`
	Author         Author `json:"author"`
	Text           string `json:"text"`
	// Lang is the language the network or the author declared, if any
	// (BCP 47, "fr", "en"); Tribune detects its own too.
	Lang      string    `json:"lang,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// EditedAt is set when the network says the item was edited.
	EditedAt time.Time `json:"edited_at,omitzero"`
	// Deleted is set when the network says the item is gone.
	Deleted bool `json:"deleted,omitempty"`
	// Hidden is set when the item is hidden on the network (by us).
	Hidden bool `json:"hidden,omitempty"`
	// Rating is a review's stars, 1–5, else 0.
	Rating int `json:"rating,omitempty"`
}

// FetchRequest asks for the items that arrived since the last fetch.
type FetchRequest struct {
	// Cursor is what the last FetchResult returned ("" the first time): a
	// Mastodon min_id, a Bluesky seenAt time, a sandbox sequence number.
	Cursor string
	// Since bounds the first fetch (no cursor yet): nothing older is asked for.
	Since time.Time
	// Limit is the most items to return in one call; the connector pages
	// internally up to it and sets More when the network holds more.
	Limit int
	// OurPosts are the posts this channel published recently, for networks
	// where comments are read per post (a thread under each of them).
	OurPosts []Ref
}

// FetchResult is one fetch's answer.
type FetchResult struct {
	Items []Item
	// Cursor is what the next FetchRequest passes. A connector returns the
	// request's cursor unchanged when nothing new arrived.
	Cursor string
	// More is true when the limit was reached before the network ran out.
	More bool
	// Partial is the failure of a part of the inbox the network keeps
	// apart (Bluesky's chat service) while the rest came: the items and the
	// cursor count, the failed part's own cursor is unchanged so it is read
	// again next time, and the poll records the failure for the channel
	// rather than holding back what did come.
	Partial error
	// Budget is the account's rate budget as the network's last answer
	// told it; nil when the network does not say.
	Budget *RateBudget
}

// RateBudget is what remains of an account's request budget, which
// publishing and the inbox share.
type RateBudget struct {
	Limit     int       // requests per window
	Remaining int       // requests left in the current window
	Reset     time.Time // when the window starts again
}

// ReadBudget reads an answer's rate budget, or returns nil when the
// answer says none (or nothing readable). Two families of headers exist:
//
//   - X-RateLimit-Limit, -Remaining and -Reset: Mastodon, whose reset is an
//     ISO 8601 time (docs.joinmastodon.org/api/rate-limits);
//   - RateLimit-Limit, -Remaining and -Reset, the IETF draft's names: an
//     atproto PDS (its xrpc-server rate limiter), whose reset is a Unix time
//     in seconds, not the draft's delta, and which adds RateLimit-Policy
//     ("3000;w=300": the window in seconds), not needed here.
//
// The reset is read as RetryAfter reads it, which tells the three forms
// apart (an ISO time, an epoch second, a delta in seconds).
func ReadBudget(h http.Header, now time.Time) *RateBudget {
	for _, prefix := range []string{"X-RateLimit-", "RateLimit-"} {
		limit, err1 := strconv.Atoi(h.Get(prefix + "Limit"))
		remaining, err2 := strconv.Atoi(h.Get(prefix + "Remaining"))
		if err1 != nil || err2 != nil || limit <= 0 || remaining < 0 {
			continue
		}
		// Only this family's reset: a Retry-After or the other family's
		// reset must not stand in for it.
		reset := http.Header{}
		if v := h.Get(prefix + "Reset"); v != "" {
			reset.Set(prefix+"Reset", v)
		}
		return &RateBudget{Limit: limit, Remaining: remaining, Reset: now.Add(RetryAfter(reset, now))}
	}
	return nil
}

// Inbox is implemented by connectors whose network has an inbox.
type Inbox interface {
	// InboxCapabilities says what the network allows for this account.
	InboxCapabilities(acct Account) InboxCapabilities
	// FetchInbox returns what arrived since req.Cursor, oldest first. A
	// repeated or overlapping fetch may return items already seen: the
	// store keeps one per (channel, ExternalID). Retryable.
	FetchInbox(ctx context.Context, acct Account, req FetchRequest) (FetchResult, error)
	// Act does a on the item. It returns ErrUnsupported for an action the
	// capabilities say is not allowed. Actions are idempotent on every
	// network Tribune speaks to (liking twice, hiding twice are no-ops), so
	// they are retried freely.
	Act(ctx context.Context, acct Account, a Action, item Item) error
}

// Streamer is implemented by connectors whose network pushes new items.
// Stream blocks until ctx ends or the connection fails, calling fn for each
// item as it arrives; the caller reconnects with backoff and polls once on
// every reconnect to fill the gap.
type Streamer interface {
	Stream(ctx context.Context, acct Account, fn func(Item)) error
}
